#!/bin/bash
# End to end, unattended: a Xen host from an answer file into a loop-backed image, killed with -9 during Package Installation, re-run to completion, then booted under QEMU.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing"; exit 77; }

tmp=$(mktemp -d /var/tmp/ospite-e2e-ks.XXXXXX)
work=$(e2e_workdir)
mkdir -p "$work"
sentinel= qpid= mnt= ipid=
cleanup() {
	[ -n "$ipid" ] && kill -9 -- -"$ipid" 2>/dev/null
	e2e_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

make_sentinel "$tmp"
cat >"$tmp/host.ks" <<'KS'
# A Xen host as a site would describe it.
lang it
keyboard it
timezone Europe/Rome --utc
network --device=link --bootproto=dhcp --hostname=uxen --activate
rootpw --plaintext ospite-e2e
hypervisor --type=xen --dom0-mem=1024M
zerombr
clearpart --all --initlabel
autopart
bootloader --timeout=3
%packages
less
%end
%post --erroronfail
echo "post ran in $(hostname 2>/dev/null || echo chroot)" >/root/post-marker
%end
reboot
KS
install() {   # install N: one run of the installer in its own process group, in the background
	setsid "$B/ospite-install" --answer "$tmp/host.ks" --image "$tmp/disk.img" --image-size 8G \
		--workdir "$work" --log "$tmp/install$1.log" --serial ttyS0,115200 --progress-fd 3 \
		</dev/null >"$tmp/out$1" 2>&1 3>"$tmp/progress$1.json" &
	ipid=$!
}

# First run: a power cut while dpkg works inside the target.
install 1
for _ in $(seq 900); do
	grep -q '^Unpacking\|^Setting up\|Configuring' "$tmp/install1.log" 2>/dev/null &&
		grep -q 'dist-upgrade' "$tmp/install1.log" && break
	kill -0 "$ipid" 2>/dev/null || break
	sleep 1
done
grep -q 'dist-upgrade' "$tmp/install1.log" || { tail -30 "$tmp/out1"; fail "the first run never reached apt-get"; }
sleep 5
kill -9 -- -"$ipid"
wait "$ipid"; rc=$?
ipid=
[ $rc = 137 ] || fail "the first run was not killed (exit $rc)"
grep -q '"step"' "$tmp/progress1.json" || fail "no JSON progress on --progress-fd"
grep -q '"bytes_total"' "$tmp/progress1.json" || fail "the JSON progress has no byte counts"
sentinel_intact || fail "the sentinel disk changed"

# Second run: the same answer file resumes after the steps that finished.
install 2
wait "$ipid"; rc=$?
ipid=
[ $rc = 0 ] || { tail -30 "$tmp/out2"; tail -30 "$tmp/install2.log"; fail "the re-run failed (exit $rc)"; }
grep -q 'resume: base finished in an earlier run' "$tmp/install2.log" || fail "the re-run did not resume"
grep -q 'dpkg --configure -a' "$tmp/install2.log" || fail "the half-configured packages were not finished"
grep -q 'mkfs' "$tmp/install2.log" && fail "the re-run formatted again"
grep -q '^+ .*mmdebstrap --verbose' "$tmp/install1.log" || fail "the base system did not come from mmdebstrap"
# One initial RAM disk, built after the packages, compressed as initramfs-tools is set to.
[ "$(grep -c 'update-initramfs: Generating' "$tmp/install2.log")" = 1 ] ||
	fail "the initial RAM disk was not built exactly once"
grep -q 'using gzip' "$tmp/install2.log" && fail "the initial RAM disk fell back to gzip"
sentinel_intact || fail "the sentinel disk changed"

mnt=$tmp/mnt; mkdir -p "$mnt"
mount_part "$tmp/disk.img" 3 "$mnt" || fail "no root file system in partition 3"
grep -q '^post ran' "$mnt/root/post-marker" || fail "%post did not run"
case $(readlink "$mnt/initrd.img") in boot/initrd.img-*) ;; *) fail "no /initrd.img link as Debian makes it" ;; esac
[ -x "$mnt/usr/bin/less" ] || fail "%packages was not installed"
[ "$(cat "$mnt/etc/hostname")" = uxen ] || fail "wrong host name"
grep -q 'hypervisor --type=xen' "$mnt/root/ospite-ks.cfg" || fail "no answer file saved"
grep -q 'done bootloader' "$mnt/var/lib/ospite/install.journal" || fail "the journal is incomplete"
grep -q 'it_IT.UTF-8' "$mnt/etc/default/locale" || fail "the Italian locale was not set"
link=$(ls "$mnt"/etc/systemd/network/10-ospite-*.link | head -1)
mac=$(sed -n 's/^MACAddress=//p' "$link")
[ -n "$mac" ] || fail "no .link file pinning the NIC"
umount "$mnt"; mnt=

boot_image "$tmp/disk.img" "$mac" "$tmp/serial.log"
marker='ospite: host uxen ready: hypervisor=xen-dom0 bridges=xenbr0('
if ! wait_marker "$tmp/serial.log" "$marker" 1200; then
	tail -40 "$tmp/serial.log"
	fail "the installed host did not report itself ready with Xen and xenbr0"
fi
grep -F "$marker" "$tmp/serial.log" | tail -1
echo "PASS: unattended Xen install, killed and resumed, booted"
