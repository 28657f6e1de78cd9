#!/bin/bash
# The guest list with long names shortened around an ellipsis and still told apart, paused guests counted apart, "/" finding guests by name until Esc, and a guest's addresses in the list and on its screen.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT

# libvirt's test driver reads its guests from a file: two long names alike but in the middle, one paused.
cat >"$tmp/node.xml" <<'XML'
<node>
  <network>
    <name>default</name><bridge name='virbr0'/>
    <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
  </network>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>customer-alpha-frontend-production-01</name>
    <memory>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>customer-bravo-frontend-production-01</name>
    <memory>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os>
    <test:runstate>3</test:runstate>
  </domain>
  <domain type='test'>
    <name>db1</name>
    <memory>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os>
    <devices><interface type='network'><mac address='52:54:00:aa:00:01'/><source network='default'/></interface></devices>
  </domain>
</node>
XML

run() {
	term=$1 lang=$2
	local ell="…"
	[ "$term" = vt100 ] && ell=".."
	rm -f "$tmp/audit.log"
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_AUDIT_LOG=$tmp/audit.log \
		$B/ospite --connect test://$tmp/node.xml \
		--lang $lang --idle-timeout 0 --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	# Paused apart from running.
	see "$(Tn "%zu guest, %u running, %u paused" "%zu guests, %u running, %u paused" 3 2 1)"
	# 22 columns: the start, the ellipsis, the end; the two customers still differ.
	local rows
	rows=$(tui_screen | grep -F "customer-" | grep -F "$ell")
	[ "$(echo "$rows" | wc -l)" = 2 ] || fail "the two long names are not both shortened: $rows"
	[ "$(echo "$rows" | awk '{print $2}' | sort -u | wc -l)" = 2 ] || fail "the shortened names look alike: $rows"
	absent "customer-alpha-frontend-production-01"
	check_look "$term"

	# "/" then text: only db1; Esc: all three again.
	tui_keys /
	see "$(Tt "Name holds:")"
	tui_type "DB"
	tui_keys F12
	see "$(Tf "Names holding \"%s\": %zu of %zu. / changes it, Esc shows all." DB 1 3)"
	see "db1"
	absent "customer-"
	# The test driver's network gives db1's card an address (the same to virsh on the same file):
	# under the list, and on its screen.
	local ip
	ip=$(virsh -c "test://$tmp/node.xml" domifaddr db1 --source lease | awk '/ipv4/ {sub("/.*", "", $4); print $4}')
	[ -n "$ip" ] || fail "virsh gives db1 no address"
	see "$(Tp "%s: %s" db1 "$ip")"
	# Enter opens the guest found.
	tui_keys Enter
	see "$(Tp "Guest %s" db1)"
	see "$(Tf "Addresses: %s" "$ip")"
	# What an operator does to a guest is audited, under the action's English name.
	tui_keys p
	see "$(Tf "State: %s" "$(T paused)")"
	tui_keys u
	see "$(Tf "State: %s" "$(T running)")"
	grep -q " $user .*guest db1: Pause$" "$tmp/audit.log" || fail "the pause is not in the audit log"
	grep -q " $user .*guest db1: Resume$" "$tmp/audit.log" || fail "the resume is not in the audit log"
	tui_keys Tab Enter
	see "db1"
	absent "customer-"
	tui_keys Escape
	see "customer-"
	see "$(T "Enter opens a guest.")"
	# A text nothing holds: an empty list, said so.
	tui_keys /
	see "$(T "Name holds:")"
	tui_keys BSpace BSpace
	tui_type "zzz"
	tui_keys F12
	see "$(Tf "Names holding \"%s\": %zu of %zu. / changes it, Esc shows all." zzz 0 3)"
	absent "db1"
	tui_keys Escape
	see "db1"
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
	grep -q " $user .* login$" "$tmp/audit.log" || fail "the login is not in the audit log"
	grep -q " $user .* logout$" "$tmp/audit.log" || fail "the logout is not in the audit log"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

run vt100 en
run xterm-256color it
