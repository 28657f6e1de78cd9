#!/bin/bash
# The console against a real libvirtd with QEMU (TCG): a tiny guest made in the wizard boots the host's kernel, its serial console (the guest's terminal escapes filtered; attached again, a clean screen with its recent output) and a VNC snapshot with the one-time password, then force off and delete with its disk.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root to run the system libvirtd and add a test user"
for t in libvirtd virtlogd virsh qemu-system-x86_64 tmux cpio vncsnapshot djpeg openssl; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x /bin/busybox ] || skip "missing busybox: make deps-test"
kernel=
for k in /boot/vmlinuz-*; do [ -r "$k" ] && kernel=$k; done
[ -n "$kernel" ] || skip "no kernel in /boot: make deps-test installs linux-image-cloud-amd64"

. "$top/tests/lib/console.sh"
uri=qemu:///system
name=ospite-con-$$
started=()
. "$top/tests/lib/libvirtd.sh"
# QEMU runs as libvirt-qemu and must reach the kernel, the initrd and the disk made here.
chmod 755 "$tmp"
images=$tmp/images
lang=en

cleanup() {
	set +e
	tui_stop
	# The test deletes its guest; this is for when it died halfway.
	if virsh -c "$uri" domid "$name" >/dev/null 2>&1; then
		virsh -c "$uri" destroy "$name" >/dev/null 2>&1
	fi
	virsh -c "$uri" undefine "$name" >/dev/null 2>&1
	# The wizard made the images folder a storage pool: it goes with the folder.
	for p in $(virsh -c "$uri" pool-list --all --name 2>/dev/null); do
		if virsh -c "$uri" pool-dumpxml "$p" 2>/dev/null | grep -qF "<path>$images</path>"; then
			virsh -c "$uri" pool-destroy "$p" >/dev/null 2>&1
			virsh -c "$uri" pool-undefine "$p" >/dev/null 2>&1
		fi
	done
	# Only the daemons started here, newest first, each by its pid.
	libvirtd_down
	# A daemon killed or dead before virsh could destroy the guest leaves its QEMU running.
	libvirtd_reap /run/libvirt "$name"
	console_cleanup
}
trap cleanup EXIT

libvirtd_up "$uri"

# The guest: the host's kernel and a busybox initramfs whose /init prints a marker on ttyS0 forever,
# with an OSC 52 (set the clipboard) and an OSC 2 (set the title) that must not reach the terminal.
marker=OSPITE-GUEST-$$
mkdir -p "$tmp/root/bin" "$tmp/root/dev" "$tmp/root/proc"
cp /bin/busybox "$tmp/root/bin/busybox"
cat >"$tmp/root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox mount -t proc proc /proc
n=0
while :; do
	echo "$marker \$n" >/dev/ttyS0
	/bin/busybox printf '\033]52;c;T1NQSVRFLUNMSVA=\007\033]2;OSPITE-TITLE\007' >/dev/ttyS0
	echo "$marker \$n" >/dev/tty0
	n=\$((n + 1))
	/bin/busybox sleep 1
done
INIT
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz" || fail "initramfs"
cp "$kernel" "$tmp/vmlinuz" && chmod 644 "$tmp/vmlinuz" "$tmp/initrd.gz" || fail "copy $kernel"

console_start vt100 "OSPITE_ACCEL=tcg OSPITE_IMAGES_DIR=$images OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR \
	$B/ospite --connect $uri --lang en --idle-timeout 0 --config $tmp/console.conf"
see "$(T "Host Status")" 30
see "$uri"
# tmux takes an application's OSC 52 into a paste buffer only when told to: this is how to see one.
tmx set-option -s set-clipboard on
title0=$(tmx display-message -p -t t '#{pane_title}')
login "$user" "$password"
see "$(T "Logged in as %s" | sed "s/%s/$user/")" 20

# The wizard: a name, 160 MiB, the default new disk, no card, direct kernel boot.
tui_keys Tab Tab Enter
see "New Guest: System"
tui_type "$name"
tui_keys Tab Tab Tab
for _ in 1 2 3; do tui_keys BSpace; done
tui_type 160
tui_keys F12
see "New Guest: Disks"
see "$images/$name.img"
tui_keys F12
see "New Guest: Network"
tui_keys F12
see "New Guest: Display and Console"
tui_keys F12
see "New Guest: Features"
tui_keys F12
see "New Guest: Boot"
tui_keys Tab Tab Tab Tab
tui_type "$tmp/vmlinuz"
tui_keys Tab
tui_type "$tmp/initrd.gz"
tui_keys Tab
tui_type "console=tty0 console=ttyS0 panic=-1"
tui_keys F12
see "New Guest: Summary"
# The last lines of the summary are below the list's fold.
tui_keys End
see "Boots the kernel $tmp/vmlinuz"
tui_keys F12
see "The guest $name is defined. Start it now?" 30
tui_keys Tab Enter
see "Enter opens a guest." 30
tui_wait "$name" 30 || fail "the new guest is not listed"
tui_wait "$(printf '%-22s %s' "$name" running)" 60 || fail "$name is not running"
[ -f "$images/$name.img" ] || fail "the new disk was not made"
"$B/ospite" --connect "$uri" list --json | grep -q "\"name\": \"$name\", .*\"state\": \"running\"" ||
	fail "ospite list does not show $name running"
"$B/ospite" --connect "$uri" export-xl "$name" | grep -q "^kernel = \"$tmp/vmlinuz\"" ||
	fail "export-xl does not carry the kernel"

# Open it: the list is sorted by name, so count the guests before it.
pos=$(virsh -c "$uri" list --all --name | sed '/^$/d' | LC_ALL=C sort | grep -nx "$name" | cut -d: -f1)
[ -n "$pos" ] || fail "virsh does not list $name"
tui_keys Home
for ((i = 1; i < pos; i++)); do tui_keys Down; done
tui_keys Enter
see "Guest $name"
see "State: running"

