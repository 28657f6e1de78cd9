#!/bin/bash
# End to end: drive the interactive installer with tmux keys into a loop-backed image, cut it off in Package Installation, resume it after its question, then boot it under QEMU to the host's ready line.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing"; exit 77; }

tmp=$(mktemp -d /var/tmp/ospite-e2e.XXXXXX)
sentinel= qpid= mnt=
cleanup() {
	tui_stop
	e2e_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A second disk full of known data is present all along: not one byte of it may change.
make_sentinel "$tmp"
mkdir -p "$(e2e_workdir)"

# drive: start the installer and answer every screen the same way, up to the erase question.
drive() {
	tui_start vt100 "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite-install --image $tmp/disk.img \
		--image-size 8G --log $tmp/install.log --workdir $(e2e_workdir) --serial ttyS0,115200"
	tui_wait "Language / Lingua" || fail "no language screen"
	tui_keys Enter                                 # English
	tui_wait "Keyboard and Time Zone" || fail "no keyboard screen"
	tui_keys F12
	# With more than one NIC the Networking Device question comes first.
	sleep 0.5
	if tui_screen | grep -q "Networking Device"; then tui_keys Enter; fi
	tui_wait "Addressing:" || fail "no network screen"
	# Change the host name with keys only: Tab to the field, clear it, type.
	for _ in 1 2 3 4 5 6; do tui_keys Tab; done
	for _ in $(seq 10); do tui_keys BSpace; done
	tui_type "e2ehost"
	tui_keys F12
	tui_wait "Installation Source" || fail "no source screen"
	tui_keys F12
	tui_wait "Hypervisor and Bridges" || fail "no hypervisor screen"
	tui_expect "xenbr0" || fail "no default bridge"
	tui_keys F12
	tui_wait "Choose the disk" || fail "no disk screen"
	tui_expect "loop" || fail "the image is not listed"
	tui_keys Enter
	tui_wait "Partitioning" || fail "no partitioning screen"
	tui_expect "/var/lib/ospite/images" || fail "no image store in the automatic layout"
	tui_keys F12
	tui_wait "Root Password" || fail "no password screen"
	tui_type "ospite-e2e"; tui_keys Tab; tui_type "ospite-e2e"; tui_keys F12
	tui_wait "Summary" || fail "no summary"
	tui_expect "e2ehost" || fail "the summary lost the host name"
	tui_keys F12
	tui_wait "will be lost" || fail "no confirmation"
	tui_keys Tab Enter                             # "Yes, erase and install"
	tui_wait "Dependency Check" 60 || fail "no dependency check"
}

# A power cut in Package Installation: the installer and all it started die at once.
drive
tui_wait "Package Installation" 600 || fail "no package installation"
# Once dpkg unpacks what apt installs after the base system.
for _ in $(seq 300); do
	awk '/dist-upgrade/ { on = 1 } on && /^Unpacking/ { n++ } END { exit n < 3 }' "$tmp/install.log" && break
	sleep 1
done
pid=$(pgrep -f "ospite-install --image $tmp/disk.img" | head -1)
[ -n "$pid" ] || fail "no installer to cut off"
kill -9 -- -"$(ps -o pgid= -p "$pid" | tr -d ' ')"
tui_stop

# The same choices again: the installer says what it found and offers to resume, with
# Install from scratch as the answer that Enter alone gives.
drive
tui_wait "Unfinished Install" 120 || fail "no question about the unfinished install"
tui_expect "stopped during" || fail "the question does not say where the install stopped"
tui_expect "Install from scratch" || fail "no Install from scratch button"
tui_keys Tab Enter                             # "Resume"
tui_wait "Package Installation" 600 || fail "no package installation"
tui_wait "The host is installed" 1800 || { tail -40 "$tmp/install.log"; fail "the install did not complete"; }
tui_keys Enter
tui_wait "[exit status 0]" 30 || fail "the installer did not exit cleanly"
sentinel_intact || fail "the sentinel disk changed"
grep -q 'resume: base finished in an earlier run' "$tmp/install.log" || fail "the second run did not resume"

# Look inside the installed image (read-only) before booting it.
mnt=$tmp/mnt; mkdir -p "$mnt"
mount_part "$tmp/disk.img" 3 "$mnt" || fail "no root file system in partition 3"
grep -q '^UUID=' "$mnt/etc/fstab" || fail "fstab does not name file systems by UUID"
grep -q '/dev/loop' "$mnt/etc/fstab" && fail "fstab names a loop device"
grep -q 'bridge_ports eth0' "$mnt/etc/network/interfaces" || fail "no xenbr0 on eth0"
[ "$(cat "$mnt/etc/hostname")" = e2ehost ] || fail "wrong host name"
grep -q 'hypervisor --type=xen' "$mnt/root/ospite-ks.cfg" || fail "no answer file"
# The saved answer file replays the same plan (the disk is named by the image, not its loop device).
# The log holds both runs, the one cut off and the one that resumed it: their plans are the same, take the last.
awk '/^plan:$/ { buf = ""; on = 1; next } /^== end of plan$/ { on = 0; last = buf } on { buf = buf $0 "\n" }
	END { printf "%s", last }' "$mnt/var/log/ospite/install.log" | grep -v '^disk:' >"$tmp/plan.run"
[ "$(grep -c '^plan:$' "$mnt/var/log/ospite/install.log")" = 2 ] || fail "the log does not hold both runs"
"$B/ospite-install" --validate "$mnt/root/ospite-ks.cfg" --dump-plan --image "$tmp/disk.img" |
	grep -v '^disk:' >"$tmp/plan.replay" || fail "the saved answer file does not validate"
[ -s "$tmp/plan.run" ] || fail "no plan in the install log"
diff -u "$tmp/plan.run" "$tmp/plan.replay" || fail "the saved answer file gives another plan"
[ -s "$mnt/var/log/ospite/install.log" ] || fail "no install log on the target"
# The host console is on the host, enabled on tty1, and finds its libraries there.
[ -L "$mnt/etc/systemd/system/getty.target.wants/ospite-console.service" ] || fail "the console is not enabled"
PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin chroot "$mnt" ospite --version >/dev/null ||
	fail "the host console does not run on the installed host"
mac=$(sed -n 's/^MACAddress=//p' "$mnt"/etc/systemd/network/10-ospite-eth0.link)
[ -n "$mac" ] || fail "no .link file pinning eth0"
umount "$mnt"; mnt=
mount_part "$tmp/disk.img" 2 "$tmp/mnt" && mnt=$tmp/mnt || fail "no /boot"
grep -q 'com1=115200,8n1' "$mnt/grub/grub.cfg" || fail "Xen has no serial console"
grep -q 'console=hvc0' "$mnt/grub/grub.cfg" || fail "dom0 has no console on hvc0"
grep -q 'root=/dev/' "$mnt/grub/grub.cfg" && fail "grub.cfg names a device"
umount "$mnt"; mnt=

# Boot it: TCG only, no outside network, the NIC with the MAC the installer saw.
boot_image "$tmp/disk.img" "$mac" "$tmp/serial.log"
marker='ospite: host e2ehost ready: hypervisor=xen-dom0 bridges=xenbr0(eth0)'
if ! wait_marker "$tmp/serial.log" "$marker" 1200; then
	tail -60 "$tmp/serial.log"
	fail "the installed host did not report itself ready with Xen and xenbr0"
fi
grep -F "$marker" "$tmp/serial.log"
echo "PASS: installed, booted Xen dom0 with xenbr0"
