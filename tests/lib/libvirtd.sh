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
