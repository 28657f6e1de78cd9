#!/bin/bash
# The bridge editor (ospite net) in a network namespace whose veth NICs reach a peer namespace that answers ping: create and keep, change and let it revert, revert after the applying process is killed, a guest's tap put back, bad input refused, files restored at boot.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${OSPITE_BUILD:-$repo/build/std}
bin=$build/ospite
ns=ospite-net-$$
peer=ospite-netp-$$
tmp=$(mktemp -d /tmp/ospite-net.XXXXXX)
root=$tmp/root
export OSPITE_LOCK_DIR=$tmp/locks
export OSPITE_AUDIT_LOG=$tmp/audit.log
export LC_ALL=C.UTF-8
unset SSH_CONNECTION

skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "network namespaces need root"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
[ -x "$bin" ] || fail "$bin is missing; build it with make first"

cleanup() {
	# Whatever is still pending is reverted, so that no reverter outlives the test.
	[ -d "$root" ] && ip netns exec "$ns" "$bin" net revert --root "$root" >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

in_ns() { ip netns exec "$ns" "$@"; }
net() { in_ns "$bin" net "$@" --root "$root"; }

ip netns add "$ns" || fail "could not create namespace $ns"
ip netns add "$peer" || fail "could not create namespace $peer"
ip -n "$ns" link add eth0 address 02:00:5e:13:00:01 type veth peer name p0 netns "$peer"
ip -n "$ns" link add eth1 address 02:00:5e:13:00:02 type veth peer name p1 netns "$peer"
ip -n "$ns" link add eth2 address 02:00:5e:13:00:03 type veth peer name p2 netns "$peer"
for l in eth0 eth1 eth2 lo; do ip -n "$ns" link set "$l" up; done
for l in p0 p1 p2 lo; do ip -n "$peer" link set "$l" up; done
ip -n "$peer" addr add 192.0.2.1/24 dev p0
ip -n "$peer" addr add 198.51.100.1/24 dev p1

# The host as the installer leaves it: xenbr0 on eth0 with the management address, and live.
mkdir -p "$root/etc/network"
cat >"$root/etc/network/interfaces" <<'EOF'
# The network interfaces of this host, for ifupdown and bridge-utils; see interfaces(5).
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

iface eth0 inet manual

auto xenbr0
iface xenbr0 inet static
	address 192.0.2.10/24
	gateway 192.0.2.1
	bridge_ports eth0
	bridge_stp off
	bridge_fd 0
	bridge_maxwait 0
EOF
printf 'search example.org\nnameserver 192.0.2.53\n' >"$root/etc/resolv.conf"
ip -n "$ns" link add xenbr0 type bridge
ip -n "$ns" link set eth0 master xenbr0
ip -n "$ns" link set xenbr0 up
ip -n "$ns" addr add 192.0.2.10/24 dev xenbr0
ip -n "$ns" route add default via 192.0.2.1 dev xenbr0
# A running guest's card: a tap in xenbr0.
ip -n "$ns" tuntap add dev vnet0 mode tap
ip -n "$ns" link set vnet0 master xenbr0
ip -n "$ns" link set vnet0 up

ping_ok() { in_ns ping -c 1 -W 2 "$1" >/dev/null 2>&1; }
# The live state a test compares: links with master, state, MTU, STP; addresses; routes.
state() {
	{
		ip -n "$ns" -o link show | sed -E 's/^[0-9]+: //; s/@[^:]*:/:/; s/ qdisc [^ ]*//; s/ link\/ether.*//; s/ (qlen|group|mode) [^ ]*//g'
		for b in $(ip -n "$ns" -o link show type bridge | awk -F': ' '{print $2}'); do
			echo "$b stp $(in_ns cat /sys/class/net/$b/bridge/stp_state)"
		done
		ip -n "$ns" -o addr show | grep -v ' fe80::' | awk '{print $2, $3, $4}'
		ip -n "$ns" route show
		ip -n "$ns" -6 route show | grep -v '^fe80::\|^multicast\|proto kernel'
	} | sort
}
wait_reverted() {
	local limit=$1 i=0
	while [ -e "$root/var/lib/ospite/net/pending.json" ]; do
		[ "$i" -ge $((limit * 5)) ] && return 1
		sleep 0.2
		i=$((i + 1))
	done
	return 0
}
# A bridges file: the current ones edited by a Python expression over `b` (the list).
edit() {
	net show --json >"$tmp/show.json" || fail "net show --json failed"
	python3 - "$tmp/show.json" "$1" >"$tmp/want.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["bridges"]
def find(name):
    return next(x for x in b if x["name"] == name)
exec(sys.argv[2])
json.dump({"bridges": b}, sys.stdout, indent=1)
EOF
}

ping_ok 192.0.2.1 || fail "the peer does not answer on xenbr0 before any change"
net show | grep -q "vnet0" || fail "net show does not list the guest's tap"
net show | grep -q "Network cards in no bridge:" || fail "net show does not list free NICs"

echo "== create a bridge and keep it"
cp "$root/etc/network/interfaces" "$tmp/ifaces.0"
edit 'b.append({"name": "br1", "ports": ["eth1"], "addressing": "static", "addresses": ["198.51.100.10/24", "2001:db8:1::10/64"], "stp": False, "forward_delay": 0, "mtu": 1400})'
net apply "$tmp/want.json" --confirm-timeout 20 >"$tmp/out" || { cat "$tmp/out"; fail "net apply br1"; }
grep -q '^+auto br1' "$tmp/out" || fail "the preview does not show the new stanza"
[ -e "$root/var/lib/ospite/net/pending.json" ] || fail "no snapshot while the change is pending"
[ "$(ip -n "$ns" -o link show eth1 | grep -o 'master [^ ]*')" = "master br1" ] || fail "eth1 is not in br1"
ip -n "$ns" -o addr show dev br1 | grep -q '198.51.100.10/24' || fail "br1 has no address"
ip -n "$ns" -o link show br1 | grep -q 'mtu 1400' || fail "br1 has not MTU 1400"
ping_ok 198.51.100.1 || fail "the peer does not answer through br1"
net confirm >/dev/null || fail "net confirm"
[ -e "$root/var/lib/ospite/net/pending.json" ] && fail "the snapshot is still there after confirm"
grep -q '^iface br1 inet static' "$root/etc/network/interfaces" || fail "no br1 stanza in the file"
grep -q '^	bridge_ports eth1' "$root/etc/network/interfaces" || fail "no bridge_ports eth1"
grep -q '^iface br1 inet6 static' "$root/etc/network/interfaces" || fail "no IPv6 stanza for br1"
# The file up to the new bridge is byte for byte what it was.
head -c "$(stat -c %s "$tmp/ifaces.0")" "$root/etc/network/interfaces" | cmp -s - "$tmp/ifaces.0" ||
	fail "the lines before the new bridge changed"
sleep 1
ip -n "$ns" -o addr show dev br1 | grep -q '198.51.100.10/24' || fail "br1 was reverted after confirm"
# Read back: the same bridge, and nothing left to change.
net show --json >"$tmp/again.json"
python3 - "$tmp/want.json" "$tmp/again.json" <<'EOF' || fail "br1 read back differs from what was applied"
import json, sys
keys = ("name", "ports", "addressing", "addresses", "gateway", "gateway6", "stp", "forward_delay", "mtu")
w = {b["name"]: {k: b.get(k) for k in keys} for b in json.load(open(sys.argv[1]))["bridges"]}
g = {b["name"]: {k: b.get(k) for k in keys} for b in json.load(open(sys.argv[2]))["bridges"]}
for b in w.values():
    b["gateway"] = b["gateway"] or ""
    b["gateway6"] = b["gateway6"] or ""
assert w["br1"] == g["br1"], (w["br1"], g["br1"])
live = next(b for b in json.load(open(sys.argv[2]))["bridges"] if b["name"] == "br1")["live"]
assert live["state"] == "up" and "198.51.100.10/24" in live["addresses"], live
EOF
net apply "$tmp/again.json" | grep -q "Nothing to change" || fail "applying what was read back changes something"
grep -q "net apply .*br1" "$OSPITE_AUDIT_LOG" || fail "no apply in the audit log"
grep -q "net keep" "$OSPITE_AUDIT_LOG" || fail "no keep in the audit log"

echo "== change an address, do not confirm"
cp "$root/etc/network/interfaces" "$tmp/ifaces.1"
cp "$root/etc/resolv.conf" "$tmp/resolv.1"
state >"$tmp/state.1"
edit 'x = find("xenbr0"); x["addresses"] = ["192.0.2.20/24"]; x["dns"] = ["192.0.2.54"]'
net apply "$tmp/want.json" --confirm-timeout 10 >"$tmp/out" || { cat "$tmp/out"; fail "net apply address"; }
grep -q '^-	address 192.0.2.10/24' "$tmp/out" || fail "the preview does not show the old address going"
grep -q '^+nameserver 192.0.2.54' "$tmp/out" || fail "the preview does not show resolv.conf"
ip -n "$ns" -o addr show dev xenbr0 | grep -q '192.0.2.20/24' || fail "the new address is not live"
ip -n "$ns" route | grep -q 'default via 192.0.2.1 dev xenbr0' || fail "the default route went with the old address"
ping_ok 192.0.2.1 || fail "no ping with the new address"
wait_reverted 15 || fail "not reverted within the timeout + 5 s"
cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "interfaces is not byte-identical after the revert"
cmp -s "$root/etc/resolv.conf" "$tmp/resolv.1" || fail "resolv.conf is not byte-identical after the revert"
state >"$tmp/state.2"
diff "$tmp/state.1" "$tmp/state.2" || fail "the live state differs from the snapshot after the revert"
grep -q "net revert .*not kept" "$OSPITE_AUDIT_LOG" || fail "no automatic revert in the audit log"

echo "== the same, with the applying process killed with SIGKILL"
edit 'x = find("br1"); x["addresses"] = ["198.51.100.30/24"]'
net apply "$tmp/want.json" --confirm-timeout 10 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -e "$root/var/lib/ospite/net/pending.json" ] && break; sleep 0.05; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -e "$root/var/lib/ospite/net/pending.json" ] || fail "no pending change after the kill"
wait_reverted 15 || fail "not reverted within the timeout + 5 s after SIGKILL"
cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "interfaces not restored after SIGKILL"
state >"$tmp/state.3"
diff "$tmp/state.1" "$tmp/state.3" || fail "the live state differs after SIGKILL and revert"

