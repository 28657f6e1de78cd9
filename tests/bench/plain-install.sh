#!/bin/bash
# The install a site admin would script by hand (parted, mkfs, debootstrap, apt-get, grub), the yardstick of make bench.
# usage: plain-install.sh IMAGE CACHE_DIR MIRROR SUITE PACKAGE...
set -eu
img=$1 cache=$2 mirror=$3 suite=$4
shift 4
mnt=$(mktemp -d /var/tmp/plain-install.XXXXXX)
dev=$(losetup -f --show "$img")
cleanup() {
	set +e
	for m in $(awk -v t="$mnt" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m"
	done
	partx -d "$dev" 2>/dev/null
	losetup -d "$dev"
	rm -rf "$mnt"
	rm -f "$dev"p[0-9]*
}
trap cleanup EXIT

parted -s "$dev" mklabel gpt \
	mkpart biosboot 1MiB 2MiB set 1 bios_grub on \
	mkpart boot ext4 2MiB 514MiB \
	mkpart root ext4 514MiB 4610MiB \
	mkpart swap linux-swap 4610MiB 5122MiB \
	mkpart images xfs 5122MiB 100%
# No udev here: have the kernel add the partitions and make their nodes by hand.
partx -a "$dev" 2>/dev/null || partx -u "$dev"
for n in 2 3 4 5; do
	[ -b "${dev}p$n" ] || { d=$(cat "/sys/class/block/${dev#/dev/}p$n/dev"); mknod "${dev}p$n" b "${d%:*}" "${d#*:}"; }
done
mkfs.ext4 -q -F "${dev}p2"
mkfs.ext4 -q -F "${dev}p3"
mkswap -q "${dev}p4"
mkfs.xfs -q -f "${dev}p5"

mount "${dev}p3" "$mnt"
mkdir -p "$mnt/boot" "$mnt/var/lib/ospite/images"
mount "${dev}p2" "$mnt/boot"
mount "${dev}p5" "$mnt/var/lib/ospite/images"

debootstrap --cache-dir="$cache" --arch=amd64 "$suite" "$mnt" "$mirror"

mount -t proc proc "$mnt/proc"
mount -t sysfs sysfs "$mnt/sys"
mount --bind /dev "$mnt/dev"
mount -t devpts devpts "$mnt/dev/pts"
mount --bind "$cache" "$mnt/var/cache/apt/archives"
echo "deb $mirror $suite main" >"$mnt/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$mnt/usr/sbin/policy-rc.d"; chmod +x "$mnt/usr/sbin/policy-rc.d"
chroot "$mnt" apt-get -q update
DEBIAN_FRONTEND=noninteractive chroot "$mnt" apt-get -y -q --no-install-recommends install "$@"
rm -f "$mnt/usr/sbin/policy-rc.d"

cat >"$mnt/etc/fstab" <<FSTAB
UUID=$(blkid -o value -s UUID "${dev}p3") / ext4 errors=remount-ro 0 1
UUID=$(blkid -o value -s UUID "${dev}p2") /boot ext4 defaults 0 2
UUID=$(blkid -o value -s UUID "${dev}p4") none swap sw 0 0
UUID=$(blkid -o value -s UUID "${dev}p5") /var/lib/ospite/images xfs defaults 0 2
FSTAB
echo plain >"$mnt/etc/hostname"
chroot "$mnt" grub-install --target=i386-pc "$dev"
chroot "$mnt" update-grub
