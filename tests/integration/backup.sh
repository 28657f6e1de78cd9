#!/bin/bash
# Backups through `ospite backup|verify|restore` on a libvirtd: a 10 GiB sparse disk with 200 MiB of data (archive size, GNU tar and zstd unpack it, restore under a new name with the same checksum and holes), then damaged, truncated and newer archives, restores interrupted by SIGINT and SIGKILL, a name that exists, and a pool on a small loop file system, too small from the start or filled up during the restore.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root to run libvirtd and mount a small file system"
for t in libvirtd virtlogd virsh tar zstd python3 sha256sum mountpoint jq losetup mkfs.ext4 fallocate; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x "$B/ospite" ] || { echo "FAIL: $B/ospite is missing"; exit 1; }

tmp=$(mktemp -d /tmp/ospite-backup.XXXXXX) || exit 1
uri=qemu:///system
g=osbk-$$
pool=osbk-p$$
small=osbk-s$$
started=()
passed=0
export OSPITE_AUDIT_LOG=$tmp/audit.log
. "$top/tests/lib/libvirtd.sh"

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "PASS $1"; passed=$((passed + 1)); }

cleanup() {
	set +e
	for n in "$g" "$g-new" "$g-z"; do virsh -c "$uri" undefine "$n" >/dev/null 2>&1; done
	for p in "$pool" "$small"; do
		virsh -c "$uri" pool-destroy "$p" >/dev/null 2>&1
		virsh -c "$uri" pool-undefine "$p" >/dev/null 2>&1
	done
	mountpoint -q "$tmp/small" && umount "$tmp/small"
	[ -n "${loopdev:-}" ] && losetup -d "$loopdev"
	libvirtd_down
	rm -rf "$tmp"
}
trap cleanup EXIT

libvirtd_up "$uri"
mkdir -p "$tmp/pool" "$tmp/out" "$tmp/small"
virsh -q -c "$uri" pool-create-as "$pool" dir --target "$tmp/pool" >/dev/null || fail "pool"

# A 10 GiB sparse disk with 200 MiB of data in 20 pieces spread over it.
img=$tmp/pool/$g.img
truncate -s 10G "$img"
for i in $(seq 0 19); do
	dd if=/dev/urandom of="$img" bs=1M count=10 seek=$((i * 500 + 7)) conv=notrunc status=none
done
sum0=$(sha256sum "$img" | cut -d' ' -f1)
# fsum FILE: the file's size, its data regions as the file system reports them, and the SHA-256
# of those regions: two files with the same fsum are equal, holes included (sha256sum of each
# would read 10 GiB of holes every time).
fsum() {
	python3 - "$1" <<'PY'
import hashlib, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); size = os.fstat(fd).st_size; pos = 0; out = []
h = hashlib.sha256()
while pos < size:
    try:
        d = os.lseek(fd, pos, os.SEEK_DATA)
    except OSError:
        break
    e = os.lseek(fd, d, os.SEEK_HOLE); out.append("%d-%d" % (d, e)); pos = e
    os.lseek(fd, d, os.SEEK_SET); left = e - d
    while left:
        b = os.read(fd, min(left, 1 << 20)); h.update(b); left -= len(b)
print(size, " ".join(out), h.hexdigest())
PY
}
map0=$(fsum "$img")
cat >"$tmp/g.xml" <<XML
<domain type='qemu'>
  <name>$g</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='bridge'>
      <mac address='52:54:00:12:34:56'/>
      <source bridge='osbkbr0'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
XML
virsh -q -c "$uri" define "$tmp/g.xml" >/dev/null || fail "define the guest"
uuid0=$(virsh -c "$uri" domuuid "$g")