# The serial console: the marker flows, Ctrl-] comes back.
tui_keys c
see "Serial console of $name. Ctrl-] returns to the menu."
see "$marker" 120
# A few more rounds of the guest's loop, each with its escapes.
sleep 3
tmx display-message -p -t t '#{pane_title}' | grep -q OSPITE-TITLE && fail "the guest set the terminal's title"
[ "$(tmx display-message -p -t t '#{pane_title}')" = "$title0" ] || fail "the terminal's title changed"
[ -z "$(tmx list-buffers)" ] || fail "the guest set the clipboard: $(tmx list-buffers)"
tui_keys C-]
see "Guest $name" 10
see "Actions (Enter, or the key before each):"
# Back from the passthrough, the screen is whole again, still in ASCII on vt100.
check_look vt100
absent "$marker"
# Attached again: a clean screen with the banner on top, and at once the guest's recent output
# (one new line a second could not fill it so soon).
tui_keys c
see "Serial console of $name. Ctrl-] returns to the menu." 10
[ "$(tui_screen | grep -c "$marker")" -ge 3 ] || fail "the guest's recent output is not shown: $(tui_screen)"
absent "Actions (Enter, or the key before each):"
tui_screen | head -3 | grep -q "Serial console of $name" || fail "the banner is not on top of a clean screen"
tui_keys C-]
see "Actions (Enter, or the key before each):" 10

# The VNC screen: a one-time password that a real VNC client needs and gets a picture with, once.
vncpw() {
	# The VNC password file: the password DES-encrypted with VNC's fixed key.
	printf '%s' "$1" | head -c 8 | openssl enc -des-ecb -nopad -K e84ad660c4721ae0 \
		-provider legacy -provider default >"$2"
}
# vnc_screen: open the VNC screen, read its password and port into $pw and $port.
vnc_screen() {
	tui_keys v
	see "One-time password:" 20
	screen=$(tui_screen)
	pw=$(echo "$screen" | sed -n 's/.*One-time password: \([A-Za-z0-9]\{8\}\).*/\1/p' | head -1)
	port=$(echo "$screen" | sed -n 's/.*listens on 127\.0\.0\.1, port \([0-9]*\)\..*/\1/p' | head -1)
	[ -n "$pw" ] && [ -n "$port" ] || fail "no password or port on the VNC screen"
	# The tunnel goes to an address of this host (the one an SSH session reached), not a name
	# the laptop may not resolve.
	tunnel=$(echo "$screen" | sed -n "s/.*ssh -L $port:127\.0\.0\.1:$port $user@\([^ |]*\).*/\1/p" | head -1)
	[ -n "$tunnel" ] || fail "no SSH tunnel command"
	ip -o addr show | awk '{ sub("/.*", "", $4); print $4 }' | grep -qxF "$tunnel" ||
		fail "the SSH tunnel goes to $tunnel, not an address of this host"
	vncpw "$pw" "$tmp/vnc.pw" || fail "openssl could not write the VNC password file"
}
vncpw "wrongpw1" "$tmp/wrong.pw"
# The guest may still be clearing the screen: try a few times, each with a new password.
colours=0
for _ in 1 2 3 4 5 6; do
	vnc_screen
	display=$((port - 5900))
	timeout 30 vncsnapshot -quiet -passwd "$tmp/wrong.pw" "127.0.0.1:$display" "$tmp/wrong.jpg" >/dev/null 2>&1 &&
		fail "a wrong VNC password was accepted"
	rm -f "$tmp/shot.jpg"
	timeout 30 vncsnapshot -quiet -passwd "$tmp/vnc.pw" "127.0.0.1:$display" "$tmp/shot.jpg" \
		>"$tmp/vnc.log" 2>&1 || fail "vncsnapshot with the one-time password failed: $(cat "$tmp/vnc.log")"
	# Distinct pixel colours of the decoded picture: one colour is a blank screen.
	colours=$(djpeg -pnm "$tmp/shot.jpg" | tail -c +16 | od -An -v -tu1 -w3 | sort -u | wc -l)
	# Used once, the password opens nothing more.
	sleep 1
	timeout 30 vncsnapshot -quiet -passwd "$tmp/vnc.pw" "127.0.0.1:$display" "$tmp/again.jpg" >/dev/null 2>&1 &&
		fail "the one-time VNC password connected a second time"
	tui_keys Enter
	see "Guest $name"
	[ "$colours" -gt 1 ] && break
	sleep 5
done
[ "$colours" -gt 1 ] || fail "the VNC picture is a single colour"
echo "$screen" | grep -q "It opens the display once" || fail "the password is not said to be for one viewer"
echo "VNC snapshot: $colours colours"
# The exported config never carries the guest's VNC password (the wizard gave it a secret one).
"$B/ospite" --connect "$uri" export-xl "$name" | grep -qi 'vncpasswd *=' && fail "export-xl printed the VNC password"

# Force off asks first; then delete with the disk file.
tui_keys f
see "Force off $name?"
tui_keys Tab Enter
see "State: shut off" 60
tui_keys d
see "Delete the guest $name?"
tui_keys Tab Enter
see "$images/$name.img"
tui_keys Tab Enter
see "Logged in as $user" 30
absent "$name"
[ -e "$images/$name.img" ] && fail "the disk file is still there"
virsh -c "$uri" dominfo "$name" >/dev/null 2>&1 && fail "$name is still defined"
tui_keys Tab Tab Tab Tab Tab Tab Enter
see "[ospite exit 0]"
echo "console-libvirtd: passed"