echo "== delete the bridge a guest's tap is in, revert: the tap is back"
edit 'b[:] = [x for x in b if x["name"] != "xenbr0"]'
net apply "$tmp/want.json" --confirm-timeout 60 >"$tmp/out" || { cat "$tmp/out"; fail "net apply delete"; }
ip -n "$ns" link show xenbr0 >/dev/null 2>&1 && fail "xenbr0 still exists"
grep -q 'xenbr0' "$root/etc/network/interfaces" && fail "xenbr0 is still in the file"
net revert >/dev/null || fail "net revert"
[ "$(ip -n "$ns" -o link show vnet0 | grep -o 'master [^ ]*')" = "master xenbr0" ] || fail "vnet0 is not back in xenbr0"
[ "$(ip -n "$ns" -o link show eth0 | grep -o 'master [^ ]*')" = "master xenbr0" ] || fail "eth0 is not back in xenbr0"
state >"$tmp/state.4"
diff "$tmp/state.1" "$tmp/state.4" || fail "the live state differs after reverting the deletion"
cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "interfaces not restored after the deletion"
ping_ok 192.0.2.1 || fail "no ping after reverting the deletion"

echo "== bad input is refused, naming the problem"
bad() {
	local expr=$1 msg=$2
	edit "$expr"
	if net apply "$tmp/want.json" >"$tmp/out" 2>"$tmp/err"; then
		cat "$tmp/out"
		fail "accepted: $expr"
	fi
	grep -qF -- "$msg" "$tmp/err" || { cat "$tmp/err"; fail "no message \"$msg\" for: $expr"; }
	[ -e "$root/var/lib/ospite/net/pending.json" ] && fail "a refused change left a snapshot"
	cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "a refused change wrote the file"
}
bad 'find("xenbr0")["addresses"] = ["192.0.2.300/24"]' '"192.0.2.300/24" is not an address with a prefix length'
bad 'find("xenbr0")["addresses"] = ["192.0.2.10"]' '"192.0.2.10" is not an address with a prefix length'
bad 'find("xenbr0")["gateway"] = "203.0.113.1"' 'The gateway 203.0.113.1 is outside every subnet of xenbr0.'
bad 'b.append({"name": "br-far-too-long0", "ports": []})' 'The bridge name "br-far-too-long0" is longer than 15 characters.'
bad 'b.append({"name": "eth2", "ports": []})' 'The name eth2 is already used by another network interface.'
bad 'b.append({"name": "br2", "ports": ["eth0"]})' 'eth0 is already a port of bridge xenbr0.'
bad 'b.append({"name": "br2", "ports": ["eth9"]})' 'There is no network interface eth9.'
bad 'b.append({"name": "br2", "ports": ["eth9.20"]})' 'eth9.20 cannot be made: there is no network card eth9.'
bad 'find("br1")["gateway"] = "198.51.100.1"' 'Bridges xenbr0 and br1 both have an IPv4 gateway'
# The last port of the bridge the operator is connected through: a warning, and it goes on.
edit 'find("xenbr0")["ports"] = []'
SSH_CONNECTION="192.0.2.99 50000 192.0.2.10 22" net apply "$tmp/want.json" --confirm-timeout 10 \
	>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "the warning stopped the change"; }
