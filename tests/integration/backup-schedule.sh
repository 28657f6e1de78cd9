#!/bin/bash
# Scheduled backups through `ospite schedule`, in a scratch root: the schedule file, the systemd service and timer it writes and enables there (never this machine's /etc), runs on libvirt's test driver that keep the last N archives of each guest, the last result the status screen reads, a failing guest included, and list and remove.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
command -v systemctl >/dev/null || skip "missing systemctl"
[ -x "$B/ospite" ] || fail "$B/ospite is missing"

tmp=$(mktemp -d /tmp/ospite-sched.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
export OSPITE_AUDIT_LOG=$tmp/audit.log
truncate -s 16M "$tmp/a.img"
printf 'guest a\n' | dd of="$tmp/a.img" bs=1M seek=1 conv=notrunc status=none
cat >"$tmp/node.xml" <<XML
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>a</name>
  <memory>65536</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$tmp/a.img'/><target dev='vda' bus='virtio'/></disk>
  </devices>
  <test:runstate>5</test:runstate>
</domain>
</node>
XML
uri=test://$tmp/node.xml

# Bad input is refused and writes nothing.
"$B/ospite" schedule set Bad --guests a --dir "$tmp/out" --root "$root" 2>"$tmp/err" && fail "a bad name was taken"
grep -q "small letters" "$tmp/err" || fail "bad name: $(cat "$tmp/err")"
"$B/ospite" schedule set n1 --guests a --dir relative --root "$root" 2>"$tmp/err" && fail "a relative folder was taken"
"$B/ospite" schedule set n1 --guests a --dir "$tmp/out" --keep 0 --root "$root" 2>"$tmp/err" && fail "keep 0 was taken"
[ ! -e "$root" ] || fail "a refused schedule wrote $(find "$root")"

"$B/ospite" schedule set nightly --guests a --dir "$tmp/out" --every daily --keep 2 --root "$root" >"$tmp/out.txt" ||
	fail "schedule set: $(cat "$tmp/out.txt")"
conf=$root/etc/ospite/backup/nightly.conf
svc=$root/etc/systemd/system/ospite-backup-nightly.service
tmr=$root/etc/systemd/system/ospite-backup-nightly.timer
grep -qx "guests = a" "$conf" && grep -qx "keep = 2" "$conf" && grep -qx "every = daily" "$conf" || fail "conf: $(cat "$conf")"
grep -q "^ExecStart=.*/ospite schedule run nightly$" "$svc" || fail "service: $(cat "$svc")"
grep -qx "OnCalendar=daily" "$tmr" && grep -qx "Persistent=true" "$tmr" || fail "timer: $(cat "$tmr")"
[ -L "$root/etc/systemd/system/timers.target.wants/ospite-backup-nightly.timer" ] || fail "the timer is not enabled in $root"
grep -q "backup schedule=nightly set" "$tmp/audit.log" || fail "no audit line for the schedule"
echo "PASS schedule files and timer"

# Three runs keep the two newest archives.
for i in 1 2 3; do
	"$B/ospite" schedule run nightly --connect "$uri" --root "$root" >"$tmp/run.txt" 2>&1 || fail "run $i: $(cat "$tmp/run.txt")"
	sleep 1
done
n=$(ls "$tmp/out"/a-*.ospite | wc -l)
[ "$n" = 2 ] || fail "$n archives kept, not 2: $(ls "$tmp/out")"
for f in "$tmp/out"/a-*.ospite; do "$B/ospite" verify "$f" >/dev/null || fail "verify $f"; done
grep -Eq "^[0-9-]{10} [0-9:]{5} nightly ok 1 0$" "$root/var/lib/ospite/backup-last" || fail "status: $(cat "$root/var/lib/ospite/backup-last")"
echo "PASS runs keep the last 2"

# A guest that is gone fails the run, the others are still backed up, and the status says so.
"$B/ospite" schedule set nightly --guests gone,a --dir "$tmp/out" --keep 2 --root "$root" >/dev/null || fail "schedule set again"
"$B/ospite" schedule run nightly --connect "$uri" --root "$root" >"$tmp/run.txt" 2>&1
[ $? = 2 ] || fail "a run with a missing guest did not fail: $(cat "$tmp/run.txt")"
grep -Eq " nightly failed 1 1$" "$root/var/lib/ospite/backup-last" || fail "status: $(cat "$root/var/lib/ospite/backup-last")"
[ "$(ls "$tmp/out"/a-*.ospite | wc -l)" = 2 ] || fail "keep after a failed run"
echo "PASS a failing guest"

# list names every schedule; remove disables and deletes one (the archives stay), audited; a
# schedule that is not there is refused with 1, and a file that is not a schedule is left alone.
"$B/ospite" schedule set weekly-db --guests a --dir "$tmp/out" --every weekly --keep 4 --root "$root" >/dev/null ||
	fail "schedule set weekly-db"
touch "$root/etc/ospite/backup/README"
"$B/ospite" schedule list --root "$root" >"$tmp/list.txt" || fail "schedule list: $(cat "$tmp/list.txt")"
[ "$(cat "$tmp/list.txt")" = "nightly: every day, 2 kept, in $tmp/out (gone, a)
weekly-db: every week, 4 kept, in $tmp/out (a)" ] || fail "schedule list said: $(cat "$tmp/list.txt")"
"$B/ospite" schedule remove nightly --root "$root" >"$tmp/rm.txt" || fail "schedule remove: $(cat "$tmp/rm.txt")"
grep -qx "The backup schedule nightly is removed; the backups it made stay." "$tmp/rm.txt" || fail "remove said: $(cat "$tmp/rm.txt")"
[ -e "$conf" ] || [ -e "$svc" ] || [ -e "$tmr" ] || [ -L "$root/etc/systemd/system/timers.target.wants/ospite-backup-nightly.timer" ] &&
	fail "files of the removed schedule are left: $(find "$root" -name '*nightly*')"
[ -L "$root/etc/systemd/system/timers.target.wants/ospite-backup-weekly-db.timer" ] || fail "the other schedule's timer went too"
[ "$(ls "$tmp/out"/a-*.ospite | wc -l)" = 2 ] || fail "remove deleted archives"
grep -q "backup schedule=nightly removed" "$tmp/audit.log" || fail "no audit line for the removal"
[ "$("$B/ospite" schedule list --root "$root")" = "weekly-db: every week, 4 kept, in $tmp/out (a)" ] || fail "list after remove"
"$B/ospite" schedule remove nightly --root "$root" 2>"$tmp/err"
[ $? = 1 ] && grep -q "There is no backup schedule named nightly." "$tmp/err" || fail "removing a missing schedule: $(cat "$tmp/err")"
[ -e "$root/etc/ospite/backup/README" ] || fail "a file that is not a schedule was removed"
"$B/ospite" schedule remove weekly-db --root "$root" >/dev/null || fail "remove weekly-db"
[ -z "$("$B/ospite" schedule list --root "$root")" ] || fail "schedules left after removing both"
echo "PASS list and remove"
