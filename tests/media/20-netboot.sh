#!/bin/bash
# Network boot under QEMU (TCG): iPXE from ipxe-qemu boots GRUB's PXE image over TFTP, the menu shows on the serial line, and the serial entry, fetching the live root over HTTP from a loopback server, reaches the installer's first screen.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
net=${OSPITE_NETBOOT:-$root/build/netboot}
art=${OSPITE_BUILD:-$root/build}/test-artifacts
for t in qemu-system-x86_64 python3; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 77; }
done
[ -f /usr/lib/ipxe/qemu/efi-e1000.rom ] || { echo "missing ipxe-qemu"; exit 77; }
[ -f "$net/boot/grub/i386-pc/core.0" ] || { echo "no $net/boot/grub/i386-pc/core.0: run make netboot"; exit 1; }
[ -f "$net/boot/grub/x86_64-efi/core.efi" ] || { echo "no UEFI network image in $net"; exit 1; }
[ -f "$net/ospite.ipxe" ] || { echo "no iPXE script example in $net"; exit 1; }

tmp=$(mktemp -d /tmp/ospite-net.XXXXXX)
qpid= hpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	[ -n "$hpid" ] && kill "$hpid" 2>/dev/null && wait "$hpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$art"

# The HTTP server on loopback, at a free port; QEMU's user network reaches it as 10.0.2.2.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$net" "$port" >"$tmp/http.log" 2>&1 &
hpid=$!
# The site's settings, in a TFTP root of its own: links to the build, plus site.cfg.
mkdir -p "$tmp/tftp/boot/grub"
for f in "$net"/boot/grub/*; do [ "${f##*/}" = site.cfg ] || ln -s "$f" "$tmp/tftp/boot/grub/"; done
ln -s "$net/live" "$tmp/tftp/live"
echo "set ospite_http=http://10.0.2.2:$port" >"$tmp/tftp/boot/grub/site.cfg"

log=$art/netboot-bios.serial.log
rm -f "$log"
start=$(date +%s)
qemu-system-x86_64 -machine pc -accel tcg -m 1536 -smp 1 -display none -vga std -no-reboot \
	-netdev "user,id=n0,tftp=$tmp/tftp,bootfile=boot/grub/i386-pc/core.0" \
	-device e1000,netdev=n0 -boot n \
	-serial "unix:$tmp/ser.sock,server=on,wait=on" >"$tmp/qemu.log" 2>&1 &
qpid=$!
python3 "$root/tests/lib/serial.py" "$tmp/ser.sock" "$log" \
	"expect:300:Install ospite .*serial console" "send:\\e[B" "send:\\r" \
	"expect:900:Language / Lingua" || { cat "$tmp/http.log" | tail -5; fail "see $log"; }
grep -q 'GET /live/filesystem.squashfs' "$tmp/http.log" || fail "the live root was not fetched over HTTP"
echo "ok: netboot-bios: the installer's first screen on the serial line ($(( $(date +%s) - start )) s)"
echo "netboot: 1 passed, 0 failed, 0 skipped"
