#!/bin/bash
# Every installer screen in English and Italian, on vt100 (ASCII borders) and a colour terminal, driven by keys.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"

tmp=$(mktemp -d)
cleanup() {
	tui_stop
	detach_image "$tmp/disk.img"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL [$term/$lang]: $*"; tui_screen; exit 1; }

see() { tui_wait "$1" 10 || fail "expected on screen: $1"; }
# Tf FORMAT ARGS...: a translated printf format filled in.
Tf() {
	local f
	f=$(Tt "$1")
	shift
	# shellcheck disable=SC2059
	printf "$f" "$@"
}

run() {
	term=$1 lang=$2
	rm -f "$tmp/disk.img"
	tui_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite-install --image $tmp/disk.img \
		--image-size 8G --log $tmp/log --workdir $tmp/work"
	see "Language / Lingua"
	if [ "$term" = vt100 ]; then
		tui_screen | grep -q '+----' || fail "no ASCII border on vt100"
		tui_screen | grep -q '─' && fail "line drawing characters on vt100"
	else
		tui_screen_ansi | grep -q '44m' || fail "no blue background on a colour terminal"
	fi
	# F2 here switches the screens (from English) only: the row chosen below sets the language.
	local other=en
	[ "$lang" = en ] && other=it
	tui_keys F2
	lang=it see "$(lang=it T "Choose the language of the installation and of the installed host.")"
	[ "$lang" = it ] && tui_keys Down
	tui_keys Enter
	see "$(Tt "Keyboard and Time Zone")"
	see "$(Tt "<Tab>/<Alt-Tab> between elements | <Space> selects | <F12> next screen")"
	see "$(Tt "F2: Italiano")"
	# Ctrl-T switches too, for terminals without function keys, and back again.
	local first
	first=$(T "Keyboard and Time Zone")
	tui_keys C-t
	sleep 0.5
	tui_screen | grep -qF "$first" && fail "Ctrl-T did not switch the language"
	tui_keys C-t
	see "$first"
	# Without function keys: Tab to Next and press Enter (list, entry, Back, Next).
	tui_keys Tab Tab Tab Enter
	sleep 0.5
	if tui_screen | grep -qF "$(T "Networking Device")"; then tui_keys Enter; fi
	see "$(Tt "Addressing:")"
	# A static address that is not one: the screen says so and keeps the operator there.
	tui_keys Tab Space Tab
	tui_type "300.1.2.3"
	tui_keys F12
	# shellcheck disable=SC2059
	see "$(printf "$(Tt '"%s" is not an IPv4 address.')" 300.1.2.3)"
	tui_keys Enter
	see "$(T "Addressing:")"
	# Back to DHCP, a new host name, then switch language: nothing typed is lost.
	tui_keys Tab Tab Tab Tab Tab Tab
	for _ in $(seq 8); do tui_keys BSpace; done
	tui_type "keepme"
	# Ctrl-T with the cursor in an entry: the terminal may have no function keys.
	tui_keys C-t
	sleep 0.5
	tui_screen | grep -q keepme || fail "the host name was lost on a language switch"
	lang=$other see "$(lang=$other T "Addressing:")"
	tui_keys F2
	see "$(T "Addressing:")"
	tui_screen | grep -q keepme || fail "the host name was lost on the second switch"
	tui_screen | grep -q 300.1.2.3 || fail "the IP address was lost on a language switch"
	# Put it back to DHCP so the plan validates.
	tui_keys Space
	tui_keys F12
	see "$(Tt "Installation Source")"
	see "$(T "Mirror URL:")"
	tui_keys F12
	see "$(Tt "Hypervisor and Bridges")"
	see "xenbr0"
	tui_keys F12
	see "$(Tt "Disk")"
	see "loop"
	tui_keys Enter
	see "$(Tt "Partitioning")"
	see "/var/lib/ospite/images"
	# Automatic offers the layouts: plain, LVM, LVM thin; RAID 1 only with a second disk.
	tui_reject "LVM" || fail "LVM shown before it was chosen"
	tui_keys Tab Tab Tab Tab Enter
	see "$(Tt "Plain partitions")"
	see "$(Tt "LVM with a thin pool for / and the images")"
	tui_reject "$(Tt "RAID 1 over %s and %s, with LVM on it" | cut -d' ' -f1-3)" ||
		fail "RAID 1 is offered with a single disk"
	tui_keys Down F12
	see "$(Tt "Partitioning")"
	see "LVM"
	see "/var/lib/ospite/images"
	# Its volumes are made as a whole: Add says so and changes nothing.
	tui_keys Tab Enter
	see "$(Tt "The LVM and RAID 1 layouts are made as a whole: choose Automatic, then plain partitions, to edit partitions one by one." | cut -d' ' -f1-4)"
	tui_keys Enter
	see "LVM"
	tui_keys F12
	see "$(Tt "Root Password")"
	tui_type "abcdef1"; tui_keys Tab; tui_type "abcdef2"; tui_keys F12
	see "$(Tt "The two passwords differ.")"
	tui_keys Enter
	see "$(T "Root Password")"
	tui_type "abcdef1"; tui_keys Tab; tui_type "abcdef1"; tui_keys F12
	see "$(Tt "Summary")"
	see "keepme"
	see "$(Tt "New partitions and LVM volumes on %s:" | cut -d' ' -f1-4)"
	# The host gets the language of the first screen, whatever the screens speak after F2.
	local host=English kb=us tz=Etc/UTC
	[ "$lang" = it ] && host=Italiano kb=it tz=Europe/Rome
	see "$(Tf "Host language %s, keyboard %s, time zone %s." "$host" "$kb" "$tz")"
	tui_keys F2
	lang=$other see "$(lang=$other Tf "Host language %s, keyboard %s, time zone %s." "$host" "$kb" "$tz")"
	tui_keys F2
	see "$(T "Summary")"
	tui_keys F12
	see "$(Tt "Confirm")"
	see "/dev/loop"
	# "No" is where the cursor starts: Enter declines and nothing is written.
	tui_keys Enter
	see "$(T "Summary")"
	tui_stop
	if [ -n "$(blkid -p "$tmp/disk.img" 2>/dev/null)" ]; then
		fail "the image was written although the confirmation was declined"
	fi
	detach_image "$tmp/disk.img"
	echo "ok $term $lang"
}

tui_each_look run
check_translated || exit 1
