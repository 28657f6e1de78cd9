#!/bin/bash
# Builds the installer ISO from Debian's own parts: a live root made by mmdebstrap from this machine's mirror, squashfs, live-boot and grub-mkrescue.
# Usage: media/mkiso.sh DEB OUT.iso WORKDIR MEDIA-REPO-PROGRAM CACHE
set -eu
deb=$1 out=$2 work=$3 resolver=$4 cache=$5
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/mirror.sh"
start=$(date +%s)
version=$(dpkg-deb -f "$deb" Version)
# The release this machine runs is the one the medium installs (the installer's default too).
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")

# A build cut short leaves mmdebstrap's mounts (proc, sys, dev/pts, dev/shm) in its live root:
# undo them first, and never let rm cross into a mounted file system.
awk -v t="$work/live/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
	while read -r m; do umount "$m" || umount -l "$m"; done
rm -rf --one-file-system "$work/live" "$work/iso"
mkdir -p "$work/iso/live" "$work/iso/boot/grub"
debian_sources "$suite" >"$work/debian.sources"
[ -s "$work/debian.sources" ] || { echo "mkiso: this machine's apt names no $suite source" >&2; exit 1; }
cp "$deb" "$work/ospite.deb"
# The repository's Release is signed with the site's key (OSPITE_MEDIA_GNUPGHOME) or one made
# for the build and kept in $work/gnupg; the live system carries the public key, so that the
# installer can check the repository when it is served over HTTP as a mirror.
gnupg=${OSPITE_MEDIA_GNUPGHOME:-$work/gnupg}
"$root/media/sign-repo.sh" key "$gnupg" "$work/ospite-medium.gpg"

# The live root: a kernel, live-boot in its initramfs, ospite with what the installer runs (its
# Recommends, but not the console's qemu-storage-daemon and FUSE: through their own Recommends
# they bring in the graphics stack, hundreds of MiB the installer never reads), busybox for
# live-boot's fetch= over the network,
# and the units that start it on the consoles. apt's lists stay out of the medium.
# /etc/network: live-boot writes its interfaces file there at every boot (with the DNS servers of
# a network boot beside it); without ifupdown nothing else makes the folder.
# INITRD=No: the kernel's package and live-boot's trigger would each build the initial RAM disk
# (minutes each here); it is built once, with live-boot in it, by the hook after them.
# LVM and RAID 1 layouts: the installer runs these tools here, and a host with them gets them too.
storage=lvm2,mdadm,thin-provisioning-tools
INITRD=No mmdebstrap --variant=minbase --quiet \
	--include=linux-image-amd64,zstd,busybox,live-boot,systemd-sysv,udev,kmod,procps,less,iproute2,isc-dhcp-client,pciutils,ca-certificates,$storage \
	--customize-hook='copy-in "'"$work"'/ospite.deb" /tmp' \
	--customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o APT::Install-Recommends=true /tmp/ospite.deb qemu-system-common- fuse3-' \
	--customize-hook='rm -f "$1/tmp/ospite.deb"' \
	--customize-hook='mkdir -p "$1/usr/lib/ospite" "$1/usr/lib/systemd/system-generators"' \
	--customize-hook='copy-in "'"$work"'/ospite-medium.gpg" /usr/share/keyrings' \
	--customize-hook='copy-in "'"$root"'/media/live-installer" /usr/lib/ospite' \
	--customize-hook='copy-in "'"$root"'/media/ospite-live-generator" /usr/lib/systemd/system-generators' \
	--customize-hook='copy-in "'"$root"'/media/ospite-live@.service" /lib/systemd/system' \
	--customize-hook='chroot "$1" systemctl mask ospite-console.service' \
	--customize-hook='echo ospite-live >"$1/etc/hostname"' \
	--customize-hook='mkdir -p "$1/etc/network"' \
	--customize-hook='chroot "$1" sh -c "ls /boot/initrd.img-* >/dev/null 2>&1 || update-initramfs -c -k all"' \
	--customize-hook='cp "$1"/boot/vmlinuz-* "'"$work"'/iso/live/vmlinuz"' \
	--customize-hook='cp "$1"/boot/initrd.img-* "'"$work"'/iso/live/initrd.img"' \
	--customize-hook='rm -rf "$1"/boot/* "$1"/var/cache/apt/*.bin' \
	"$suite" "$work/live" "$work/debian.sources"
echo "mkiso: live root made in $(( $(date +%s) - start )) s"

# zstd level 6, not its default 15: on a sample of the live root's kind (perl's modules,
# 26 MiB) level 15 took 4.8 s and level 6 0.3 s, for a file only 8 % larger; the medium is read once.
t=$(date +%s)
mksquashfs "$work/live" "$work/iso/live/filesystem.squashfs" -comp zstd -Xcompression-level 6 \
	-noappend -quiet -no-progress -processors 2
echo "mkiso: live root compressed in $(( $(date +%s) - t )) s"

# The package repository: exactly what a Xen host and a KVM host get, as the installer's own
# Dependency Check resolves it, plus what the ospite package depends on, and that package.
# Its Release file carries the checksums of its indexes, and is signed.
t=$(date +%s)
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep . | sort -u)
# shellcheck disable=SC2086
"$resolver" "$cache" $deps ${storage//,/ } >"$work/files"
repo=$work/iso/debian
mkdir -p "$repo/pool/main" "$repo/dists/$suite/main/binary-amd64"
sort -u "$work/files" | while read -r f; do
	case $f in */*|.*) echo "mkiso: bad package file name $f" >&2; exit 1 ;; esac
	cp -l "$cache/archives/$f" "$repo/pool/main/" 2>/dev/null || cp "$cache/archives/$f" "$repo/pool/main/"
done
cp "$deb" "$repo/pool/main/"
(
	cd "$repo"
	apt-ftparchive packages pool >"dists/$suite/main/binary-amd64/Packages"
	gzip -9nk "dists/$suite/main/binary-amd64/Packages"
	apt-ftparchive -o "APT::FTPArchive::Release::Suite=$suite" \
		-o "APT::FTPArchive::Release::Codename=$suite" \
		-o APT::FTPArchive::Release::Components=main \
		-o APT::FTPArchive::Release::Architectures=amd64 \
		-o "APT::FTPArchive::Release::Label=ospite $version" \
		release "dists/$suite" >"$work/Release"
	mv "$work/Release" "dists/$suite/Release"
)
"$root/media/sign-repo.sh" sign "$gnupg" "$repo/dists/$suite"
cp "$work/ospite-medium.gpg" "$repo/ospite-medium.gpg"
echo "mkiso: package repository of $(ls "$repo/pool/main" | wc -l) packages, $(du -sm "$repo" | cut -f1) MiB, in $(( $(date +%s) - t )) s"

sed "s/@VERSION@/$version/" "$root/media/grub.cfg" >"$work/iso/boot/grub/grub.cfg"
echo "ospite $version" >"$work/iso/.disk-info"
# BIOS (El Torito and a hybrid MBR for USB sticks) and UEFI (an EFI system partition image).
grub-mkrescue -o "$out" "$work/iso" -- -volid OSPITE >"$work/grub-mkrescue.log" 2>&1 ||
	{ cat "$work/grub-mkrescue.log" >&2; exit 1; }
rm -rf --one-file-system "$work/live"
echo "mkiso: $out: $(du -m "$out" | cut -f1) MiB, built in $(( $(date +%s) - start )) s"
