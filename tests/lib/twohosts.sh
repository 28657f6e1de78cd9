# Shared by the migration tests: two private libvirtd daemons, each in its own network and mount namespace, joined by a veth pair.
# The caller defines fail() and $tmp (an empty folder of its own) before using these.
#
# Host "a" is 192.0.2.1, host "b" 192.0.2.2 (a documentation prefix, and only inside the two
# namespaces). Each has a bridge br0 holding its end of the pair, so a guest's NIC on br0 exists on
# both; each daemon has its own /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt and
# /var/cache/libvirt, bind-mounted (and a /run of its own, whose /run/libvirt is $tmp/HOST/run) in its mount namespace over the machine's, and its own host_uuid.
# The daemons' sockets are in $tmp/HOST/sock, reachable from the test's namespace:
# uri_a and uri_b are "qemu:///system?socket=...".

. "$(dirname "${BASH_SOURCE[0]}")/guest.sh"
. "$(dirname "${BASH_SOURCE[0]}")/libvirtd.sh"

th_ns_a= th_ns_b=
th_pids=()

# th_ip HOST: the address of host a or b.
th_ip() { [ "$1" = a ] && echo 192.0.2.1 || echo 192.0.2.2; }

# th_conf HOST: the daemon's configuration under $tmp/HOST.
th_conf() {
	local h=$1 d=$tmp/$1 uuid
	mkdir -p "$d"/etc/qemu "$d"/run "$d"/lib/images "$d"/log "$d"/cache "$d"/sock
	uuid=$(cat /proc/sys/kernel/random/uuid)
	cat >"$d/etc/libvirtd.conf" <<CONF
unix_sock_dir = "$d/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
listen_tls = 0
listen_tcp = 1
tcp_port = "16509"
listen_addr = "$(th_ip "$h")"
auth_tcp = "none"
host_uuid = "$uuid"
log_outputs = "2:file:$d/log/libvirtd.log"
keepalive_interval = 2
keepalive_count = 3
CONF
	# No virtlogd or lock daemon per host, no security labels: nothing shared between the two.
	cat >"$d/etc/qemu.conf" <<CONF
migration_address = "$(th_ip "$h")"
migration_host = "$(th_ip "$h")"
stdio_handler = "file"
security_driver = "none"
namespaces = [ ]
user = "root"
group = "root"
remember_owner = 0
CONF
	: >"$d/etc/libvirt.conf"
}

# th_launch HOST: start that host's libvirtd in its namespace.
th_launch() {
	local h=$1
	# ip netns exec gives the command a mount namespace of its own that does not
	# propagate back: the bind mounts below vanish with the daemon.
	ip netns exec "ospmig-$h-$$" sh -c '
		d=$1
		mount --bind "$d/etc" /etc/libvirt &&
		mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/libvirt &&
		mount --bind "$d/run" /run/libvirt &&
		mount --bind "$d/lib" /var/lib/libvirt &&
		mount --bind "$d/log" /var/log/libvirt &&
		mount --bind "$d/cache" /var/cache/libvirt &&
		exec libvirtd --listen -f "$d/etc/libvirtd.conf" -p "$d/libvirtd.pid" \
			>>"$d/log/stdout" 2>&1' sh "$tmp/$h" &
	th_pids+=($!)
	# Killing a daemon on purpose is no news for the test's output.
	disown $!
}

# th_wait URI: until the daemon answers there.
th_wait() {
	for _ in $(seq 1 120); do virsh -c "$1" version >/dev/null 2>&1 && return 0; sleep 0.5; done
	return 1
}

