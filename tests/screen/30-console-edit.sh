#!/bin/bash
# Editing a running guest (memory at once, vCPUs, a disk removed, a new qcow2 disk in a pool, a network card) with the list of changes before they are made, and its snapshots: refused on a raw disk, then taken, gone back to and deleted on qcow2; in a network namespace with one bridge.
set -u
. "$(dirname "$0")/../lib/console.sh"
ns=ospite-edit-$$
cleanup() {
	console_cleanup
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$ns" || { echo "cannot make a network namespace"; exit 77; }
ip -n "$ns" link add br-test0 type bridge || fail "cannot make a bridge"
images=$tmp/i

run() {
	term=$1 lang=$2
	rm -rf "$images"
	console_start "$term" "ip netns exec $ns env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR \
		OSPITE_IMAGES_DIR=$images $B/ospite --connect test:///default --lang $lang \
		--idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	check_look "$term"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Enter
	see "$(Tp "Guest %s" test)"

	# The test driver's guest has a raw disk: no snapshots, and the message says what instead.
	tui_keys n
	see_start "$(Tf "The disk %s of %s is in %s format, which cannot keep snapshots: only qcow2 disks can. Make a backup of the guest instead." vda test raw)"
	tui_keys Enter
	see "$(Tp "Guest %s" test)"

	# Edit: the guest runs, so the screen says that the review tells what reaches it at once.
	tui_keys Tab Tab Enter
	see "$(Tf "Edit %s" test)"
	see_start "$(Tt "The guest is running: the review says which changes reach it at once and which at its next start.")"
	see "$(Tf "Memory: %s" "$(mem 2097152)")"
	see "$(Tf "Virtual CPUs: %u" 2)"
	see "$(Tf "Disk %s: %s (%s)" vda /guest/diskimage1 "$(T "existing image file")" | cut -c1-30)"
	# Memory: within the running guest's ceiling, so at once.
	tui_keys Tab Enter
	see_start "$(Tf "The running guest gets up to %s at once; more takes effect at its next start." "$(mem 8388608)")"
	for _ in 1 2 3 4; do tui_keys BSpace; done
	tui_type 1024
	tui_keys F12
	see "$(Tf "Memory: %s" "$(mem 1048576)")"
	# vCPUs, on the second row.
	tui_keys Down Tab Enter
	see_start "$(Tt "A new number of virtual CPUs takes effect at the guest's next start.")"
	tui_keys BSpace
	tui_type 1
	tui_keys F12
	see "$(Tf "Virtual CPUs: %u" 1)"
	# Remove the raw disk vda (the fifth row).
	tui_keys Down Down Down Down Down Tab Tab Tab Enter
	absent "/guest/diskimage1"
	# Add a new qcow2 disk of 1 GiB in the console's pool, chosen from the pools with their free space.
	tui_keys Tab Tab Enter
	see "$(Tt "What to add:")"
	tui_keys F12
	see "$(Tt "The pool the new disk file goes in:")"
	see "ospite ($images)"
	tui_keys F12
	see_start "$(Tt "A new sparse file: it takes space only as the guest writes. A qcow2 file can keep snapshots.")"
	tui_keys BSpace BSpace
	tui_type 1G
	tui_keys Tab Down Space
	tui_keys F12
	see "$images/test-disk2.qcow2"
	# A network card on the namespace's bridge, with the MAC offered.
	tui_keys Tab Tab Enter
	see "$(Tt "What to add:")"
	tui_keys Down Down Down F12
	see_start "$(Tt "A network card on a bridge of this host, added at the guest's next start.")"
	see "br-test0"
	tui_keys Tab
	for _ in $(seq 17); do tui_keys BSpace; done
	tui_type "52:54:00:5e:00:01"
	tui_keys F12
	see "52:54:00:5e:00:01"

	# The review: what happens at once, then what waits for the next start; nothing made yet.
	tui_keys F12
	see "$(Tt "These changes will be made:")"
	see "$(Tt "At once:")"
	see "  $(Tf "Memory: %s to %s." "$(mem 2097152)" "$(mem 1048576)")"
	see "$(Tt "At the guest's next start:")"
	see "  $(Tf "Virtual CPUs: %u to %u." 2 1)"
	see "  $(Tf "Remove the disk %s (%s); the file stays on the host." vda /guest/diskimage1 | cut -c1-40)"
	see "  $(Tf "Add a disk: %s, %s of %s, made now." "$images/test-disk2.qcow2" "$(T "new qcow2 file")" "$(mem 1048576)" | cut -c1-40)"
	see "  $(Tf "Add a network card %s on the bridge %s, model %s." 52:54:00:5e:00:01 br-test0 virtio | cut -c1-40)"
	[ -e "$images/test-disk2.qcow2" ] && fail "the new disk was made before Apply"
	# Back keeps the edit; Review and Apply make it.
	tui_keys Tab Enter
	see "$(Tt "Review")"
	see_start "$(Tt "The guest is running: the review says which changes reach it at once and which at its next start.")"
	tui_keys F12
	see "$(Tt "These changes will be made:")"
	tui_keys F12
	see "$(Tp "Guest %s" test)"
	[ -f "$images/test-disk2.qcow2" ] || fail "the new qcow2 disk was not made"
	# The screen may come back while qemu-img still writes the new file.
	for _ in $(seq 1 50); do
		qemu-img info "$images/test-disk2.qcow2" 2>/dev/null | grep -q "file format: qcow2" && break
		sleep 0.1
	done
	qemu-img info "$images/test-disk2.qcow2" | grep -q "file format: qcow2" || fail "the new disk is not qcow2"
	# Opened again, the editor reads what was saved.
	tui_keys Tab Tab Enter
	see "$(Tf "Memory: %s" "$(mem 1048576)")"
	see "$(Tf "Virtual CPUs: %u" 1)"
	see "$images/test-disk2.qcow2"
	see "52:54:00:5e:00:01"
	absent "/guest/diskimage1"
	tui_keys Tab Tab Tab Tab Enter
	see "$(Tp "Guest %s" test)"

	# Snapshots on the qcow2 disk: take one, go back to it, delete it.
	tui_keys n
	see "$(Tf "Snapshots of %s" test)"
	see "$(Tt "(no snapshots)")"
	tui_keys Tab Enter
	see_start "$(Tt "The snapshot keeps the disks as they are now and, while the guest runs, its memory.")"
	for _ in $(seq 30); do tui_keys BSpace; done
	tui_type "before"
	tui_keys F12
	see "before  "
	absent "$(T "(no snapshots)")"
	tui_keys Tab Tab Enter
	see_start "$(Tf "Go back to the snapshot %s of %s? Everything the guest wrote since it was taken is lost." before test)"
	tui_keys Tab Enter
	see "before  "
	tui_keys Tab Tab Tab Enter
	see_start "$(Tf "Delete the snapshot %s of %s? The guest can no longer go back to it." before test)"
	tui_keys Tab Enter
	see "$(Tt "(no snapshots)")"
	tui_keys Tab Tab Tab Tab Enter
	see "$(Tp "Guest %s" test)"
	tui_keys Tab Enter
	see "$(Tt "Enter opens a guest.")"
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

# mem KIB: memory as the console writes it, in this language.
mem() {
	local m=$(( $1 / 1024 ))
	if [ "$m" -ge 1024 ]; then
		# Italian writes a decimal comma.
		LC_ALL=C awk -v m="$m" 'BEGIN { printf "%.1f GiB\n", m / 1024 }' |
			if [ "$lang" = it ]; then tr . ,; else cat; fi
	else
		echo "$m MiB"
	fi
}

run vt100 en
run xterm-256color it
