#!/bin/bash
# Hosts and migration on the console, against two private libvirtd daemons in two namespaces: the Hosts screen with a host lost and back, the Migrate options, pre-flight and progress screens with Abort, then a migration to the end, in English and Italian at 80x24 on vt100.
set -u
. "$(dirname "$0")/../lib/console.sh"
for t in libvirtd virsh qemu-system-x86_64 ip cpio; do
	command -v "$t" >/dev/null || { echo "missing $t: make deps-test"; exit 77; }
done
[ -x /bin/busybox ] || { echo "missing busybox: make deps-test"; exit 77; }
. "$top/tests/lib/twohosts.sh"
trap 'th_down; console_cleanup' EXIT
chmod 755 "$tmp"

th_up
th_guest_files
conf=$tmp/console.conf
printf '[hosts]\nb = %s\n' "$uri_b" >"$conf"
export OSPITE_AUDIT_LOG=$tmp/audit.log

run() {
	term=$1 lang=$2 guest=$3
	truncate -s 16M "$tmp/shared/$guest.img"
	th_define "$uri_a" "$guest" "$tmp/shared/$guest.img"
	virsh -q -c "$uri_a" start "$guest" >/dev/null || fail "$guest does not start"
	console_start "$term" "OSPITE_ACCEL=tcg OSPITE_AUDIT_LOG=$OSPITE_AUDIT_LOG OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR \
		$B/ospite --connect '$uri_a' --lang $lang --idle-timeout 0 --config $conf"
	see "$(Tt "Host Status")" 30
	login "$user" "$password"
	see "$(Tt "Enter opens a guest; A shows the guests of every host.")" 15

	# Hosts: on the Host screen, after Back, Network and Storage. Host b is connected, with its hypervisor.
	tui_keys Tab Tab Tab Enter
	see "$(Tt "Host Status")"
	tui_keys Tab Tab Tab Enter
	see "$(T "Hypervisor")"
	see "$(Tt "connected")" 15
	see "QEMU"
	# Only root adds hosts.
	tui_keys Tab Enter
	see_start "$(Tt "Only root may add or remove hosts.")"
	tui_keys Enter
	# b's daemon dies: marked lost at once (the close callback), on this screen and on the list.
	kill -9 "$(th_daemon_pid b)"
	tui_wait "$(Tt "lost since %s" | sed 's/ *%s//')" 10 || fail "b is not shown lost"
	th_launch b
	th_wait "$uri_b" || fail "b's libvirtd did not come back"
	# Test connects at once instead of waiting out the back-off; b is connected again.
	tui_keys Down Tab Tab Enter
	see_start "$(Tt "%s answers: %s %s on %s, %s free, %u guests." | sed 's/^%s/b/; s/ %s.*//')" 30
	tui_keys Enter
	see "$(Tt "connected")" 15
	tui_keys Tab Tab Tab Tab Tab Enter
	see "$(Tt "Host Status")"
	tui_keys Enter
	see "$(Tt "Enter opens a guest; A shows the guests of every host.")" 10

	# The guest's screen (the last in the list): m is Migrate.
	tui_keys End Enter
	see "$(Tp "Guest %s" "$guest")"
	see "m  $(Tt "Migrate to another host")"
	tui_keys m
	see "$(Tp "Migrate %s" "$guest")"
	see "$(Tt "Maximum downtime (ms):")"
	check_look "$term"
	# A bad downtime is named, and the dialog comes back.
	tui_keys Tab Tab Tab Tab
	tui_keys BSpace BSpace BSpace
	tui_type "soon"
	tui_keys F12
	see_start "$(Tt "The maximum downtime is a number of milliseconds, from 1 to 3600000.")"
	tui_keys Enter
	see "$(Tt "Maximum downtime (ms):")"
	for _ in 1 2 3 4; do tui_keys BSpace; done
	tui_type "300"
	# A bandwidth of 1 MiB/s makes it slow enough to watch and abort.
	tui_keys Tab
	tui_type "1"
	tui_keys F12
	see "$(Tp "Pre-flight: %s to %s" "$guest" b)" 60
	see "$(Tt "The bridge %s exists on the destination." | sed 's/%s/br0/')"
	see_start "$(Tt "Nothing has changed yet. Migrate now?")"
	tui_keys Tab Enter
	see "$(Tp "Migrating %s to %s" "$guest" b)" 10
	see "$(Tt "Transfer rate: %s/s   Dirty rate: %s/s" | sed 's/ %s.*//')" 30
	see "$(Tt "Elapsed: %s   Remaining: about %s" | sed 's/ %s.*//')"
	see "[#"
	check_look "$term"
	tui_keys Enter
	see_start "$(Tt "The migration of %s was aborted; it still runs on the source.%s" | sed "s/%s/$guest/; s/%s//")" 60
	tui_keys Enter
	[ "$(virsh -c "$uri_a" domstate "$guest" | head -1)" = running ] || fail "$guest is not running here after the abort"
	virsh -c "$uri_b" dominfo "$guest" >/dev/null 2>&1 && fail "$guest was left on b"

	# Again, to the end.
	tui_keys m
	see "$(Tp "Migrate %s" "$guest")"
	tui_keys F12
	see "$(Tp "Pre-flight: %s to %s" "$guest" b)" 60
	tui_keys Tab Enter
	see "$(Tf "%s now runs on %s." "$guest" b)" 90
	see "$(Tt "The migration took %s s, with %s ms of downtime." | sed "s/ %s s.*//")"
	tui_keys Enter
	[ "$(virsh -c "$uri_b" domstate "$guest" | head -1)" = running ] || fail "$guest does not run on b"
	# Every host's guests: A adds a host column; the guest is on b now, and opens there.
	# With or without guests left here, the list offers every host's.
	see "$(Tt "No guests on this host; A shows the guests of every host." | sed 's/^.*; //')" 10
	tui_keys a
	see "$(Tt "Enter opens a guest; A shows this host's guests only.")"
	tui_wait "b          $guest" 15 || fail "no row of $guest on b"
	tui_keys End Enter
	see "$(Tp "Guest %s" "$guest")" 20
	see "$(Tf "State: %s" "$(T running)")"
	# From there, back to this host: the destinations are this host and no longer b.
	tui_keys m
	see "$(Tp "Migrate %s" "$guest")"
	see "$(Tt "this host")"
	tui_keys F12
	see "$(Tp "Pre-flight: %s to %s" "$guest" "$(T "this host")")" 60
	tui_keys Tab Enter
	see "$(Tf "%s now runs on %s." "$guest" "$(T "this host")")" 90
	tui_keys Enter
	see "$(Tt "Enter opens a guest; A shows this host's guests only.")" 20
	[ "$(virsh -c "$uri_a" domstate "$guest" | head -1)" = running ] || fail "$guest is not back here"
	tui_keys a
	see "$(T "Enter opens a guest; A shows the guests of every host.")"
	grep -q "$user .*migrate guest=$guest .*result=aborted" "$OSPITE_AUDIT_LOG" || fail "no aborted line in the audit log"
	grep -q "$user .*migrate guest=$guest .*result=done" "$OSPITE_AUDIT_LOG" || fail "no done line in the audit log"
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]" 15
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

run vt100 en web1
run vt100 it web2
echo "40-console-migrate: 2 passed, 0 failed, 0 skipped"
