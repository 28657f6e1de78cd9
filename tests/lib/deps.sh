#!/bin/sh
# Installs the Debian packages ospite needs to build (build), to build and test (test), or to
# build the package and boot media (media).
set -e

build="build-essential pkg-config gettext libnewt-dev libslang2-dev libncurses-dev libparted-dev
libblkid-dev libnl-3-dev libnl-route-3-dev libcrypt-dev libvirt-dev libxml2-dev libxen-dev
libcmocka-dev pci.ids libpam0g-dev libjson-c-dev libcurl4-openssl-dev libssl-dev libzstd-dev clang-14 libclang-rt-14-dev"
# What the installer runs at install time, and what the tests drive.
run="zstd parted dosfstools mtools e2fsprogs xfsprogs util-linux fdisk debootstrap mmdebstrap iproute2 tmux
qemu-utils qemu-system-common ca-certificates gpgv debian-archive-keyring"
test="qemu-system-x86
libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system busybox-static cpio linux-image-cloud-amd64 vncsnapshot
libjpeg-turbo-progs openssl python3 time iputils-ping lvm2 jq nftables libvirt-clients fuseiso"
# The Debian package and the boot media (make deb, iso, netboot) and their tests under QEMU.
media="debhelper lintian dpkg-dev fakeroot squashfs-tools xorriso grub-pc-bin grub-efi-amd64-bin
grub-common mtools ovmf ipxe-qemu qemu-system-x86 apt-utils gnupg"

case "${1:-build}" in
build) want="$build $run" ;;
test) want="$build $run $test $media" ;;
media) want="$build $run $media" ;;
*) echo "usage: $0 build|test|media" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "These Debian packages are missing:$missing" >&2
	echo "Run this as root, or install them with apt-get." >&2
	exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
