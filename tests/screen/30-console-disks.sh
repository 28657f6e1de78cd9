#!/bin/bash
# Where a guest's disks may be: a member of the group ospite is refused /etc/shadow, the host's own disk and a new image outside the storage pools; deleting a guest defined outside the console leaves its host file alone.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT

# libvirt's test driver read from a file: one guest defined by hand on a file in no pool, and one pool.
mkdir -p "$tmp/outside" "$tmp/pool"
printf 'precious' >"$tmp/outside/precious.img"
cat >"$tmp/node.xml" <<XML
<node>
  <domain type='test'>
    <name>byhand</name>
    <memory>262144</memory>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'>
        <source file='$tmp/outside/precious.img'/>
        <target dev='vda' bus='virtio'/>
      </disk>
    </devices>
  </domain>
  <pool type='dir'>
    <name>tpool</name>
    <target><path>$tmp/pool</path></target>
  </pool>
</node>
XML
rootdev=$(findmnt -no SOURCE / 2>/dev/null)
[ -b "$rootdev" ] || rootdev=
etc_img=/etc/ospite-test-$$.img
images=$tmp/images

# add_disk KIND PATH: from the Disks page, Add disk with the KIND-th radio button (0 = new raw file) and PATH.
add_disk() {
	tui_keys Tab Enter
	see "$(Tt "Add a Disk")"
	local i
	for ((i = 0; i < $1; i++)); do tui_keys Tab; done
	tui_keys Space
	for ((i = $1; i < 5; i++)); do tui_keys Tab; done
	tui_type "$2"
	tui_keys F12
}

run() {
	term=$1 lang=$2
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_IMAGES_DIR=$images \
		$B/ospite --connect test://$tmp/node.xml --lang $lang --idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15

	# The guest made by hand: force it off, delete it, and say yes to anything offered for deletion.
	tui_keys Enter
	see "$(Tp "Guest %s" byhand)"
	tui_keys f
	see_start "$(Tf "Force off %s? This is like pulling its power plug: whatever the guest has not written to its disks is lost." byhand)"
	tui_keys Tab Enter
	see "$(Tf "State: %s" "$(T "shut off")")"
	tui_keys d
	see_start "$(Tf "Delete the guest %s? Its definition is removed and it can no longer be started." byhand)"
	tui_keys Tab Enter
	sleep 1
	if tui_screen | grep -qF "precious.img"; then
		tui_keys Tab Enter
	fi
	see "$(Tt "There are no guests yet: choose New guest.")"
	[ "$(cat "$tmp/outside/precious.img" 2>/dev/null)" = precious ] ||
		fail "deleting the guest touched $tmp/outside/precious.img, a file in no pool"

	# The wizard as a member of the group: host files and the host's disk are refused.
	tui_keys Tab Tab Enter
	see "$(Tt "New Guest: System")"
	tui_type "web2"
	tui_keys F12
	see "$(Tt "New Guest: Disks")"
	# The default new disk is in the console's images folder, which is a storage pool.
	see "$images/web2.img"
	add_disk 2 /etc/shadow
	see_start "$(Tf "%s is outside every storage pool: only root may give a guest a file from elsewhere on the host." /etc/shadow)"
	tui_keys Enter
	see "$(T "Add a Disk")"
	tui_keys Tab Tab Enter
	see "$(T "New Guest: Disks")"
	absent "/etc/shadow"
	if [ -n "$rootdev" ]; then
		add_disk 3 "$rootdev"
		see_start "$(Tf "%s is mounted on this host." "$rootdev")"
		tui_keys Enter
		see "$(T "Add a Disk")"
		tui_keys Tab Tab Enter
		see "$(T "New Guest: Disks")"
		absent "$rootdev ("
	fi
	add_disk 0 "$etc_img"
	see_start "$(Tf "The new disk %s would be outside every storage pool; new disks are made only in a pool's folder, such as %s." "$etc_img" "$tmp/pool")"
	tui_keys Enter
	see "$(T "Add a Disk")"
	tui_keys Tab Tab Enter
	see "$(T "New Guest: Disks")"
	absent "$etc_img"
	[ -e "$etc_img" ] && { rm -f "$etc_img"; fail "a disk was made in /etc"; }
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

run vt100 en
run xterm-256color it
