#!/bin/bash
# Formatting's read-back of a volume group's UUID (what the install journal records for a resume) against real LVM metadata on loop disks made here; no device-mapper is needed, as nothing is activated.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
bin=$B/tests/test-inst-lvm
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root to attach loop devices"
for t in losetup pvcreate vgcreate vgremove pvremove vgdisplay; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[ -x "$bin" ] || fail "$bin is missing: make $bin"
export LVM_SUPPRESS_FD_WARNINGS=1

tmp=$(mktemp -d /tmp/ospite-lvm-uuid.XXXXXX) || fail "mktemp"
loops=() made=()
vg=ospitetest$$ dup=ospitedup$$
# LVM (the test's commands and the installer's vgs alike) takes its configuration from here: it
# looks at this test's loop disks only, and writes its backups and archives here, not in /etc/lvm.
. "$(dirname "$0")/../lib/lvm.sh"
lvm_private "$tmp/lvm" || fail "mkdir"
# While a group is made, LVM sees only its disk: two groups of one name can be made that way.
cfg() { printf 'devices { filter=["a|^%s$|","r|.*|"] }' "$1"; }
cleanup() {
	set +e
	for m in "${made[@]}"; do
		vgremove -f --config "$(cfg "${m#* }")" "${m% *}" >/dev/null 2>&1
		pvremove -y --config "$(cfg "${m#* }")" "${m#* }" >/dev/null 2>&1
	done
	for l in "${loops[@]}"; do losetup -d "$l"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
# group NAME: a new loop disk holding a volume group NAME, which only that disk is searched for.
group() {
	local img dev
	img=$tmp/${#loops[@]}.img
	truncate -s 32M "$img" || fail "truncate"
	dev=$(losetup -f --show "$img") || fail "losetup"
	loops+=("$dev")
	pvcreate -ff -y --config "$(cfg "$dev")" "$dev" >/dev/null 2>&1 || fail "pvcreate $dev"
	vgcreate -y --config "$(cfg "$dev")" "$1" "$dev" >/dev/null 2>&1 || fail "vgcreate $1 on $dev"
	made+=("$1 $dev")
	last=$dev
}
group "$vg"
uuid=$(vgdisplay --config "$(cfg "$last")" "$vg" 2>/dev/null | awk '$1 == "VG" && $2 == "UUID" { print $3 }')
[ ${#uuid} = 38 ] || fail "vgdisplay shows no UUID for $vg: '$uuid'"
group "$dup"
group "$dup"
lvm_accept "${loops[@]}"
vgs --noheadings -o vg_name 2>/dev/null | grep -qw "$vg" || fail "LVM does not see $vg through the test's configuration"
# The doubled name is what LVM itself refuses to pick one of.
vgs "$dup" >/dev/null 2>"$tmp/dup.err" && fail "vgs took one of the two groups $dup"
grep -q 'same name' "$tmp/dup.err" || fail "LVM does not see two groups $dup: $(cat "$tmp/dup.err")"

OSPITE_TEST_VG=$vg OSPITE_TEST_VG_UUID=$uuid OSPITE_TEST_VG_DUP=$dup "$top/tests/lib/run-unit.sh" "$bin"
case $? in
0) ;;
77) fail "test-inst-lvm skipped some of its tests" ;;
*) fail "test-inst-lvm failed" ;;
esac
echo "lvm-uuid: a volume group's UUID is read back as vgdisplay shows it; a missing or doubled name is refused"
