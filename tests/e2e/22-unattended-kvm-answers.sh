#!/bin/bash
# End to end, unattended: a KVM host from an answer file written the Anaconda way (a Czech locale, a console keymap, a user in wheel, a firewall, no IPv6, reqpart, ext3, a package from an extra signed repository, which the base system takes from too), booted under QEMU.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing"; exit 77; }

tmp=$(mktemp -d /var/tmp/ospite-e2e-kvm-answers.XXXXXX)
work=$(e2e_workdir)
mkdir -p "$work"
sentinel= qpid= mnt= srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null; e2e_cleanup' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make_sentinel "$tmp"
# repo: a package only a repository of the site has, signed by its own key, on loopback HTTP;
# and one of Priority important that nothing names, which only the base system installs.
. "$(dirname "$0")/../lib/test-repo.sh"
chmod 755 "$tmp"
test_deb "$tmp" site-probe && test_deb "$tmp" site-base "" important &&
	test_repo "$tmp" "$tmp/www/site" site-probe site-base || fail "no site repository"
test_repo_sign "$tmp/gnupg" "$tmp/www/site" "$tmp/site.gpg" || fail "the site repository is not signed"
test_http_start "$tmp/www" "$tmp" || fail "the loopback HTTP server did not start"
cat >"$tmp/host.ks" <<'KS'
text
lang cs_CZ.UTF-8
keyboard --vckeymap=de-latin1-nodeadkeys
timezone Europe/Prague --isUtc --nontp
network --device=link --bootproto=dhcp --onboot=yes --noipv6 --hostname=ckvm
rootpw --plaintext ospite-e2e
user --name=vagrant --groups=wheel --password=vagrant-e2e --plaintext
firewall --enabled --ssh --port=8080:tcp
selinux --disabled
hypervisor --type=kvm
zerombr
clearpart --all --initlabel
reqpart --add-boot
part / --fstype=ext3 --size=4096
part swap --size=256
part /var/lib/ospite/images --fstype=xfs --size=1024 --grow
skipx
shutdown
repo --name=site --baseurl=http://127.0.0.1:@PORT@/site --key=@TMP@/site.gpg --install
%packages --excludedocs
@core
-plymouth
site-probe
%end
KS
sed -i "s|@PORT@|$(cat "$tmp/port")|; s|@TMP@|$tmp|" "$tmp/host.ks"
"$B/ospite-install" --answer "$tmp/host.ks" --image "$tmp/disk.img" --image-size 8G \
	--workdir "$work" --log "$tmp/install.log" --serial ttyS0,115200 </dev/null >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || { tail -30 "$tmp/out"; tail -30 "$tmp/install.log"; fail "the install failed (exit $rc)"; }
grep -q 'warning: The package group @core' "$tmp/out" || fail "the warnings are not shown: $(head -5 "$tmp/out")"
sentinel_intact || fail "the sentinel disk changed"

# Partitions: BIOS boot, /boot (reqpart --add-boot), then / in ext3.
mnt=$tmp/mnt; mkdir -p "$mnt"
[ "$(blkid -p -o value -s TYPE --offset $(( $(partx -g -o START -n 3 "$tmp/disk.img") * 512 )) "$tmp/disk.img")" = ext3 ] ||
	fail "the root file system is not ext3"
mount_part "$tmp/disk.img" 3 "$mnt" || fail "no root file system in partition 3"
grep -qx 'LANG=cs_CZ.UTF-8' "$mnt/etc/default/locale" || fail "the host's locale is not Czech"
chroot "$mnt" locale -a 2>/dev/null | grep -qi '^cs_CZ.utf8$' || fail "the Czech locale is not generated"
grep -q '^XKBLAYOUT="de"' "$mnt/etc/default/keyboard" && grep -q '^XKBVARIANT="nodeadkeys"' "$mnt/etc/default/keyboard" ||
	fail "the keyboard is not de/nodeadkeys: $(cat "$mnt/etc/default/keyboard")"
grep -q '^vagrant:' "$mnt/etc/passwd" || fail "no user vagrant"
grep -q '^sudo:.*vagrant' "$mnt/etc/group" || fail "vagrant is not in the group sudo"
[ -x "$mnt/usr/bin/sudo" ] || fail "sudo is not installed"
[ -d "$mnt/home/vagrant" ] || fail "vagrant has no home"
grep -q '^vagrant:\$' "$mnt/etc/shadow" || fail "vagrant has no password hash"
grep -q 'tcp dport 8080 accept' "$mnt/etc/nftables.conf" || fail "no firewall rule for 8080"
[ -L "$mnt/etc/systemd/system/sysinit.target.wants/nftables.service" ] ||
	ls "$mnt"/etc/systemd/system/*.wants/nftables.service >/dev/null 2>&1 || fail "nftables is not enabled"
grep -q 'disable_ipv6 = 1' "$mnt/etc/sysctl.d/70-ospite-noipv6.conf" || fail "IPv6 is not turned off"
grep -q '^Package: site-probe$' "$mnt/var/lib/dpkg/status" || fail "site-probe from the site repository is not installed"
grep -qx "URIs: http://127.0.0.1:$(cat "$tmp/port")/site" "$mnt/etc/apt/sources.list.d/site.sources" &&
	grep -qx 'Signed-By: /etc/apt/keyrings/site.gpg' "$mnt/etc/apt/sources.list.d/site.sources" ||
	fail "the host does not keep the site repository: $(cat "$mnt/etc/apt/sources.list.d/site.sources")"
cmp -s "$tmp/site.gpg" "$mnt/etc/apt/keyrings/site.gpg" || fail "the host does not keep the site repository's key"
# The repository was a source of the base system (mmdebstrap) too, and left no line of its own there.
grep -q '^Package: site-base$' "$mnt/var/lib/dpkg/status" ||
	fail "site-base (Priority important, in the site repository only) is not in the base system"
grep -qs '/site' "$mnt/etc/apt/sources.list" &&
	fail "the base system's sources.list still names the site repository: $(cat "$mnt/etc/apt/sources.list")"
ls "$mnt"/etc/apt/sources.list.d/ | grep -vqx -e debian.sources -e site.sources &&
	fail "stray sources: $(ls "$mnt"/etc/apt/sources.list.d/)"
link=$(ls "$mnt"/etc/systemd/network/10-ospite-*.link | head -1)
mac=$(sed -n 's/^MACAddress=//p' "$link")
umount "$mnt"; mnt=

boot_image "$tmp/disk.img" "$mac" "$tmp/serial.log"
marker='ospite: host ckvm ready: hypervisor='
if ! wait_marker "$tmp/serial.log" "$marker" 900; then
	tail -40 "$tmp/serial.log"
	fail "the installed KVM host did not report itself ready"
fi
line=$(grep -F "$marker" "$tmp/serial.log" | tail -1)
echo "$line"
case $line in *"libvirtd=active"*) ;; *) fail "libvirtd does not run" ;; esac
case $line in *"br0=10.0.2.15/24"*) ;; *) fail "no DHCP address on br0 behind the firewall" ;; esac
echo "PASS: unattended KVM install from an Anaconda-style answer file, booted"
