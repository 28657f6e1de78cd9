#!/bin/bash
# The Clone and Template actions and New guest "From template", in English and Italian at 80x24 on vt100 and a colour terminal: a clone is made and listed, a template refuses to start with a sentence, a new guest comes from a qcow2 template with cloud-init (host name and address through a NoCloud seed) and from a qcow2 one without (it keeps the template's identity).
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT
images=$tmp/i

# libvirt's test driver read from a file: two guests whose disks are qcow2 files in the one
# pool, each with an ext4 partition, only one of them with cloud-init.
mkdir -p "$tmp/pool" "$tmp/tree/etc/cloud" "$tmp/plain/etc"
echo 'datasource_list: [NoCloud]' >"$tmp/tree/etc/cloud/cloud.cfg"
echo plain >"$tmp/plain/etc/hostname"
cat >"$tmp/node.xml" <<XML
<node>
  <domain type='test'>
    <name>cloudy</name>
    <memory>262144</memory>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/>
        <source file='$tmp/pool/cloudy.qcow2'/>
        <target dev='vda' bus='virtio'/>
      </disk>
      <interface type='bridge'><mac address='52:54:00:aa:bb:cd'/><source bridge='br0'/></interface>
    </devices>
  </domain>
  <domain type='test'>
    <name>tmpl</name>
    <memory>262144</memory>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/>
        <source file='$tmp/pool/tmpl.qcow2'/>
        <target dev='vda' bus='virtio'/>
      </disk>
      <interface type='bridge'><mac address='52:54:00:aa:bb:cc'/><source bridge='br0'/></interface>
    </devices>
  </domain>
  <pool type='dir'>
    <name>tpool</name>
    <target><path>$tmp/pool</path></target>
  </pool>
</node>
XML

