#!/bin/bash
# Builds the network boot tree from the ISO's parts: GRUB network images for BIOS PXE and UEFI, the menu, kernel, initramfs, live root and package repository, and an iPXE script.
# Usage: media/mknetboot.sh ISO-TREE OUT-DIR VERSION
set -eu
tree=$1 out=$2 version=$3
root=$(cd "$(dirname "$0")/.." && pwd)
for f in live/vmlinuz live/initrd.img live/filesystem.squashfs; do
	[ -f "$tree/$f" ] || { echo "mknetboot: $tree/$f is missing: run make iso" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/live"
# The same files as on the ISO; hard links where the file system allows.
cp -l "$tree"/live/* "$out/live/" 2>/dev/null || cp "$tree"/live/* "$out/live/"
if [ -d "$tree/debian" ]; then
	cp -al "$tree/debian" "$out/debian" 2>/dev/null || cp -a "$tree/debian" "$out/debian"
fi
# boot/grub/i386-pc/core.0 for BIOS PXE, boot/grub/x86_64-efi/core.efi for UEFI.
grub-mknetdir --net-directory="$out" --subdir=boot/grub \
	-d /usr/lib/grub/i386-pc >/dev/null
grub-mknetdir --net-directory="$out" --subdir=boot/grub \
	-d /usr/lib/grub/x86_64-efi >/dev/null
# The ISO's menu, with the live root fetched over HTTP from the server GRUB booted from
# (or the one boot/grub/site.cfg names in ospite_http).
{
	echo "# The network boot menu of ospite $version: the ISO's, with the live root over HTTP."
	# TFTP cannot tell whether a file exists: site.cfg is always there, and read.
	echo 'source $prefix/site.cfg'
	sed -e "s/@VERSION@/$version/" -e '/^# The boot menu/d' \
	    -e 's|^set live="boot=live components|set live="boot=live components fetch=${ospite_http}/live/filesystem.squashfs|' \
	    "$root/media/grub.cfg"
} >"$out/boot/grub/grub.cfg"
cat >"$out/boot/grub/site.cfg" <<'SITE'
# This site's settings for the network boot menu: where the live root is served over HTTP.
set ospite_http="http://${net_default_server}"
SITE
cat >"$out/ospite.ipxe" <<'IPXE'
#!ipxe
# An example iPXE script: the serial console entry, everything from the HTTP server at ${base}.
# Add ospite.ks=http://... (and ospite.ks.sha256=...) to the kernel line for an unattended install.
dhcp
isset ${base} || set base http://${next-server}
kernel ${base}/live/vmlinuz boot=live components fetch=${base}/live/filesystem.squashfs quiet ospite.lang=en console=tty0 console=ttyS0,115200n8
initrd ${base}/live/initrd.img
boot
IPXE
echo "mknetboot: $out: $(du -sm "$out" | cut -f1) MiB"
