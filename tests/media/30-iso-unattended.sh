#!/bin/bash
# Unattended installs booted from the ISO under QEMU (TCG): the answer file from a loopback HTTP server (ospite.ks= typed into the boot menu), packages from the medium alone, once with autopart --type=lvm from the ISO written to a USB stick (never offered as a disk) and once with RAID 1 over two disks from the ISO as a CD; each installed host then boots to its ready marker.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
iso=${OSPITE_ISO:-$root/build/ospite-$version-amd64.iso}
art=${OSPITE_BUILD:-$root/build}/test-artifacts
# The installs run under TCG: minutes of emulated dpkg. Generous, but bounded.
install_secs=${OSPITE_ISO_INSTALL_SECS:-5400}
for t in qemu-system-x86_64 python3 sha256sum truncate sfdisk; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 77; }
done
[ -f "$iso" ] || { echo "no ISO at $iso: run make iso"; exit 1; }

tmp=$(mktemp -d /var/tmp/ospite-iso-inst.XXXXXX)
qpid='' srv=''
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	# A failure keeps the disks and logs to be looked into (OSPITE_ISO_KEEP=0 drops them).
	if [ "${failed:-0}" != 0 ] && [ "${OSPITE_ISO_KEEP:-1}" != 0 ]; then
		echo "iso-unattended: the disks and logs of the failed run are kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
mkdir -p "$art" "$tmp/www"
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# The answer files' server, on loopback only. The guests reach it through a QEMU forward of
# 10.0.2.100:80 alone: their network is otherwise restricted, so no mirror can be reached.
. "$root/tests/lib/test-repo.sh"
test_http_start "$tmp/www" "$tmp" || { echo "FAIL: the loopback HTTP server did not start"; exit 1; }
port=$(cat "$tmp/port")
cat >"$tmp/fwd.py" <<'PY'
# One forwarded guest connection: stdin/stdout to the loopback server.
import os, socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def up():
    while True:
        d = os.read(0, 65536)
        if not d:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(d)
threading.Thread(target=up, daemon=True).start()
while True:
    d = s.recv(65536)
    if not d:
        break
    os.write(1, d)
PY
net="user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:python3 $tmp/fwd.py $port"
mac=52:54:00:0d:17:01

# The same host both times; the layout and disks differ. No url command: the medium is the source.
common='lang en_US.UTF-8
keyboard us
timezone Etc/UTC --utc
rootpw --plaintext ospite-media
hypervisor --type=kvm
zerombr
poweroff'
# No disk named: the USB stick the machine booted from is a disk too, and must not be taken.
cat >"$tmp/www/lvm.ks" <<KS
$common
network --device=link --bootproto=dhcp --hostname=mlvm
clearpart --all --initlabel
autopart --type=lvm
KS
cat >"$tmp/www/raid.ks" <<KS
$common
network --device=link --bootproto=dhcp --hostname=mraid
clearpart --all --initlabel --drives=vda,vdb
part raid.01 --size=512 --ondisk=vda
part raid.02 --size=512 --ondisk=vdb
part raid.11 --size=1 --grow --ondisk=vda
part raid.12 --size=1 --grow --ondisk=vdb
raid /boot --level=1 --device=md0 --fstype=ext4 raid.01 raid.02
raid pv.01 --level=1 --device=md1 raid.11 raid.12
volgroup vg0 pv.01
logvol / --vgname=vg0 --name=root --size=4096
logvol swap --vgname=vg0 --name=swap --size=256
logvol /var/lib/ospite/images --vgname=vg0 --name=images --fstype=xfs --size=1 --grow
KS

serial() { python3 "$root/tests/lib/serial.py" "$tmp/$1.sock" "$art/$1.serial.log" "${@:2}"; }
# drives NAME DISK...: QEMU's options for the install's disks, virtio (vda, vdb).
drives() {
	local d
	for d in "${@:2}"; do printf -- '-drive\nfile=%s,format=raw,if=virtio\n' "$tmp/$1-$d.img"; done
}

