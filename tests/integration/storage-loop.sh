#!/bin/bash
# The storage editor through `ospite storage` on loop disks made here and a libvirtd: the tree with LVM and swap, a new partition with filesystem, mount, fstab line and pool, a delete refused while a guest uses it, grow, a raw partition given to a guest, every bad input; a sentinel disk proves nothing else was written.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
# No udev here: LVM must not wait for it.
export DM_DISABLE_UDEV=1 LVM_SUPPRESS_FD_WARNINGS=1
export PARTED_GPT_APPLE=${PARTED_GPT_APPLE:-0}
skip() { echo "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root to attach loop devices and run libvirtd"
for t in python3 losetup partx parted blkid blockdev mkfs.ext4 mkfs.xfs xfs_growfs dumpe2fs mkswap resize2fs sha256sum mountpoint \
	libvirtd virtlogd virsh pvcreate vgcreate lvcreate jq; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -e /dev/loop-control ] || skip "no loop device support"
[ -x "$B/ospite" ] || { echo "FAIL: $B/ospite is missing"; exit 1; }

tmp=$(mktemp -d /tmp/ospite-storage.XXXXXX) || exit 1
uri=qemu:///system
loops=() started=()
vg=ostst$$
pool=ostst-p$$
taken=ostst-taken$$
guest=ostst-g$$
passed=0
. "$top/tests/lib/libvirtd.sh"
. "$top/tests/lib/lvm.sh"
# LVM (the test's commands, ospite's and libvirtd's alike) sees this test's loop disks only, and
# keeps its metadata backups here, not in the machine's /etc/lvm.
lvm_private "$tmp/lvm" || { echo "FAIL: mkdir $tmp/lvm"; exit 1; }

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "PASS $1"; passed=$((passed + 1)); }

cleanup() {
	set +e
	for g in "$guest" "$guest-raw"; do virsh -c "$uri" undefine "$g" >/dev/null 2>&1; done
	for g in "$guest-pg"; do virsh -c "$uri" undefine "$g" >/dev/null 2>&1; done
	[ -n "${holder:-}" ] && kill "$holder" 2>/dev/null
	for p in "$pool" "$taken" "$pool-g" "$vg-pool"; do
		virsh -c "$uri" pool-destroy "$p" >/dev/null 2>&1
		virsh -c "$uri" pool-undefine "$p" >/dev/null 2>&1
	done
	libvirtd_down
	for m in "$tmp"/mnt-*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
	for v in "$vg" "$vg-pool"; do
		vgchange -an "$v" >/dev/null 2>&1
		vgremove -f "$v" >/dev/null 2>&1
	done
	for l in "${loops[@]}"; do
		pvremove -ff -y "$l" >/dev/null 2>&1
		partx -d "$l" 2>/dev/null
		losetup -d "$l"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

attach() {
	dev=$(losetup -f --show -P "$1") || fail "losetup $1"
	loops+=("$dev")
	lvm_accept "${loops[@]}"
	case $dev in /dev/loop[0-9]*) ;; *) fail "unexpected loop device '$dev'" ;; esac
}

# ospite storage with this test's lock folder, fstab root and libvirtd.
st() { OSPITE_LOCK_DIR=$tmp/locks OSPITE_ROOT=$tmp/root "$B/ospite" --connect "$uri" storage "$@"; }
# expect_fail TEXT ARGS...: the command fails, saying TEXT.
expect_fail() {
	local want=$1 out
	shift
	out=$(st "$@" 2>&1) && fail "ospite storage $* succeeded: $out"
	# A refusal is a clean one: not a crash or a leak under the sanitizers.
	grep -qE "Sanitizer|runtime error" <<<"$out" && fail "ospite storage $*: $out"
	grep -qF -- "$want" <<<"$out" || fail "ospite storage $*: expected \"$want\", got: $out"
}
table() { partx -g -o NR,START,SECTORS "$1" 2>/dev/null; blkid -p -o export "$1" 2>/dev/null; }

mkdir -p "$tmp/locks" "$tmp/root/etc" "$tmp/full" "$tmp/taken"
echo "# the test's fstab" >"$tmp/root/etc/fstab"
touch "$tmp/full/something"

# The sentinel: random data that must survive everything.
dd if=/dev/urandom of="$tmp/sentinel.img" bs=1M count=32 status=none || fail "dd"
attach "$tmp/sentinel.img"; sentinel=$dev
sentinel_sum=$(sha256sum <"$sentinel" | cut -d' ' -f1)

