#!/bin/bash
# The live system's generator, run on each boot menu entry's kernel command line: the installer starts on the one console the entry names, never on two at once.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=$root/media/ospite-live-generator
tmp=$(mktemp -d /tmp/ospite-livegen.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# started CMDLINE: the terminals the generator starts the installer on, sorted, one line.
started() {
	rm -rf "$tmp/n" "$tmp/e"
	printf '%s\n' "$1" >"$tmp/cmdline"
	OSPITE_LIVE_CMDLINE=$tmp/cmdline sh "$gen" "$tmp/n" "$tmp/e" || fail "the generator failed on: $1"
	# Each installer terminal's getty is masked, and no other one.
	for l in "$tmp"/n/getty.target.wants/ospite-live@*.service; do
		[ -e "$l" ] || [ -L "$l" ] || continue
		t=${l##*@}; t=${t%.service}
		[ "$(readlink "$tmp/e/getty@$t.service")" = /dev/null ] || fail "getty@$t is not masked for: $1"
		echo "$t"
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

# The menu's own entries, $live expanded as GRUB does.
live=$(sed -n 's/^set live="\(.*\)"$/\1/p' "$root/media/grub.cfg")
[ -n "$live" ] || fail "media/grub.cfg sets no \$live"
n=0
while IFS='|' read -r title line; do
	line=${line//\$live/$live}
	got=$(started "$line")
	case $title in
	*"Rescue"*) want="tty1 ttyS0" ;;
	*"serial"* | *"seriale"* | "Unattended"*) want=ttyS0 ;;
	*) want=tty1 ;;
	esac
	[ "$got" = "$want" ] || fail "\"$title\" starts the installer on \"$got\", not on \"$want\""
	echo "ok: $title -> $got"
	n=$((n + 1))
done < <(awk -F'"' '/^menuentry/ { t = $2 } /^[ \t]*linux / { sub(/^[ \t]*linux /, ""); print t "|" $0 }' "$root/media/grub.cfg")
[ "$n" = 6 ] || fail "media/grub.cfg has $n entries with a kernel line, not 6"

# The unattended entry with an answer file: once, on the kernel's own (last) console.
[ "$(started "boot=live ospite.ks=http://h/a.ks console=tty0 console=ttyS0,115200n8")" = ttyS0 ] ||
	fail "an unattended install does not run on ttyS0 alone"
[ "$(started "boot=live ospite.ks=http://h/a.ks console=ttyS0,115200n8 console=tty0")" = tty1 ] ||
	fail "an unattended install with tty0 last does not run on tty1 alone"
# A serial line other than ttyS0 (e.g. an IPMI SOL on ttyS1).
[ "$(started "boot=live console=tty0 console=ttyS1,57600")" = ttyS1 ] || fail "ttyS1 alone is not chosen"
masked=$(ls "$tmp/e" | grep -c .)
[ "$masked" = 2 ] || fail "$masked gettys masked for one serial installer, not 2 (serial-getty and getty of ttyS1)"
# No console= at all: tty1.
[ "$(started "boot=live quiet")" = tty1 ] || fail "no console= does not start the installer on tty1"
echo "live-generator: $n menu entries and 4 command lines start one installer each"
