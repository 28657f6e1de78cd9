# Shared by the tests that need libvirt's daemons: start them unless one answers, and stop only what was started.
# The caller defines fail() and an array started=() before using these.

# alive PIDFILE: the pid in PIDFILE when that process runs.
alive() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# libvirtd_up URI: make sure a libvirtd answers on URI, starting virtlogd and libvirtd when
# none does; the pids of what was started go to started[].
libvirtd_up() {
	local uri=$1 pid=
	if virsh -c "$uri" version >/dev/null 2>&1; then
		echo "using the libvirtd that already runs"
		return 0
	fi
	if ! alive /run/virtlogd.pid >/dev/null; then
		virtlogd -d || fail "virtlogd did not start"
		for _ in $(seq 1 50); do pid=$(alive /run/virtlogd.pid) && break; sleep 0.1; done
		[ -n "$pid" ] || fail "virtlogd wrote no pid file"
		started+=("$pid")
	fi
	libvirtd -d || fail "libvirtd did not start"
	pid=
	for _ in $(seq 1 100); do pid=$(alive /run/libvirtd.pid) && break; sleep 0.1; done
	[ -n "$pid" ] || fail "libvirtd wrote no pid file"
	started+=("$pid")
	# The first connection waits for QEMU's capabilities to be probed.
	for _ in $(seq 1 60); do virsh -c "$uri" version >/dev/null 2>&1 && break; sleep 1; done
	virsh -c "$uri" version >/dev/null 2>&1 || fail "libvirtd does not answer on $uri"
}

# libvirtd_down: stop the daemons in started[], newest first, each by its pid.
libvirtd_down() {
	local i pid
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		pid=${started[i]}
		kill "$pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	done
	started=()
}

# libvirtd_reap RUNDIR [NAME...]: the guests' QEMU processes a daemon left running because it
# could not stop them itself (it was killed, or died, before the test's virsh destroy): each
# pid of RUNDIR/qemu/NAME.pid, the daemon's run folder (/run/libvirt for the machine's), is
# killed. Without NAMEs every pid file there: only for a run folder of the test's own daemon,
# since the machine's holds other guests too. A pid is killed only while its command line is
# that guest's QEMU ("-name guest=NAME,..."), never a process that took the number meanwhile.
libvirtd_reap() {
	local run=$1 f name pid arg ours
	shift
	if [ $# = 0 ]; then
		for f in "$run"/qemu/*.pid; do
			[ -e "$f" ] && set -- "$@" "$(basename "$f" .pid)"
		done
	fi
	for name in "$@"; do
		pid=$(cat "$run/qemu/$name.pid" 2>/dev/null) || continue
		case $pid in '' | *[!0-9]*) continue ;; esac
		ours=0
		while IFS= read -r -d '' arg; do
			case $arg in "guest=$name" | "guest=$name,"*) ours=1 ;; esac
		done 2>/dev/null <"/proc/$pid/cmdline"
		[ "$ours" = 1 ] || continue
		echo "cleanup: killing the QEMU of guest $name (pid $pid), still running" >&2
		kill -9 "$pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	done
}

# libvirtd_private DIR: a libvirtd of this test's own, for the test driver only: its sockets in
# DIR/sock, its state under DIR, bind-mounted over /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt in a mount namespace of its own, so that the machine's
# daemon and its guests are never touched. Its pid goes to started[]; prints nothing, sets
# private_uri to the daemon's test:///default.
libvirtd_private() {
	local d=$1 pid
	mkdir -p "$d"/etc "$d"/lib "$d"/log "$d"/cache "$d"/sock || fail "cannot make $d"
	cat >"$d/etc/libvirtd.conf" <<CONF
unix_sock_dir = "$d/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "2:file:$d/log/libvirtd.log"
CONF
	printf 'security_driver = "none"\n' >"$d/etc/qemu.conf"
	: >"$d/etc/libvirt.conf"
	unshare -m --propagation private sh -c '
		d=$1
		mount --bind "$d/etc" /etc/libvirt &&
		mount -t tmpfs -o mode=0755 tmpfs /run/libvirt &&
		mount --bind "$d/lib" /var/lib/libvirt &&
		mount --bind "$d/log" /var/log/libvirt &&
		mount --bind "$d/cache" /var/cache/libvirt &&
		exec libvirtd -f "$d/etc/libvirtd.conf" -p "$d/libvirtd.pid"' sh "$d" \
		>>"$d/log/stdout" 2>&1 &
	pid=$!
	started+=("$pid")
	private_uri="test+unix:///default?socket=$d/sock/libvirt-sock"
	for _ in $(seq 1 100); do
		virsh -c "$private_uri" version >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	fail "the private libvirtd does not answer: $(tail -n 5 "$d/log/stdout" "$d/log/libvirtd.log" 2>&1)"
}
