#!/bin/bash
# The guest list with long names shortened around an ellipsis and still told apart, paused guests counted apart, "/" finding guests by name until Esc, a guest's addresses in the list (a column on a wide terminal, the line under it at 80 columns) and on its screen, and the all-hosts view shortening long guest and host names too and giving other hosts' guests the addresses their host knows ("-" where it cannot tell).
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
    <devices><interface type='network'><mac address='52:54:00:aa:00:01'/><source network='default'/></interface>
      <interface type='network'><mac address='52:54:00:aa:00:02'/><source network='default'/></interface></devices>
  </domain>
</node>
XML

# The test driver's network gives db1's two cards an address each (the same to virsh on the same file).
addrs=$(virsh -c "test://$tmp/node.xml" domifaddr db1 --source lease | awk '/ipv4/ {sub("/.*", "", $4); print $4}')
ip1=$(echo "$addrs" | sed -n 1p)
[ "$(echo "$addrs" | wc -l)" = 2 ] && [ -n "$ip1" ] || { echo "FAIL: virsh gives db1 no two addresses: $addrs"; exit 1; }
all_addrs=$(echo "$addrs" | paste -sd, | sed 's/,/, /g')

# run TERM LANG COLUMNS
run() {
	term=$1 lang=$2
	local ell="…" cols=$3
	[ "$term" = vt100 ] && ell=".."
	rm -f "$tmp/audit.log"
	TUI_COLS=$cols console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_AUDIT_LOG=$tmp/audit.log \
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
	# The addresses: a column from 85 columns on (87 with the "> " marker), with the first address
	# and how many more; at 80 columns no column, only the line under the list (below).
	local db1row
	db1row=$(tui_screen | grep -E "(^|[ >|│])db1 ")
	if [ "$cols" -gt 80 ]; then
		see "$(Tt "IP address")"
		echo "$db1row" | grep -qE -- "[%-] $ip1 \+1 " || fail "db1's row has no address column: $db1row"
		tui_screen | grep -E "customer-b" | grep -qF "$ip1" && fail "a guest without cards shows an address"
		# The frame grew past 80 columns but stays inside the terminal.
		[ "$(tui_screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -gt 80 ] ||
			fail "the list did not grow on a terminal of $cols columns"
	else
		absent "$(T "IP address")"
		echo "$db1row" | grep -qF "$ip1" && fail "db1's row has an address at 80 columns: $db1row"
	fi

	# "/" then text: only db1; Esc: all three again.
	tui_keys /
	see "$(Tt "Name holds:")"
	tui_type "DB"
	# Enter in the entry finds, as Find does.
	tui_keys Enter
	see "$(Tf "Names holding \"%s\": %zu of %zu. / changes it, Esc shows all." DB 1 3)"
	see "db1"
	absent "customer-"
	# With the cursor on db1: all its addresses under the list, and on its screen.
	see "$(Tp "%s: %s" db1 "$all_addrs")"
	# Enter opens the guest found.
	tui_keys Enter
	see "$(Tp "Guest %s" db1)"
	see "$(Tf "Addresses: %s" "$all_addrs")"
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

# Two other hosts with long names alike, on libvirt's test driver: one has a guest of this host's
# name (it must look the same) and one a name alike (it must look different).
far() {
	local g
	echo "<node>"
	for g in "$@"; do
		echo "<domain type='test'><name>$g</name><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
	done
	echo "</node>"
}
far customer-alpha-frontend-production-01 customer-delta-frontend-production-01 >"$tmp/far-a.xml"
# The second has a network: db2 has a card with an address there, its db1 (running, no card) has
# none that host can tell, even though this host's db1 has two; db3 is off.
cat >"$tmp/far-b.xml" <<'XML'
<node>
  <network>
    <name>default</name><bridge name='virbr0'/>
    <ip address='10.77.0.1' netmask='255.255.255.0'><dhcp><range start='10.77.0.2' end='10.77.0.254'/></dhcp></ip>
  </network>
  <domain type='test'>
    <name>db2</name><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os>
    <devices><interface type='network'><mac address='52:54:00:bb:00:01'/><source network='default'/></interface></devices>
  </domain>
  <domain type='test'><name>db1</name><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>db3</name><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os>
    <devices><interface type='network'><mac address='52:54:00:bb:00:03'/><source network='default'/></interface></devices>
    <test:runstate>5</test:runstate>
  </domain>
</node>
XML
ip2=$(virsh -c "test://$tmp/far-b.xml" domifaddr db2 --source lease | awk '/ipv4/ {sub("/.*", "", $4); print $4}')
[ -n "$ip2" ] && [ "$ip2" != "$ip1" ] || { echo "FAIL: virsh gives db2 no address of its own: '$ip2'"; exit 1; }
printf '[hosts]\nrack12-hypervisor-alpha-01 = test://%s\nrack12-hypervisor-bravo-01 = test://%s\n' \
	"$tmp/far-a.xml" "$tmp/far-b.xml" >"$tmp/hosts.conf"

# The columns of the list row holding TEXT: its frame and "> " marker left out.
row_of() { tui_screen | grep -F -- "$1" | head -1 | sed 's/^ *[|│] *\(> \)\?//'; }

# The address column of the row of host HOST and guest NAME (wide colour terminals: no marker, so
# the heading and the rows line up): the text under the heading "IP address".
ip_cell() {
	tui_screen | python3 -c '
import sys
head, host, name = sys.argv[1:4]
lines = sys.stdin.read().split("\n")
col = next(l.index(head) for l in lines if head in l)
for l in lines:
    f = l.strip("│| ").split()
    if len(f) > 1 and f[0] == host and f[1] == name:
        print(l[col:].strip("│| "))
        break
' "$(T "IP address")" "$1" "$2"
}
# cursor_to HOST NAME: move the "> " marker (vt100) down to the row of guest NAME of host HOST.
cursor_to() {
	local i
	for i in $(seq 1 20); do
		tui_screen | grep -F "> $1 " | grep -qE " $2 " && return 0
		tui_keys Down
		sleep 0.2
	done
	fail "the cursor never reached $2 of $1"
}

# all_hosts TERM LANG COLUMNS: A shows every host's guests, names and hosts shortened and unique;
# other hosts' guests with the addresses their host gives, "-" where it cannot tell.
all_hosts() {
	term=$1 lang=$2
	local ell="…" cols=$3
	[ "$term" = vt100 ] && ell=".."
	TUI_COLS=$cols console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_AUDIT_LOG=$tmp/audit.log \
		$B/ospite --connect test://$tmp/node.xml \
		--lang $lang --idle-timeout 0 --config $tmp/hosts.conf"
	see "$(Tt "Host Status")"
	login "$user" "$password"
	see "$(Tt "Enter opens a guest; A shows the guests of every host.")" 15
	tui_keys a
	see "$(Tt "Enter opens a guest; A shows this host's guests only.")"
	see "db2" 15
	see "customer-d"
	absent "rack12-hypervisor-"
	absent "customer-alpha-frontend-production-01"
	# Fields, not columns: the ellipsis takes one column but three bytes, and names hold no blanks.
	local ha hb ga_here ga_far gd
	ha=$(row_of "customer-d" | awk '{print $1}')
	hb=$(row_of "db2" | awk '{print $1}')
	echo "$ha" | grep -qF -- "$ell" && echo "$hb" | grep -qF -- "$ell" ||
		fail "the long host names are not shortened: '$ha' '$hb'"
	[ "$ha" != "$hb" ] || fail "the two hosts look alike: '$ha'"
	gd=$(row_of "customer-d" | awk '{print $2}')
	ga_far=$(row_of "$ha customer-a" | awk '{print $2}')
	ga_here=$(tui_screen | grep -F "customer-a" | grep -vF -- "$ha" | head -1 | sed 's/^ *[|│] *\(> \)\?//' | awk '{print $2}')
	echo "$gd" | grep -qF -- "$ell" || fail "customer-delta's name is not shortened: '$gd'"
	[ -n "$ga_far" ] && [ "$ga_far" = "$ga_here" ] ||
		fail "one guest name on two hosts looks different: '$ga_here' '$ga_far'"
	[ "$gd" != "$ga_far" ] || fail "two guest names look alike: '$gd'"
	local here
	here=$(tui_screen | grep -F "customer-a" | grep -vF -- "$ha" | head -1 | sed 's/^ *[|│] *\(> \)\?//' | awk '{print $1}')
	if [ "$cols" -gt 80 ]; then
		see "$(Tt "IP address")"
		[ "$(ip_cell "$hb" db2)" = "$ip2" ] || fail "db2's address is not its host's: '$(ip_cell "$hb" db2)'"
		[ "$(ip_cell "$hb" db1)" = "-" ] || fail "the other host's db1 shows '$(ip_cell "$hb" db1)', not -"
		[ "$(ip_cell "$hb" db3)" = "" ] || fail "the guest that is off shows '$(ip_cell "$hb" db3)'"
		[ "$(ip_cell "$here" db1)" = "$ip1 +1" ] || fail "this host's db1 shows '$(ip_cell "$here" db1)'"
	else
		# At 80 columns, the line under the list for the guest under the cursor.
		cursor_to "$hb" db1
		see "$(Tp "%s: %s" db1 -)"
		absent "$ip1"
		cursor_to "$hb" db2
		see "$(Tp "%s: %s" db2 "$ip2")"
		cursor_to "$hb" db3
		absent "db3: "
	fi
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok all hosts $term $lang"
}

run vt100 en 80
run xterm-256color it 80
run xterm-256color en 85
run vt100 it 100
all_hosts vt100 en 80
all_hosts xterm-256color it 120
