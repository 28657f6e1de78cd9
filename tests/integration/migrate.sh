#!/bin/bash
# ospite migrate between two private libvirtd daemons in two network namespaces: live with shared and with copied storage, abort, a destination that dies, pre-flight refusals, offline, and list --all-hosts.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); finish; }
ok() { echo "PASS $1"; passed=$((passed + 1)); }
ko() { echo "FAIL $1"; failed=$((failed + 1)); }

[ "$(id -u)" = 0 ] || skip "needs root for namespaces and libvirtd"
for t in libvirtd virsh qemu-system-x86_64 ip cpio; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x /bin/busybox ] || skip "missing busybox: make deps-test"

tmp=$(mktemp -d /tmp/ospite-migrate.XXXXXX) || exit 1
. "$top/tests/lib/twohosts.sh"
finish() {
	trap - EXIT
	th_down
	rm -rf "$tmp"
	echo "migrate: $passed passed, $failed failed, 0 skipped"
	[ "$failed" = 0 ] && exit 0
	exit 1
}
trap finish EXIT

th_up
th_guest_files
export OSPITE_AUDIT_LOG=$tmp/audit.log OSPITE_ACCEL=tcg
conf=$tmp/console.conf
printf 'migrate_reserve_mib=64\n[hosts]\nb = %s\na = %s\n' "$uri_b" "$uri_a" >"$conf"

# ospite ARGS...: the console's batch command against host a; output in $out, exit status in $rc.
osp() {
	out=$("$B/ospite" --connect "$uri_a" --config "$conf" "$@" 2>&1)
	rc=$?
}
# wait_boot NAME: the boot id the guest printed.
wait_boot() {
	local id
	for _ in $(seq 1 120); do
		id=$(sed -n 's/^BOOT \([0-9a-f]*\).*/\1/p' "$tmp/$1.serial" 2>/dev/null | head -1)
		[ -n "$id" ] && grep -q "^TICK $id 5" "$tmp/$1.serial" && { echo "$id"; return 0; }
		sleep 0.5
	done
	return 1
}
# last_tick NAME: the counter of the last whole tick line.
last_tick() { tr -d '\r' <"$tmp/$1.serial" | grep '^TICK ' | tail -2 | head -1 | awk '{print $3}'; }
# ticking NAME ID: the guest still counts with the same boot id, past what it had printed.
ticking() {
	local before after
	before=$(last_tick "$1")
	sleep 1.5
	after=$(last_tick "$1")
	[ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ] &&
		[ "$(grep -c '^BOOT ' "$tmp/$1.serial")" = 1 ] &&
		tr -d '\r' <"$tmp/$1.serial" | grep -q "^TICK $2 $after\$"
}
state() { virsh -c "$1" domstate "$2" 2>/dev/null | head -1; }
persistent() { virsh -c "$1" dominfo "$2" 2>/dev/null | awk '/^Persistent:/ {print $2}'; }
# vols HOST: the files in that host's pool "local", as libvirt and the folder itself see them.
vols() {
	local u=$uri_a
	[ "$1" = b ] && u=$uri_b
	virsh -q -c "$u" pool-refresh local >/dev/null
	echo "$(virsh -c "$u" vol-list local 2>/dev/null | awk 'NR > 2 && $1 {print $1}' | sort | tr '\n' ' ')/ $(ls "$tmp/$1/lib/images" | tr '\n' ' ')"
}

# --- live, shared storage --------------------------------------------------------------
truncate -s 64M "$tmp/shared/g1.img"
th_define "$uri_a" g1 "$tmp/shared/g1.img"
virsh -q -c "$uri_a" start g1 >/dev/null || fail "g1 does not start"
id1=$(wait_boot g1) || fail "g1 did not boot: $(tail -3 "$tmp/g1.serial")"
osp migrate g1 b
if [ "$rc" = 0 ] && [ "$(state "$uri_b" g1)" = running ] && [ "$(persistent "$uri_b" g1)" = yes ] &&
	! virsh -c "$uri_a" dominfo g1 >/dev/null 2>&1 && ticking g1 "$id1" &&
	grep -q 'is shared with the destination' <<<"$out" &&
	grep -q 'g1 now runs on b: .* ms of downtime' <<<"$out"; then
	ok "live migration with shared storage: same boot, counting on, persistent there, gone here"
else
	ko "live migration with shared storage (rc $rc): $out"
fi
if grep -q "migrate guest=g1 from=.* to=.* mode=live result=done time_ms=[0-9]* downtime_ms=[0-9]" "$OSPITE_AUDIT_LOG"; then
	ok "the audit log has the migration with its time and downtime"
