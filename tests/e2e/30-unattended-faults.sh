#!/bin/bash
# Unattended faults: each ends with a clear message and exit status 2, the sentinel untouched, nothing written before its failure point.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"

tmp=$(mktemp -d /var/tmp/ospite-faults.XXXXXX)
work=$(e2e_workdir)
mkdir -p "$work"
sentinel=
cleanup() {
	unmount_under "$work"
	for f in "$tmp"/*.img; do [ "$f" = "$tmp/sentinel.img" ] || detach_image "$f"; done
	[ -n "$sentinel" ] && losetup -d "$sentinel"
	rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

make_sentinel "$tmp"

# ks NAME [LINES...]: an answer file NAME.ks: a valid Xen host plus the extra lines.
ks() {
	local name=$1
	shift
	{
		printf '%s\n' "lang en" "keyboard us" "timezone UTC --utc" \
			"network --device=link --bootproto=dhcp --hostname=faulty" \
			"rootpw --plaintext ospite-e2e" "hypervisor --type=xen" \
			"zerombr" "clearpart --all --initlabel" "autopart"
		printf '%s\n' "$@"
	} >"$tmp/$name.ks"
}

# run NAME SIZE: install NAME.ks into NAME.img of SIZE; output in NAME.out, status in $rc.
run() {
	"$B/ospite-install" --answer "$tmp/$1.ks" --image "$tmp/$1.img" --image-size "$2" \
		--workdir "$work" --log "$tmp/$1.log" </dev/null >"$tmp/$1.out" 2>&1
	rc=$?
}

# untouched NAME: the image has no partition table and no signature: nothing was written.
untouched() {
	[ -z "$(blkid -p -o value -s PTTYPE "$tmp/$1.img" 2>/dev/null)" ] &&
		[ -z "$(blkid -p -o value -s TYPE "$tmp/$1.img" 2>/dev/null)" ]
}

expect() {   # expect NAME STATUS TEXT: exit status and a message containing TEXT
	[ "$rc" = "$2" ] || fail "$1: exit status $rc, expected $2"
	grep -qF -- "$3" "$tmp/$1.out" || { fail "$1: no message with \"$3\""; tail -5 "$tmp/$1.out"; }
	sentinel_intact || fail "$1: the sentinel changed"
}

# The mirror is a closed port on loopback: reported by the Dependency Check, nothing written.
ks mirror "url --url=http://127.0.0.1:9/debian"
run mirror 8G
expect mirror 2 "127.0.0.1"
untouched mirror || fail "mirror: the disk was written"

# A package that does not exist: named before Formatting.
ks nopkg "%packages" "ospite-no-such-package" "%end"
run nopkg 8G
expect nopkg 2 "ospite-no-such-package"
untouched nopkg || fail "nopkg: the disk was written"

# A target too small for the layout.
ks small
run small 2G
expect small 2 "too small"
untouched small || fail "small: the disk was written"

# %post --erroronfail that fails: the install fails naming the script's line.
ks post "%post --erroronfail" "echo about to fail" "exit 3" "%end"
run post 8G
expect post 2 "post.ks:10"

# The disk changes between its confirmation and the first write (a %pre script partitions
# it, as another operator might meanwhile): the install stops, naming what it was and is.
ks changed "%pre" "for d in \$(losetup -n -O NAME -j $tmp/changed.img); do parted -s \"\$d\" mklabel gpt; done" "%end"
run changed 8G
expect changed 2 "is not the one that was confirmed"
grep -q "partition table none" "$tmp/changed.out" || fail "changed: the message does not say what the disk was"
[ -z "$(partx -g "$tmp/changed.img" 2>/dev/null)" ] || fail "changed: partitions were written"

[ $failures = 0 ] || exit 1
echo "PASS: unreachable mirror, missing package, small disk, failing %post and a disk changed after its confirmation each stopped cleanly"