# parts IMAGE: for each partition, its number, what it starts with (lvm: a physical volume's
# label; md: an md 1.2 superblock; -) and, for md, the superblock's event counter (64 bits at
# 200 into the superblock, which is 4096 bytes into the partition; the kernel counts up on every
# assembly and every clean/dirty switch of an array), else 0.
parts() {
	python3 - "$1" <<'PY'
import json, struct, subprocess, sys
img = sys.argv[1]
t = json.loads(subprocess.run(["sfdisk", "-J", img], capture_output=True, check=True).stdout)
ssz = t["partitiontable"].get("sectorsize", 512)
with open(img, "rb") as f:
    for n, p in enumerate(t["partitiontable"]["partitions"], 1):
        f.seek(p["start"] * ssz)
        head = f.read(8192)
        if head[512 + 24:512 + 32] == b"LVM2 001":
            print(n, "lvm", 0)
        elif struct.unpack_from("<I", head, 4096)[0] == 0xa92b4efc:
            print(n, "md", struct.unpack_from("<Q", head, 4096 + 200)[0])
        else:
            print(n, "-", 0)
PY
}
layout() { parts "$1" | cut -d' ' -f2; }
# md_events IMAGE: "PARTITION COUNT" for each RAID member on the disk.
md_events() { parts "$1" | awk '$2 == "md" { print $1, $3 }'; }

