#!/bin/bash
# Clones and templates against a real libvirtd with QEMU (TCG): a full and a linked clone of a busybox guest both boot and read the original's disk, the original and its linked clone's base are guarded, deleting the clone leaves the original intact, a template refuses to start and gives a new guest that reads its host name and address from its NoCloud seed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to run the system libvirtd"
for t in libvirtd virtlogd virsh qemu-system-x86_64 qemu-img cpio sha256sum; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x /bin/busybox ] || skip "missing busybox: make deps-test"

uri=qemu:///system
tmp=$(mktemp -d /tmp/ospite-clone.XXXXXX)
# QEMU runs as libvirt-qemu and must reach the kernel, the initrd, the disks and the logs.
chmod 755 "$tmp"
images=$tmp/images
mkdir -m 755 "$images"
pool=ospite-clone-$$
orig=clo-orig-$$ full=clo-full-$$ link=clo-link-$$ fromtpl=clo-new-$$
started=()
. "$top/tests/lib/libvirtd.sh"
. "$top/tests/lib/guest.sh"

cleanup() {
	set +e
	for g in "$fromtpl" "$full" "$link" "$orig"; do
		virsh -c "$uri" destroy "$g" >/dev/null 2>&1
		virsh -c "$uri" undefine "$g" >/dev/null 2>&1
	done
	virsh -c "$uri" pool-destroy "$pool" >/dev/null 2>&1
	libvirtd_down
	# A daemon killed or dead before virsh could destroy the guests leaves their QEMUs running.
	libvirtd_reap /run/libvirt "$fromtpl" "$full" "$link" "$orig"
	rm -rf "$tmp"
}
trap cleanup EXIT

libvirtd_up "$uri"
virsh -q -c "$uri" pool-create-as "$pool" dir --target "$images" >/dev/null || fail "cannot make the pool"

