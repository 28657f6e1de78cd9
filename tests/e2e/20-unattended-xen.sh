#!/bin/bash
# End to end, unattended: a Xen host from an answer file into a loop-backed image, killed with -9 at four points of Package Installation and resumed each time, then booted under QEMU.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for loop devices"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing"; exit 77; }

tmp=$(mktemp -d /var/tmp/ospite-e2e-ks.XXXXXX)
work=$(e2e_workdir)
mkdir -p "$work"
sentinel= qpid= mnt= ipid= nspid=
cleanup() {
	[ -n "$ipid" ] && kill -9 -- -"$ipid" 2>/dev/null
	[ -n "$nspid" ] && kill "$nspid" 2>/dev/null
	for f in foreign foreign2; do detach_image "$tmp/$f.img"; done
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
install() {   # install N [--resume]: one run of the installer in its own process group, in the background
	setsid "$B/ospite-install" --answer "$tmp/host.ks" --image "$tmp/disk.img" --image-size 8G \
		--workdir "$work" --log "$tmp/install$1.log" --serial ttyS0,115200 --progress-fd 3 \
		${2:-} </dev/null >"$tmp/out$1" 2>&1 3>"$tmp/progress$1.json" &
	ipid=$!
}

# after_upgrade N PATTERN, anywhere N PATTERN: how many lines of run N's log match PATTERN,
# counting from its dist-upgrade or from the start.
after_upgrade() {
	cat "$tmp/install$1.log" 2>/dev/null |
		awk -v pat="$2" '/dist-upgrade/ { on = 1 } on && $0 ~ pat { n++ } END { print n + 0 }'
}
anywhere() {
	cat "$tmp/install$1.log" 2>/dev/null | awk -v pat="$2" '$0 ~ pat { n++ } END { print n + 0 }'
}

# power_cut N HOW PATTERN COUNT: wait until run N's log shows PATTERN COUNT times (HOW is
# after_upgrade or anywhere), then kill -9 its whole process group, as a power cut would.
power_cut() {
	local i
	for ((i = 0; i < 900; i++)); do
		[ "$($2 "$1" "$3")" -ge "$4" ] && break
		kill -0 "$ipid" 2>/dev/null || break
		sleep 1
	done
	[ "$($2 "$1" "$3")" -ge "$4" ] || { tail -30 "$tmp/out$1"; tail -30 "$tmp/install$1.log"; fail "run $1 never showed $3"; }
	kill -9 -- -"$ipid"
	wait "$ipid"; rc=$?
	ipid=
	[ $rc = 137 ] || fail "run $1 was not killed (exit $rc)"
	sentinel_intact || fail "the sentinel disk changed"
}

# First run: a power cut early in Package Installation, while dpkg unpacks.
install 1
power_cut 1 after_upgrade '^Unpacking' 3
grep -q '"step"' "$tmp/progress1.json" || fail "no JSON progress on --progress-fd"
grep -q '"bytes_total"' "$tmp/progress1.json" || fail "the JSON progress has no byte counts"
# Further power cuts, each in a run that resumes the one before: in the middle of the
# unpacking, while packages are configured, and while the initial RAM disk is built.
install 2 --resume
# A process that makes a mount namespace of its own while the target is mounted: it must
# not pin the target's mounts or the image (the installer mounts in a namespace of its own).
for ((i = 0; i < 300; i++)); do
	grep -q 'dist-upgrade' "$tmp/install2.log" 2>/dev/null && break
	sleep 1
done
unshare -m sleep 3600 &
nspid=$!
power_cut 2 after_upgrade '^Unpacking' 25
install 3 --resume
power_cut 3 anywhere '^Setting up' 5
install 4 --resume
power_cut 4 anywhere 'update-initramfs -c -k all' 1

# The last run resumes and finishes.
install 5 --resume
wait "$ipid"; rc=$?
ipid=
[ $rc = 0 ] || { tail -30 "$tmp/out5"; tail -30 "$tmp/install5.log"; fail "the last re-run failed (exit $rc)"; }
for n in 2 3 4 5; do
	grep -q 'resume: base finished in an earlier run' "$tmp/install$n.log" || fail "run $n did not resume"
	grep -q 'resumes with' "$tmp/out$n" || fail "run $n did not say where it resumes"
	grep -q 'mkfs' "$tmp/install$n.log" && fail "run $n formatted again"
done
cat "$tmp"/install[2-5].log >"$tmp/resumed.log"
grep -q 'dpkg --configure -a' "$tmp/resumed.log" || fail "the half-configured packages were not finished"
grep -q 'apt-get -y -q -f' "$tmp/resumed.log" || fail "apt did not repair what dpkg left"
grep -q '^+ .*mmdebstrap --verbose' "$tmp/install1.log" || fail "the base system did not come from mmdebstrap"
# One initial RAM disk, built after the packages, compressed as initramfs-tools is set to.
[ "$(grep -c 'update-initramfs: Generating' "$tmp/install5.log")" = 1 ] ||
	fail "the initial RAM disk was not built exactly once"
grep -q 'using gzip' "$tmp/install5.log" && fail "the initial RAM disk fell back to gzip"
sentinel_intact || fail "the sentinel disk changed"
kill "$nspid"; wait "$nspid" 2>/dev/null; nspid=

mnt=$tmp/mnt; mkdir -p "$mnt"
mount_part "$tmp/disk.img" 3 "$mnt" || fail "no root file system in partition 3"
grep -q '^post ran' "$mnt/root/post-marker" || fail "%post did not run"
case $(readlink "$mnt/initrd.img") in boot/initrd.img-*) ;; *) fail "no /initrd.img link as Debian makes it" ;; esac
[ -x "$mnt/usr/bin/less" ] || fail "%packages was not installed"
[ "$(cat "$mnt/etc/hostname")" = uxen ] || fail "wrong host name"
grep -q 'hypervisor --type=xen' "$mnt/root/ospite-ks.cfg" || fail "no answer file saved"
grep -q 'done bootloader' "$mnt/var/lib/ospite/install.journal" || fail "the journal is incomplete"
grep -q 'it_IT.UTF-8' "$mnt/etc/default/locale" || fail "the Italian locale was not set"
# The root password is set, and its hash is in no log and on no command line that was logged.
hash=$(sed -n 's/^root:\([^:]*\):.*/\1/p' "$mnt/etc/shadow")
case $hash in '$'*) ;; *) fail "root has no password hash" ;; esac
cat "$tmp"/install*.log "$mnt/var/log/ospite/install.log" | grep -qF -- "$hash" && fail "the root password hash is in the install log"
[ "$(stat -c %a "$mnt/root/ospite-ks.cfg")" = 600 ] || fail "the saved answer file is readable by others"
link=$(ls "$mnt"/etc/systemd/network/10-ospite-*.link | head -1)
mac=$(sed -n 's/^MACAddress=//p' "$link")
[ -n "$mac" ] || fail "no .link file pinning the NIC"
umount "$mnt"

