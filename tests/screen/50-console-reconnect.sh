#!/bin/bash
# A private libvirtd: import-xl refuses a missing bridge and too much memory; under a running console, a guest that ignores the shutdown request gets Force off after shutdown_timeout, and the daemon killed and restarted is shown at once, blocks the actions with the reason, and the list comes back by itself; another host that answers but cannot list its guests is shown lost, with the list's error.
set -u
. "$(dirname "$0")/../lib/console.sh"
for t in libvirtd virsh qemu-system-x86_64; do
	command -v "$t" >/dev/null || { echo "missing $t: make deps-test"; exit 77; }
done
. "$top/tests/lib/twohosts.sh"
cleanup() {
	set +e
	tui_stop
	th_down
	console_cleanup
}
trap cleanup EXIT

# One private daemon ("a" of twohosts.sh: its own /etc, /run, /var/lib of libvirt, its own socket).
th_ns_a=ospmig-a-$$
ip netns add "$th_ns_a" || { echo "cannot make a network namespace"; exit 77; }
ip -n "$th_ns_a" link set lo up
# The daemon listens on host a's address of twohosts.sh; here it sits on loopback.
ip -n "$th_ns_a" addr add 192.0.2.1/24 dev lo
th_conf a
th_launch a
uri="qemu:///system?socket=$tmp/a/sock/libvirt-sock"
th_wait "$uri" || fail "the private libvirtd does not answer: $(tail -n 5 "$tmp/a/log/stdout" 2>&1)"

# A guest with nothing to boot: it sits in the firmware, which ignores the ACPI power button.
guest=deaf$$
cat >"$tmp/$guest.xml" <<XML
<domain type='qemu'>
  <name>$guest</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices><graphics type='vnc' port='-1' listen='127.0.0.1'/></devices>
</domain>
XML
virsh -q -c "$uri" define "$tmp/$guest.xml" >/dev/null || fail "cannot define $guest"
printf 'shutdown_timeout=3\n' >"$tmp/console.conf"

# import-xl here (the namespace's /sys/class/net is this host's network): a card on a bridge
# the host lacks is refused, and so is more memory than the host has beside its running guests.
imp() { ip netns exec "$th_ns_a" env LANGUAGE=en "$B/ospite" --connect "$uri" import-xl "$@" 2>&1; }
cat >"$tmp/imp.cfg" <<CFG
name = "imp$$"
builder = "hvm"
memory = 64
vif = [ 'bridge=brimp$$' ]
CFG
out=$(imp "$tmp/imp.cfg") && fail "import-xl took a card on a missing bridge: $out"
echo "$out" | grep -q "Network card 1 is on the bridge brimp$$, which this host does not have" ||
	fail "the refusal does not name the bridge: $out"
virsh -c "$uri" dominfo "imp$$" >/dev/null 2>&1 && fail "the refused guest was defined"
ip -n "$th_ns_a" link add "brimp$$" type bridge || fail "cannot make a bridge"
host_mib=$(virsh -c "$uri" nodeinfo | awk '/Memory size/ { print int($3 / 1024) }')
sed "s/^memory = 64/memory = $((host_mib + 64))/" "$tmp/imp.cfg" >"$tmp/big.cfg"
out=$(imp "$tmp/big.cfg") && fail "import-xl took more memory than the host has: $out"
echo "$out" | grep -q "imp$$ needs .* of memory, but the running guests already use" ||
	fail "the memory refusal does not say why: $out"
out=$(imp "$tmp/imp.cfg") || fail "import-xl of a guest that fits: $out"
echo "$out" | grep -q "The guest imp$$ is defined." || fail "no definition reported: $out"
virsh -q -c "$uri" undefine "imp$$" >/dev/null || fail "cannot undefine imp$$"

