#!/bin/bash
# The settings: a broken settings file starts the console on its defaults and says why, and a member of the group ospite may not turn the idle logout off.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT

run() {
	term=$1 lang=$2
	printf 'idle_timeout=soon\n' >"$tmp/console.conf"
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite --connect test:///default \
		--lang $lang --config $tmp/console.conf"
	# The error names the file and the line; the console goes on instead of ending.
	see "$(Tt "Settings")"
	see "$tmp/console.conf"
	see "soon"
	tui_screen | tr -s ' \n' ' ' | grep -qF "$(Tf "%s The console uses its default settings." "" | sed 's/^ //')" ||
		fail "the message does not say that the defaults are used"
	absent "[ospite exit"
	tui_keys Enter
	see "$(Tt "Host Status")"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	# Settings shows the default (300), not the broken value; 0 is root's alone.
	tui_keys Tab Tab Tab Tab Enter
	see "$(Tt "Idle logout (seconds):")"
	see "300"
	tui_keys BSpace BSpace BSpace
	tui_type "0"
	tui_keys F12
	see_start "$(Tt "Only root may turn the idle logout off (0); type a number of seconds.")"
	tui_keys Enter
	see "$(T "Idle logout (seconds):")"
	grep -q soon "$tmp/console.conf" || fail "the refused value was saved"
	tui_keys BSpace
	tui_type "90"
	tui_keys F12
	see "$(T "Enter opens a guest.")"
	grep -qx "idle_timeout=90" "$tmp/console.conf" || fail "the settings file does not say idle_timeout=90"
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

run vt100 en
run xterm-256color it
