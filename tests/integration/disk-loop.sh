#!/bin/bash
# Lists, checks and partitions loop disks made here from image files; a sentinel disk proves nothing else was written.
set -u

B=${OSPITE_BUILD:-build/std}
unit=$(cd "$(dirname "$0")/../lib" && pwd)/run-unit.sh
# Unless this is set, libparted's load-time constructor runs `dmidecode` through popen() and,
# when that prints nothing, reads an unterminated buffer (AddressSanitizer stops the program).
export PARTED_GPT_APPLE=${PARTED_GPT_APPLE:-0}
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to attach loop devices"
for t in losetup partx parted blkid blockdev mkfs.ext4 mkfs.xfs mkswap sha256sum mount umount mountpoint; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[ -e /dev/loop-control ] || skip "no loop device support"
for t in test-hcfg-disk test-hcfg-part; do
	[ -x "$B/tests/$t" ] || fail "$B/tests/$t is missing: make $B/tests/$t"
done

tmp=$(mktemp -d /tmp/ospite-disk-loop.XXXXXX) || fail "mktemp"
loops=()
mnt=$tmp/mnt
mnt2=$tmp/mnt2

cleanup() {
	set +e
	for m in "$mnt" "$mnt2"; do
		if mountpoint -q "$m"; then umount "$m"; fi
	done
	for l in "${loops[@]}"; do
		# Partitions added through BLKPG outlive the loop device unless removed first.
		partx -d "$l" 2>/dev/null
		losetup -d "$l"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$mnt" "$mnt2" || fail "mkdir"

# attach [-r] FILE: sets $dev to a new loop device on FILE, remembered for the cleanup.
attach() {
	dev=$(losetup -f --show "$@") || fail "losetup $*"
	loops+=("$dev")
	case $dev in /dev/loop[0-9]*) ;; *) fail "unexpected loop device '$dev'" ;; esac
}

# ends_sum DEV: hash of the first and last 4 MiB, where partitioning and wiping would write
# (protective MBR, both GPT headers, the ext4 superblock at the partition's start).
ends_sum() {
	local mib=$(( $(blockdev --getsize64 "$1") >> 20 ))
	{ dd if="$1" bs=1M count=4 status=none; dd if="$1" bs=1M skip=$((mib - 4)) status=none; } |
		sha256sum | cut -d' ' -f1
}

wait_node() {
	for _ in $(seq 50); do [ -b "$1" ] && return 0; sleep 0.1; done
	fail "$1 did not appear"
}

# The sentinel: known random data that must survive everything below.
dd if=/dev/urandom of="$tmp/sentinel.img" bs=1M count=64 status=none || fail "dd"
attach "$tmp/sentinel.img"; sentinel=$dev
sentinel_sum=$(sha256sum <"$sentinel" | cut -d' ' -f1)

truncate -s 8G "$tmp/fresh.img"; attach "$tmp/fresh.img"; fresh=$dev
truncate -s 1G "$tmp/small.img"; attach "$tmp/small.img"; small=$dev

# A disk with one ext4 partition, mounted read-only so that its bytes stay still.
truncate -s 5G "$tmp/mounted.img"; attach "$tmp/mounted.img"; mounted=$dev
parted -s "$mounted" mklabel gpt mkpart data ext4 1MiB 100% >/dev/null 2>&1 ||
	fail "parted $mounted"
wait_node "${mounted}p1"
mkfs.ext4 -q -F "${mounted}p1" || fail "mkfs.ext4 ${mounted}p1"
mount -o ro "${mounted}p1" "$mnt" || fail "mount ${mounted}p1"
mounted_sum=$(ends_sum "$mounted")

# A filesystem on a whole disk, mounted; and a disk attached read-only.
truncate -s 64M "$tmp/whole.img"; attach "$tmp/whole.img"; whole=$dev
mkfs.ext4 -q -F "$whole" || fail "mkfs.ext4 $whole"
mount -o ro "$whole" "$mnt2" || fail "mount $whole"
whole_sum=$(sha256sum <"$whole" | cut -d' ' -f1)
truncate -s 5G "$tmp/ro.img"
attach -r "$tmp/ro.img"; ro=$dev
ro_sum=$(ends_sum "$ro")
mounted_uuid=$(blkid -c /dev/null -o value -s UUID "${mounted}p1")

echo "sentinel=$sentinel fresh=$fresh small=$small mounted=$mounted whole=$whole ro=$ro"
rc=0 skipped=0
# run-unit.sh counts each test: one that skipped (status 77) is no pass.
tally() { case $1 in 0) ;; 77) skipped=1 ;; *) rc=1 ;; esac; }
OSPITE_TEST_FRESH=$fresh OSPITE_TEST_FRESH_IMG=$tmp/fresh.img OSPITE_TEST_MOUNTED=$mounted \
OSPITE_TEST_SMALL=$small OSPITE_TEST_SENTINEL=$sentinel OSPITE_TEST_WHOLE=$whole OSPITE_TEST_RO=$ro \
	"$unit" "$B/tests/test-hcfg-disk"
tally $?
OSPITE_TEST_LOOP=1 "$unit" "$B/tests/test-hcfg-part"
tally $?

# The C test skips when it finds no devices; make sure it really partitioned the fresh disk.
[ "$(blkid -p -o value -s PTTYPE "$fresh")" = gpt ] || fail "$fresh has no GPT"
[ "$(partx -g -o NR "$fresh" | wc -l)" = 2 ] || fail "$fresh does not have the last layout's 2 partitions"

# The mounted disk: still mounted, same filesystem, nothing changed where partitioning writes.
mountpoint -q "$mnt" || fail "$mnt is no longer mounted"
[ "$(blkid -c /dev/null -o value -s UUID "${mounted}p1")" = "$mounted_uuid" ] ||
	fail "the filesystem on ${mounted}p1 changed"
[ "$(ends_sum "$mounted")" = "$mounted_sum" ] || fail "$mounted was written"

[ "$(sha256sum <"$whole" | cut -d' ' -f1)" = "$whole_sum" ] || fail "$whole was written"
[ "$(ends_sum "$ro")" = "$ro_sum" ] || fail "$ro was written"

[ "$(sha256sum <"$sentinel" | cut -d' ' -f1)" = "$sentinel_sum" ] || fail "the sentinel $sentinel was written"
[ "$(sha256sum <"$tmp/sentinel.img" | cut -d' ' -f1)" = "$sentinel_sum" ] ||
	fail "the sentinel image was written"

[ $rc = 0 ] || fail "a C test failed"
[ $skipped = 0 ] || skip "a C test skipped some of its tests"
echo "disk-loop: all checks passed"