else
	ko "audit log: $(cat "$OSPITE_AUDIT_LOG")"
fi

# --- live, copying storage --------------------------------------------------------------
head -c 16M /dev/urandom >"$tmp/a/lib/images/g2.img" && truncate -s 64M "$tmp/a/lib/images/g2.img"
virsh -q -c "$uri_a" pool-refresh local >/dev/null
th_define "$uri_a" g2 /var/lib/libvirt/images/g2.img
virsh -q -c "$uri_a" start g2 >/dev/null || fail "g2 does not start"
id2=$(wait_boot g2) || fail "g2 did not boot"
sum_a=$(sha256sum <"$tmp/a/lib/images/g2.img")
osp migrate g2 b --copy-storage
sum_b=$(sha256sum <"$tmp/b/lib/images/g2.img" 2>/dev/null)
if [ "$rc" = 0 ] && [ "$sum_a" = "$sum_b" ] && [ "$(state "$uri_b" g2)" = running ] && ticking g2 "$id2" &&
	grep -q 'will be copied' <<<"$out"; then
	ok "live migration copying storage: the disk has the same checksum there"
else
	ko "live migration copying storage (rc $rc, $sum_a / $sum_b): $out"
fi

# --- without --copy-storage, unshared storage is refused and nothing changes ---------------------
truncate -s 32M "$tmp/a/lib/images/g3.img"
virsh -q -c "$uri_a" pool-refresh local >/dev/null
th_define "$uri_a" g3 /var/lib/libvirt/images/g3.img
virsh -q -c "$uri_a" start g3 >/dev/null || fail "g3 does not start"
id3=$(wait_boot g3) || fail "g3 did not boot"
before_b=$(vols b)
osp migrate g3 b
if [ "$rc" = 1 ] && grep -q 'refused .*vda (/var/lib/libvirt/images/g3.img) is not on storage the destination shares, and copying storage is off' <<<"$out" &&
	[ "$(state "$uri_a" g3)" = running ] && ! virsh -c "$uri_b" dominfo g3 >/dev/null 2>&1; then
	ok "unshared storage without --copy-storage: refused, exit 1, nothing changed"
else
	ko "unshared storage refusal (rc $rc): $out"
fi

# --- abort with Ctrl-C in the middle: the guest stays, the destination holds nothing -------------
"$B/ospite" --connect "$uri_a" --config "$conf" migrate g3 b --copy-storage --bandwidth 1 --json \
	>"$tmp/abort.out" 2>&1 &
mig=$!
for _ in $(seq 1 100); do grep -q '"event": "progress"' "$tmp/abort.out" && break; sleep 0.2; done
# Meanwhile b's list answers at once and names the guest coming in: QEMU's driver holds that
# guest's job for the whole migration, and a list waiting for it stood still for 30 s.
t0=$(date +%s%N)
list_b=$("$B/ospite" --connect "$uri_b" list 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 5000 ] && grep -q '^g3 ' <<<"$list_b"; then
	ok "during the migration the destination's list answers in $ms ms and names the guest"
else
	ko "the destination's list during the migration took $ms ms: $list_b"
fi
kill -INT "$mig"
wait "$mig"
rc=$?
if [ "$rc" = 2 ] && [ "$(state "$uri_a" g3)" = running ] && ticking g3 "$id3" &&
	! virsh -c "$uri_b" dominfo g3 >/dev/null 2>&1 && [ "$(vols b)" = "$before_b" ] &&
	grep -q '"event": "error".*aborted; it still runs on the source' "$tmp/abort.out"; then
	ok "Ctrl-C aborts: exit 2, same boot on the source, no domain and no volume left there"
else
	ko "abort (rc $rc, volumes there: $(vols b) vs $before_b): $(cat "$tmp/abort.out")"
fi
bad=$(grep -v '^{.*}$' "$tmp/abort.out" | head -3)
[ -z "$bad" ] && ok "with --json every line is one JSON object" || ko "not JSON: $bad"

# --- pre-flight refusals ----------------------------------------------------------------------------
ip -n "$th_ns_a" link add br9 type bridge && ip -n "$th_ns_a" link set br9 up
truncate -s 16M "$tmp/shared/g4.img"
th_define "$uri_a" g4 "$tmp/shared/g4.img" br9
virsh -q -c "$uri_a" start g4 >/dev/null || fail "g4 does not start"
osp migrate g4 b
if [ "$rc" = 1 ] && grep -q 'The bridge br9 does not exist on the destination' <<<"$out" &&
	[ "$(state "$uri_a" g4)" = running ]; then
	ok "a bridge missing there is refused before anything changes"