grep -q "warning: xenbr0 carries the address this console is reached through" "$tmp/err" ||
	{ cat "$tmp/err"; fail "no warning for the last port of the console's bridge"; }
net revert >/dev/null || fail "net revert after the warning"

echo "== a VLAN sub-interface as a port"
edit 'find("br1")["ports"] = ["eth1", "eth2.20"]'
if ip -n "$ns" link add link eth2 name probe.9 type vlan id 9 2>/dev/null; then
	ip -n "$ns" link del probe.9
	net apply "$tmp/want.json" --confirm-timeout 30 >/dev/null || fail "net apply VLAN port"
	ip -n "$ns" -d link show eth2.20 | grep -q 'vlan protocol 802.1Q id 20' || fail "eth2.20 is not a VLAN"
	[ "$(ip -n "$ns" -o link show eth2.20 | grep -o 'master [^ ]*')" = "master br1" ] || fail "eth2.20 is not in br1"
	grep -q 'vlan-raw-device eth2' "$root/etc/network/interfaces" || fail "no VLAN stanza"
	net show | grep -q "eth2.20.*VLAN 20 of eth2" || fail "net show does not list the VLAN"
	net revert >/dev/null || fail "net revert VLAN"
	ip -n "$ns" link show eth2.20 >/dev/null 2>&1 && fail "the VLAN made by the change is still there"