# The guest (guest.sh): the host's kernel and a busybox initramfs whose /init loads virtio's block
# driver, prints the marker at the start of its disk, writes its own name 1 MiB in, prints what a
# cloud-init seed on its second disk says, and ticks.
guest_files virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk \
	fat vfat nls_cp437 nls_ascii <<'INIT'
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; /bin/busybox sleep 1; done
name=$(/bin/busybox sed -n 's/.*guestname=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "DISK $(/bin/busybox head -c 40 /dev/vda | /bin/busybox tr -cd 'A-Za-z0-9-')" >/dev/ttyS0
echo "WRITTEN-BY-$name" | /bin/busybox dd of=/dev/vda bs=512 seek=2048 conv=notrunc,fsync 2>/dev/null
/bin/busybox sync
echo "WROTE $name" >/dev/ttyS0
/bin/busybox mkdir -p /seed
if [ -b /dev/vdb ] && /bin/busybox mount -t vfat -o ro /dev/vdb /seed; then
	echo "SEED $(/bin/busybox grep local-hostname /seed/meta-data)" >/dev/ttyS0
	echo "SEED $(/bin/busybox grep -o '"[0-9./]*"' /seed/network-config | /bin/busybox head -1)" >/dev/ttyS0
fi
n=0
while :; do echo "TICK $n" >/dev/ttyS0; n=$((n + 1)); /bin/busybox sleep 1; done
INIT

# The original's disk: a marker at the start, data in the middle, holes elsewhere.
marker=OSPITE-DISK-$$
truncate -s 64M "$images/$orig.img"
printf '%s\n' "$marker" | dd of="$images/$orig.img" conv=notrunc status=none
head -c 1M /dev/urandom | dd of="$images/$orig.img" bs=1M seek=32 conv=notrunc status=none
sum0=$(sha256sum <"$images/$orig.img")
guest_define "$uri" "$orig" "$images/$orig.img" nic=user:52:54:00:12:34:56 vnc=5977

# serial_wait NAME TEXT: wait up to 120 s for TEXT in NAME's serial log.
serial_wait() {
	for _ in $(seq 1 240); do
		grep -q "$2" "$tmp/$1.serial" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "serial log of $1:"; cat "$tmp/$1.serial" 2>/dev/null | tail -20
	fail "$1 did not print $2"
}
# boots NAME: start it with its name on the kernel command line; it reads the marker and writes.
boots() {
	virsh -q -c "$uri" dumpxml --inactive "$1" |
		sed "s|<cmdline>console=ttyS0 quiet</cmdline>|<cmdline>console=ttyS0 quiet guestname=$1</cmdline>|" \
		>"$tmp/$1.def.xml"
	virsh -q -c "$uri" define "$tmp/$1.def.xml" >/dev/null || fail "cannot set the command line of $1"
	"$B/ospite" --connect "$uri" start "$1" || fail "ospite start $1 failed"
	serial_wait "$1" "DISK $marker"
	serial_wait "$1" "WROTE $1"
}

# A full clone: new UUID, MAC, serial log and VNC port; same data, same holes.
out=$("$B/ospite" --connect "$uri" clone "$orig" "$full" 2>&1) || fail "full clone: $out"
grep -q "The guest $full is defined, a copy of $orig." <<<"$out" || fail "full clone said: $out"
grep -q "100%" <<<"$out" || fail "the full clone showed no progress: $out"
[ "$(sha256sum <"$images/$full.img")" = "$sum0" ] || fail "the full clone's data differ"
a0=$(du -k "$images/$orig.img" | cut -f1) a1=$(du -k "$images/$full.img" | cut -f1)
[ "$a1" -le $((a0 + 64)) ] || fail "the full clone is not sparse: $a1 KiB against $a0 KiB"
xml=$(virsh -c "$uri" dumpxml --inactive "$full")
[ "$(virsh -c "$uri" domuuid "$full")" != "$(virsh -c "$uri" domuuid "$orig")" ] || fail "same UUID"
grep -q "52:54:00:12:34:56" <<<"$xml" && fail "the full clone kept the MAC"
grep -q "<mac address='52:54:00:" <<<"$xml" || fail "the full clone has no QEMU MAC"
grep -q "$tmp/$full.serial" <<<"$xml" || fail "the full clone writes the original's serial log"
grep -q "port='5977'" <<<"$xml" && fail "the full clone kept the fixed VNC port"

# A linked clone: a qcow2 overlay whose backing file is the original's disk.
out=$("$B/ospite" --connect "$uri" clone "$orig" "$link" --linked 2>&1) || fail "linked clone: $out"
grep -q "The guest $link is defined, a linked clone of $orig." <<<"$out" || fail "linked clone said: $out"
qemu-img info -U "$images/$link.qcow2" | grep -q "backing file: $images/$orig.img" ||
	fail "the linked clone's overlay has no backing file: $(qemu-img info -U "$images/$link.qcow2")"
"$B/ospite" --connect "$uri" clone "$orig" "$link" >/dev/null 2>&1
[ $? = 1 ] || fail "a clone over an existing name was not refused with 1"

# Both boot, read the original's marker and write into their own disks.
boots "$full"
boots "$link"
[ "$(sha256sum <"$images/$orig.img")" = "$sum0" ] || fail "the clones' writes reached the original"

# The original may neither start nor go while the linked clone reads from its disk.
out=$("$B/ospite" --connect "$uri" start "$orig" 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "linked clone $link uses its disk" <<<"$out" || fail "start of the base: $rc $out"
virsh -c "$uri" destroy "$full" >/dev/null; virsh -c "$uri" destroy "$link" >/dev/null
out=$("$B/ospite" --connect "$uri" delete "$orig" --with-storage 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "The guest $orig cannot be deleted: the linked clone $link uses its disk as a base" <<<"$out" ||
	fail "delete of the base: $rc $out"
virsh -c "$uri" domstate "$orig" >/dev/null 2>&1 || fail "the refused delete removed $orig"

# Deleting the linked clone with its storage leaves the original whole.
"$B/ospite" --connect "$uri" delete "$link" --with-storage || fail "delete $link"
[ -e "$images/$link.qcow2" ] && fail "the linked clone's overlay is left"
[ -e "$images/$orig.img" ] || fail "deleting the linked clone removed the original's disk"
[ "$(sha256sum <"$images/$orig.img")" = "$sum0" ] || fail "the original's disk changed"
virsh -c "$uri" domstate "$orig" >/dev/null 2>&1 || fail "$orig is gone"

# A template refuses to start; a guest made from it starts and is not a template.
"$B/ospite" --connect "$uri" template "$orig" on || fail "template on"
[ "$("$B/ospite" --connect "$uri" template "$orig" show)" = on ] || fail "template show"
virsh -c "$uri" metadata "$orig" urn:uuid:69fd7813-bc5b-4482-a7f2-a04541ca6a18 --config |
	grep -q "<template/>" || fail "no metadata in ospite's namespace"
out=$("$B/ospite" --connect "$uri" start "$orig" 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "The guest $orig is a template and cannot be started" <<<"$out" ||
	fail "a template started: $rc $out"
out=$("$B/ospite" --connect "$uri" clone "$orig" "$fromtpl" --linked --hostname "web-$$" \
	--address 192.0.2.10 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q '"192.0.2.10" is not an address with its prefix length' <<<"$out" ||
	fail "an address without its prefix: $rc $out"
[ -e "$images/$fromtpl-seed.img" ] && fail "a refused clone left its seed"
"$B/ospite" --connect "$uri" clone "$orig" "$fromtpl" --linked --hostname "web-$$" \
	--address 192.0.2.10/24 --gateway 192.0.2.1 >/dev/null || fail "clone of the template"
[ "$("$B/ospite" --connect "$uri" template "$fromtpl" show)" = off ] || fail "the new guest is a template"
boots "$fromtpl"
serial_wait "$fromtpl" "SEED local-hostname: web-$$"
serial_wait "$fromtpl" 'SEED "192.0.2.10/24"'

virsh -c "$uri" destroy "$fromtpl" >/dev/null
"$B/ospite" --connect "$uri" delete "$fromtpl" --with-storage >/dev/null || fail "delete $fromtpl"
[ -e "$images/$fromtpl-seed.img" ] && fail "deleting $fromtpl with its storage left its seed"
"$B/ospite" --connect "$uri" template "$orig" off >/dev/null || fail "template off"
"$B/ospite" --connect "$uri" delete "$full" --with-storage >/dev/null || fail "delete $full"
"$B/ospite" --connect "$uri" delete "$orig" --with-storage >/dev/null || fail "delete $orig"
[ -e "$images/$orig.img" ] && fail "the original's disk is left"
echo "clone-libvirtd: all checks passed"