# Backup of the shut-off guest: one file, named GUEST-YYYYMMDD-HHMMSS.ospite, about the data's size.
"$B/ospite" --connect "$uri" backup "$g" "$tmp/out" >"$tmp/bk.out" 2>&1 || { cat "$tmp/bk.out"; fail "backup"; }
arch=$(ls "$tmp/out"/*.ospite)
[ "$(ls -A "$tmp/out" | wc -l)" = 1 ] || fail "the backup folder holds more than the archive: $(ls -A "$tmp/out")"
basename "$arch" | grep -Eq "^$g-[0-9]{8}-[0-9]{6}\.ospite$" || fail "archive name: $arch"
size=$(stat -c %s "$arch")
[ "$size" -le $((200 * 1048576 * 105 / 100)) ] || fail "the archive takes $size bytes for 200 MiB of data"
grep -q "backup guest=$g file=$arch result=done" "$tmp/audit.log" || fail "no audit line: $(cat "$tmp/audit.log")"
ok "backup of a 10 GiB sparse disk: $size bytes"

# GNU tar alone unpacks it: the manifest first, the disk with its checksum and its holes.
first=$(tar -tf "$arch" | head -n 1)
[ "$first" = manifest.json ] || fail "the first entry is $first"
mkdir "$tmp/x"
tar -xf "$arch" -C "$tmp/x" || fail "GNU tar cannot unpack the archive"
[ "$(fsum "$tmp/x/disks/vda.img")" = "$map0" ] || fail "tar gives another disk or other holes"
[ "$(jq -r .guest.uuid "$tmp/x/manifest.json")" = "$uuid0" ] || fail "manifest uuid"
[ "$(jq -r .version "$tmp/x/manifest.json")" = 1 ] || fail "manifest version"
[ "$(jq -r '.disks[0].virtual_size' "$tmp/x/manifest.json")" = $((10 << 30)) ] || fail "manifest size"
grep -q "<name>$g</name>" "$tmp/x/domain.xml" || fail "domain.xml"
ok "GNU tar unpacks it with the same checksum and holes"

"$B/ospite" verify "$arch" >"$tmp/v.out" 2>&1 || { cat "$tmp/v.out"; fail "verify"; }
grep -q "is intact" "$tmp/v.out" || fail "verify says: $(cat "$tmp/v.out")"
ok "verify"

# A name that exists is refused, and nothing is written.
"$B/ospite" --connect "$uri" restore "$arch" --pool "$pool" >"$tmp/r.out" 2>&1
rc=$?
[ $rc = 1 ] || fail "restore over an existing guest gave $rc: $(cat "$tmp/r.out")"
grep -q "already exists" "$tmp/r.out" || fail "restore over an existing guest says: $(cat "$tmp/r.out")"
[ "$(ls -A "$tmp/pool")" = "$g.img" ] || fail "a refused restore wrote $(ls -A "$tmp/pool")"
ok "restore over an existing guest is refused"

# Under a new name: new UUID and MAC, the same disk and holes.
"$B/ospite" --connect "$uri" restore "$arch" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1 ||
	{ cat "$tmp/r.out"; fail "restore under a new name"; }
new=$tmp/pool/$g-new-vda.img
[ "$(sha256sum <"$new" | cut -d' ' -f1)" = "$sum0" ] || fail "the restored disk differs"
[ "$(fsum "$new")" = "$map0" ] || fail "the restored disk has other holes: $(fsum "$new")"
[ "$(virsh -c "$uri" domuuid "$g-new")" != "$uuid0" ] || fail "the restored guest kept the UUID"
virsh -c "$uri" dumpxml "$g-new" >"$tmp/new.xml"
grep -q "52:54:00:12:34:56" "$tmp/new.xml" && fail "the restored guest kept the MAC"
grep -q "<source file='$new'/>" "$tmp/new.xml" || fail "the restored guest's disk: $(grep source "$tmp/new.xml")"
# Restoring again onto the same file is refused.
virsh -c "$uri" undefine "$g-new" >/dev/null
"$B/ospite" --connect "$uri" restore "$arch" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1
[ $? = 1 ] && grep -q "$new already exists" "$tmp/r.out" || fail "restore over a file: $(cat "$tmp/r.out")"
[ "$(fsum "$new")" = "$map0" ] || fail "a refused restore changed the file"
rm -f "$new"
ok "restore under a new name: same checksum and holes, new UUID and MAC"

# zstd: the zstd tool and tar unpack it; verify and restore read it.
"$B/ospite" --connect "$uri" backup "$g" "$tmp/out" --zstd >"$tmp/bk.out" 2>&1 || { cat "$tmp/bk.out"; fail "backup --zstd"; }
zarch=$(ls -t "$tmp/out"/*.ospite | head -n 1)
[ "$zarch" != "$arch" ] || { sleep 1; fail "the zstd backup reused the name"; }
mkdir "$tmp/z"
zstd -dc "$zarch" | tar -xf - -C "$tmp/z" || fail "zstd and tar cannot unpack the compressed archive"
[ "$(fsum "$tmp/z/disks/vda.img")" = "$map0" ] || fail "zstd+tar give another disk"
"$B/ospite" verify "$zarch" >/dev/null 2>&1 || fail "verify of the zstd archive"
ok "zstd archive"
rm -rf "$tmp/x" "$tmp/z" "$zarch"

# nothing_left NAME: no guest NAME and nothing but the original image in the pool.
nothing_left() {
	virsh -c "$uri" domuuid "$1" >/dev/null 2>&1 && fail "$1 was defined"
	[ "$(ls -A "$tmp/pool")" = "$g.img" ] || fail "files left in the pool: $(ls -A "$tmp/pool")"
}

# One byte flipped inside the disk's data: verify and restore fail naming the disk.
bad=$tmp/bad.ospite
cp --sparse=always "$arch" "$bad"
off=$(($(stat -c %s "$bad") / 2))
python3 - "$bad" "$off" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0x55]))
PY
"$B/ospite" verify "$bad" >"$tmp/v.out" 2>&1
[ $? = 2 ] && grep -q "disk vda .* damaged" "$tmp/v.out" || fail "verify of a flipped byte: $(cat "$tmp/v.out")"
"$B/ospite" --connect "$uri" restore "$bad" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1
[ $? = 2 ] && grep -q "disk vda .* damaged" "$tmp/r.out" || fail "restore of a flipped byte: $(cat "$tmp/r.out")"
nothing_left "$g-new"
ok "a flipped byte: verify and restore fail naming the disk, nothing left"

# Truncated.
head -c $(($(stat -c %s "$arch") * 2 / 3)) "$arch" >"$bad"
"$B/ospite" verify "$bad" >"$tmp/v.out" 2>&1
[ $? = 2 ] && grep -q "truncated" "$tmp/v.out" || fail "verify of a truncated archive: $(cat "$tmp/v.out")"
"$B/ospite" --connect "$uri" restore "$bad" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1
[ $? = 2 ] && grep -q "truncated" "$tmp/r.out" || fail "restore of a truncated archive: $(cat "$tmp/r.out")"
nothing_left "$g-new"
ok "a truncated archive"

# A newer format version, written by GNU tar itself (pax, sparse 1.0).
mkdir -p "$tmp/v2/disks"
tar -xf "$arch" -C "$tmp/v2" manifest.json domain.xml
jq '.version = 2' "$tmp/v2/manifest.json" >"$tmp/v2/m" && mv "$tmp/v2/m" "$tmp/v2/manifest.json"
truncate -s 1M "$tmp/v2/disks/vda.img"
tar --format=pax --sparse --sparse-version=1.0 -cf "$bad" -C "$tmp/v2" manifest.json domain.xml disks/vda.img
"$B/ospite" verify "$bad" >"$tmp/v.out" 2>&1
[ $? = 2 ] && grep -q "format 2 by a newer ospite" "$tmp/v.out" || fail "verify of format 2: $(cat "$tmp/v.out")"
"$B/ospite" --connect "$uri" restore "$bad" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1
[ $? = 1 ] && grep -q "newer ospite" "$tmp/r.out" || fail "restore of format 2: $(cat "$tmp/r.out")"
nothing_left "$g-new"
ok "a newer format version is refused"
rm -f "$bad"

# Interrupted restores: Ctrl-C (SIGINT) stops cleanly, and even SIGKILL leaves nothing, since the
# disks are files without a name until the end. The archive comes through a FIFO that pauses
# halfway, so the restore is caught in the middle.
mkfifo "$tmp/fifo"
half=$(($(stat -c %s "$arch") / 2))
{ head -c "$half" "$arch"; sleep 2; tail -c +$((half + 1)) "$arch"; } >"$tmp/fifo" &
feeder=$!
"$B/ospite" --connect "$uri" restore "$tmp/fifo" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1 &
rs=$!
sleep 1
kill -INT "$rs"
wait "$rs"
rc=$?
wait "$feeder"
[ $rc = 2 ] && grep -q "Stopped at the operator's request" "$tmp/r.out" || fail "restore after SIGINT gave $rc: $(cat "$tmp/r.out")"
nothing_left "$g-new"
{ head -c "$half" "$arch"; sleep 2; } >"$tmp/fifo" &
feeder=$!
"$B/ospite" --connect "$uri" restore "$tmp/fifo" --name "$g-new" --pool "$pool" >"$tmp/r.out" 2>&1 &
rs=$!
sleep 1
kill -KILL "$rs"
wait "$rs" 2>/dev/null
wait "$feeder"
nothing_left "$g-new"
ok "an interrupted restore leaves nothing"

# A pool on a file system of its own, on a loop device made here: with 60 MiB free it cannot take
# 200 MiB, and the restore is refused before it writes; with room at the start but filled up in
# the middle of the restore, the restore stops. Either way nothing is defined and no file is left.
truncate -s 240M "$tmp/small.fs"
mkfs.ext4 -q -F -m 0 "$tmp/small.fs" || fail "mkfs.ext4 on the small file system"
loopdev=$(losetup -f --show "$tmp/small.fs") || fail "losetup"
mount "$loopdev" "$tmp/small" || fail "mount the small file system"
virsh -q -c "$uri" pool-create-as "$small" dir --target "$tmp/small" >/dev/null || fail "small pool"
avail_k() { df -k --output=avail "$tmp/small" | tail -1 | tr -d ' '; }
fallocate -l $(($(avail_k) - 60 * 1024))K "$tmp/small/filler" ||
	fail "fill the small file system"
"$B/ospite" --connect "$uri" restore "$arch" --name "$g-new" --pool "$small" >"$tmp/r.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "free; the disks need" "$tmp/r.out" || fail "restore into a small pool gave $rc: $(cat "$tmp/r.out")"
virsh -c "$uri" domuuid "$g-new" >/dev/null 2>&1 && fail "defined after a refused restore"
[ "$(ls -A "$tmp/small" | tr "\n" " ")" = "filler lost+found " ] || fail "files left in the small pool: $(ls -A "$tmp/small")"
ok "a pool too small is refused"
rm -f "$tmp/small/filler"
[ "$(avail_k)" -gt $((210 * 1024)) ] || fail "the small file system has only $(avail_k) KiB free"
{ head -c "$half" "$arch"; sleep 3; tail -c +$((half + 1)) "$arch"; } >"$tmp/fifo" &
feeder=$!
"$B/ospite" --connect "$uri" restore "$tmp/fifo" --name "$g-new" --pool "$small" >"$tmp/r.out" 2>&1 &
rs=$!
sleep 1.5
fallocate -l $(($(avail_k) - 4 * 1024))K "$tmp/small/filler" || fail "fill the small file system"
wait "$rs"
rc=$?
wait "$feeder"
[ $rc = 2 ] && grep -q "is full: the disk vda does not fit; nothing was restored" "$tmp/r.out" ||
	fail "restore into a pool that fills up gave $rc: $(cat "$tmp/r.out")"
nothing_left "$g-new"
[ "$(ls -A "$tmp/small" | tr "\n" " ")" = "filler lost+found " ] || fail "files left in the small pool: $(ls -A "$tmp/small")"
ok "a pool that fills up during the restore stops it"

echo "backup: $passed checks passed"
