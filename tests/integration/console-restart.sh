#!/bin/bash
# Restart libvirtd from the console's Host Management screen under a running QEMU (TCG) guest: the guest's QEMU process survives, the daemon is a new one, and the console reconnects and lists the guest running.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
skip() { echo "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root to run the system libvirtd and add a test user"
for t in libvirtd virtlogd virsh qemu-system-x86_64 tmux; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done

. "$top/tests/lib/console.sh"
uri=qemu:///system
name=ospite-rst-$$
started=()
. "$top/tests/lib/libvirtd.sh"
lang=en

cleanup() {
	set +e
	tui_stop
	if virsh -c "$uri" domid "$name" >/dev/null 2>&1; then
		virsh -c "$uri" destroy "$name" >/dev/null 2>&1
	fi
	virsh -c "$uri" undefine "$name" >/dev/null 2>&1
	# The daemon the restart started in place of the one started here.
	[ -s "$tmp/libvirtd.pid" ] && started[lv]=$(cat "$tmp/libvirtd.pid")
	libvirtd_down
	# A daemon killed or dead before virsh could destroy the guest leaves its QEMU running.
	libvirtd_reap /run/libvirt "$name"
	console_cleanup
}
trap cleanup EXIT

libvirtd_up "$uri"
# Only a daemon this test started may be restarted by it.
lv=$((${#started[@]} - 1))
old=$(alive /run/libvirtd.pid) || fail "no libvirtd pid"
[ "$lv" -ge 0 ] && [ "${started[lv]}" = "$old" ] ||
	fail "a libvirtd this test did not start runs: it restarts only its own"
echo "$old" >"$tmp/libvirtd.pid"

# A guest that needs nothing to boot: QEMU under TCG sitting in its firmware is a running guest.
cat >"$tmp/guest.xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><serial type='pty'/><console type='pty'/></devices>
</domain>
XML
virsh -c "$uri" define "$tmp/guest.xml" >/dev/null || fail "cannot define $name"
virsh -c "$uri" start "$name" >/dev/null || fail "cannot start $name"
qpid=$(pgrep -f -- "guest=$name,") || fail "no QEMU process for $name"

# systemctl for the console: "restart libvirtd" stops this test's daemon by its pid and starts a
# new one, as systemd would; any other call is only recorded.
cat >"$tmp/systemctl" <<EOS
#!/bin/bash
echo "\$*" >>$tmp/calls
[ "\$*" = "restart -- libvirtd.service" ] || exit 0
pid=\$(cat $tmp/libvirtd.pid)
kill "\$pid"
for _ in \$(seq 1 100); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
libvirtd -d || exit 1
for _ in \$(seq 1 100); do
	new=\$(cat /run/libvirtd.pid 2>/dev/null)
	[ -n "\$new" ] && [ "\$new" != "\$pid" ] && kill -0 "\$new" 2>/dev/null && break
	sleep 0.1
done
echo "\$new" >$tmp/libvirtd.pid
for _ in \$(seq 1 60); do virsh -c $uri version >/dev/null 2>&1 && exit 0; sleep 0.5; done
exit 1
EOS
chmod +x "$tmp/systemctl"

console_start vt100 "OSPITE_SYSTEMCTL=$tmp/systemctl OSPITE_HOST_ROOT=$tmp/root \
	OSPITE_AUDIT_LOG=$tmp/audit.log OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR \
	$B/ospite --connect $uri --lang en --idle-timeout 0 --config $tmp/console.conf"
see "$(T "Host Status")" 30
# Restarting libvirtd is for root and the group ospite-admin.
add_group ospite-admin
admin=ospad$$
add_user "$admin" "$password" ospite,ospite-admin
login "$admin" "$password"
see "$(T "Logged in as %s" | sed "s/%s/$admin/")" 20
tui_wait "$(printf '%-22s %s' "$name" running)" 60 || fail "$name is not listed running"
running=$(virsh -c "$uri" list --name | sed '/^$/d' | wc -l)

# Host, Manage (the last button), then Restart libvirtd, the sixth row.
tui_keys Tab Tab Tab Enter
see "$(T "Manage")"
tui_keys Tab Tab Tab Tab Enter
see "$(T "Host Management")"
tui_keys Down Down Down Down Down Enter
see "$(Tn "libvirtd, the virtualization service, restarts now. The %u running guest keeps running: guests do not depend on the service. The console reconnects when it is back; meanwhile guests cannot be started or stopped." \
	"libvirtd, the virtualization service, restarts now. The %u running guests keep running: guests do not depend on the service. The console reconnects when it is back; meanwhile guests cannot be started or stopped." "$running" "$running" | cut -c1-40)"
tui_keys Tab Enter
see "$(Tf "libvirtd has restarted and the console is connected again. Guests running before: %u; now: %u." "$running" "$running" | cut -c1-40)" 90
# The message wraps before "running before": its end says how many run now.
see "before: $running; now: $running."
grep -qx "restart -- libvirtd.service" "$tmp/calls" || fail "systemctl restart libvirtd was not called"
new=$(cat "$tmp/libvirtd.pid")
[ -n "$new" ] && [ "$new" != "$old" ] && kill -0 "$new" || fail "libvirtd was not restarted (pid $old, now $new)"
kill -0 "$qpid" 2>/dev/null || fail "the guest's QEMU process died with the daemon"
[ "$(virsh -c "$uri" domstate "$name")" = running ] || fail "$name is not running after the restart"
grep -q "restart libvirtd done" "$tmp/audit.log" || fail "the restart is not in the audit log"

# Back to the list: the guest is there, running, over the new connection.
tui_keys Enter
tui_wait "$(T "Restart libvirtd")    " 10 || fail "the message did not close"
# Back (after Open), then Back on the Host screen.
tui_keys Tab Tab Enter
see "$(T "Manage")"
tui_keys Enter
see "$(T "Enter opens a guest.")" 20
tui_wait "$(printf '%-22s %s' "$name" running)" 30 || fail "the list does not show $name running after the restart"
tui_keys Tab Tab Tab Tab Tab Tab Enter
see "[ospite exit 0]"
echo "ok restart under a running guest"