else
	# This kernel has no 802.1Q: the change fails half-way and must leave nothing behind.
	echo "note: no VLAN support in this kernel; checking that the failed change is undone"
	net apply "$tmp/want.json" --confirm-timeout 30 >/dev/null 2>"$tmp/err" && fail "a VLAN was made without 802.1Q"
	grep -q "Could not create eth2.20" "$tmp/err" || { cat "$tmp/err"; fail "no message for the VLAN"; }
	[ -e "$root/var/lib/ospite/net/pending.json" ] && fail "a failed change left its snapshot"
	cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "a failed change left the file changed"
fi
state >"$tmp/state.5"
diff "$tmp/state.1" "$tmp/state.5" || fail "the live state differs after the VLAN change"

echo "== a reboot during the countdown: the files come back before the network starts"
edit 'find("xenbr0")["addresses"] = ["192.0.2.30/24"]'
net apply "$tmp/want.json" --confirm-timeout 120 >/dev/null || fail "net apply before the reboot"
# A reboot ends every process, the reverter too.
rpid=$(pgrep -f -- "net revert --root $root --at") || fail "no reverter process"
kill "$rpid"
net revert --boot >/dev/null || fail "net revert --boot"
cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "the files were not restored at boot"
[ -e "$root/var/lib/ospite/net/pending.json" ] && fail "the snapshot is still there after the boot revert"
net revert --boot >/dev/null || fail "net revert --boot with nothing pending must succeed"
grep -q "at boot" "$OSPITE_AUDIT_LOG" || fail "no boot revert in the audit log"
echo "net-netns: ok"
