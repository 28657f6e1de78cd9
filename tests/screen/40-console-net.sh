#!/bin/bash
# The Network screen in a network namespace: changes refused to a member of the group ospite alone (only root and ospite-admin change the host's network); a new bridge previewed, applied and kept; bad input named; a change left alone reverts by itself, also when the console is killed; two consoles see each other's edit locks on a guest and on a bridge.
set -u
. "$(dirname "$0")/../lib/console.sh"
ns=ospite-cnet-$$
peer=ospite-cnetp-$$
root=$tmp/root
cleanup() {
	[ -d "$root" ] && ip netns exec "$ns" "$B/ospite" net revert --root "$root" >/dev/null 2>&1
	tmx kill-session -t u 2>/dev/null
	console_cleanup
	ip netns del "$ns" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
}
trap cleanup EXIT
admin=ospad$$
add_group ospite-admin
add_user "$admin" "$password" ospite,ospite-admin

ip netns add "$ns" || { echo "cannot make a network namespace"; exit 77; }
ip netns add "$peer"
ip -n "$ns" link add eth0 address 02:00:5e:13:00:01 type veth peer name p0 netns "$peer"
ip -n "$ns" link add eth1 address 02:00:5e:13:00:02 type veth peer name p1 netns "$peer"
for l in eth0 eth1 lo; do ip -n "$ns" link set "$l" up; done
for l in p0 p1; do ip -n "$peer" link set "$l" up; done
ip -n "$ns" link add xenbr0 type bridge
ip -n "$ns" link set eth0 master xenbr0
ip -n "$ns" link set xenbr0 up
ip -n "$ns" addr add 192.0.2.10/24 dev xenbr0
ip -n "$ns" route add default via 192.0.2.1 dev xenbr0
ip -n "$ns" tuntap add dev vnet0 mode tap
ip -n "$ns" link set vnet0 master xenbr0

reset_root() {
	rm -rf "$root"
	mkdir -p "$root/etc/network"
	printf '%s\n' '# The network interfaces of this host.' 'auto lo' 'iface lo inet loopback' '' \
		'iface eth0 inet manual' '' 'auto xenbr0' 'iface xenbr0 inet static' \
		'	address 192.0.2.10/24' '	gateway 192.0.2.1' '	bridge_ports eth0' \
		'	bridge_stp off' '	bridge_fd 0' '	bridge_maxwait 0' >"$root/etc/network/interfaces"
	cp "$root/etc/network/interfaces" "$tmp/ifaces.0"
}
pending() { [ -e "$root/var/lib/ospite/net/pending.json" ]; }
wait_unpending() {
	local i=0
	while pending; do
		[ "$i" -ge $(($1 * 5)) ] && return 1
		sleep 0.2
		i=$((i + 1))
	done
}
ospite_cmd() {
	echo "ip netns exec $ns env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_NET_ROOT=$root \
		OSPITE_LOCK_DIR=$tmp/locks OSPITE_AUDIT_LOG=$tmp/audit.log $B/ospite \
		--connect test:///default --lang $lang --idle-timeout 0 --config $tmp/console-$1.conf"
}

# From the guest list to the Network screen: Host (the third button), then Network.
to_network() {
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Tab Tab Tab Enter
	see "$(Tt "Host Status")"
	tui_keys Tab Enter
	see "$(Tt "Enter edits the bridge under the cursor.")"
}

# The New Bridge dialog: name, ports, static (the third radio button), addresses, revert time.
new_bridge() {
	tui_keys Tab Tab Enter
	see "$(Tt "New Bridge")"
	tui_type "$1"; tui_keys Tab
	tui_type "$2"; tui_keys Tab Tab Tab Space Tab
	tui_type "$3"; tui_keys Tab Tab Tab Tab Tab
	clear_type "$4"
	tui_keys F12
}

