#!/bin/bash
# The Storage screen at 80x24 on vt100, in English and Italian: a loop disk made here with a mounted partition that holds a pool and a running guest's disk, its free space, and a member of the group ospite who sees what deleting it would affect (refused: the guest runs) but may not change it, root's Grow dialog left with Esc, and root's typed confirmation on a second loop disk (a wrong name changes nothing, the right one deletes or formats); a sentinel disk proves nothing else was written.
set -u
. "$(dirname "$0")/../lib/console.sh"
export PARTED_GPT_APPLE=${PARTED_GPT_APPLE:-0}
loops=()
mnt=$tmp/mnt

cleanup() {
	set +e
	tui_stop
	mountpoint -q "$mnt" && umount "$mnt"
	for l in "${loops[@]}"; do
		partx -d "$l" 2>/dev/null
		losetup -d "$l"
	done
	console_cleanup
}
trap cleanup EXIT

for t in losetup partx parted mkfs.ext4 mountpoint sha256sum; do
	command -v "$t" >/dev/null || { echo "missing $t: make deps-test"; exit 77; }
done
attach() {
	dev=$(losetup -f --show -P "$1") || fail "losetup $1"
	loops+=("$dev")
}

dd if=/dev/urandom of="$tmp/sentinel.img" bs=1M count=16 status=none || fail "dd"
attach "$tmp/sentinel.img"; sentinel=$dev
sentinel_sum=$(sha256sum <"$sentinel" | cut -d' ' -f1)
truncate -s 256M "$tmp/disk.img"; attach "$tmp/disk.img"; disk=$dev
parted -s "$disk" mklabel gpt mkpart data ext4 1MiB 65MiB >/dev/null 2>&1 || fail "parted"
partx -u "$disk" 2>/dev/null
for _ in $(seq 50); do [ -b "${disk}p1" ] && break; sleep 0.1; done
mkfs.ext4 -q -F -L stdata "${disk}p1" || fail "mkfs.ext4"
mkdir -p "$mnt" && mount "${disk}p1" "$mnt" || fail "mount"
truncate -s 1M "$mnt/stguest.img"
# Read-only from here on, so that the disk's bytes stay still.
sync; mount -o remount,ro "$mnt" || fail "mount -o remount,ro"
disk_sum=$(sha256sum <"$disk" | cut -d' ' -f1)
part=${disk#/dev/}p1
# The disk root's typed confirmations change: two partitions, nothing mounted.
truncate -s 64M "$tmp/victim.img"; attach "$tmp/victim.img"; victim=$dev
parted -s "$victim" mklabel gpt mkpart keep 1MiB 17MiB mkpart gone 17MiB 33MiB >/dev/null 2>&1 ||
	fail "parted $victim"
partx -u "$victim" 2>/dev/null
for _ in $(seq 50); do [ -b "${victim}p2" ] && break; sleep 0.1; done
[ -b "${victim}p2" ] || fail "no ${victim}p2"

# libvirt's test driver: a pool in the mounted folder and a guest whose disk is there.
cat >"$tmp/node.xml" <<XML
<node>
  <domain type='test'>
    <name>stguest</name>
    <memory>262144</memory>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'>
        <source file='$mnt/stguest.img'/>
        <target dev='vda' bus='virtio'/>
      </disk>
    </devices>
  </domain>
  <pool type='dir'>
    <name>stpool</name>
    <target><path>$mnt</path></target>
  </pool>
</node>
XML

# select PATTERN: move the cursor down the tree until the marked row matches PATTERN (a regex).
select_row() {
	local i
	for ((i = 0; i < 80; i++)); do
		tui_screen | grep -qE "^\|? *> *$1" && return 0
		tui_keys Down
		sleep 0.1
	done
	fail "no row matching $1 could be selected"
}

# open_storage TERM LANG USER: USER logs in to a console and opens Storage (Host, then Storage
# after Back and Network).
open_storage() {
	console_start "$1" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_LOCK_DIR=$tmp/locks \
		$B/ospite --connect test://$tmp/node.xml --lang $2 --idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$3" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Tab Tab Tab Enter
	see "$(Tt "Host Status")"
	see "$(Tt "Storage")"
	tui_keys Tab Tab Enter
	see "$(Tt "n new partition  g grow  d delete  f format  r remove pool")" 15
}

run() {
	term=$1 lang=$2
	open_storage "$term" "$lang" "$user"
	see "$part"
	see "ext4 \"stdata\""
	see "$(Tf "on %s" "$mnt")"
	see "stpool (dir)"
	# The test driver runs the guests it reads from its file.
	see "guest stguest ($(T "running")): $tmp/"
	free_fmt=$(Tt "%*sfree space, %s at %s")
	free_word=${free_fmt#%\*s}
	free_word=${free_word%%,*}
	see "$free_word"
	check_look "$term"

	# Delete, as a member of the group: the impact, then the refusal.
	select_row "$part "
	tui_keys d
	see_start "$(Tf "Refused: the running guest %s uses %s." stguest "$mnt/stguest.img")"
	see_start "$(Tt "Only root may change the host's storage.")"
	tui_screen | tr -s ' \n' ' ' | grep -qF "$(Tf "The storage pool %s (%s) is removed." stpool dir)" ||
		fail "the impact does not name the pool"
	tui_keys Enter
	see "$(T "n new partition  g grow  d delete  f format  r remove pool")"
	# A new partition in the free region: refused the same way.
	select_row "$free_word"
	tui_keys n
	see_start "$(T "Only root may change the host's storage.")"
	tui_keys Enter
	see "$(T "n new partition  g grow  d delete  f format  r remove pool")"
	# Back to the host, the guests, then quit.
	tui_keys Tab Enter
	see "$(T "Host Status")"
	tui_keys Enter
	see "$(T "Enter opens a guest.")"
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
	tui_stop
	mountpoint -q "$mnt" || fail "$mnt was unmounted"
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

# root_grow TERM LANG (vt100: select_row follows the "> " marker): root opens Grow on the partition, F2 switches its dialog's language and
# back, and Esc leaves with nothing done.
root_grow() {
	term=$1 lang=$2
	local other=it grow="Grow %s into the free space after it, and its filesystem with it. The new size, or \"all\":"
	[ "$lang" = it ] && other=en
	open_storage "$term" "$lang" "$root_user"
	select_row "$part "
	tui_keys g
	see_start "$(Tf "$grow" "/dev/$part")"
	see "$(Tt "Size:")"
	tui_keys F2
	lang=$other see_start "$(lang=$other Tf "$grow" "/dev/$part")"
	lang=$other see "$(lang=$other T "Size:")"
	tui_keys F2
	see_start "$(T "$grow" | sed "s|%s|/dev/$part|")"
	tui_keys Escape
	gone "$(T "Size:")"
	see "$(T "n new partition  g grow  d delete  f format  r remove pool")"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok root grow $term $lang"
}

# root_wipe TERM LANG KEY: root chooses the victim's second partition and presses KEY (d delete,
# f format): a wrong name at the typed confirmation is refused and changes nothing; the right one
# does it.
root_wipe() {
	term=$1 lang=$2
	local key=$3 p2=${victim}p2 q
	if [ "$key" = d ]; then
		q=$(Tf "Delete %s? Everything on it is lost:" "$p2")
	else
		q=$(Tf "Format %s as %s? Everything on it is lost:" "$p2" ext4)
	fi
	open_storage "$term" "$lang" "$root_user"
	select_row "${p2#/dev/} "
	tui_keys "$key"
	# Format first asks for the filesystem: ext4 is the default.
	if [ "$key" = f ]; then
		see "$(Tt "The new filesystem:")"
		tui_keys F12
	fi
	see_start "$q"
	see "$(Tf "Type %s to confirm:" "$p2")"
	tui_type "${p2}x"
	tui_keys Enter
	see_start "$(Tt "What you typed does not match: nothing was changed.")"
	parted -s "$victim" print | grep -q ' gone' || fail "$p2 was deleted after a wrong name"
	if [ "$key" = f ] && [ -n "$(blkid -p -o value -s TYPE "$p2" 2>/dev/null)" ]; then
		fail "$p2 was formatted after a wrong name"
	fi
	tui_keys Enter
	# Asked again: Enter in the entry goes ahead.
	see "$(T "Type %s to confirm:" | sed "s|%s|$p2|")"
	tui_type "$p2"
	tui_keys Enter
	if [ "$key" = d ]; then
		see_start "$(Tf "The partition %s was deleted." "$p2")" 30
		parted -s "$victim" print | grep -q ' gone' && fail "$p2 is still there"
		parted -s "$victim" print | grep -q ' keep' || fail "the first partition of $victim went too"
	else
		see_start "$(Tf "%s was formatted %s." "$p2" ext4)" 30
		[ "$(blkid -p -o value -s TYPE "$p2")" = ext4 ] || fail "$p2 is not ext4"
	fi
	tui_keys Enter
	see "$(T "n new partition  g grow  d delete  f format  r remove pool")"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok root $key $term $lang"
}

root_user=osprt$$
add_root_alias "$root_user" "$password"
run vt100 en
run vt100 it
root_grow vt100 it
root_wipe vt100 it f
root_wipe vt100 en d
[ "$(sha256sum <"$disk" | cut -d' ' -f1)" = "$disk_sum" ] || fail "$disk was written"
[ "$(sha256sum <"$sentinel" | cut -d' ' -f1)" = "$sentinel_sum" ] || fail "the sentinel was written"
echo "30-console-storage: all checks passed"
