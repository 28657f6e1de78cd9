#!/bin/bash
# Enter in a dialog's entries, as in any newt form: in an entry before the last it moves to the next field; in the last entry it goes ahead; driven on the wizard's System and Boot pages.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT
images=$tmp/i

# The cursor's row on the screen (0 = top).
cursor_row() { tmx display-message -p -t t '#{cursor_y}'; }
# The row of the first line that shows TEXT.
row_of() { tui_screen | grep -nF -- "$1" | head -1 | cut -d: -f1 | awk '{print $1 - 1}'; }
# tab_to LABEL: Tab until the cursor is in the entry on LABEL's row.
tab_to() {
	local want i
	want=$(row_of "$1")
	[ -n "$want" ] || fail "no field $1"
	for i in $(seq 1 20); do
		[ "$(cursor_row)" = "$want" ] && return 0
		tui_keys Tab
		sleep 0.15
	done
	fail "Tab never reached the field $1"
}
# at LABEL: the cursor is on LABEL's row.
at() {
	local i
	for i in $(seq 1 15); do
		[ "$(cursor_row)" = "$(row_of "$1")" ] && return 0
		sleep 0.2
	done
	fail "the cursor is not in the field $1"
}

run() {
	term=$1 lang=$2
	rm -rf "$images"
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_IMAGES_DIR=$images \
		$B/ospite --connect test:///default --lang $lang --idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Tab Tab Enter
	see "$(Tt "New Guest: System")"
	tui_type "enter-$lang"
	# Enter in the name moves on; in the last entry (threads) it goes to the next page.
	tab_to "$(T "Cores per socket:")"
	tui_keys Enter
	at "$(T "Threads per core:")"
	absent "$(T "New Guest: Disks")"
	tui_keys Enter
	see "$(Tt "New Guest: Disks")"
	gone "$(T "New Guest: System")"
	tui_keys F12
	for page in "New Guest: Network" "New Guest: Display and Console" "New Guest: Features"; do
		see "$(Tt "$page")"
		tui_keys F12
	done
	see "$(Tt "New Guest: Boot")"
	tab_to "$(T "Kernel:")"
	tui_keys Enter
	at "$(T "Initrd:")"
	tui_keys Enter
	at "$(T "Command line:")"
	absent "$(T "New Guest: Summary")"
	tui_keys Enter
	see "$(Tt "New Guest: Summary")"
	see "enter-$lang"
	tui_keys Escape
	gone "$(T "New Guest: Summary")"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

tui_each_look run