# Another test on this machine may have removed and made again the groups meanwhile.
member() {
	getent group ospite >/dev/null || groupadd ospite
	add_group ospite-admin
	id -nG "$user" | grep -qw ospite || usermod -aG ospite "$user"
	id -nG "$admin" | grep -qw ospite || usermod -aG ospite "$admin"
	id -nG "$admin" | grep -qw ospite-admin || usermod -aG ospite-admin "$admin"
}

# Replace the text of the entry under the cursor.
clear_type() {
	tui_keys End
	for _ in $(seq 1 24); do tui_keys BSpace; done
	tui_type "$1"
}

run() {
	term=$1 lang=$2
	reset_root
	console_start "$term" "$(ospite_cmd a)"
	see "$(Tt "Host Status")"
	check_look "$term"
	member
	# A member of the group ospite alone may look, not change: Enter on a bridge and New are
	# refused with the reason, and audited; nothing is planned or applied.
	login "$user" "$password"
	to_network
	see "xenbr0"
	local refusal
	refusal=$(Tf "Only root and the members of the group %s change the host's network: its bridges carry every guest's traffic. You may look at them, and manage the guests." ospite-admin)
	tui_keys Enter
	see_start "$refusal"
	absent "$(Tp "Bridge %s" xenbr0)"
	tui_keys Enter
	gone "${refusal:0:30}"
	tui_keys Tab Tab Enter
	see_start "$refusal"
	absent "$(T "Ports:")"
	tui_keys Enter
	gone "${refusal:0:30}"
	pending && fail "a refused member planned a change"
	grep -q " $user .*net change refused: not root nor in ospite-admin" "$tmp/audit.log" ||
		fail "the refusal is not in the audit log"
	# An administrator: a member of ospite-admin.
	console_start "$term" "$(ospite_cmd a)"
	see "$(Tt "Host Status")"
	login "$admin" "$password"
	to_network
	see "xenbr0"
	see "vnet0"
	see "$(Tt "Network cards in no bridge:")"
	see "$(Tn "%zu bridge in the configuration" "%zu bridges in the configuration" 1)"

	# Bad input: every problem named, nothing applied; the dialog comes back with what was typed.
	new_bridge "br-far-too-long0" "eth0 eth9" "198.51.100.300/24" 60
	see_start "$(Tf 'The bridge name "%s" is longer than 15 characters.' br-far-too-long0)"
	tui_keys Enter
	see "$(T "New Bridge")"
	clear_type "br1"
	tui_keys F12
	see_start "$(Tf "%s is already a port of bridge %s." eth0 xenbr0)"
	see "$(Tf "There is no network interface %s." eth9)"
	see "$(Tf '"%s" is not an address with a prefix length, such as 192.0.2.10/24 or 2001:db8::10/64.' 198.51.100.300/24 | cut -c1-30)"
	tui_keys Enter
	pending && fail "a refused change was applied"

	# Fixed: the preview shows the new lines and who loses the network; Apply; Keep.
	see "$(T "New Bridge")"
	tui_keys Tab
	clear_type "eth1"
	tui_keys Tab Tab Tab Tab
	clear_type "198.51.100.10/24"
	tui_keys F12
	see "$(Tt "These lines of the network configuration change:")"
	see "+auto br1"
	see "+    address 198.51.100.10/24"
	see "$(Tt "No guest loses its network.")"
	see "$(Tt "You are on a local console: your connection does not use the network.")"
	tui_keys Tab Enter
	see "$(Tt "Keep These Settings?")"
	see "$(Tf "Keep these settings? Reverting in %ld s" 5 | sed 's/5 s$//')"
	pending || fail "no snapshot during the countdown"
	ip -n "$ns" -o addr show dev br1 | grep -q 198.51.100.10/24 || fail "br1 is not live"
	tui_keys Enter
	see_start "$(Tt "The new settings are kept.")"
	pending && fail "the snapshot is still there after Keep"
	tui_keys Enter
	see "$(Tn "%zu bridge in the configuration" "%zu bridges in the configuration" 2)"
	see "br1"
	grep -q "net keep" "$tmp/audit.log" || fail "Keep is not in the audit log"
	cp "$root/etc/network/interfaces" "$tmp/ifaces.1"

	# A change nobody keeps: reverted when the countdown ends.
	new_bridge "br2" "" "203.0.113.10/24" 10
	see "+auto br2"
	tui_keys Tab Enter
	see "$(Tt "Keep These Settings?")"
	see_start "$(Tt "The previous settings are back: the change was not kept in time.")" 25
	cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "the file was not restored by the countdown"
	ip -n "$ns" link show br2 >/dev/null 2>&1 && fail "br2 is still there after the revert"
	tui_keys Enter

	# The console killed with SIGKILL during the countdown: the change is reverted all the same.
	new_bridge "br3" "" "203.0.113.20/24" 10
	see "+auto br3"
	tui_keys Tab Enter
	see "$(Tt "Keep These Settings?")"
	pid=$(pgrep -f -- "--config $tmp/console-a.conf" | head -n 1)
	[ -n "$pid" ] || fail "no console process"
	kill -9 "$pid"
	wait_unpending 20 || fail "not reverted after the console was killed"
	cmp -s "$root/etc/network/interfaces" "$tmp/ifaces.1" || fail "the file was not restored after SIGKILL"
	ip -n "$ns" link show br3 >/dev/null 2>&1 && fail "br3 is still there after SIGKILL and revert"
	tui_stop
	# Put the namespace back as the next run expects it.
	ip netns exec "$ns" "$B/ospite" net show --json --root "$root" >/dev/null || fail "net show after the run"
	ip -n "$ns" link del br1 2>/dev/null
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

# Two consoles: the second sees who edits the guest and the bridge, and may only look.
sess_u() { tmx new-session -d -x 80 -y 24 -s u "env TERM=vt100 $* ; sleep 3600"; }
screen_u() { tmx capture-pane -p -t u; }
see_u() {
	local i=0
	while ! screen_u | grep -qF -- "$1"; do
		[ "$i" -ge 75 ] && { echo "second console:"; screen_u; fail "second console: expected $1"; }
		sleep 0.2
		i=$((i + 1))
	done
}
locks() {
	term=vt100 lang=en
	reset_root
	console_start vt100 "$(ospite_cmd a)"
	member
	login "$admin" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	sess_u "$(ospite_cmd b)"
	see_u "Log in to manage the guests."
	tmx send-keys -t u Enter
	see_u "User:"
	tmx send-keys -t u -l "$admin"
	tmx send-keys -t u Tab
	tmx send-keys -t u -l "$password"
	tmx send-keys -t u F12
	see_u "Enter opens a guest."
	# The first console opens the guest: the second sees who has it, and no actions.
	tui_keys Enter
	see "$(Tp "Guest %s" test)"
	see "p  Pause"
	tmx send-keys -t u Enter
	see_u "test is being edited by $admin on"
	screen_u | grep -q "p  Pause" && fail "the second console offers actions on a locked guest"
	# The first leaves: the second takes it when it opens the guest again.
	tui_keys Tab Enter
	see "Enter opens a guest."
	tmx send-keys -t u Tab Enter
	see_u "Enter opens a guest."
	tmx send-keys -t u Enter
	see_u "p  Pause"
	tmx send-keys -t u Tab Enter
	see_u "Enter opens a guest."
	# A bridge: the first console edits xenbr0, the second is told by whom.
	to_network
	tui_keys Enter
	see "$(Tp "Bridge %s" xenbr0)"
	tmx send-keys -t u Tab Tab Tab Enter
	see_u "Host Status"
	tmx send-keys -t u Tab Enter
	see_u "xenbr0 is being edited by $admin on"
	tmx send-keys -t u Enter
	see_u "xenbr0 is being edited by $admin on"
	# The first console goes away altogether: its lock goes with the process.
	tmx kill-session -t t
	tmx send-keys -t u Enter
	see_u "Enter edits the bridge under the cursor."
	tmx send-keys -t u Enter
	see_u "Bridge xenbr0"
	tmx kill-session -t u
	echo "ok locks"
}

run vt100 en
run vt100 it
locks