else
	ko "missing bridge (rc $rc): $out"
fi
th_define "$uri_b" g1-twin "$tmp/shared/g4.img"
virsh -q -c "$uri_b" undefine g1-twin >/dev/null
truncate -s 16M "$tmp/shared/g5.img"
th_define "$uri_a" g5 "$tmp/shared/g5.img"
th_define "$uri_b" g5 "$tmp/shared/g5.img"
virsh -q -c "$uri_a" start g5 >/dev/null || fail "g5 does not start"
osp migrate g5 b
if [ "$rc" = 1 ] && grep -q 'The destination already has a guest named g5' <<<"$out"; then
	ok "a name taken there is refused"
else
	ko "name taken (rc $rc): $out"
fi
virsh -q -c "$uri_b" undefine g5 >/dev/null
sed -i 's/^migrate_reserve_mib=.*/migrate_reserve_mib=100000000/' "$conf"
osp migrate g5 b
if [ "$rc" = 1 ] && grep -q 'refused .*of memory free; the guest needs' <<<"$out" &&
	[ "$(state "$uri_a" g5)" = running ] && ! virsh -c "$uri_b" dominfo g5 >/dev/null 2>&1; then
	ok "not enough memory there (after the host's reserve) is refused"
else
	ko "memory (rc $rc): $out"
fi
sed -i 's/^migrate_reserve_mib=.*/migrate_reserve_mib=64/' "$conf"
osp migrate g5 nowhere
[ "$rc" = 1 ] && grep -q 'There is no host named nowhere' <<<"$out" && ok "an unknown host is named" ||
	ko "unknown host (rc $rc): $out"
grep -q 'result=refused' "$OSPITE_AUDIT_LOG" && ok "refusals are in the audit log" || ko "no refusal in the audit log"

# --- offline, moving the storage ---------------------------------------------------------------------
head -c 8M /dev/urandom >"$tmp/a/lib/images/g6.img" && truncate -s 48M "$tmp/a/lib/images/g6.img"
virsh -q -c "$uri_a" pool-refresh local >/dev/null
sum6=$(sha256sum <"$tmp/a/lib/images/g6.img")
th_define "$uri_a" g6 /var/lib/libvirt/images/g6.img
osp migrate g6 b
[ "$rc" = 1 ] && grep -q 'g6 is not running' <<<"$out" && ok "a live migration of a shut-off guest is refused, naming offline" ||
	ko "live of shut off (rc $rc): $out"
osp migrate g6 b --offline --copy-storage
if [ "$rc" = 0 ] && [ "$(state "$uri_b" g6)" = "shut off" ] && [ "$(persistent "$uri_b" g6)" = yes ] &&
	[ "$(sha256sum <"$tmp/b/lib/images/g6.img" 2>/dev/null)" = "$sum6" ] &&
	! virsh -c "$uri_a" dominfo g6 >/dev/null 2>&1 && [ ! -e "$tmp/a/lib/images/g6.img" ] &&
	[ "$(du -k "$tmp/b/lib/images/g6.img" | cut -f1)" -lt 20000 ]; then
	ok "offline migration: defined there, disk moved with the same checksum and still sparse"
else
	ko "offline (rc $rc): $out"
fi

# --- every host in one list ----------------------------------------------------------------------------
osp list --all-hosts --json
if [ "$rc" = 0 ] && grep -q '"host": "b", "name": "g1", .*"state": "running"' <<<"$out" &&
	grep -q '"name": "g3", .*"state": "running"' <<<"$out" &&
	python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$out"; then
	ok "list --all-hosts --json: each guest with its host"
else
	ko "list --all-hosts (rc $rc): $out"
fi

# --- the destination's daemon killed during the migration ---------------------------------------------
"$B/ospite" --connect "$uri_a" --config "$conf" migrate g5 b --bandwidth 1 >"$tmp/kill.out" 2>&1 &
mig=$!
for _ in $(seq 1 100); do grep -q 'elapsed' "$tmp/kill.out" && break; sleep 0.2; done
kill -9 "$(th_daemon_pid b)"
wait "$mig"
rc=$?
if [ "$rc" = 2 ] && [ "$(state "$uri_a" g5)" = running ] &&
	grep -q 'stopped answering during the migration of g5; it still runs on the source\|migration of g5 to [^ ]* failed' "$tmp/kill.out"; then
	ok "the destination's libvirtd killed: exit 2 with a message, the guest runs on the source"
else
	ko "destination killed (rc $rc): $(cat "$tmp/kill.out")"
fi
finish
