#!/bin/bash
# A running QEMU (TCG) guest that keeps writing a counter to its data disk is backed up with `ospite backup`: it keeps running on its own disk, and the disk restored under a new name is exactly the disk at one instant (the backup's point of consistency), not a mix.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root to run the system libvirtd"
for t in libvirtd virtlogd virsh qemu-system-x86_64 cpio python3 modinfo; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x /bin/busybox ] || skip "missing busybox: make deps-test"
[ -x "$B/ospite" ] || { echo "FAIL: $B/ospite is missing"; exit 1; }

tmp=$(mktemp -d /tmp/ospite-bkrun.XXXXXX) || exit 1
# QEMU runs as libvirt-qemu and must reach the kernel, the initrd and the disk made here.
chmod 755 "$tmp"
uri=qemu:///system
g=osbkr-$$
pool=osbkr-p$$
started=()
export OSPITE_AUDIT_LOG=$tmp/audit.log
. "$top/tests/lib/libvirtd.sh"
. "$top/tests/lib/guest.sh"

fail() { echo "FAIL: $*"; [ -f "$tmp/$g.serial" ] && tail -n 5 "$tmp/$g.serial"; exit 1; }

cleanup() {
	set +e
	for n in "$g" "$g-copy"; do
		virsh -c "$uri" domid "$n" >/dev/null 2>&1 && virsh -c "$uri" destroy "$n" >/dev/null 2>&1
		virsh -c "$uri" undefine "$n" >/dev/null 2>&1
	done
	virsh -c "$uri" pool-destroy "$pool" >/dev/null 2>&1
	virsh -c "$uri" pool-undefine "$pool" >/dev/null 2>&1
	libvirtd_down
	# A daemon killed or dead before virsh could destroy the guests leaves their QEMUs running.
	libvirtd_reap /run/libvirt "$g" "$g-copy"
	rm -rf "$tmp"
}
trap cleanup EXIT
libvirtd_up "$uri"

# The guest (guest.sh): the host's kernel and a busybox initramfs that loads virtio and writes its
# counter i, one 512-byte sector a step, to sector i mod 64 of its data disk: after n steps the disk
# is a function of n alone, so any instant's disk can be rebuilt from the largest counter it holds.
guest_files virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk <<'INIT'
while [ ! -b /dev/vda ]; do /bin/busybox sleep 1; done
echo "COUNTER-START" >/dev/ttyS0
i=1
while :; do
	/bin/busybox printf '%-511d\n' $i >/blk
	/bin/busybox dd if=/blk of=/dev/vda bs=512 seek=$((i % 64)) count=1 conv=notrunc,fsync 2>/dev/null
	i=$((i + 1))
	/bin/busybox usleep 50000
done
INIT
mkdir -p "$tmp/pool"
img=$tmp/pool/$g.img
truncate -s 8M "$img"
virsh -q -c "$uri" pool-create-as "$pool" dir --target "$tmp/pool" >/dev/null || fail "pool"
guest_define "$uri" "$g" "$img" mem=160 "cmdline=console=ttyS0 panic=-1" reboot=destroy
virsh -q -c "$uri" start "$g" >/dev/null || fail "start"

# counter FILE: the largest counter on the disk image FILE.
counter() {
	python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read(64 * 512)
print(max([int(d[s * 512:s * 512 + 511].strip(b"\0 \n") or b"0") for s in range(64)]))
PY
}
# image_sum N SIZE: the SHA-256 of the disk as it is after N steps, built here from nothing.
image_sum() {
	python3 - "$1" "$2" <<'PY'
import hashlib, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
sec = [b"\0" * 512] * 64
for i in range(max(1, n - 63), n + 1):
    sec[i % 64] = (b"%-511d\n" % i)
h = hashlib.sha256(b"".join(sec)); rest = size - 64 * 512; z = b"\0" * (1 << 20)
while rest:
    k = min(rest, len(z)); h.update(z[:k]); rest -= k
print(h.hexdigest())
PY
}
for _ in $(seq 1 120); do
	[ "$(counter "$img")" -ge 20 ] 2>/dev/null && break
	sleep 1
done
before=$(counter "$img")
[ "$before" -ge 20 ] || fail "the guest does not write its counter (at $before)"
echo "counter before the backup: $before"

mkdir "$tmp/out"
"$B/ospite" --connect "$uri" backup "$g" "$tmp/out" >"$tmp/bk.out" 2>&1 || { cat "$tmp/bk.out"; fail "backup of the running guest"; }
cat "$tmp/bk.out"
grep -q "keeps running" "$tmp/bk.out" || fail "the backup did not say the guest keeps running"
after=$(counter "$img")
arch=$(ls "$tmp/out"/*.ospite)

# The original kept running, on its own disk, and its counter goes on.
[ "$(virsh -c "$uri" domstate "$g")" = running ] || fail "the guest is $(virsh -c "$uri" domstate "$g") after the backup"
virsh -c "$uri" domblklist "$g" | grep -q " $img\$" || fail "the guest runs on $(virsh -c "$uri" domblklist "$g")"
virsh -c "$uri" dumpxml --inactive "$g" | grep -q "<source file='$img'/>" || fail "the definition changed"
[ "$(ls -A "$tmp/pool")" = "$(basename "$img")" ] || fail "left in the pool: $(ls -A "$tmp/pool")"
sleep 2
[ "$(counter "$img")" -gt "$after" ] || fail "the guest stopped writing after the backup"
grep -q "state\": \"running-snapshot\"" <(tar -xOf "$arch" manifest.json) || fail "manifest state"

# Restored under a new name: the disk of one instant, between the counters before and after.
"$B/ospite" --connect "$uri" restore "$arch" --name "$g-copy" --pool "$pool" >"$tmp/rs.out" 2>&1 ||
	{ cat "$tmp/rs.out"; fail "restore"; }
copy=$tmp/pool/$g-copy-vda.img
n=$(counter "$copy")
echo "counter in the backup: $n (before $before, after $after)"
[ "$n" -ge "$before" ] && [ "$n" -le "$after" ] || fail "the backup's counter $n is not between $before and $after"
[ "$(sha256sum <"$copy" | cut -d' ' -f1)" = "$(image_sum "$n" "$(stat -c %s "$img")")" ] ||
	fail "the restored disk is not the disk at counter $n"
[ "$(virsh -c "$uri" domstate "$g")" = running ] || fail "the original stopped"
echo "backup-running: passed"
