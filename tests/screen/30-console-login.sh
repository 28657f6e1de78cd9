#!/bin/bash
# The console before and after a login: host status, Esc and Enter in the Log In dialog, a wrong password and a user outside the group refused, the guest list, idle logout; English and Italian on vt100 and colour.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT

outsider=ospx$$
add_user "$outsider" "$password"

run() {
	term=$1 lang=$2
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite --connect test:///default \
		--lang $lang --idle-timeout 5 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	check_look "$term"
	see "$(Tt "Host name:")"
	see "$(hostname)"
	see "test:///default"
	see "$(Tf "%u running of %u" 1 1)"
	see "$(Tt "F2: Italiano")"
	see "$(Tt "<Tab>/<Alt-Tab> between elements | <Enter> selects | <F2>/<Ctrl-T> language")"
	# Ctrl-T switches the language, for terminals without function keys, and back again.
	local first
	first=$(T "Host Status")
	tui_keys C-t
	sleep 0.5
	tui_screen | grep -qF "$first" && fail "Ctrl-T did not switch the language"
	tui_keys C-t
	see "$first"
	# Nothing but the status is shown before a login.
	absent "$(T "vCPUs")"

	# Esc cancels the Log In dialog (it does not switch the language, only F2 and Ctrl-T do).
	see "$(Tt "Log in to manage the guests.")"
	tui_keys Enter
	see "$(Tt "User:")"
	tui_keys Escape
	gone "$(T "User:")"
	see "$(T "Log in to manage the guests.")"
	see "$first"
	# Enter in the password field logs in, as it does in every login prompt.
	tui_keys Enter
	see "$(T "User:")"
	tui_type "$user"
	tui_keys Tab
	tui_type "not-$password"
	tui_keys Enter
	see "$(Tt "The user name or the password is wrong.")" 15
	# Esc closes a message too.
	tui_keys Escape
	gone "$(T "The user name or the password is wrong.")"
	see "$(T "User:")"
	if [ "$term/$lang" = vt100/en ]; then
		# The right password of a user outside the group ospite is refused too.
		tui_keys BTab
		for _ in $(seq 20); do tui_keys BSpace; done
		tui_type "$outsider"
		tui_keys Tab
		tui_type "$password"
		tui_keys F12
		see_start "$(Tf "%s may not manage guests: only root and the members of the group %s may." "$outsider" ospite)" 15
		tui_keys Enter
		see "$(T "User:")"
		tui_keys BTab
		for _ in $(seq 20); do tui_keys BSpace; done
		tui_type "$user"
		tui_keys Tab
	fi
	# The cursor waits in the password field after a refusal.
	tui_type "$password"
	tui_keys Enter
	see "$(Tt "Guests")" 15
	see "$(Tf "Logged in as %s" "$user")"
	see "$(Tf "%zu guest, %u running" 1 1)"
	tui_screen | grep -q "test  *$(T running)  *2 " || fail "the guest list does not show test running with 2 vCPUs"
	if [ "$term/$lang" = vt100/en ]; then
		# Keys keep the session: 8 seconds of Down presses outlast the 5-second timeout.
		for _ in 1 2 3 4; do sleep 2; tui_keys Down; done
		see "$(T "Logged in as %s" | sed "s/%s/$user/")" 1
	fi
	# Then nothing for 5 seconds: back to the status screen, saying why.
	see "$(Tt "You were logged out because no key was pressed for a while.")" 15
	see "$(T "Host Status")"
	absent "$(Tf "Logged in as %s" "$user")"
	# Quit: the program ends cleanly (under AddressSanitizer, also without leaks).
	tui_keys Tab Enter
	see "[ospite exit 0]"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

tui_each_look run
