#!/bin/bash
# Bench: an unattended ospite install into an image against plain-install.sh doing the same steps with the same package cache.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
[ "$(id -u)" = 0 ] || { echo "install bench: needs root for loop devices"; exit 77; }

tmp=$(mktemp -d /var/tmp/ospite-bench.XXXXXX)
cleanup() {
	for f in "$tmp"/*.img; do
		for d in $(losetup -n -O NAME -j "$f" 2>/dev/null); do losetup -d "$d"; done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/bench.ks" <<KS
# The install both sides do: Xen host, automatic layout, DHCP on the first NIC.
lang en
keyboard us
timezone Europe/Rome --utc
network --bootproto=dhcp --hostname=bench
rootpw --plaintext bench-password
hypervisor --type=xen
zerombr
clearpart --all --initlabel
autopart
KS

ospite() {   # ospite IMAGE: one unattended install, wall seconds on stdout
	local t0 t1
	rm -f "$tmp/ospite.log"   # the log of this run only: the step times below read it
	t0=$(date +%s.%N)
	"$B/ospite-install" --answer "$tmp/bench.ks" --image "$1" --image-size 8G \
		--workdir "$tmp/work" --log "$tmp/ospite.log" >"$tmp/ospite.out" 2>&1 ||
		{ tail -n 20 "$tmp/ospite.out" "$tmp/ospite.log" >&2; return 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}

# Warm-up: fills the shared package cache and tells which packages and mirror the plan uses.
echo "install bench: warm-up install (fills the package cache)..."
ospite "$tmp/warm.img" >/dev/null || exit 1
rm -f "$tmp/warm.img"
# Command lines are logged as "+ [VAR=value...] command args".
pkgs=$(sed -n 's/^+ .* dist-upgrade //p' "$tmp/ospite.log" | tail -1)
# The plan in the log names the source as "source: MIRROR SUITE [+security]".
read -r mirror suite <<<"$(sed -n 's/^source: \([^ ]*\) \([^ ]*\).*/\1 \2/p' "$tmp/ospite.log" | tail -1)"
[ -n "$pkgs" ] && [ -n "$mirror" ] || { echo "install bench: could not read the package set from the log"; exit 1; }

truncate -s 8G "$tmp/plain.img"
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$top/tests/bench/plain-install.sh" "$tmp/plain.img" "$tmp/work/apt/archives" "$mirror" "$suite" $pkgs \
	>"$tmp/plain.log" 2>&1 || { tail -n 20 "$tmp/plain.log"; exit 1; }
plain=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
rm -f "$tmp/plain.img"

mine=$(ospite "$tmp/measured.img") || exit 1
printf 'install: ospite-install %.0f s, plain shell script %.0f s, ratio %.2f (target <= 1.00, aim 0.70)\n' \
	"$mine" "$plain" "$(awk -v a="$mine" -v b="$plain" 'BEGIN { print a / b }')"
# Where the measured install spent its time, from the step lines of its log ("== step: NAME (at T s)").
awk -v total="$mine" '
	/^== step: / { t = $0; sub(/.*\(at /, "", t); sub(/ s\)$/, "", t); n = $0; sub(/^== step: /, "", n); sub(/ \(at .*/, "", n)
		if (name != "" && name != n) { printf "%s%s %.0f s", sep, name, t - start; sep = ", " }
		if (name != n) { name = n; start = t } }
	END { if (name != "") printf "%s%s %.0f s", sep, name, total - start; print "" }' "$tmp/ospite.log" |
	sed 's/^/install: ospite-install by step: /'
# and the commands that took longest ("= PROGRAM: T s").
sed -n 's/^= \([^:]*\): \([0-9.]*\) s$/\2 \1/p' "$tmp/ospite.log" | sort -rn | head -4 |
	awk '{ printf "%s%s %.0f s", (NR > 1 ? ", " : "install: longest commands: "), $2, $1 } END { print "" }'