# Disk A: GPT with a swap partition and free space; disk B: an LVM volume group with one LV.
truncate -s 1200M "$tmp/a.img"; attach "$tmp/a.img"; a=$dev
parted -s "$a" mklabel gpt mkpart sw linux-swap 1MiB 33MiB >/dev/null 2>&1 || fail "parted $a"
partx -u "$a" 2>/dev/null
for _ in $(seq 50); do [ -b "${a}p1" ] && break; sleep 0.1; done
mkswap -q "${a}p1" >/dev/null || fail "mkswap"
truncate -s 128M "$tmp/b.img"; attach "$tmp/b.img"; b=$dev
pvcreate -q -y "$b" >/dev/null 2>&1 || fail "pvcreate $b"
vgcreate -q "$vg" "$b" >/dev/null 2>&1 || fail "vgcreate"
lvcreate --driverloaded n -q -y -an -Zn -L 16M -n lv1 "$vg" >/dev/null 2>&1 || fail "lvcreate"

libvirtd_up "$uri"
virsh -c "$uri" pool-define-as "$taken" dir --target "$tmp/taken" >/dev/null || fail "pool-define-as"

# ---- the tree ----
json=$(st show --json "$a" "$b") || fail "storage show --json"
jq -e --arg p "${a}p1" '.nodes[] | select(.path == $p and .fstype == "swap")' <<<"$json" >/dev/null ||
	fail "the swap partition is not in the tree: $json"
jq -e --arg vg "$vg" '.nodes[] | select(.kind == "lv" and .vg == $vg and .name == ($vg + "/lv1"))' \
	<<<"$json" >/dev/null || fail "the LV is not in the tree: $json"
jq -e --arg b "$b" --arg vg "$vg" '.nodes[] | select(.path == $b and .fstype == "LVM2_member" and .vg == $vg)' \
	<<<"$json" >/dev/null || fail "the physical volume is not in the tree: $json"
jq -e --arg t "$taken" '.pools[] | select(.name == $t)' <<<"$json" >/dev/null ||
	fail "the pool $taken is not listed: $json"
text=$(st show "$a" "$b") || fail "storage show"
grep -q "free space" <<<"$text" || fail "no free region shown: $text"
grep -qF "LVM physical volume of $vg" <<<"$text" || fail "no physical volume shown: $text"
grep -qF "$vg/lv1" <<<"$text" || fail "no LV shown: $text"
ok "the tree shows swap, LVM and pools"
out=$(st impact "$b")
grep -qF "The logical volume $vg/lv1 is lost." <<<"$out" || fail "the impact of $b misses the LV: $out"
ok "the impact of a physical volume names its logical volumes"

# ---- bad input: each refused with its message, nothing written ----
before=$(table "$a")
expect_fail "larger than the free region" create "$a" --size 10G --mount "$tmp/mnt-x"
expect_fail "too small" create "$a" --size 0 --mount "$tmp/mnt-x"
expect_fail "is not a size" create "$a" --size nan --mount "$tmp/mnt-x"
expect_fail "unit that does not exist" create "$a" --size 5Q --mount "$tmp/mnt-x"
expect_fail "is not an absolute path" create "$a" --size 64M --mount rel/dir
expect_fail "exists and is not empty" create "$a" --size 64M --mount "$tmp/full"
expect_fail "inside /proc" create "$a" --size 64M --mount /proc/ospite
expect_fail "inside /sys" create "$a" --size 64M --mount /sys/ospite
expect_fail "inside /dev" create "$a" --size 64M --mount /dev/ospite
expect_fail "already taken" create "$a" --size 64M --mount "$tmp/mnt-x" --pool "$taken"
[ "$(table "$a")" = "$before" ] || fail "a refused input changed $a"
[ ! -e "$tmp/mnt-x" ] || fail "a refused input made $tmp/mnt-x"
rootdev=$(findmnt -no SOURCE / 2>/dev/null)
if [ -b "$rootdev" ]; then
	out=$(st impact "$rootdev"); rc=$?
	[ $rc = 3 ] || fail "the impact of $rootdev (/) is not a refusal ($rc): $out"
	grep -qF "Refused: the host itself uses" <<<"$out" || fail "no refusal for /: $out"
	expect_fail "Refused: the host itself uses" delete "$rootdev" --confirm "$rootdev"
fi
ok "bad sizes, mount points, a taken pool name and the root device are refused"