# th_up: namespaces, link, bridges and both daemons; sets uri_a, uri_b.
th_up() {
	th_ns_a=ospmig-a-$$ th_ns_b=ospmig-b-$$
	ip netns add "$th_ns_a" || fail "cannot make namespace $th_ns_a"
	ip netns add "$th_ns_b" || fail "cannot make namespace $th_ns_b"
	# Named after this test's pid: the pair is made in the machine's namespace, where another
	# run may be making its own.
	ip link add "oma$$" type veth peer name "omb$$" || fail "cannot make the veth pair"
	ip link set "oma$$" netns "$th_ns_a" && ip link set "omb$$" netns "$th_ns_b" ||
		fail "cannot move the veth ends"
	local h ns
	for h in a b; do
		ns=ospmig-$h-$$
		ip -n "$ns" link set lo up
		# An address of its own: a bridge without one takes its lowest port's, and that may be
		# a guest's tap (fe:54:00:..., the same on both hosts while the guest migrates). Then
		# each bridge drops the other's frames as coming from its own address, and the
		# migration's connection ends in "No route to host".
		ip -n "$ns" link add br0 address "02:00:00:00:00:0$([ "$h" = a ] && echo 1 || echo 2)" type bridge
		ip -n "$ns" link set "om$h$$" master br0
		ip -n "$ns" link set "om$h$$" up
		ip -n "$ns" link set br0 up
		ip -n "$ns" addr add "$(th_ip "$h")/24" dev br0
		th_conf "$h"
		th_launch "$h"
	done
	uri_a="qemu:///system?socket=$tmp/a/sock/libvirt-sock"
	uri_b="qemu:///system?socket=$tmp/b/sock/libvirt-sock"
	for h in a b; do
		local u=$uri_a
		[ "$h" = b ] && u=$uri_b
		for _ in $(seq 1 120); do virsh -c "$u" version >/dev/null 2>&1 && break; sleep 0.5; done
		virsh -c "$u" version >/dev/null 2>&1 ||
			fail "the libvirtd of host $h does not answer: $(tail -n 5 "$tmp/$h/log/stdout" "$tmp/$h/log/libvirtd.log" 2>&1)"
	done
	# A directory pool on each; "shared" is one folder both daemons see, standing for NFS.
	mkdir -p "$tmp/shared"
	chmod 755 "$tmp" "$tmp/shared"
	for u in "$uri_a" "$uri_b"; do
		virsh -q -c "$u" pool-define-as shared dir --target "$tmp/shared" >/dev/null &&
			virsh -q -c "$u" pool-start shared >/dev/null ||
			fail "cannot make the shared pool on $u"
	done
	# "local" is /var/lib/libvirt/images on each, a different folder behind the same path
	# ($tmp/HOST/lib/images), as on two machines: copying storage needs the same path there.
	for u in "$uri_a" "$uri_b"; do
		virsh -q -c "$u" pool-define-as local dir --target /var/lib/libvirt/images >/dev/null &&
			virsh -q -c "$u" pool-build local >/dev/null &&
			virsh -q -c "$u" pool-start local >/dev/null || fail "cannot make pool local on $u"
	done
}

# th_daemon_pid HOST: the pid of that host's libvirtd.
th_daemon_pid() { cat "$tmp/$1/libvirtd.pid" 2>/dev/null; }

# th_down: guests' QEMUs, daemons, namespaces; each by what was made here.
th_down() {
	local h pid
	for h in a b; do
		pid=$(th_daemon_pid "$h")
		# The daemon's guests, by the pid files of its run folder: found even when the
		# daemon or its namespace is gone.
		libvirtd_reap "$tmp/$h/run"
		# Any other QEMU process started by this daemon runs in its namespace: end them first.
		if [ -n "${th_ns_a:-}" ]; then
			for q in $(ip netns pids "ospmig-$h-$$" 2>/dev/null); do
				[ "$q" = "$pid" ] || kill -9 "$q" 2>/dev/null
			done
		fi
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	for pid in "${th_pids[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	done
	th_pids=()
	[ -n "$th_ns_a" ] && ip netns del "$th_ns_a" 2>/dev/null
	[ -n "$th_ns_b" ] && ip netns del "$th_ns_b" 2>/dev/null
	th_ns_a= th_ns_b=
}

# th_guest_files: $tmp/vmlinuz and $tmp/initrd.gz (guest.sh), a busybox initramfs whose /init
# prints "BOOT <random id>" once and then "TICK <id> <n>" every 100 ms on ttyS0.
th_guest_files() {
	guest_files <<'INIT'
id=$(/bin/busybox head -c 8 /dev/urandom | /bin/busybox od -An -tx1 | /bin/busybox tr -d ' \n')
echo "BOOT $id" >/dev/ttyS0
n=0
while :; do
	echo "TICK $id $n" >/dev/ttyS0
	n=$((n + 1))
	/bin/busybox usleep 100000
done
INIT
}

# th_define URI NAME DISK [BRIDGE]: a 128 MiB TCG guest booting th_guest_files with DISK as vda,
# a NIC on BRIDGE (br0), and its serial console appended to $tmp/NAME.serial: the QEMUs of both
# hosts see that one file, so the log goes on across a migration.
th_define() {
	guest_define "$1" "$2" "$3" "nic=bridge:${4:-br0}" append=on
}
