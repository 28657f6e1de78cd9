#!/bin/bash
# End to end at native speed, unattended: the ISO attached read-only to a loop device and mounted as the install medium, a KVM host installed from its package repository alone with no network beyond loopback, the medium refused as a target, and the host booted under QEMU to its ready marker.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices, FUSE and network namespaces"
version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
iso=${OSPITE_ISO:-$top/build/ospite-$version-amd64.iso}
for t in qemu-system-x86_64 unshare ip losetup sha256sum; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 1; }
done
# make check builds the ISO before the end-to-end tests.
[ -f "$iso" ] || { echo "FAIL: no ISO at $iso: run make iso"; exit 1; }

tmp=$(mktemp -d /var/tmp/ospite-e2e-iso.XXXXXX)
work=$(e2e_workdir)
mkdir -p "$work"
sentinel= qpid= mnt= isodev=
medium=$tmp/medium
unmount_medium() {
	mountpoint -q "$medium" || return 0
	fusermount -u "$medium" 2>/dev/null || umount "$medium"
}
trap 'unmount_medium; [ -n "$isodev" ] && losetup -d "$isodev"; e2e_cleanup' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make_sentinel "$tmp"
iso_sum=$(sha256sum <"$iso")
# The ISO as a CD drive is: a read-only block device. This kernel may lack ISO 9660: then FUSE
# reads the device, as the kernel would.
isodev=$(losetup -f --show -r "$iso") || fail "losetup"
mkdir -p "$medium"
if grep -qw iso9660 /proc/filesystems || modprobe -q isofs 2>/dev/null; then
	mount -o ro "$isodev" "$medium" || fail "mount the ISO"
else
	command -v fuseiso >/dev/null || fail "missing fuseiso"
	fuseiso -p "$isodev" "$medium" || fail "fuseiso cannot mount $isodev"
fi
[ -f "$medium/debian/ospite-medium.gpg" ] || fail "the ISO has no package repository"
# Where the live system finds the medium, and the device the kernel command line would name.
env=(OSPITE_MEDIUM_REPO="$medium/debian" OSPITE_MEDIUM_KEY="$medium/debian/ospite-medium.gpg"
	OSPITE_CMDLINE="$tmp/cmdline")
echo "BOOT_IMAGE=/live/vmlinuz boot=live live-media=$isodev ospite.lang=en" >"$tmp/cmdline"

# No mirror named and none reachable: the install runs in a network namespace of its own
# whose only links are loopback and a veth pair for the host's NIC to be found.
mac=52:54:00:15:23:01
cat >"$tmp/host.ks" <<'KS'
lang en
keyboard us
timezone Etc/UTC --utc
network --device=eiso0 --bootproto=dhcp --hostname=umedium
rootpw --plaintext ospite-e2e
hypervisor --type=kvm
cdrom
zerombr
clearpart --all --initlabel
part biosboot --size=1
part / --fstype=ext4 --size=4096
part swap --size=256
part /var/lib/ospite/images --fstype=xfs --size=512 --grow
shutdown
KS
isolated() {
	unshare -n sh -c 'ip link set lo up &&
		ip link add eiso0 address '"$mac"' type veth peer name eiso1 &&
		ip link set eiso0 up && ip link set eiso1 up && exec "$@"' sh "$@"
}

# 1. The medium is never a target: an answer file that can only pick its device is refused.
sed "s|^zerombr|ignoredisk --only-use=${isodev#/dev/}\nzerombr|" "$tmp/host.ks" >"$tmp/onmedium.ks"
isolated env "${env[@]}" "$B/ospite-install" --answer "$tmp/onmedium.ks" --workdir "$tmp/work-refused" \
	--log "$tmp/refused.log" </dev/null >"$tmp/refused.out" 2>&1 && fail "an install onto the medium was not refused"
grep -q "holds the installation medium" "$tmp/refused.out" ||
	fail "the medium was refused without saying so: $(tail -3 "$tmp/refused.out")"

# 2. The install itself, from the medium's repository alone.
start=$(date +%s)
isolated env "${env[@]}" "$B/ospite-install" --answer "$tmp/host.ks" --image "$tmp/disk.img" \
	--image-size 8G --workdir "$work" --log "$tmp/install.log" --serial ttyS0,115200 \
	</dev/null >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || { tail -30 "$tmp/out"; tail -30 "$tmp/install.log"; fail "the install failed (exit $rc)"; }
echo "installed from the medium in $(( $(date +%s) - start )) s"
sentinel_intact || fail "the sentinel disk changed"
unmount_medium
losetup -d "$isodev"; isodev=
[ "$(sha256sum <"$iso")" = "$iso_sum" ] || fail "the ISO changed"

mnt=$tmp/mnt; mkdir -p "$mnt"
mount_part "$tmp/disk.img" 2 "$mnt" || fail "no root file system in partition 2"
deb=$(cd "$tmp" && xorriso -osirrox on -indev "$iso" -ls /debian/pool/main 2>/dev/null | tr -d "'" |
	grep "^ospite_" | head -1)
want=$(sed 's/^ospite_\([^_]*\)_.*/\1/' <<<"$deb")
[ -n "$want" ] || fail "no ospite package in the ISO's repository"
# ospite came from the medium's repository, as a package apt can upgrade.
[ "$(chroot "$mnt" dpkg-query -W -f '${Status} ${Version}' ospite 2>/dev/null)" = "install ok installed $want" ] ||
	fail "the ospite package of the medium is not installed on the host"
chroot "$mnt" dpkg-query -W -f '${Status}' busybox 2>/dev/null | grep -q 'ok installed' ||
	fail "busybox, which the initial RAM disk's scripts use, is not installed"
# The host keeps no source pointing at the medium, in either file apt reads.
grep -rqs "$medium\|copy:\|file:" "$mnt/etc/apt/sources.list" "$mnt/etc/apt/sources.list.d" &&
	fail "the host's apt sources still name the medium: $(grep -rs "$medium\|copy:\|file:" "$mnt/etc/apt/sources.list" "$mnt/etc/apt/sources.list.d")"
umount "$mnt"; mnt=

boot_image "$tmp/disk.img" "$mac" "$tmp/serial.log"
marker='ospite: host umedium ready: hypervisor='
if ! wait_marker "$tmp/serial.log" "$marker" 900; then
	tail -40 "$tmp/serial.log"
	fail "the host installed from the medium did not report itself ready"
fi
line=$(grep -F "$marker" "$tmp/serial.log" | tail -1)
echo "$line"
case $line in *"libvirtd=active"*) ;; *) fail "libvirtd does not run" ;; esac
echo "PASS: unattended install from the ISO's repository at native speed, no network, booted"