# ---- a partition with filesystem, mount, fstab line and pool ----
out=$(st create "$a" --size 128M --fs ext4 --mount "$tmp/mnt-p" --pool "$pool" 2>&1) ||
	fail "create: $out"
p2=${a}p2
[ -b "$p2" ] || fail "no $p2 after create: $out"
mountpoint -q "$tmp/mnt-p" || fail "$tmp/mnt-p is not mounted"
uuid=$(blkid -c /dev/null -o value -s UUID "$p2")
grep -qx "UUID=$uuid $tmp/mnt-p ext4 defaults 0 2" "$tmp/root/etc/fstab" ||
	fail "no fstab line: $(cat "$tmp/root/etc/fstab")"
virsh -c "$uri" pool-info "$pool" | grep -q running || fail "the pool $pool is not running"
ok "new partition: ext4, mounted by UUID, in fstab, a running pool"

# A guest with a volume in that pool: deleting the partition is refused naming it.
virsh -c "$uri" vol-create-as "$pool" disk1.img 8M --format raw >/dev/null || fail "vol-create-as"
cat >"$tmp/guest.xml" <<XML
<domain type='qemu'><name>$guest</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>
<source file='$tmp/mnt-p/disk1.img'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
virsh -c "$uri" define "$tmp/guest.xml" >/dev/null || fail "define $guest"
out=$(st impact "$p2")
grep -qF "The guest $guest loses its disk $tmp/mnt-p/disk1.img." <<<"$out" || fail "impact: $out"
grep -qF "The storage pool $pool (dir) is removed." <<<"$out" || fail "impact misses the pool: $out"
grep -qF "$tmp/mnt-p is unmounted" <<<"$out" || fail "impact misses the mount: $out"
json=$(st show --json "$a")
jq -e --arg p "$p2" --arg g "$guest" --arg pool "$pool" \
	'.nodes[] | select(.path == $p) | select(.guests[0].name == $g and .pools[0] == $pool)' \
	<<<"$json" >/dev/null || fail "the tree does not join $p2 with $guest and $pool: $json"
expect_fail "nothing was done" delete "$p2"
expect_fail "must repeat" delete "$p2" --confirm "${a}p9"
expect_fail "the guest $guest has its disk" delete "$p2" --confirm "$p2"
[ -b "$p2" ] && mountpoint -q "$tmp/mnt-p" || fail "a refused delete changed $p2"
ok "deleting a partition a guest uses is refused naming the guest"

virsh -c "$uri" undefine "$guest" >/dev/null || fail "undefine"
out=$(st delete "$p2" --confirm "$p2" 2>&1) || fail "delete after the guest went: $out"
mountpoint -q "$tmp/mnt-p" && fail "$tmp/mnt-p is still mounted"
grep -q "UUID=$uuid" "$tmp/root/etc/fstab" && fail "the fstab line stayed"
virsh -c "$uri" pool-info "$pool" >/dev/null 2>&1 && fail "the pool $pool stayed"
partx -g -o NR "$a" | grep -qw 2 && fail "partition 2 is still in the table"
ok "deleting it after the guest went: unmounted, fstab line, pool and partition gone"

# ---- grow a partition and its filesystem: ext4 offline, XFS mounted ----
# (Online ext4 growth needs CAP_SYS_RESOURCE, which a container may not grant.)
newest() { echo "${a}p$(partx -g -o NR "$a" | sort -n | tail -1 | tr -d ' ')"; }
out=$(st create "$a" --size 64M --fs raw 2>&1) || fail "create for grow: $out"
pg=$(newest)
mkfs.ext4 -q -F "$pg" || fail "mkfs.ext4 $pg"
expect_fail "not larger than its size now" grow "$pg" --size 32M
expect_fail "larger than the free region" grow "$pg" --size 100G
expect_fail "is not a size" grow "$pg" --size nan
out=$(st grow "$pg" --size 128M 2>&1) || fail "grow ext4: $out"
[ "$(blockdev --getsize64 "$pg")" = $((128 << 20)) ] || fail "$pg is $(blockdev --getsize64 "$pg") bytes, not 128 MiB"
blocks=$(dumpe2fs -h "$pg" 2>/dev/null | awk -F: '/^Block count/ {print $2}')
bsize=$(dumpe2fs -h "$pg" 2>/dev/null | awk -F: '/^Block size/ {print $2}')
[ $((blocks * bsize)) = $((128 << 20)) ] || fail "the ext4 filesystem is $((blocks * bsize)) bytes, not 128 MiB"
st delete "$pg" --confirm "$pg" >/dev/null 2>&1 || fail "delete $pg"
ok "grow: a partition and its ext4 filesystem"
out=$(st create "$a" --size 300M --fs xfs --mount "$tmp/mnt-g" 2>&1) || fail "create xfs: $out"
pg=$(newest)
fs_before=$(df -B1 --output=size "$tmp/mnt-g" | tail -1)
out=$(st grow "$pg" 2>&1) || fail "grow xfs: $out"
fs_after=$(df -B1 --output=size "$tmp/mnt-g" | tail -1)
[ "$fs_after" -gt $((fs_before + (100 << 20))) ] || fail "XFS did not grow: $fs_before -> $fs_after"
out=$(st delete "$pg" --confirm "$pg" 2>&1) || fail "delete $pg: $out"
ok "grow: a partition and its mounted XFS filesystem, to the end of the free space"

