#!/bin/bash
# End to end, unattended: a KVM host with a static address from an answer file into a loop-backed image, its base system from debootstrap with a site repository beside the mirror, booted under QEMU.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing"; exit 77; }

tmp=$(mktemp -d /var/tmp/ospite-e2e-kvm.XXXXXX)
work=$(e2e_workdir)
mkdir -p "$work"
sentinel= qpid= mnt= srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null; e2e_cleanup' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make_sentinel "$tmp"
# repo: a site repository on loopback HTTP with a package of Priority important that nothing
# names. debootstrap takes the mirror alone: Package Installation must install it.
. "$(dirname "$0")/../lib/test-repo.sh"
chmod 755 "$tmp"
test_deb "$tmp" site-base "" important && test_repo "$tmp" "$tmp/www/site" site-base ||
	fail "no site repository"
test_repo_sign "$tmp/gnupg" "$tmp/www/site" "$tmp/site.gpg" || fail "the site repository is not signed"
test_http_start "$tmp/www" "$tmp" || fail "the loopback HTTP server did not start"
# QEMU's user network: 10.0.2.15 for the guest, 10.0.2.2 the gateway, 10.0.2.3 DNS.
cat >"$tmp/host.ks" <<'KS'
lang en
keyboard us
timezone Europe/Rome --utc
network --device=link --bootproto=static --ip=10.0.2.15 --netmask=255.255.255.0 --gateway=10.0.2.2 --nameserver=10.0.2.3 --hostname=ukvm.example.org
rootpw --plaintext ospite-e2e
hypervisor --type=kvm
zerombr
clearpart --all --initlabel
part biosboot --size=1
part /boot --fstype=ext4 --size=512
part / --fstype=ext4 --size=4096
part swap --size=256
part /var/lib/ospite/images --fstype=xfs --size=1024 --grow
shutdown
repo --name=site --baseurl=http://127.0.0.1:@PORT@/site --key=@TMP@/site.gpg
KS
sed -i "s|@PORT@|$(cat "$tmp/port")|; s|@TMP@|$tmp|" "$tmp/host.ks"
# This install takes its base system from debootstrap (the other end-to-end tests use mmdebstrap).
OSPITE_BOOTSTRAP=debootstrap "$B/ospite-install" --answer "$tmp/host.ks" --image "$tmp/disk.img" --image-size 8G \
	--workdir "$work" --log "$tmp/install.log" --serial ttyS0,115200 </dev/null >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || { tail -30 "$tmp/out"; tail -30 "$tmp/install.log"; fail "the install failed (exit $rc)"; }
grep -q '^+ .*debootstrap --debian-installer' "$tmp/install.log" || fail "debootstrap was not used"
# A command the installer ran is logged as "+ ARGV"; apt's lists of recommended packages name mmdebstrap too.
grep -qE '^\+ (.* )?mmdebstrap ' "$tmp/install.log" && fail "mmdebstrap was used although debootstrap was asked for"
[ "$(grep -c 'update-initramfs: Generating' "$tmp/install.log")" = 1 ] ||
	fail "the initial RAM disk was not built exactly once"
grep -q 'Package' "$tmp/out" || fail "no progress lines on stdout"
grep -q $'\e' "$tmp/out" && fail "the progress lines carry terminal escapes"
sentinel_intact || fail "the sentinel disk changed"

mnt=$tmp/mnt; mkdir -p "$mnt"
mount_part "$tmp/disk.img" 3 "$mnt" || fail "no root file system in partition 3"
grep -q 'address 10.0.2.15' "$mnt/etc/network/interfaces" || fail "no static address"
grep -q 'bridge_ports' "$mnt/etc/network/interfaces" || fail "no bridge"
# What the Dependency Check counted from the site repository is installed, and only the
# host's own sources name it.
grep -q '^Package: site-base$' "$mnt/var/lib/dpkg/status" ||
	fail "site-base (Priority important, in the site repository only) is not installed"
grep -qs '/site' "$mnt/etc/apt/sources.list" &&
	fail "the base system's sources.list names the site repository: $(cat "$mnt/etc/apt/sources.list")"
grep -qx "URIs: http://127.0.0.1:$(cat "$tmp/port")/site" "$mnt/etc/apt/sources.list.d/site.sources" ||
	fail "the host does not keep the site repository"
[ -e "$mnt/usr/bin/qemu-system-x86_64" ] || fail "QEMU is not installed"
[ -e "$mnt/boot/xen.gz" ] || ls "$mnt"/boot/xen-* >/dev/null 2>&1 && fail "Xen is installed on a KVM host"
# The host console is on the host, enabled on tty1, and finds its libraries there.
[ -L "$mnt/etc/systemd/system/getty.target.wants/ospite-console.service" ] || fail "the console is not enabled"
[ -L "$mnt/etc/systemd/system/multi-user.target.wants/ospite-net-restore.service" ] ||
	fail "the unit that restores an unkept network change at boot is not enabled"
PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$mnt" ospite --version >/dev/null ||
	fail "the host console does not run on the installed host"
# ospite came as the package make deb built, which apt can upgrade, not as copied files.
[ "$(chroot "$mnt" dpkg-query -W -f '${Status} ${Version}' ospite 2>/dev/null)" = "install ok installed $(dpkg-deb -f "$top/build/ospite_0.1.0_amd64.deb" Version)" ] ||
	fail "the ospite package is not installed on the host"
[ -e "$mnt/usr/local/sbin/ospite" ] && fail "the host console was copied to /usr/local/sbin"
chroot "$mnt" getent group ospite >/dev/null || fail "the package did not make the ospite group"
chroot "$mnt" getent group ospite-admin >/dev/null || fail "the package did not make the ospite-admin group"
grep -q 'ospite package: .*/ospite_0.1.0_amd64.deb' "$tmp/install.log" || fail "the log does not name the package file"
# A KVM host carries no Xen library: the console opens libxlutil only to read an xl file.
xen=$(chroot "$mnt" dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'libxen*' 'xen-*' 2>/dev/null | awk '$1 == "ii" { print $2 }')
[ -z "$xen" ] || fail "the KVM host has Xen packages: $xen"
link=$(ls "$mnt"/etc/systemd/network/10-ospite-*.link | head -1)
mac=$(sed -n 's/^MACAddress=//p' "$link")
umount "$mnt"; mnt=

boot_image "$tmp/disk.img" "$mac" "$tmp/serial.log"
marker='ospite: host ukvm ready: hypervisor='
if ! wait_marker "$tmp/serial.log" "$marker" 900; then
	tail -40 "$tmp/serial.log"
	fail "the installed KVM host did not report itself ready"
fi
line=$(grep -F "$marker" "$tmp/serial.log" | tail -1)
echo "$line"
case $line in
*"hypervisor=kvm "* | *"hypervisor=qemu-tcg "*) ;;
*) fail "the host does not run a KVM/QEMU hypervisor" ;;
esac
case $line in *"bridges=br0("*) ;; *) fail "no br0" ;; esac
case $line in *"br0=10.0.2.15/24"*) ;; *) fail "the static address is not on br0" ;; esac
case $line in *"libvirtd=active"*) ;; *) fail "libvirtd does not run" ;; esac
echo "PASS: unattended KVM install with a static address, booted"
