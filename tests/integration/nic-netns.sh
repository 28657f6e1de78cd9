#!/bin/bash
# Checks hcfg_nic_list() in a private network namespace whose veth NICs and decoy links are known.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${OSPITE_BUILD:-$repo/build/std}
bin=$build/tests/test-hcfg-nic
unit=$repo/tests/lib/run-unit.sh
ns=ospite-nic-$$
peer=ospite-nic-peer-$$

skip() {
	echo "$1"
	exit 77
}
fail() {
	echo "FAIL: $1" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || skip "network namespaces need root"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"

if [ ! -x "$bin" ]; then
	case $(cd "$build" 2>/dev/null && pwd) in
	"$repo/build/std") make -C "$repo" build/std/tests/test-hcfg-nic >&2 ;;
	"$repo/build/san") make -C "$repo" SANITIZE=1 build/san/tests/test-hcfg-nic >&2 ;;
	esac
	[ -x "$bin" ] || fail "$bin is missing; build it with make first"
fi

cleanup() {
	# Deleting a namespace destroys the links in it, and so both ends of every veth.
	ip netns del "$ns" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$ns" || fail "could not create namespace $ns"
ip netns add "$peer" || fail "could not create namespace $peer"

# NAME MAC STATE PEER-STATE: a veth end in $ns, its peer in $peer.
add_nic() {
	ip -n "$ns" link add "$1" address "$2" type veth peer name "p-$1" netns "$peer" ||
		fail "could not create veth $1"
	ip -n "$peer" link set "p-$1" "$4" || fail "could not set p-$1 $4"
	ip -n "$ns" link set "$1" "$3" || fail "could not set $1 $3"
}

add_nic eth0 02:00:5e:4e:00:01 up up     # up, carrier from its peer
add_nic eth1 02:00:5e:4e:00:02 down up   # administratively down
add_nic eth2 02:00:5e:4e:00:03 up down   # up, but the peer is down: no carrier
add_nic eth10 02:00:5e:4e:00:0a up up    # must sort after eth2

# Links that are Ethernet-typed but no NIC; each must be left out.
ip -n "$ns" link add br0 type bridge || fail "could not create bridge br0"
ip -n "$ns" link set eth2 master br0 || fail "could not add eth2 to br0"
ip -n "$ns" link set br0 up
ip -n "$ns" tuntap add dev tap0 mode tap || fail "could not create tap0"
ip -n "$ns" link add vif1.0 type veth peer name p-vif1.0 netns "$peer" ||
	fail "could not create vif1.0"
ip -n "$ns" link add mv0 link eth10 type macvlan mode bridge || echo "note: no macvlan decoy"
ip -n "$ns" link add ifb9 type ifb || echo "note: no ifb decoy"
ip -n "$ns" link add link eth0 name eth0.10 type vlan id 10 || echo "note: no vlan decoy"
# Loading these modules would create dummy0/bond0 in the host's own namespace too.
[ -d /sys/module/dummy ] && ip -n "$ns" link add dummy9 type dummy
[ -d /sys/module/bonding ] && ip -n "$ns" link add bond9 type bond
# Real veths whose names the kernel allows but ospite never writes into a file or command line.
ip -n "$ns" link add 'e;x' type veth peer name p-semi netns "$peer" || fail "could not create e;x"
ip -n "$ns" link add 'e$(id)' type veth peer name p-dollar netns "$peer" ||
	fail "could not create e\$(id)"
ip -n "$ns" link add 'eth*' type veth peer name p-star netns "$peer" || fail "could not create eth*"
ip -n "$ns" link set lo up

echo "links in $ns:"
ip -n "$ns" -br link

export OSPITE_TEST_EXPECT_NICS=eth0,eth1,eth2,eth10
export OSPITE_TEST_EXPECT_MACS=02:00:5e:4e:00:01,02:00:5e:4e:00:02,02:00:5e:4e:00:03,02:00:5e:4e:00:0a
export OSPITE_TEST_EXPECT_UP=1,0,1,1
export OSPITE_TEST_EXPECT_CARRIER=1,0,0,1
export OSPITE_TEST_EXPECT_DRIVERS=veth,veth,veth,veth
# veth reports 10000 Mb/s while up; the kernel gives no speed for a link that is down.
export OSPITE_TEST_EXPECT_SPEEDS=10000,0,10000,10000

# Unset so that the test reads the real database, as hcfg_nic_list() would on a host.
unset OSPITE_PCI_IDS
# run-unit.sh counts each test: one that skipped is no pass.
ip netns exec "$ns" "$unit" "$bin"
case $? in
0) echo "nic-netns: ok" ;;
77) skip "test-hcfg-nic skipped some of its tests in namespace $ns" ;;
*) fail "test-hcfg-nic failed in namespace $ns" ;;
esac