# ---- a raw partition given to a guest ----
out=$(st create "$a" --size 32M --fs raw 2>&1) || fail "create raw: $out"
praw=$(grep -o "/dev/loop[0-9]*p[0-9]*" <<<"$out" | head -1)
[ -b "$praw" ] || fail "no raw partition: $out"
[ -z "$(blkid -p -o value -s TYPE "$praw")" ] || fail "the raw partition has a filesystem"
sed -e "s|<name>$guest<|<name>$guest-raw<|" -e "s|type='file'|type='block'|" \
	-e "s|<source file='[^']*'/>|<source dev='$praw'/>|" "$tmp/guest.xml" >"$tmp/raw.xml"
virsh -c "$uri" define "$tmp/raw.xml" >/dev/null || fail "define $guest-raw"
out=$(st impact "$praw")
grep -qF "The guest $guest-raw loses its disk $praw." <<<"$out" || fail "impact of the raw partition: $out"
expect_fail "the guest $guest-raw has its disk" delete "$praw" --confirm "$praw"
virsh -c "$uri" undefine "$guest-raw" >/dev/null
st delete "$praw" --confirm "$praw" >/dev/null 2>&1 || fail "delete $praw"
ok "a raw partition given to a guest is named in its impact"

# ---- format, and removing a pool (its volumes kept, or deleted unless a guest has one) ----
out=$(st create "$a" --size 32M --fs raw 2>&1) || fail "create for format: $out"
pf=$(newest)
expect_fail "nothing was done" format "$pf" --fs xfs
out=$(st format "$pf" --fs ext4 --confirm "$pf" 2>&1) || fail "format: $out"
[ "$(blkid -c /dev/null -p -o value -s TYPE "$pf")" = ext4 ] || fail "$pf is not ext4 after format"
st delete "$pf" --confirm "$pf" >/dev/null 2>&1 || fail "delete $pf"
ok "format a partition after the typed confirmation"
mkdir -p "$tmp/pg"
virsh -c "$uri" pool-define-as "$pool-g" dir --target "$tmp/pg" >/dev/null && virsh -c "$uri" pool-start "$pool-g" >/dev/null ||
	fail "pool $pool-g"
virsh -c "$uri" vol-create-as "$pool-g" v1.img 1M >/dev/null || fail "vol-create-as"
# This guest names its disk as a pool's volume, not as a path.
sed -e "s|<name>$guest<|<name>$guest-pg<|" -e "s|type='file'|type='volume'|" \
	-e "s|<source file='[^']*'/>|<source pool='$pool-g' volume='v1.img'/>|" "$tmp/guest.xml" >"$tmp/pg.xml"
virsh -c "$uri" define "$tmp/pg.xml" >/dev/null || fail "define $guest-pg"
out=$(st pool-remove "$pool-g" --delete-volumes 2>&1)
grep -qF "The guest $guest-pg loses its disk $tmp/pg/v1.img." <<<"$out" || fail "pool impact: $out"
expect_fail "the guest $guest-pg has its disk" pool-remove "$pool-g" --delete-volumes --confirm "$pool-g"
out=$(st pool-remove "$pool-g" --confirm "$pool-g" 2>&1) || fail "pool-remove keeping volumes: $out"
virsh -c "$uri" pool-info "$pool-g" >/dev/null 2>&1 && fail "the pool $pool-g stayed"
[ -f "$tmp/pg/v1.img" ] || fail "a kept volume was deleted"
virsh -c "$uri" undefine "$guest-pg" >/dev/null
ok "remove a pool: kept volumes stay; deleting a volume a guest has is refused"