# A disk prepared elsewhere: the journal of a run this machine does not know (copied from
# the install above, set back to "packages cut short", which a resume would continue by
# running the disk's own dpkg), a dpkg that leaves a trace, and a marker file. Neither a
# plain run nor one with --resume may trust it: both format the disk and run nothing of it.
cp --sparse=always "$tmp/disk.img" "$tmp/foreign.img"
mount_part "$tmp/foreign.img" 3 "$mnt" rw || fail "cannot mount the copy"
sed -i -e 's/^done \(packages\|post\|bootloader\|finish\)$//' -e '/^$/d' \
	"$mnt/var/lib/ospite/install.journal"
echo "start packages" >>"$mnt/var/lib/ospite/install.journal"
echo marker >"$mnt/root/foreign-marker"
mv "$mnt/usr/bin/dpkg" "$mnt/usr/bin/dpkg.real"
printf '#!/bin/sh\ntouch /root/foreign-ran\nexec /usr/bin/dpkg.real "$@"\n' >"$mnt/usr/bin/dpkg"
chmod 755 "$mnt/usr/bin/dpkg"
umount "$mnt"
cp --sparse=always "$tmp/foreign.img" "$tmp/foreign2.img"
for f in foreign foreign2; do
	opt=; [ $f = foreign2 ] && opt=--resume
	setsid "$B/ospite-install" --answer "$tmp/host.ks" --image "$tmp/$f.img" --workdir "$work" \
		--log "$tmp/$f.log" $opt </dev/null >"$tmp/$f.out" 2>&1 &
	ipid=$!
	for ((i = 0; i < 600; i++)); do
		grep -q '^+ .*debootstrap\|dpkg --configure\|apt-get -y' "$tmp/$f.log" 2>/dev/null && break
		kill -0 "$ipid" 2>/dev/null || break
		sleep 1
	done
	kill -9 -- -"$ipid" 2>/dev/null; wait "$ipid"; ipid=
	detach_image "$tmp/$f.img"
	grep -q 'mkfs' "$tmp/$f.log" || { tail -20 "$tmp/$f.log"; fail "$f: the prepared disk was not formatted"; }
	grep -q 'dpkg --configure' "$tmp/$f.log" && fail "$f: the prepared disk's dpkg was run"
	mount_part "$tmp/$f.img" 3 "$mnt" || fail "$f: no root file system after formatting"
	[ -e "$mnt/root/foreign-marker" ] && fail "$f: the marker survived: the disk was not formatted"
	[ -e "$mnt/root/foreign-ran" ] && fail "$f: a program of the prepared disk ran"
	umount "$mnt"
	rm -f "$tmp/$f.img"
done
grep -q 'resume: starting over' "$tmp/foreign2.log" || fail "--resume on a foreign journal: no reason in the log"
grep -q 'warning' "$tmp/foreign2.out" || fail "--resume on a foreign journal gave no warning"
sentinel_intact || fail "the sentinel disk changed"
mnt=

boot_image "$tmp/disk.img" "$mac" "$tmp/serial.log"
marker='ospite: host uxen ready: hypervisor=xen-dom0 bridges=xenbr0('
if ! wait_marker "$tmp/serial.log" "$marker" 1200; then
	tail -40 "$tmp/serial.log"
	fail "the installed host did not report itself ready with Xen and xenbr0"
fi
grep -F "$marker" "$tmp/serial.log" | tail -1
echo "PASS: unattended Xen install, killed four times and resumed, booted"
