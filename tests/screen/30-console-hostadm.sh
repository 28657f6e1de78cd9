#!/bin/bash
# The Host Management screen: host name, DNS, SSH, guests at shutdown, reboot and the logs by a member of the group ospite-admin; the same changes refused to a member of the group ospite only, who may still look; root's settings (refused to both, saved by root) and a host added by root, on a private configuration tree with recording stand-ins for systemctl and journalctl.
set -u
. "$(dirname "$0")/../lib/console.sh"
trap console_cleanup EXIT
root_user=osprt$$
add_root_alias "$root_user" "$password"
admin=ospad$$
add_group ospite-admin
add_user "$admin" "$password" ospite,ospite-admin

# A configuration tree and the stand-ins: nothing of this machine's /etc or services is touched.
fixture() {
	r=$tmp/root
	rm -rf "$r" "$tmp/state" "$tmp/calls" "$tmp/audit.log" "$tmp/console.conf"
	mkdir -p "$r/etc/systemd" "$r/etc/default" "$tmp/state"
	printf 'old-host\n' >"$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\told-host\n' >"$r/etc/hosts"
	printf 'search lab\nnameserver 10.9.8.7\n' >"$r/etc/resolv.conf"
	printf '[Time]\n#NTP=\n' >"$r/etc/systemd/timesyncd.conf"
	printf '#ON_SHUTDOWN=suspend\nON_SHUTDOWN=shutdown\nSHUTDOWN_TIMEOUT=120\n' >"$r/etc/default/libvirt-guests"
	cat >"$tmp/systemctl" <<EOS
#!/bin/sh
echo "\$*" >>$tmp/calls
case "\$1" in
is-active) if [ -e "$tmp/state/\$3" ]; then echo active; else echo inactive; exit 3; fi ;;
is-enabled) echo enabled ;;
enable) [ "\$2" = --now ] && touch "$tmp/state/\$4" ;;
disable) rm -f "$tmp/state/\$4" ;;
esac
exit 0
EOS
	cat >"$tmp/journalctl" <<EOS
#!/bin/sh
echo "journalctl \$*" >>$tmp/calls
echo "Dec 03 06:00:01 kvm systemd[1]: Started the journal test line."
echo "Dec 03 06:00:02 kvm kernel: a long line $(printf 'x%.0s' $(seq 1 90)) END-OF-LONG"
EOS
	chmod +x "$tmp/systemctl" "$tmp/journalctl"
}

