#!/bin/bash
# Bench: ospite migrate against virsh migrate --live with the same options, the same 128 MiB TCG guest between the same two private daemons, back and forth; wall time ratio (target <= 1.05) and the downtime each reports.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
RUNS=${OSPITE_BENCH_RUNS:-5}
skip() { echo "migrate bench: $*"; exit 77; }
fail() { echo "migrate bench: FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root for namespaces and libvirtd"
for t in libvirtd virsh qemu-system-x86_64 ip cpio python3; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x "$B/ospite" ] || fail "$B/ospite is missing: make all"

tmp=$(mktemp -d /tmp/ospite-bench-mig.XXXXXX) || exit 1
. "$top/tests/lib/twohosts.sh"
trap 'th_down; rm -rf "$tmp"' EXIT
th_up
th_guest_files
conf=$tmp/console.conf
printf '[hosts]\na = %s\nb = %s\n' "$uri_a" "$uri_b" >"$conf"
export OSPITE_AUDIT_LOG=$tmp/audit.log
truncate -s 64M "$tmp/shared/g.img"
th_define "$uri_a" g "$tmp/shared/g.img"
virsh -q -c "$uri_a" start g >/dev/null || fail "the guest does not start"
sleep 5

now() { date +%s%N; }
# ms T0 T1: milliseconds between two now()s.
ms() { echo $((($2 - $1) / 1000000)); }
# downtime URI: what libvirt measured for the last migration, kept on the guest's new host.
downtime() { virsh -c "$1" domjobinfo g --completed --keep-completed 2>/dev/null | awk '/^Total downtime:/ {print int($3)}'; }

o_times=() v_times=() o_down=() v_down=()
for ((i = 1; i <= RUNS; i++)); do
	# There and back with each tool, so both start from the same side equally often.
	t0=$(now)
	"$B/ospite" --connect "$uri_a" --config "$conf" migrate g b >/dev/null 2>&1 || fail "ospite migrate a->b"
	t1=$(now)
	o_times+=("$(ms "$t0" "$t1")") o_down+=("$(downtime "$uri_b")")
	t0=$(now)
	virsh -c "$uri_b" migrate --live --persistent --undefinesource --unsafe g "$uri_a" >/dev/null ||
		fail "virsh migrate b->a"
	t1=$(now)
	v_times+=("$(ms "$t0" "$t1")") v_down+=("$(downtime "$uri_a")")
	t0=$(now)
	virsh -c "$uri_a" migrate --live --persistent --undefinesource --unsafe g "$uri_b" >/dev/null ||
		fail "virsh migrate a->b"
	t1=$(now)
	v_times+=("$(ms "$t0" "$t1")") v_down+=("$(downtime "$uri_b")")
	t0=$(now)
	"$B/ospite" --connect "$uri_b" --config "$conf" migrate g a >/dev/null 2>&1 || fail "ospite migrate b->a"
	t1=$(now)
	o_times+=("$(ms "$t0" "$t1")") o_down+=("$(downtime "$uri_a")")
done

python3 - "${o_times[*]}" "${v_times[*]}" "${o_down[*]}" "${v_down[*]}" <<'PY'
import statistics, sys
o = [int(x) / 1000 for x in sys.argv[1].split()]
v = [int(x) / 1000 for x in sys.argv[2].split()]
od = [int(x) for x in sys.argv[3].split() if x.isdigit()]
vd = [int(x) for x in sys.argv[4].split() if x.isdigit()]
mo, mv = statistics.median(o), statistics.median(v)
ratio = mo / mv
print(f"migrate: ospite {mo:.2f} s, virsh {mv:.2f} s (medians of {len(o)}), ratio {ratio:.2f} (target <= 1.05)")
print(f"downtime: ospite {statistics.median(od) if od else '?'} ms, virsh {statistics.median(vd) if vd else '?'} ms (medians)")
sys.exit(0 if ratio <= 1.05 else 1)
PY
