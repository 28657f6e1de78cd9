#!/bin/bash
# Runs hv/'s libvirtd test against the system libvirtd with QEMU (TCG), starting the daemons itself when none runs; the edit test boots a busybox guest with virtio disks.
set -u

B=${OSPITE_BUILD:-build/std}
unit=$(cd "$(dirname "$0")/../lib" && pwd)/run-unit.sh
# The test binary links libparted, whose load-time GPT probe trips AddressSanitizer (see Makefile).
export PARTED_GPT_APPLE=${PARTED_GPT_APPLE:-0}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:intercept_strchr=0}
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to run the system libvirtd"
for t in libvirtd virtlogd virsh qemu-system-x86_64 cpio modinfo; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x /bin/busybox ] || skip "missing busybox: make deps-test"
[ -x "$B/tests/test-hv-libvirtd" ] || fail "$B/tests/test-hv-libvirtd is missing: make $B/tests/test-hv-libvirtd"

uri=qemu:///system
guest=ospite-hvtest-$$
started=()
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/guest.sh"
tmp=$(mktemp -d /tmp/ospite-hv-libvirtd.XXXXXX) || fail "mktemp"
# QEMU runs as libvirt-qemu and must reach the kernel and initramfs made here.
chmod 755 "$tmp"

cleanup() {
	set +e
	# The test removes its guest; this is for when it died halfway.
	if virsh -c "$uri" domid "$guest" >/dev/null 2>&1; then
		virsh -c "$uri" destroy "$guest" >/dev/null 2>&1
	fi
	virsh -c "$uri" undefine "$guest" >/dev/null 2>&1
	# libvirt keeps a QEMU log per guest name; this name was ours.
	rm -f "/var/log/libvirt/qemu/$guest.log"
	# The edit test made its pool folder a storage pool: it goes with the folder.
	for p in $(virsh -c "$uri" pool-list --all --name 2>/dev/null); do
		if virsh -c "$uri" pool-dumpxml "$p" 2>/dev/null | grep -qF "<path>$tmp/pool</path>"; then
			virsh -c "$uri" pool-destroy "$p" >/dev/null 2>&1
			virsh -c "$uri" pool-undefine "$p" >/dev/null 2>&1
		fi
	done
	# Only the daemons started here, newest first, each by its pid.
	libvirtd_down
	# A daemon killed or dead before virsh could destroy the guest leaves its QEMU running.
	libvirtd_reap /run/libvirt "$guest"
	rm -rf "$tmp"
}
trap cleanup EXIT

libvirtd_up "$uri"

# The guest (guest.sh): the host's kernel, which the console test boots alone, and for the edit
# test a busybox initramfs with the kernel's virtio disk modules, whose /init prints the guest's
# memory, its disks and the first bytes of vda, then overwrites them.
guest_files virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk <<'INIT'
/bin/busybox sleep 2
echo "OSPITE-MEM $(/bin/busybox grep MemTotal /proc/meminfo)" >/dev/ttyS0
for d in /sys/block/vd*; do
	echo "OSPITE-DISK ${d##*/} $(/bin/busybox cat $d/size)" >/dev/ttyS0
done
echo "OSPITE-VDA $(/bin/busybox head -c 8 /dev/vda)." >/dev/ttyS0
# fsync flushes the disk's cache; a plain sync leaves qcow2's new mapping in QEMU's memory.
echo -n "AFTER___" | /bin/busybox dd of=/dev/vda bs=8 count=1 conv=notrunc,fsync 2>/dev/ttyS0 &&
	echo "OSPITE-WROTE $(/bin/busybox dd if=/dev/vda bs=4096 count=1 iflag=direct 2>/dev/null | /bin/busybox head -c 8)." >/dev/ttyS0
while :; do /bin/busybox sleep 60; done
INIT
mkdir -p "$tmp/pool"
export OSPITE_TEST_KERNEL=$tmp/vmlinuz OSPITE_TEST_INITRD=$tmp/initrd.gz OSPITE_TEST_POOL=$tmp/pool

# run-unit.sh counts each test: one that skipped (no kernel to boot, say) is no pass.
OSPITE_TEST_LIBVIRTD=1 OSPITE_TEST_URI=$uri OSPITE_TEST_GUEST=$guest OSPITE_ACCEL=tcg \
	"$unit" "$B/tests/test-hv-libvirtd"
case $? in
0) echo "hv-libvirtd: passed" ;;
77) skip "test-hv-libvirtd skipped some of its tests" ;;
*) fail "test-hv-libvirtd failed" ;;
esac
