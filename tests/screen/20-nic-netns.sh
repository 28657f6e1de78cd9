#!/bin/bash
# The Networking Device screen inside a network namespace with two veth NICs: the question appears and the bridges follow the choice.
set -u
. "$(dirname "$0")/../lib/installer.sh"
need_root "for namespaces and loop devices"

ns=ospite-nic-$$
peer=ospite-peer-$$
tmp=$(mktemp -d)
cleanup() {
	tui_stop
	detach_image "$tmp/disk.img"
	ip netns del "$ns" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tui_screen; exit 1; }
see() { tui_wait "$1" 10 || fail "expected on screen: $1"; }

ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link add eth0 address 52:54:00:0e:00:01 type veth peer name p0 netns "$peer"
ip -n "$ns" link add eth1 address 52:54:00:0e:00:02 type veth peer name p1 netns "$peer"
ip -n "$ns" link set eth0 up
ip -n "$peer" link set p0 up

tui_start vt100 "ip netns exec $ns env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite-install \
	--image $tmp/disk.img --image-size 8G --log $tmp/log --workdir $tmp/work"
see "Language / Lingua"
tui_keys Enter
see "Keyboard and Time Zone"
tui_keys F12
see "Networking Device"
see "You have multiple network devices on this system."
see "eth0   52:54:00:0e:00:01 link up"
see "eth1   52:54:00:0e:00:02 no link"
see "Virtual Ethernet (veth)"
tui_keys Down Enter                      # install through eth1
see "Configure eth1"
tui_keys F12
see "Installation Source"
tui_keys F12
see "Hypervisor and Bridges"
see "Bridge on eth0:"
tui_screen | grep -q "Bridge on eth0: *xenbr0" || fail "no xenbr0 on eth0"
tui_screen | grep -q "Bridge on eth1: *xenbr1" || fail "no xenbr1 on eth1"
# KVM renames the default bridges.
tui_keys Tab Space F12
see "br1_"
tui_screen | grep -q "Bridge on eth0: *br0_" || fail "KVM did not rename xenbr0 to br0"
tui_keys Space F12                       # back to Xen
see "xenbr1"
tui_keys F12
see "Choose the disk"
tui_keys Enter
see "Partitioning"
tui_keys F12
see "Root Password"
tui_type "abcdef1"; tui_keys Tab; tui_type "abcdef1"; tui_keys F12
see "Summary"
see "address from DHCP on xenbr1"
echo "PASS: two NICs asked for, the management address follows eth1 onto xenbr1"