run() {
	term=$1 lang=$2
	virsh -q -c "$uri" start "$guest" >/dev/null || fail "cannot start $guest"
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite --connect '$uri' \
		--lang $lang --idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")" 30
	check_look "$term"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	see "$guest"

	# Shut down asks, then counts the seconds; after 3 s of nothing, Force off is offered.
	tui_keys Enter
	see "$(Tf "State: %s" "$(T running)")"
	tui_keys h
	see_start "$(Tf "Shut down %s? The guest is asked to close its programs and turn off, as when its power button is pressed." "$guest")"
	tui_keys Tab Enter
	see "$(Tf "Shutting down %s... %u s" "$guest" 1)" 10
	see "$(Tf "Shutting down %s... %u s" "$guest" 2)" 10
	see_start "$(Tf "%s has not shut down in %u s: it may be ignoring the request. Force off cuts its power." "$guest" 3)" 15
	virsh -c "$uri" domstate "$guest" | grep -q running || fail "the guest is not running any more"
	tui_keys Tab Enter
	see_start "$(Tf "Force off %s? This is like pulling its power plug: whatever the guest has not written to its disks is lost." "$guest")"
	tui_keys Tab Enter
	see "$(Tf "State: %s" "$(T "shut off")")" 15
	virsh -c "$uri" domstate "$guest" | grep -q "shut off" || fail "Force off left the guest running"
	tui_keys Tab Enter
	see "$(T "Enter opens a guest.")"

	# The daemon dies under the console: said at once, the list empties, New guest says why.
	local pid
	pid=$(th_daemon_pid a)
	kill "$pid"
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	see "$(Tt "Hypervisor lost at %s: reconnecting by itself..." | cut -d% -f1)" 5
	absent "$guest"
	tui_keys Tab Tab Enter
	see_start "$(Tt "Not connected to the hypervisor: %s" | cut -d% -f1)$(Tt "the connection was lost at %s (was the libvirt daemon restarted?); reconnecting by itself." | cut -d% -f1)" 5
	tui_keys Enter
	gone "$(T "the connection was lost at %s (was the libvirt daemon restarted?); reconnecting by itself." | cut -d% -f1 | cut -c1-20)"
	# Restarted: the console finds it again by itself, and the list is back.
	th_launch a
	th_wait "$uri" || fail "the private libvirtd did not restart"
	see "$guest" 40
	see "$(T "Enter opens a guest.")"
	absent "$(T "Hypervisor lost at %s: reconnecting by itself..." | cut -d% -f1)"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

# unlisted TERM LANG: the daemon's storage driver answers a connection but lists no guests, as a
# host whose list call fails: it is lost, with the list's error, not "connected" with an old list.
unlisted() {
	term=$1 lang=$2
	printf '[hosts]\nnolist = storage+unix:///system?socket=%s\n' "$tmp/a/sock/libvirt-sock" \
		>"$tmp/hosts.conf"
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR $B/ospite --connect '$uri' \
		--lang $lang --idle-timeout 0 --config $tmp/hosts.conf"
	see "$(Tt "Host Status")" 30
	login "$user" "$password"
	local lost
	lost="$(Tt "Lost: ")$(Tf "%s since %s" nolist XX | sed 's/XX$//')"
	see "$lost" 15
	# The all-hosts view says it too, and has no row of that host.
	tui_keys a
	see "$guest"
	see "$lost"
	# Hosts (on the Host screen after Back, Network and Storage): lost, and why under the list.
	tui_keys Tab Tab Tab Enter
	see "$(Tt "Host Status")"
	tui_keys Tab Tab Tab Enter
	see "$(T "Hypervisor")"
	see "$(Tt "lost since %s" | sed 's/ *%s//')" 10
	absent "$(T "connected")"
	tui_keys Down
	see "$(Tt "Could not list the guests: %s." | cut -d% -f1)" 10
	see "this function is not supported" 5
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok unlisted $term $lang"
}

run vt100 en
run xterm-256color it
unlisted vt100 it
unlisted xterm-256color en