run() {
	term=$1 lang=$2
	rm -rf "$images" "$tmp"/pool/*
	for i in cloudy:tree tmpl:plain; do
		truncate -s 40M "$tmp/${i%:*}.raw"
		echo 'start=2048, type=83' | sfdisk -q "$tmp/${i%:*}.raw" >/dev/null 2>&1 || fail "sfdisk"
		mkfs.ext4 -q -F -E offset=1048576 -d "$tmp/${i#*:}" "$tmp/${i%:*}.raw" 30M || fail "mkfs.ext4"
		qemu-img convert -f raw -O qcow2 "$tmp/${i%:*}.raw" "$tmp/pool/${i%:*}.qcow2" || fail "qemu-img"
		rm -f "$tmp/${i%:*}.raw"
	done
	console_start "$term" "env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_IMAGES_DIR=$images \
		$B/ospite --connect test://$tmp/node.xml --lang $lang --idle-timeout 0 \
		--config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15

	# The test driver starts its guests: Clone and Template are only for a shut-off guest.
	# The first, cloudy, becomes a template at once.
	tui_keys Enter
	see "$(Tp "Guest %s" cloudy)"
	tui_keys f
	see_start "$(Tf "Force off %s? This is like pulling its power plug: whatever the guest has not written to its disks is lost." cloudy)"
	tui_keys Tab Enter
	see "$(Tf "State: %s" "$(T "shut off")")"
	tui_keys t
	see_start "$(Tf "Make %s a template? A template cannot be started; New guest makes guests from it (From template)." cloudy)"
	tui_keys Tab Enter
	see "$(Tt "The guest is now a template.")"
	tui_keys Enter
	tui_keys Tab Enter
	see "$(Tt "Enter opens a guest.")"
	tui_keys Down Enter
	see "$(Tp "Guest %s" tmpl)"
	absent "l  $(T "Clone")"
	tui_keys f
	see_start "$(Tf "Force off %s? This is like pulling its power plug: whatever the guest has not written to its disks is lost." tmpl)"
	tui_keys Tab Enter
	see "$(Tf "State: %s" "$(T "shut off")")"
	see "l  $(Tt "Clone")"
	see "t  $(Tt "Template")"
	check_look "$term"

	# Clone: a name, the kind, then the offer to start it.
	tui_keys l
	see "$(Tf "Clone %s" tmpl)"
	see_start "$(Tf "A new guest with the disks of %s, a new UUID and new MACs." tmpl)"
	see "$(Tt "Name of the new guest:")"
	see "tmpl-clone"
	see "$(Tt "Full copy (sparse)")"
	see "$(Tt "Linked (qcow2 overlay)")"
	check_look "$term"
	# A name that is taken is refused before anything is made.
	for _ in 1 2 3 4 5 6; do tui_keys BSpace; done
	tui_keys F12
	see_start "$(Tf "A guest named %s already exists." tmpl)"
	tui_keys Enter
	see "$(T "Name of the new guest:")"
	tui_type "-copy1"
	tui_keys F12
	see_start "$(Tt "The guest is defined as a full copy.")" 15
	see "<$(Tt "Not now")>"
	# The answer under the cursor is "Not now".
	tui_keys Enter
	see "$(Tp "Guest %s" tmpl)"

	# Template: asked, made; Start is then refused with a sentence.
	tui_keys t
	see_start "$(Tf "Make %s a template? A template cannot be started; New guest makes guests from it (From template)." tmpl)"
	tui_keys Tab Enter
	see "$(Tt "The guest is now a template.")"
	tui_keys Enter
	tui_keys s
	see_start "$(Tf "The guest %s is a template and cannot be started; create a new guest from it, or turn it back into a guest first." tmpl)"
	check_look "$term"
	tui_keys Enter
	see "$(Tf "State: %s" "$(T "shut off")")"
	tui_keys Tab Enter
	see "$(Tt "Enter opens a guest.")"
	see "tmpl-copy1"

	# New guest: with a template there, the first question is how to make it.
	tui_keys Tab Tab Enter
	see "$(Tt "How should the new guest be made?")"
	see "$(Tt "Empty: every setting on the pages that follow")"
	check_look "$term"
	tui_keys Down Space F12
	see "$(Tt "New Guest: From Template")"
	see_start "$(Tt "The new guest is a copy of the template, with a new UUID and new MACs. Template:")"
	# The first template, cloudy, has cloud-init: the identity page, its address checked.
	tui_keys Tab
	tui_type "from-ci"
	tui_keys F12
	see "$(Tt "New Guest: Identity")" 20
	see_start "$(Tt "The template's image has cloud-init: a NoCloud seed (a small read-only disk labelled cidata) gives the new guest this host name and, when an address is given, that address; without one it keeps the template's DHCP.")"
	check_look "$term"
	tui_keys Tab
	tui_type "192.0.2.10"
	tui_keys F12
	see_start "$(Tf "\"%s\" is not an address with its prefix length, such as 192.0.2.10/24." 192.0.2.10)"
	tui_keys Enter
	tui_type "/24"
	tui_keys F12
	see_start "$(Tt "The guest is defined as a linked clone.")" 15
	see "<$(Tt "Not now")>"
	tui_keys Enter
	see "$(Tt "Enter opens a guest.")"
	see "from-ci"
	MTOOLS_SKIP_CHECK=1 mtype -i "$tmp/pool/from-ci-seed.img" ::meta-data | grep -qx "local-hostname: from-ci" ||
		fail "the seed does not name from-ci"
	MTOOLS_SKIP_CHECK=1 mtype -i "$tmp/pool/from-ci-seed.img" ::network-config | grep -qF '"192.0.2.10/24"' ||
		fail "the seed has no address"

	# The second template, tmpl, has no cloud-init: it says so, and that the new guest keeps
	# the template's identity.
	tui_keys Tab Tab Enter
	see "$(Tt "How should the new guest be made?")"
	tui_keys Down Space F12
	see "$(Tt "New Guest: From Template")"
	tui_keys Down Tab
	tui_type "from-tpl"
	tui_keys F12
	see_start "$(Tt "The template's image has no cloud-init.")" 20
	check_look "$term"
	tui_keys Tab Enter
	see_start "$(Tt "The guest is defined as a linked clone.")" 15
	see "<$(Tt "Not now")>"
	check_look "$term"
	tui_keys Tab Enter
	# The new guest starts: it is not a template.
	see "$(Tt "Enter opens a guest.")"
	see "from-tpl"
	[ -e "$tmp/pool/from-tpl-seed.img" ] && fail "a seed was made for a template without cloud-init"
	# The full copy has the template's data; the linked clone is an overlay over its disk.
	cmp -s "$tmp/pool/tmpl.qcow2" "$tmp/pool/tmpl-copy1.qcow2" || fail "the copy's data differ"
	qemu-img info -U "$tmp/pool/from-tpl.qcow2" | grep -q "backing file: $tmp/pool/tmpl.qcow2" ||
		fail "the linked clone is not an overlay over the template's disk"
	check_translated || fail "untranslated texts"
	tui_stop
}

run vt100 en
run vt100 it
run xterm-256color it
echo "40-console-clone: all checks passed"
