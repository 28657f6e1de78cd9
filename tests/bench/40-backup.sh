#!/bin/bash
# Bench: ospite backup of a shut-off guest's 10 GiB sparse disk holding 200 MiB against cp --sparse=always of the same file, both read with the file out of the page cache, written to the same folder and flushed to disk (the backup syncs its archive before naming it, so the copy is synced too); wall time ratio of the medians (target <= 1.0, uncompressed archive), and the sizes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
RUNS=${OSPITE_BENCH_RUNS:-5}
skip() { echo "backup bench: $*"; exit 77; }
fail() { echo "backup bench: FAIL: $*"; exit 1; }

for t in python3 cp sync; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x "$B/ospite" ] || fail "$B/ospite is missing: make all"

tmp=$(mktemp -d /tmp/ospite-bench-bk.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
img=$tmp/g.img
truncate -s 10G "$img"
for i in $(seq 0 19); do
	dd if=/dev/urandom of="$img" bs=1M count=10 seek=$((i * 500 + 7)) conv=notrunc status=none
done
sync -f "$img"
# libvirt's test driver, from a file: a shut-off guest with that disk, and no daemon.
cat >"$tmp/node.xml" <<XML
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>g</name>
  <memory>65536</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$img'/><target dev='vda' bus='virtio'/></disk>
  </devices>
  <test:runstate>5</test:runstate>
</domain>
</node>
XML
mkdir "$tmp/out"

now() { date +%s%N; }
# Each run reads the disk from the disk, not from the page cache: only this file's pages are dropped.
evict() { python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$1"; }
o_times=() c_times=() size=0
for ((i = 1; i <= RUNS; i++)); do
	evict "$img"
	t0=$(now)
	"$B/ospite" --connect "test://$tmp/node.xml" backup g "$tmp/out" >/dev/null 2>&1 || fail "ospite backup"
	t1=$(now)
	o_times+=($(((t1 - t0) / 1000000)))
	a=$(ls "$tmp/out"/*.ospite)
	size=$(stat -c %s "$a")
	rm -f "$a"
	evict "$img"
	t0=$(now)
	cp --sparse=always "$img" "$tmp/out/copy.img" && sync -f "$tmp/out/copy.img" || fail "cp"
	t1=$(now)
	c_times+=($(((t1 - t0) / 1000000)))
	rm -f "$tmp/out/copy.img"
	# A new second for the next archive's name.
	sleep 1
done

python3 - "${o_times[*]}" "${c_times[*]}" "$size" <<'PY'
import statistics, sys
o = [int(x) / 1000 for x in sys.argv[1].split()]
c = [int(x) / 1000 for x in sys.argv[2].split()]
mo, mc = statistics.median(o), statistics.median(c)
ratio = mo / mc
print(f"backup: ospite {mo:.2f} s, cp --sparse=always {mc:.2f} s (medians of {len(o)}), ratio {ratio:.2f} (target <= 1.0)")
print(f"archive: {int(sys.argv[3]) / 1048576:.1f} MiB for 200.0 MiB of data in a 10 GiB disk")
sys.exit(0 if ratio <= 1.0 else 1)
PY
