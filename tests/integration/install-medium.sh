#!/bin/bash
# The install medium is never a target: a file system image on a loop device that the installer runs from, or that the kernel command line names, is refused with the reason before anything is written.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"
for t in losetup mkfs.ext4 mount umount mountpoint sha256sum; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 1; }
done

tmp=$(mktemp -d /tmp/ospite-medium.XXXXXX)
med=
cleanup() {
	mountpoint -q "$tmp/medium" && umount "$tmp/medium"
	[ -n "$med" ] && losetup -d "$med"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

truncate -s 8G "$tmp/medium.img"
# Nothing initialised lazily: the kernel must not write to the medium behind the test's back.
mkfs.ext4 -q -L OSPITE_MEDIUM -E lazy_itable_init=0,lazy_journal_init=0 "$tmp/medium.img" 64M ||
	fail "mkfs"
med=$(losetup -f --show "$tmp/medium.img") || fail "losetup"
mkdir "$tmp/medium"

# What an install would write first: the file system at the start, both GPT headers at the ends.
ends_sum() {
	{ dd if="$med" bs=1M count=64 status=none; dd if="$med" bs=1M skip=8188 status=none; } | sha256sum
}

# ks FILE: an answer file whose only possible target is the medium's loop device.
ks() {
	cat >"$1" <<KS
lang en
keyboard us
timezone UTC --utc
network --bootproto=dhcp --hostname=medium
rootpw --plaintext ospite-test
hypervisor --type=kvm
ignoredisk --only-use=${med#/dev/}
zerombr
clearpart --all --initlabel
autopart
KS
}
ks "$tmp/medium.ks"

# 1. Run from the mounted medium, as from a USB stick or a CD (read-only).
mount "$med" "$tmp/medium" || fail "mount"
cp "$B/ospite-install" "$tmp/medium/"
umount "$tmp/medium"
mount -o ro "$med" "$tmp/medium" || fail "mount -o ro"
# refused N WHAT PROGRAM [ENV=VALUE...]: run PROGRAM on medium.ks (from /, with ENV); it must
# fail, say the disk holds the installation medium, and leave every byte of it as it was.
refused() {
	local n=$1 what=$2 prog=$3 sum rc
	shift 3
	sum=$(ends_sum)
	(cd / && env "$@" "$prog" --answer "$tmp/medium.ks" --workdir "$tmp/work" \
		--log "$tmp/run$n.log" </dev/null >"$tmp/run$n.out" 2>&1)
	rc=$?
	cat "$tmp/run$n.out"
	[ $rc != 0 ] || fail "an install onto $what was accepted"
	grep -q "holds the installation medium" "$tmp/run$n.out" ||
		fail "$what was refused without saying it is the medium"
	[ "$(ends_sum)" = "$sum" ] || fail "$what was written"
}
refused 1 "the medium it runs from" "$tmp/medium/ospite-install" OSPITE_CMDLINE=/dev/null
umount "$tmp/medium"

# 2. Not mounted, but named as the boot device on the kernel command line.
echo "BOOT_IMAGE=/vmlinuz quiet live-media=LABEL=OSPITE_MEDIUM" >"$tmp/cmdline"
refused 2 "the boot device named by live-media=" "$B/ospite-install" OSPITE_CMDLINE="$tmp/cmdline"
sum=$(ends_sum)

# 3. The same loop device, neither run from nor named at boot, is a disk like any other: the
#    refusal above came from the medium, not from loop devices. A failing %pre stops this
#    run before the Dependency Check, so nothing is written here either.
ks "$tmp/plain.ks"
printf '%s\n' "%pre --erroronfail" "exit 3" "%end" >>"$tmp/plain.ks"
echo "BOOT_IMAGE=/vmlinuz quiet" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline "$B/ospite-install" --answer "$tmp/plain.ks" --workdir "$tmp/work" \
	--log "$tmp/run3.log" </dev/null >"$tmp/run3.out" 2>&1
cat "$tmp/run3.out"
grep -q "installation medium" "$tmp/run3.out" && fail "a loop device that is no medium was refused as one"
grep -q "plain.ks:11" "$tmp/run3.out" || fail "the run did not get as far as %pre"
[ "$(ends_sum)" = "$sum" ] || fail "the disk was written"
echo "PASS: the medium is refused whether run from or named at boot, and never written"
