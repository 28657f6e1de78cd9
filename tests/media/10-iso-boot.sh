#!/bin/bash
# The installer ISO under QEMU (TCG): its menu on the serial line under SeaBIOS (as a CD and as a disk) and OVMF, the serial entry reaching the installer's first screen there, and the VGA entry's first screen in a screendump.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
iso=${OSPITE_ISO:-$root/build/ospite-$version-amd64.iso}
art=${OSPITE_BUILD:-$root/build}/test-artifacts
for t in qemu-system-x86_64 python3; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 77; }
done
[ -f /usr/share/OVMF/OVMF_CODE.fd ] || { echo "missing ovmf"; exit 77; }
[ -f "$iso" ] || { echo "no ISO at $iso: run make iso"; exit 1; }

tmp=$(mktemp -d /tmp/ospite-iso.XXXXXX)
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$art"
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# boot NAME FIRMWARE(bios|uefi) MEDIA(cd|disk): start QEMU on the ISO, its serial line on
# $tmp/NAME.sock and its monitor on $tmp/NAME.mon; it waits for the serial line's reader.
boot() {
	local name=$1 fw=$2 media=$3 args=()
	case $fw in
	uefi) cp /usr/share/OVMF/OVMF_VARS.fd "$tmp/$name.vars"
	      args+=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd
		     -drive "if=pflash,format=raw,file=$tmp/$name.vars") ;;
	esac
	case $media in
	cd) args+=(-drive "file=$iso,format=raw,media=cdrom,readonly=on" -boot d) ;;
	disk) args+=(-drive "file=$iso,format=raw,if=virtio,snapshot=on") ;;
	esac
	qemu-system-x86_64 -machine q35 -accel tcg -m 1536 -smp 1 -display none -vga std \
		-nic none -no-reboot "${args[@]}" \
		-serial "unix:$tmp/$name.sock,server=on,wait=on" \
		-monitor "unix:$tmp/$name.mon,server=on,wait=off" >"$tmp/$name.qemu" 2>&1 &
	qpid=$!
}
stop() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	qpid=
}
serial() { python3 "$root/tests/lib/serial.py" "$tmp/$1.sock" "$art/$1.serial.log" "${@:2}"; }
monitor() { python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.3); s.recv(4096)
s.sendall((sys.argv[2]+"\n").encode()); time.sleep(1.5)' "$tmp/$1.mon" "$2"; }

menu='Install ospite .*serial console'
first='Language / Lingua'
down=$'\\e[B'

for run in bios-cd:bios:cd uefi-cd:uefi:cd; do
	IFS=: read -r name fw media <<<"$run"
	rm -f "$art/$name.serial.log"
	start=$(date +%s)
	boot "$name" "$fw" "$media"
	if serial "$name" "expect:120:$menu" "send:$down" "send:\\r" "expect:600:$first"; then
		ok "$name: menu and the installer's first screen on the serial line ($(( $(date +%s) - start )) s)"
	else
		bad "$name: see $art/$name.serial.log"
	fi
	stop
done

# As a disk (a USB stick), the menu is enough: the same kernel boots from it.
name=bios-disk
rm -f "$art/$name.serial.log"
boot "$name" bios disk
if serial "$name" "expect:120:$menu"; then ok "$name: menu on the serial line"; else bad "$name: no menu"; fi
stop

# The VGA entry (the default): the installer's first screen on the VGA console, newt's blue.
name=bios-vga
rm -f "$art/$name.serial.log" "$art/$name.png"
start=$(date +%s)
boot "$name" bios cd
if serial "$name" "expect:120:$menu" "send:\\r"; then
	shown=
	for i in $(seq 1 60); do
		sleep 10
		monitor "$name" "screendump $tmp/$name.ppm"
		[ -s "$tmp/$name.ppm" ] || continue
		# Share of newt's blue among the pixels: the text console before it is black.
		share=$(python3 -c 'import sys
d=open(sys.argv[1],"rb").read()
parts=d.split(b"\n",3)
px=parts[3]; n=len(px)//3
blue=sum(1 for i in range(0,n*3,3) if px[i+2]>120 and px[i]<80 and px[i+1]<80)
print(blue*100//max(n,1))' "$tmp/$name.ppm")
		if [ "$share" -ge 40 ]; then shown=1; break; fi
	done
	# The screen as a PNG, kept as the test's artifact.
	[ -s "$tmp/$name.ppm" ] && python3 -c 'import sys, zlib, struct
d = open(sys.argv[1], "rb").read()
magic, dims, maxv, px = d.split(b"\n", 3)
w, h = map(int, dims.split())
raw = b"".join(b"\0" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
open(sys.argv[2], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
	+ chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))' "$tmp/$name.ppm" "$art/$name.png"
	if [ -n "$shown" ]; then
		ok "$name: the installer's screen on VGA ($share% blue, $(( $(date +%s) - start )) s), $art/$name.png"
	else
		bad "$name: no installer screen on VGA; the last screen is $art/$name.png"
	fi
else
	bad "$name: no menu"
fi
stop

echo "iso-boot: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