# ---- another operator's edit lock on the disk ----
mkdir -p "$tmp/locks"
lockfile=$tmp/locks/disk-$(sed 's|/|%2F|g' <<<"$a")
python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.truncate(0)
f.write("user=someoneelse\ntty=pts/9\npid=%d\nsince=%d\n" % (os.getpid(), int(time.time())))
f.flush()
print("locked", flush=True)
time.sleep(60)
' "$lockfile" >"$tmp/holder.out" &
holder=$!
for _ in $(seq 50); do grep -q locked "$tmp/holder.out" 2>/dev/null && break; sleep 0.1; done
before=$(table "$a")
expect_fail "someoneelse" create "$a" --size 16M --fs raw
kill "$holder"; wait "$holder" 2>/dev/null
[ "$(table "$a")" = "$before" ] || fail "$a changed while another held its lock"
ok "the disk's edit lock held by another operator stops an edit, naming who"

# ---- an LVM pool on a new partition: made where device-mapper exists, else a truthful half ----
out=$(st create "$a" --size 32M --fs lvm --pool "$vg-pool" 2>&1); rc=$?
plvm=$(newest)
if [ -e /dev/mapper/control ]; then
	[ $rc = 0 ] || fail "LVM pool: $out"
	virsh -c "$uri" pool-info "$vg-pool" | grep -q running || fail "the LVM pool is not running"
	virsh -c "$uri" pool-destroy "$vg-pool" >/dev/null; virsh -c "$uri" pool-undefine "$vg-pool" >/dev/null
else
	[ $rc != 0 ] || fail "an LVM pool started without device-mapper: $out"
	grep -qF "The partition $plvm was made. Then this failed:" <<<"$out" || fail "the failure does not say what was done: $out"
	json=$(st show --json "$a")
	jq -e --arg p "$plvm" '.nodes[] | select(.path == $p)' <<<"$json" >/dev/null ||
		fail "the tree does not show the partition that was made: $json"
fi
vgremove -f "$vg-pool" >/dev/null 2>&1
pvremove -ff -y "$plvm" >/dev/null 2>&1
st delete "$plvm" --confirm "$plvm" >/dev/null 2>&1 || fail "delete $plvm"
ok "an LVM pool on a new partition, or a message saying what was done and what not"

# ---- a blank disk: all free, and its first partition comes with a GPT ----
truncate -s 64M "$tmp/c.img"; attach "$tmp/c.img"; c=$dev
json=$(st show --json "$c")
jq -e '[.nodes[] | select(.kind == "free")] | length == 1' <<<"$json" >/dev/null ||
	fail "the blank disk is not one free region: $json"
out=$(st create "$c" --size 16M --fs raw 2>&1) || fail "create on a blank disk: $out"
[ "$(blkid -p -o value -s PTTYPE "$c")" = gpt ] || fail "$c has no GPT"
[ -b "${c}p1" ] || fail "no ${c}p1"
truncate -s 64M "$tmp/d.img"; attach "$tmp/d.img"; d=$dev
mkfs.ext4 -q -F "$d" || fail "mkfs.ext4 $d"
d_sum=$(sha256sum <"$d" | cut -d' ' -f1)
expect_fail "holds ext4 on the whole disk" create "$d" --size 16M --fs raw
[ "$(sha256sum <"$d" | cut -d' ' -f1)" = "$d_sum" ] || fail "$d was written"
ok "a blank disk gets a GPT with its first partition; a filesystem on a whole disk is left alone"

# ---- an MBR disk: a partition made and grown on MiB boundaries, to the end of the disk ----
truncate -s 100M "$tmp/e.img"; attach "$tmp/e.img"; e=$dev
parted -s "$e" mklabel msdos >/dev/null 2>&1 || fail "parted $e"
out=$(st create "$e" --size 20M --fs raw 2>&1) || fail "create on MBR: $out"
out=$(st grow "${e}p1" 2>&1) || fail "grow on MBR: $out"
[ "$(blockdev --getsize64 "${e}p1")" = $((99 << 20)) ] || fail "${e}p1 is $(blockdev --getsize64 "${e}p1") bytes, not 99 MiB"
ok "MBR: a partition made and grown to the end of the disk"

# ---- the sentinel ----
[ "$(sha256sum <"$sentinel" | cut -d' ' -f1)" = "$sentinel_sum" ] || fail "the sentinel $sentinel was written"
ok "the sentinel did not change"
echo "storage-loop: $passed passed, 0 failed, 0 skipped"