# run_case NAME MARKER-HOST cd|usb DISK...
run_case() {
	local name=$1 host=$2 how=$3 disks=("${@:4}") start sum args=() d medium=() stick_sum=
	for d in "${disks[@]}"; do truncate -s 8G "$tmp/$name-$d.img"; done
	mapfile -t args < <(drives "$name" "${disks[@]}")
	sum=$(sha256sum "$tmp/www/$name.ks" | cut -d' ' -f1)
	rm -f "$art/$name.serial.log" "$art/$name-boot.serial.log"
	if [ "$how" = usb ]; then
		# The hybrid image as written to a USB stick, writable as a stick is, first in the boot
		# order: an installer that took it for a disk would change its bytes.
		cp "$iso" "$tmp/stick.img"
		stick_sum=$(sha256sum "$tmp/stick.img" | cut -d' ' -f1)
		medium=(-device "qemu-xhci,id=xhci" -drive "file=$tmp/stick.img,format=raw,if=none,id=stick"
			-device "usb-storage,bus=xhci.0,drive=stick,bootindex=0")
	else
		# The medium as a CD, first in the boot order.
		medium=(-drive "file=$iso,format=raw,media=cdrom,readonly=on" -boot d)
	fi
	# Whether the install ended or failed, the stick must hold what it held.
	stick_unchanged() {
		[ "$how" = usb ] || return 0
		if [ "$(sha256sum "$tmp/stick.img" | cut -d' ' -f1)" = "$stick_sum" ]; then
			ok "$name: the USB stick it booted from is unchanged"
		else
			bad "$name: the install wrote to the USB stick it booted from"
		fi
		rm -f "$tmp/stick.img"
	}
	start=$(date +%s)
	# The menu's unattended entry gets ospite.ks=. One CPU: with two, a guest here stalled for
	# good in update-initramfs (RCU stall on CPU 1 after a jump of days in its clock), and dpkg
	# gains little from a second one.
	qemu-system-x86_64 -machine pc,accel=tcg -cpu Westmere -m 2048 -smp 1 -display none \
		"${medium[@]}" "${args[@]}" \
		-netdev "$net" -device "e1000,netdev=n0,mac=$mac" -no-reboot \
		-serial "unix:$tmp/$name.sock,server=on,wait=on" -monitor none >"$tmp/$name.qemu" 2>&1 &
	qpid=$!
	# Down to "Unattended install", e (edit), down past the setparams line and the blank one
	# GRUB shows, Ctrl-E (end of the linux line), the answer file's address and checksum,
	# Ctrl-X (boot). Then the install, to its last line.
	if ! serial "$name" "expect:180:Unattended install" "send:\\e[B\\e[B\\e[B\\e[B" "send:e" \
		"expect:30:linux" "send:\\e[B\\e[B" "send:"$'\x05' \
		"send: ospite.ks=http://10.0.2.100/$name.ks ospite.ks.sha256=$sum" "send:"$'\x18' \
		"expect:$install_secs:The installation is complete|ospite-install: |\.ks:[0-9]+: (?!warning)"; then
		bad "$name: the install did not end; see $art/$name.serial.log"
		kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; qpid=
		stick_unchanged
		return
	fi
	if ! grep -aq 'The installation is complete' "$art/$name.serial.log"; then
		# The match may end mid-line: read on to the live system's own last word on it.
		serial "$name" "expect:60:a shell follows" >/dev/null
		grep -a 'ospite-install: \|\.ks:[0-9]*: ' "$art/$name.serial.log" | tail -5
		kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; qpid=
		bad "$name: the install failed; see $art/$name.serial.log"
		stick_unchanged
		return
	fi
	# poweroff: QEMU ends by itself once the installer has unmounted and released everything.
	for _ in $(seq 300); do kill -0 "$qpid" 2>/dev/null || break; sleep 1; done
	kill -0 "$qpid" 2>/dev/null && bad "$name: the installed machine did not power off"
	kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; qpid=
	# The disks as the host reads them (it has no device mapper or md): an LVM physical volume,
	# or RAID 1 members on both disks.
	if [ "$name" = raid ]; then
		for d in "${disks[@]}"; do
			[ "$(layout "$tmp/$name-$d.img" | grep -cx md)" -ge 2 ] ||
				bad "$name: $d holds no two RAID members"
		done
	else
		layout "$tmp/$name-${disks[0]}.img" | grep -qx lvm ||
			bad "$name: the install made no LVM physical volume"
	fi
	grep -q "GET /$name.ks" "$tmp/http.log" ||
		bad "$name: the answer file was not fetched from the loopback server"
	ok "$name: installed from the medium with $name.ks in $(( $(date +%s) - start )) s"
	stick_unchanged

	# The installed host: from its disk (RAID 1: from the second one, whose GRUB must work too).
	start=$(date +%s)
	local boot=() i=0 events=()
	# Before the boot: each RAID member's event counter, to tell afterwards that the host ran
	# its arrays from both disks (the host boots quiet, so the kernel's own lines are not shown).
	if [ "$name" = raid ]; then
		for d in "${disks[@]}"; do events+=("$(md_events "$tmp/$name-$d.img")"); done
		# The install stopped each array cleanly with both members in it: the same count on
		# both disks (a member failed out during the install keeps the count it had then).
		if [ "${events[0]}" = "${events[1]}" ]; then
			ok "$name: the install left both disks' RAID members in step"
		else
			bad "$name: the install left the RAID members out of step: $(echo ${events[0]}) on ${disks[0]}, $(echo ${events[1]}) on ${disks[1]}"
		fi
	fi
	for d in "${disks[@]}"; do
		boot+=(-drive "file=$tmp/$name-$d.img,format=raw,if=none,id=$d"
		       -device "virtio-blk-pci,drive=$d,bootindex=$(( ${#disks[@]} - 1 - i ))")
		i=$((i + 1))
	done
	qemu-system-x86_64 -machine pc,accel=tcg -cpu Westmere -m 2048 -smp 1 -display none \
		"${boot[@]}" -netdev user,id=n0,restrict=on -device "e1000,netdev=n0,mac=$mac" \
		-serial "file:$art/$name-boot.serial.log" -monitor none -no-reboot >"$tmp/$name-boot.qemu" 2>&1 &
	qpid=$!
	local marker="ospite: host $host ready: hypervisor="
	for _ in $(seq 900); do
		grep -aqF "$marker" "$art/$name-boot.serial.log" 2>/dev/null && break
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
	done
	kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; qpid=
	if grep -aqF "$marker" "$art/$name-boot.serial.log"; then
		ok "$name: the installed host booted to its ready marker in $(( $(date +%s) - start )) s"
	else
		tail -20 "$art/$name-boot.serial.log"
		bad "$name: the installed host did not report itself ready"
	fi
	# Each member's counter grew: the booted host assembled both arrays with both disks in
	# them (a member left out of a degraded array keeps its old count).
	if [ "$name" = raid ]; then
		local -A was
		local part n grown
		i=0
		for d in "${disks[@]}"; do
			was=()
			while read -r part n; do [ -n "$part" ] && was[$part]=$n; done <<<"${events[$i]}"
			echo "raid: $d: md event counters before the boot:" ${events[$i]} "; after:" $(md_events "$tmp/$name-$d.img")
			grown=0
			while read -r part n; do
				[ -n "${was[$part]:-}" ] && [ "$n" -gt "${was[$part]}" ] && grown=$((grown + 1))
			done < <(md_events "$tmp/$name-$d.img")
			[ "$grown" -ge 2 ] || bad "raid: the booted host did not run both arrays with $d in them"
			i=$((i + 1))
		done
	fi
}

# OSPITE_ISO_CASES picks some of them (each takes long under TCG).
for c in ${OSPITE_ISO_CASES:-lvm raid}; do
	case $c in
	lvm) run_case lvm mlvm usb vda ;;
	raid) run_case raid mraid cd vda vdb ;;
	*) bad "no case $c" ;;
	esac
done
echo "iso-unattended: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
