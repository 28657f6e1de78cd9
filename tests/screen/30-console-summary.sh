#!/bin/bash
# The wizard at 80x24: F2 switches the list behind it too; in the summary, rows as long as the list is wide keep their last characters (the "> " marker of vt100 included), and the dialog sits inside the guest list's window, under its title line.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT
images=$tmp/i
# A name as long as a summary row: "Name: " and 57 characters fill the 63 columns of a colour
# list; vt100 gives two of them to the "> " marker, so the name goes whole onto the next row.
long=web-$(printf 'x%.0s' $(seq 1 50))-end
long=${long:0:57}

run() {
	term=$1 lang=$2
	rm -rf "$images"
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_IMAGES_DIR=$images \
		$B/ospite --connect test:///default --lang $lang --idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	check_look "$term"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Tab Tab Enter
	see "$(Tt "New Guest: System")"
	# F2 in the wizard: the guest list behind it changes language too, and back.
	local other=it
	[ "$lang" = it ] && other=en
	tui_keys F2
	lang=$other see "$(lang=$other T "New Guest: System")"
	tui_screen | sed -n 3p | grep -q " $(lang=$other T "Guests") " || fail "the list behind the wizard kept its language"
	tui_keys F2
	see "$(T "New Guest: System")"
	tui_screen | sed -n 3p | grep -q " $(T "Guests") " || fail "the list behind the wizard did not come back"
	tui_type "$long"
	tui_keys F12
	for page in "New Guest: Disks" "New Guest: Network" "New Guest: Display and Console" \
		"New Guest: Features" "New Guest: Boot"; do
		see "$(Tt "$page")"
		tui_keys F12
	done
	see "$(Tt "New Guest: Summary")"
	# Whole, on its row or (vt100, whose rows lose two columns to the marker) on the next.
	see "$long"
	# The guest list's title line is still whole above the dialog.
	tui_screen | sed -n 3p | grep -q " $(T "Guests") " || fail "the summary covers the guest list's title line"
	# Back out without defining anything.
	tui_keys Escape
	gone "$(T "New Guest: Summary")"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

tui_each_look run
