#!/bin/bash
# The Backup action of a guest's screen and the Restore and Schedules screens of Host Status, in English and Italian on vt100 and in Italian on a colour terminal, at 80x24: a shut-off guest of libvirt's test driver backed up to a folder, the archive checked by ospite verify, restored under a new name into a pool, a second restore over that name refused with the entries kept, a daily schedule whose timer is written under OSPITE_ROOT and whose run Host Status then shows, and that schedule listed and removed.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT
command -v tar >/dev/null || { echo "missing tar"; exit 77; }

run() {
	term=$1 lang=$2
	rm -rf "$tmp/run" && mkdir -p "$tmp/run/pool" "$tmp/run/out"
	truncate -s 64M "$tmp/run/bk.img"
	printf 'ospite backup screen test\n' | dd of="$tmp/run/bk.img" bs=1M seek=3 conv=notrunc status=none
	# The test driver from a file: a shut-off guest and a pool of files, no daemon.
	cat >"$tmp/run/node.xml" <<XML
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>bk</name>
  <memory>65536</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$tmp/run/bk.img'/><target dev='vda' bus='virtio'/></disk>
    <interface type='bridge'><mac address='52:54:00:aa:bb:01'/><source bridge='br0'/></interface>
  </devices>
  <test:runstate>5</test:runstate>
</domain>
<pool type='dir'>
  <name>bkpool</name>
  <target><path>$tmp/run/pool</path></target>
</pool>
</node>
XML
	console_start "$term" "env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_AUDIT_LOG=$tmp/run/audit.log OSPITE_ROOT=$tmp/run/root \
		OSPITE_BACKUP_DIR=$tmp/run/out $B/ospite --connect test://$tmp/run/node.xml --lang $lang \
		--idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	check_look "$term"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15

	# The guest's screen offers Back up; its dialog says how the guest is read, and where to.
	tui_keys Enter
	see "$(Tp "Guest %s" bk)"
	see "b  $(Tt "Back up")"
	tui_keys b
	see "$(Tf "Back up %s" bk)"
	see_start "$(Tf "%s is shut off: its %s of data are read directly." bk "4 KiB")"
	see "$tmp/run/out"
	tui_keys F12
	# The message wraps the archive's long path: its words before it, then the file's name.
	see "$(Tf "%s backed up to %s (%s) in %s s." bk "@" X 0 | sed 's/ *@.*//')" 20
	arch=$(ls "$tmp/run/out"/bk-*.ospite) || fail "no archive in $tmp/run/out"
	see "$(basename "$arch")"
	tui_keys Enter
	"$B/ospite" verify "$arch" >/dev/null || fail "ospite verify $arch"
	[ "$(tar -xOf "$arch" disks/vda.img | cmp - "$tmp/run/bk.img" && echo same)" = same ] || fail "the archive's disk differs"
	grep -q "backup guest=bk file=$arch result=done" "$tmp/run/audit.log" || fail "no audit line"

	# Back on the list, then Host, then Restore.
	see "$(Tp "Guest %s" bk)"
	tui_keys Tab Enter
	see "$(Tt "Enter opens a guest.")"
	tui_keys Tab Tab Tab Enter
	see "$(Tt "Host Status")"
	see "$(Tt "Backups")"
	# The status screen takes keys once its first refresh is drawn.
	sleep 1
	tui_keys Tab Tab Tab Tab Tab Enter
	see "$(Tt "Restore a guest from an archive")"
	tui_keys Enter
	see "$(Tt "Restore a guest")"
	tui_type "$arch"
	tui_keys Tab
	tui_type "bk2"
	tui_keys Tab
	for _ in $(seq 10); do tui_keys BSpace; done
	tui_type "bkpool"
	tui_keys F12
	see "$(Tf "%s restored from %s in %s s." bk2 "@" 0 | sed 's/ *@.*//')" 20
	tui_keys Enter
	cmp "$tmp/run/pool/bk2-vda.img" "$tmp/run/bk.img" || fail "the restored disk differs"
	# Again under the same name: refused, the dialog comes back with what was typed.
	see "$(Tt "Host Status")"
	sleep 1
	tui_keys Tab Tab Tab Tab Tab Enter
	see "$(Tt "Restore a guest from an archive")"
	tui_keys Enter
	see "$(Tt "Restore a guest")"
	tui_type "$arch"
	tui_keys Tab
	tui_type "bk2"
	tui_keys Tab
	for _ in $(seq 10); do tui_keys BSpace; done
	tui_type "bkpool"
	tui_keys F12
	see_start "$(Tf "A guest named %s already exists; restore under another name (--name)." bk2)" 20
	tui_keys Enter
	see "$(Tt "Restore a guest")"
	see "bk2"
	# From the archive's entry, past the name and the pool, to Back.
	tui_keys Tab Tab Tab Enter

	# Schedules: a daily backup of bk, written under OSPITE_ROOT with its timer enabled there.
	see "$(Tt "Host Status")"
	sleep 1
	tui_keys Tab Tab Tab Tab Tab Enter
	see "$(Tt "Schedule backups of guests")"
	tui_keys Down Enter
	see "$(Tt "Backup schedule")"
	tui_keys Tab
	tui_type "bk"
	tui_keys F12
	see_start "$(Tf "The backup schedule %s runs %s; it keeps %u backups of each guest in %s." nightly "$(T daily)" 7 "$tmp/run/out")" 20
	tui_keys Enter
	[ -L "$tmp/run/root/etc/systemd/system/timers.target.wants/ospite-backup-nightly.timer" ] ||
		fail "the timer is not enabled under OSPITE_ROOT"
	grep -qx "guests = bk" "$tmp/run/root/etc/ospite/backup/nightly.conf" || fail "the schedule's guests"
	"$B/ospite" schedule run nightly --connect "test://$tmp/run/node.xml" --root "$tmp/run/root" >/dev/null 2>&1 ||
		fail "schedule run"
	# Host Status, opened again, shows the run.
	see "$(Tt "Host Status")"
	sleep 1
	tui_keys Enter
	see "$(Tt "Enter opens a guest.")"
	tui_keys Tab Tab Tab Enter
	see "$(Tf "Last scheduled backup: %s, %s, %u guests backed up." "@" nightly 1 | sed 's/.*@, //')"

	# The schedules listed; Remove asks first, Back keeps it; then it goes, timer and all, with
	# an audit line, and the archives stay.
	sleep 1
	tui_keys Tab Tab Tab Tab Tab Enter
	see "$(Tt "List or remove backup schedules")"
	tui_keys Down Down Enter
	see "$(Tt "Backup schedules")"
	see_start "$(Tt "Each schedule runs from its systemd timer. Remove stops the timer and deletes the schedule; the backups it made stay.")"
	row=$(Tf "%s: %s, %u kept, in %s (%s)" nightly "$(T "every day")" 7 "$tmp/run/out" bk)
	see "${row:0:50}"
	see "<$(Tt "Remove")>"
	check_look "$term"
	tui_keys F12
	see_start "$(Tf "Remove the backup schedule %s? Its timer stops; the backups it made stay." nightly)"
	check_look "$term"
	tui_keys Enter
	see "${row:0:50}"
	[ -e "$tmp/run/root/etc/ospite/backup/nightly.conf" ] || fail "Back removed the schedule"
	tui_keys F12
	see_start "$(Tf "Remove the backup schedule %s? Its timer stops; the backups it made stay." nightly)"
	tui_keys Tab Enter
	see_start "$(Tf "The backup schedule %s is removed; the backups it made stay." nightly)" 20
	tui_keys Enter
	see_start "$(Tt "There are no backup schedules.")"
	tui_keys Enter
	see "$(Tt "Host Status")"
	for f in etc/ospite/backup/nightly.conf etc/systemd/system/ospite-backup-nightly.timer \
		 etc/systemd/system/ospite-backup-nightly.service \
		 etc/systemd/system/timers.target.wants/ospite-backup-nightly.timer; do
		[ -e "$tmp/run/root/$f" ] || [ -L "$tmp/run/root/$f" ] && fail "$f is left after Remove"
	done
	ls "$tmp/run/out"/bk-*.ospite >/dev/null 2>&1 || fail "Remove deleted the archives"
	grep -q "backup schedule=nightly removed" "$tmp/run/audit.log" || fail "no audit line for the removal"
	check_translated || fail "untranslated texts"
	tui_stop
}

run vt100 en
run vt100 it
run xterm-256color it
echo "PASS console backup screens"