# The console calls and audits after its dialog closed: give it a few seconds.
within() {
	local i
	for i in $(seq 1 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
called() { within grep -qxF -- "$1" "$tmp/calls" || fail "systemctl was not called with: $1"; }
audited() { within grep -qF -- "$1" "$tmp/audit.log" || fail "the audit log lacks: $1"; }
# gone TEXT: wait until a dialog showing TEXT has closed.
gone() {
	local i
	for i in $(seq 1 50); do
		tui_screen | grep -qF -- "$1" || return 0
		sleep 0.2
	done
	fail "still on screen: $1"
}

# manage USER: start the console, log USER in, and open Host Management.
manage() {
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_HOST_ROOT=$tmp/root \
		OSPITE_SYSTEMCTL=$tmp/systemctl OSPITE_JOURNALCTL=$tmp/journalctl \
		OSPITE_AUDIT_LOG=$tmp/audit.log $B/ospite --connect test:///default \
		--lang $lang --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$1" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Tab Tab Tab Enter
	# Manage: the last button of the Host screen, after Back, Network, Storage and Hosts.
	see "$(Tt "Manage")"
	tui_keys Tab Tab Tab Tab Enter
	see "$(Tt "Host Management")"
}

# Quit from Host Management: back to Host Status, the guest list, then Quit.
quit() {
	tui_keys Tab Tab Enter
	# "Manage" is in the title "Host Management" too: wait for that screen to go first.
	gone "$(T "Host Management")"
	see "$(Tt "Manage")"
	tui_keys Enter
	see "$(T "Enter opens a guest.")"
	tui_keys Tab Tab Tab Tab Tab Tab Enter
	see "[ospite exit 0]"
}

run() {
	term=$1 lang=$2
	fixture
	manage "$admin"
	see "$(Tt "Enter changes or shows the item; every change is audited.")"
	see "old-host"
	see "10.9.8.7"
	check_look "$term"
	[ -n "${SHOW:-}" ] && tui_screen

	# Host name: a bad name is refused whole, a good one written to both files.
	tui_keys Enter
	see "$(Tt "Host name:")"
	for _ in $(seq 1 8); do tui_keys BSpace; done
	tui_type "-bad"
	tui_keys F12
	see "$(T "OK")"
	tui_keys Enter
	# The dialog again, as typed, before typing into it.
	gone "$(T "OK")"
	see "-bad"
	grep -qx old-host "$tmp/root/etc/hostname" || fail "a refused name was written"
	for _ in $(seq 1 4); do tui_keys BSpace; done
	tui_type "kvm-7.lab"
	# F2 shows the dialog again in the other language, its text and label too, with what was typed.
	local other=it intro="The new name is written to /etc/hostname and /etc/hosts and taken by the running host at once. Guests are not affected; SSH sessions keep running."
	[ "$lang" = it ] && other=en
	tui_keys F2
	lang=$other see_start "$(lang=$other T "$intro")"
	lang=$other see "$(lang=$other T "Host name:")"
	see "kvm-7.lab"
	tui_keys F2
	see_start "$(T "$intro")"
	tui_keys F12
	gone "$(Tt "Host name:")"
	see "kvm-7.lab"
	grep -qx kvm-7.lab "$tmp/root/etc/hostname" || fail "/etc/hostname does not hold the new name"
	grep -qxF "$(printf '127.0.1.1\tkvm-7.lab kvm-7')" "$tmp/root/etc/hosts" || fail "/etc/hosts does not name the host"
	audited "host name old-host -> kvm-7.lab"

	# DNS: a name is not an address; two addresses replace the old one, search stays.
	tui_keys Down Enter
	see "$(Tt "Servers:")"
	for _ in $(seq 1 10); do tui_keys BSpace; done
	tui_type "dns.example"
	tui_keys F12
	see "$(Tf "\"%s\" is not an IPv4 or IPv6 address." dns.example)"
	tui_keys Enter
	for _ in $(seq 1 11); do tui_keys BSpace; done
	tui_type "192.0.2.53 192.0.2.54"
	tui_keys F12
	see "192.0.2.53, 192.0.2.54"
	[ "$(cat "$tmp/root/etc/resolv.conf")" = "$(printf 'search lab\nnameserver 192.0.2.53\nnameserver 192.0.2.54')" ] ||
		fail "resolv.conf is not as expected: $(cat "$tmp/root/etc/resolv.conf")"
	audited 'dns servers "10.9.8.7" -> "192.0.2.53 192.0.2.54"'

	# SSH: off, started after the question says what it means.
	tui_keys Down Down Enter
	see_start "$(Tt "The SSH service is off. Start it and start it at every boot? Every account with a password can then try to log in over the network.")"
	# The safe answer has the cursor: Tab to the other.
	tui_keys Tab Enter
	gone "$(Tt "Start SSH")"
	called "enable --now -- ssh.service"
	audited "ssh on"

	# Reboot says what happens to the running guest (test:///default runs one); Cancel does nothing.
	tui_keys Down Down Down Enter
	see_start "$(Tn "%u guest is running: libvirt-guests asks it to shut down and waits up to %u seconds, then switches it off." \
		"%u guests are running: libvirt-guests asks them to shut down and waits up to %u seconds, then switches off those still running." 1 1 120)"
	tui_keys Enter
	gone "$(Tt "Cancel")"
	grep -qx reboot "$tmp/calls" && fail "Cancel rebooted the host"
	tui_keys Enter
	see "$(Tt "Cancel")"
	tui_keys Tab Enter
	see "$(Tt "The host is rebooting.")"
	tui_keys Enter
	called "reboot"
	audited "host reboot (1 guests running)"

	# The host log, a long line cut into rows; the audit log with what was done above.
	tui_keys Down Down Enter
	see "Started the journal test line."
	see "END-OF-LONG"
	tui_keys Tab Enter
	gone "END-OF-LONG"
	tui_keys Down Enter
	see "$admin"
	see "ssh on"
	tui_keys Tab Enter
	# Root's settings: refused to a member of the group, with what they are.
	tui_keys Down Enter
	see_start "$(Tf "Only root changes these settings: the idle logout is %u seconds, and new guests' VNC displays listen on %s." 300 127.0.0.1)"
	tui_keys Enter
	quit
	[ -e "$tmp/console.conf" ] && fail "the settings file was written for a member of the group"

	# A member of the group ospite alone: told at once that only root and ospite-admin change the
	# host; the host name and a reboot are refused with the reason, nothing is written or called,
	# the refusals are audited; the host log stays open to look at.
	local refusal reboots
	refusal=$(Tf "Only root and the members of the group %s change the host itself: its name, DNS, time, SSH service, virtualization service and power concern every guest on it. You may look at the values and the logs, and manage the guests." ospite-admin)
	reboots=$(grep -cx reboot "$tmp/calls")
	manage "$user"
	see "$(Tf "Only root and the group %s change the host; you may look." ospite-admin)"
	see "kvm-7.lab"
	tui_keys Enter
	see_start "$refusal"
	absent "$(T "Host name:")"
	tui_keys Enter
	gone "${refusal:0:30}"
	for _ in $(seq 6); do tui_keys Down; done
	tui_keys Enter
	see_start "$refusal"
	absent "$(T "Cancel")"
	tui_keys Enter
	gone "${refusal:0:30}"
	[ "$(grep -cx reboot "$tmp/calls")" = "$reboots" ] || fail "a member of ospite alone rebooted the host"
	grep -qx kvm-7.lab "$tmp/root/etc/hostname" || fail "the host name changed"
	audited "$user"
	audited "host name refused: not root nor in ospite-admin"
	audited "host reboot refused: not root nor in ospite-admin"
	tui_keys Down Down Enter
	see "Started the journal test line."
	tui_keys Tab Enter
	gone "Started the journal test line."
	quit

	# Root changes them: the idle logout off (root only) and the displays on every address, which
	# is asked first; the settings file, the audit log and the row say so.
	manage "$root_user"
	see "$(Tf "idle logout %u s, VNC on %s" 300 127.0.0.1)"
	for _ in $(seq 10); do tui_keys Down; done
	tui_keys Enter
	see "$(Tt "Idle logout (seconds):")"
	see "$(Tt "VNC listen address:")"
	tui_keys BSpace BSpace BSpace
	tui_type 0
	tui_keys Tab
	for _ in $(seq 9); do tui_keys BSpace; done
	tui_type "0.0.0.0"
	tui_keys F12
	see_start "$(Tt "New guests' displays would be reachable from the network, not only through an SSH tunnel; VNC travels unencrypted. Save this address anyway?")"
	tui_keys Tab Enter
	see "$(Tf "idle logout %u s, VNC on %s" 0 0.0.0.0)"
	grep -qx "idle_timeout=0" "$tmp/console.conf" || fail "the settings file lacks idle_timeout=0: $(cat "$tmp/console.conf")"
	grep -qx "vnc_listen=0.0.0.0" "$tmp/console.conf" || fail "the settings file lacks vnc_listen=0.0.0.0"
	audited "$root_user"
	audited "console settings idle_timeout 300 -> 0, vnc_listen 127.0.0.1 -> 0.0.0.0"
	quit

	# Root adds a host: a URI that is none is refused, and the dialog comes back with what was
	# typed and the cursor on the URI.
	console_start "$term" "OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR OSPITE_AUDIT_LOG=$tmp/audit.log \
		$B/ospite --connect test:///default --lang $lang --config $tmp/console.conf"
	see "$(Tt "Host Status")"
	login "$root_user" "$password"
	see "$(Tt "Enter opens a guest.")" 15
	tui_keys Tab Tab Tab Enter
	see "$(Tt "Manage")"
	tui_keys Tab Tab Tab Enter
	see "$(Tt "SSH key")"
	tui_keys Tab Enter
	see "$(Tt "Add a host")"
	tui_type "rack7"
	tui_keys Tab
	tui_type "not-a-uri"
	tui_keys F12
	see_start "$(Tf "\"%s\" is not a libvirt URI such as qemu+ssh://root@host2/system." not-a-uri)"
	tui_keys Enter
	see "$(T "URI:")"
	see "rack7"
	for _ in $(seq 9); do tui_keys BSpace; done
	tui_type "test:///default"
	# Enter in the last entry adds it, as Add does.
	tui_keys Enter
	gone "$(T "URI:")"
	see "rack7"
	grep -qxF "rack7 = test:///default" "$tmp/console.conf" || fail "the settings file lacks the host: $(cat "$tmp/console.conf")"
	audited "host add name=rack7 uri=test:///default"
	tui_stop
	check_translated || fail "strings without a translation"
	echo "ok $term $lang"
}

run vt100 en
run xterm-256color it
