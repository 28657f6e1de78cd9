#!/bin/bash
# The guest list, detail with pause and resume, the create-guest wizard refusing bad input (and asking before a display off loopback, and a card on a bridge gone meanwhile), and deleting the new guest with its disk; in a network namespace with two bridges.
set -u
. "$(dirname "$0")/../lib/console.sh"
ns=ospite-con-$$
cleanup() {
	console_cleanup
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT

# The wizard offers the host's bridges: this namespace has two, and br-zgone goes away under it.
ip netns add "$ns" || { echo "cannot make a network namespace"; exit 77; }
ip -n "$ns" link add br-test0 type bridge || fail "cannot make a bridge"
ip -n "$ns" link add br-zgone type bridge || fail "cannot make a bridge"
ip -n "$ns" link set lo up
images=$tmp/i

run() {
	term=$1 lang=$2
	rm -rf "$images"
	console_start "$term" "ip netns exec $ns env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR \
		OSPITE_IMAGES_DIR=$images $B/ospite --connect test:///default --lang $lang \
		--idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	check_look "$term"
	see "br-test0"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	# F2 redraws the list in the other language and back, the cursor still on the list.
	local other=it
	[ "$lang" = it ] && other=en
	tui_keys F2
	lang=$other see "$(lang=$other T "Enter opens a guest.")"
	lang=$other see "$(lang=$other T "<Tab>/<Alt-Tab> between elements | <Enter> selects | <F2>/<Ctrl-T> language")"
	tui_keys F2
	see "$(T "Enter opens a guest.")"

	# Detail of the running guest, pause and resume through the actions' keys.
	tui_keys Enter
	see "$(Tp "Guest %s" test)"
	see "$(Tf "State: %s" "$(T running)")"
	see "$(Tt "Actions (Enter, or the key before each):")"
	see "p  $(Tt "Pause")"
	tui_keys p
	see "$(Tf "State: %s" "$(T paused)")"
	see "u  $(Tt "Resume")"
	absent "p  $(T "Pause")"
	tui_keys u
	see "$(Tf "State: %s" "$(T running)")"
	# Force off asks, naming what is lost; the answer that starts under the cursor is no.
	tui_keys f
	see_start "$(Tf "Force off %s? This is like pulling its power plug: whatever the guest has not written to its disks is lost." test)"
	tui_keys Enter
	see "$(Tf "State: %s" "$(T running)")"
	# Shut down and reboot ask first; Esc, like the no under the cursor, keeps the guest running.
	tui_keys r
	see_start "$(Tf "Reboot %s? The guest is asked to close its programs and start again; whoever uses it loses the connection meanwhile." test)"
	tui_keys Escape
	gone "$(Tf "Reboot %s? The guest is asked to close its programs and start again; whoever uses it loses the connection meanwhile." test | cut -c1-30)"
	see "$(Tf "State: %s" "$(T running)")"
	tui_keys h
	see_start "$(Tf "Shut down %s? The guest is asked to close its programs and turn off, as when its power button is pressed." test)"
	tui_keys Enter
	see "$(Tf "State: %s" "$(T running)")"
	absent "$(T "Back leaves it shutting down.")"
	tui_keys h
	see_start "$(T "Shut down %s? The guest is asked to close its programs and turn off, as when its power button is pressed." | sed "s/%s/test/")"
	tui_keys Tab Enter
	see "$(Tf "State: %s" "$(T "shut off")")"
	tui_keys s
	see "$(Tf "State: %s" "$(T running)")"
	tui_keys Tab Enter
	see "$(Tt "Enter opens a guest.")"

	# The wizard: from the list, Tab to Open, Tab to New guest.
	tui_keys Tab Tab Enter
	see "$(Tt "New Guest: System")"
	tui_type "my vm"
	tui_keys F12
	see_start "$(Tf "\"%s\" is not a valid guest name: use up to 64 letters, digits, '-', '_' and '.', without spaces, not starting with '-' or '.'." "my vm")"
	tui_keys Enter
	see "$(T "New Guest: System")"
	# The cursor is back on the name.
	for _ in 1 2 3 4 5; do tui_keys BSpace; done
	tui_type "web1"
	tui_keys F12
	see "$(Tt "New Guest: Disks")"
	# From a pool: a new file goes in a pool chosen from a list that shows each one's free space.
	tui_keys Tab Tab Enter
	see "$(Tt "What to add:")"
	tui_keys F12
	see "$(Tt "The pool the new disk file goes in:")"
	see "$(Tf "%s (%s), %s free" ospite "$images" "" | cut -c1-20)"
	tui_keys Tab Enter
	see "$(T "New Guest: Disks")"
	# Back (past Add disk, From a pool and Remove) to the first page: a new name renames the new disk's file too.
	tui_keys Tab Tab Tab Tab Enter
	see "$(T "New Guest: System")"
	see "web1"
	tui_keys BSpace
	tui_type "2"
	tui_keys F12
	see "$images/web2.img"
	absent "$images/web1.img"
	# Back again, to the first name, and more memory than the test host's 3 GiB.
	tui_keys Tab Tab Tab Tab Enter
	see "$(T "New Guest: System")"
	tui_keys BSpace
	tui_type "1"
	see "web1"
	tui_keys Tab Tab Tab
	for _ in 1 2 3 4; do tui_keys BSpace; done
	tui_type "999999"
	tui_keys F12
	see_start "$(Tf "%llu MiB is more than the memory of this host (%llu MiB)." 999999 3072)"
	tui_keys Enter
	see "$(T "New Guest: System")"
	for _ in 1 2 3 4 5 6; do tui_keys BSpace; done
	tui_type "256"
	tui_keys F12
	see "$(T "New Guest: Disks")"
	see "$images/web1.img"
	# A new disk over a file that exists is refused; Back leaves the one disk there is.
	touch "$tmp/taken.img"
	tui_keys Tab Enter
	see "$(Tt "Add a Disk")"
	tui_keys Tab Tab Tab Tab Tab
	tui_type "$tmp/taken.img"
	tui_keys F12
	see_start "$(Tp "The new disk %s already exists; choose another file name or use the existing file." "$tmp/taken.img")"
	tui_keys Enter
	see "$(T "Add a Disk")"
	tui_keys Tab Tab Enter
	see "$(T "New Guest: Disks")"
	absent "$tmp/taken.img"
	tui_keys F12

	# A network card on the bridge: a malformed MAC, then one in use, are refused.
	see "$(Tt "New Guest: Network")"
	see "$(Tt "(no network cards)")"
	tui_keys Tab Enter
	see "$(Tt "Add a Network Card")"
	see "br-test0"
	tui_keys Tab
	for _ in $(seq 17); do tui_keys BSpace; done
	tui_type "52:54:00:zz:00:01"
	tui_keys F12
	see_start "$(Tf "\"%s\" is not a valid MAC address: six pairs of hexadecimal digits separated by ':', the first pair even." 52:54:00:zz:00:01)"
	tui_keys Enter
	see "$(T "Add a Network Card")"
	for _ in $(seq 17); do tui_keys BSpace; done
	tui_type "52:54:00:4f:00:01"
	tui_keys F12
	see "br-test0  52:54:00:4f:00:01  virtio"
	# The second card on the other bridge.
	tui_keys Tab Enter
	see "$(T "Add a Network Card")"
	see "br-zgone"
	tui_keys Down Tab
	for _ in $(seq 17); do tui_keys BSpace; done
	tui_type "52:54:00:4F:00:01"
	tui_keys F12
	see_start "$(Tf "The MAC address %s is already in use on this host." 52:54:00:4F:00:01)"
	tui_keys Enter
	see "$(T "Add a Network Card")"
	tui_keys BSpace
	tui_type "2"
	tui_keys F12
	see "br-zgone  52:54:00:4F:00:02  virtio"
	tui_keys F12
	see "$(Tt "New Guest: Display and Console")"
	# A display off loopback is a warning to confirm; Cancel goes back to the address.
	tui_keys Tab
	for _ in $(seq 9); do tui_keys BSpace; done
	tui_type "0.0.0.0"
	tui_keys F12
	see_start "$(Tf "The display would listen on %s, reachable from the network, not only through an SSH tunnel. VNC passwords and the screen travel unencrypted. Listen on %s anyway?" 0.0.0.0 0.0.0.0)"
	tui_keys Enter
	see "$(T "New Guest: Display and Console")"
	for _ in $(seq 7); do tui_keys BSpace; done
	tui_type "127.0.0.1"
	tui_keys F12
	see "$(Tt "New Guest: Features")"
	tui_keys F12
	see "$(Tt "New Guest: Boot")"
	tui_keys F12

	# The summary speaks of the XML's result: the target libvirt will see, the file, the cards.
	see "$(Tt "New Guest: Summary")"
	see "$(Tf "Name: %s" web1)"
	see "$(Tf "Memory: %s." "256 MiB")"
	see "vda (virtio): $(T "new sparse raw file")"
	# With the language's decimal separator ("8,0 GiB" in Italian).
	see "$images/web1.img, 8$(T .)0 GiB."
	local card
	card=$(Tf "Network card %zu: bridge %s, MAC %s, model %s." 1 br-test0 52:54:00:4f:00:01 virtio)
	see "${card%%52:54:00:4f:00:01*}52:54:00:4f:00:01"
	# The bridge of card 2 goes away before Create: refused, nothing defined, the summary again.
	ip -n "$ns" link del br-zgone || fail "cannot delete br-zgone"
	tui_keys F12
	see_start "$(Tf "Network card %zu is on the bridge %s, which this host does not have: choose one of its bridges (Host Status shows them)." 2 br-zgone)"
	tui_keys Enter
	see "$(T "New Guest: Summary")"
	absent "$(Tf "The guest %s is defined. Start it now?" web1)"
	# Back again: Create defines it.
	ip -n "$ns" link add br-zgone type bridge || fail "cannot make br-zgone again"
	tui_keys F12
	see "$(Tf "The guest %s is defined. Start it now?" web1)"
	tui_keys Enter
	see "$(Tn "%zu guest, %u running" "%zu guests, %u running" 2 1)"
	tui_screen | grep -q "web1  *$(T "shut off")  *1  *256 MiB" || fail "web1 is not listed shut off"
	[ -f "$images/web1.img" ] || fail "the new disk was not created"
	[ "$(stat -c %s "$images/web1.img")" = 8589934592 ] || fail "the new disk is not 8 GiB"
	[ "$(stat -c %b "$images/web1.img")" -lt 100 ] || fail "the new disk is not sparse"

	# Delete it with its disk: both questions name what goes.
	tui_keys Down Enter
	see "$(Tp "Guest %s" web1)"
	see "d  $(Tt "Delete")"
	tui_keys d
	see_start "$(Tf "Delete the guest %s? Its definition is removed and it can no longer be started." web1)"
	tui_keys Tab Enter
	# The guest's screen names the file too: wait for the second question itself.
	see_start "$(Tf "Delete the disk file of %s too? This file will be erased:" web1)"
	see "$images/web1.img"
	tui_keys Tab Enter
	see "$(Tf "%zu guest, %u running" 1 1)"
	absent "web1"
	[ -e "$images/web1.img" ] && fail "the disk of the deleted guest is still there"

	# Settings: the idle logout time goes to the settings file.
	rm -f "$tmp/console.conf"
	tui_keys Tab Tab Tab Tab Enter
	see "$(Tt "Idle logout (seconds):")"
	tui_keys BSpace
	tui_type "12x"
	tui_keys F12
	see "$(Tt "Type a number of seconds, up to a week (604800).")"
	tui_keys Enter
	tui_keys BSpace
	tui_type "0"
	tui_keys F12
	see "$(T "Enter opens a guest.")"
	grep -qx "idle_timeout=120" "$tmp/console.conf" || fail "the settings file does not say idle_timeout=120"
	# Quit, the last button: the program ends cleanly (under AddressSanitizer, also without leaks).
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

run vt100 en
run xterm-256color it
