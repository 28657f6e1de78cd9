#!/bin/bash
# Bench: the host console against virsh over a libvirtd of its own holding 1,000 defined guests: list time, console start-up and memory, terminal bytes on vt100.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export OSPITE_LOCALEDIR=${OSPITE_LOCALEDIR:-$B/locale}
GUESTS=1000
RUNS=${OSPITE_BENCH_RUNS:-10}
uri=qemu:///system
skip() { echo "console bench: $*"; exit 77; }
die() { echo "console bench: FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to run libvirtd and add a test user"
for t in libvirtd virtlogd virsh tmux python3 unshare /usr/bin/time; do
	command -v "$t" >/dev/null || skip "missing $t: make deps-test"
done
[ -x "$B/ospite" ] || die "$B/ospite is missing: make all"
for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
	[ -d "$d" ] || skip "missing $d: make deps-test installs libvirt-daemon-system"
done

# The libvirtd runs in a mount namespace of the bench's own, with empty libvirt folders: a
# host's running libvirtd (and its guests) stays untouched, and so does whatever test uses it,
# while the 1,000 definitions live in memory and go with the namespace.
if [ -z "${OSPITE_BENCH_NS:-}" ]; then
	unshare --mount true 2>/dev/null || skip "cannot make a mount namespace"
	OSPITE_BENCH_NS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
fi

. "$top/tests/lib/console.sh"
lang=en
started=()
. "$top/tests/lib/libvirtd.sh"
defined=0

cleanup() {
	set +e
	tui_stop
	# Every guest this bench defined, in one virsh session.
	if [ "$defined" = 1 ]; then
		for ((i = 1; i <= GUESTS; i++)); do printf 'undefine ospite-bench-%04d\n' "$i"; done |
			virsh -q -c "$uri" >/dev/null 2>&1
	fi
	# Only the daemons started here, newest first, each by its pid.
	libvirtd_down
	console_cleanup
}
trap cleanup EXIT

# ---- a private libvirtd -----------------------------------------------------------
# The host's settings come along; its guests, networks and pools do not.
mkdir -p "$tmp/conf" "$tmp/caps"
cp -p /etc/libvirt/*.conf "$tmp/conf/" 2>/dev/null
# QEMU's probed capabilities, so that the daemon need not probe the emulators again.
cp -a /var/cache/libvirt/qemu "$tmp/caps/" 2>/dev/null
for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
	mount -t tmpfs -o mode=0755 ospite-bench "$d" || die "cannot mount a tmpfs on $d"
done
cp -p "$tmp/conf/"*.conf /etc/libvirt/ 2>/dev/null
[ -d "$tmp/caps/qemu" ] && cp -a "$tmp/caps/qemu" /var/cache/libvirt/

# wait_pid PIDFILE: the pid the daemon wrote there, once it runs.
wait_pid() {
	local pid
	for _ in $(seq 1 100); do
		pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
			{ echo "$pid"; return 0; }
		sleep 0.1
	done
	return 1
}
virtlogd -d -p "$tmp/virtlogd.pid" || die "virtlogd did not start"
pid=$(wait_pid "$tmp/virtlogd.pid") || die "virtlogd wrote no pid file"
started+=("$pid")
libvirtd -d -p "$tmp/libvirtd.pid" || die "libvirtd did not start"
pid=$(wait_pid "$tmp/libvirtd.pid") || die "libvirtd wrote no pid file"
started+=("$pid")
for _ in $(seq 1 60); do virsh -c "$uri" version >/dev/null 2>&1 && break; sleep 1; done
virsh -c "$uri" version >/dev/null 2>&1 || die "libvirtd does not answer on $uri"

# ---- 1,000 small guests, defined in one virsh session ---------------------------------
# Sizes vary as on a real host; no disks, none started (emulated guests would eat the CPU the
# timings need). Every 50th starts with the host, so that the autostart flags mean something.
mkdir -p "$tmp/xml"
for ((i = 1; i <= GUESTS; i++)); do
	n=$(printf 'ospite-bench-%04d' "$i")
	cat >"$tmp/xml/$n.xml" <<XML
<domain type='qemu'>
  <name>$n</name>
  <memory unit='MiB'>$((64 << (i % 4)))</memory>
  <vcpu>$((1 + i % 4))</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
XML
	echo "define $tmp/xml/$n.xml"
	[ $((i % 50)) = 0 ] && echo "autostart $n"
done >"$tmp/define.cmds"
defined=1
t0=$EPOCHREALTIME
virsh -q -c "$uri" <"$tmp/define.cmds" >"$tmp/define.log" 2>&1
t1=$EPOCHREALTIME
have=$(virsh -q -c "$uri" list --all --name | grep -c '^ospite-bench-')
[ "$have" = "$GUESTS" ] || { tail -5 "$tmp/define.log"; die "$have of $GUESTS guests defined"; }
echo "console bench: $GUESTS guests defined in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

# What ospite lists must be what is there, or the timings would compare different work.
"$B/ospite" list --json --connect "$uri" >"$tmp/list.json" 2>&1 || { cat "$tmp/list.json"; die "ospite list failed"; }
python3 - "$tmp/list.json" "$GUESTS" <<'PY' || die "ospite list --json does not show the bench's guests"
import json, sys
l = [d for d in json.load(open(sys.argv[1])) if d["name"].startswith("ospite-bench-")]
n = int(sys.argv[2])
ok = (len(l) == n and all(d["persistent"] and d["state"] == "shutoff" for d in l)
      and sum(d["autostart"] for d in l) == n // 50
      and all(d["autostart"] == (int(d["name"][-4:]) % 50 == 0) for d in l))
sys.exit(0 if ok else 1)
PY

# ---- list: ospite list against virsh list --all, alternately ---------------------------
# seconds CMD...: the wall time of one run, output thrown away.
seconds() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; die "$* failed"; }
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# One warm-up each: the first connection of a fresh daemon pays for its own set-up.
seconds "$B/ospite" list --connect "$uri" >/dev/null
seconds virsh -c "$uri" list --all >/dev/null
: >"$tmp/t.ospite"
: >"$tmp/t.virsh"
for ((i = 0; i < RUNS; i++)); do
	seconds "$B/ospite" list --connect "$uri" >>"$tmp/t.ospite"
	seconds virsh -c "$uri" list --all >>"$tmp/t.virsh"
done
o=$(median <"$tmp/t.ospite")
v=$(median <"$tmp/t.virsh")
printf 'list: ospite %.3f s, virsh %.3f s, ratio %s (target <= 0.50; medians of %d runs, %d guests)\n' \
	"$o" "$v" "$(ratio "$o" "$v")" "$RUNS" "$GUESTS"

# Peak memory of one run (maximum resident set, KiB), from GNU time.
peak_kib() {
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; die "$* failed"; }
	tail -1 "$tmp/rss"
}
mem_ospite_list=$(peak_kib "$B/ospite" list --connect "$uri")
mem_virsh=$(peak_kib virsh -c "$uri" list --all)

# ---- the console on vt100 at 80x24 -------------------------------------------------------
# What the console writes to its terminal goes through a recorder that notes the time and the
# running total of every chunk, so bytes can be told apart by when they came.
cat >"$tmp/rec.py" <<'PY'
import os, sys, time
raw = open(sys.argv[1], "wb", buffering=0)
idx = open(sys.argv[2], "w", buffering=1)
open(sys.argv[3], "w").close()
total = 0
while True:
    b = os.read(0, 65536)
    if not b:
        break
    t = time.time()
    raw.write(b)
    total += len(b)
    idx.write("%.6f %d\n" % (t, total))
PY
# The console starts once the recorder runs, noting its pid and when it was executed.
cat >"$tmp/launch.sh" <<'SH'
#!/bin/bash
while [ ! -e "$1" ]; do sleep 0.01; done
echo "$$ $EPOCHREALTIME" >"$2"
shift 2
exec "$@"
SH
chmod +x "$tmp/launch.sh"
# When the update of the screen that first shows $3 ended (the chunks that follow within 20 ms).
cat >"$tmp/screen.py" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
idx = [(float(t), int(n)) for t, n in (l.split() for l in open(sys.argv[2]))]
mark = sys.argv[3].encode()
at = raw.find(mark)
if at < 0:
    sys.exit(1)
i = next(k for k, (t, n) in enumerate(idx) if n >= at + len(mark))
while i + 1 < len(idx) and idx[i + 1][0] - idx[i][0] < 0.02:
    i += 1
print("%.6f" % idx[i][0])
PY
# Bytes that came between two times.
cat >"$tmp/between.py" <<'PY'
import sys
a, b = float(sys.argv[2]), float(sys.argv[3])
prev = got = 0
for l in open(sys.argv[1]):
    t, n = l.split()
    if a <= float(t) < b:
        got += int(n) - prev
    prev = int(n)
print(got)
PY

term=vt100
count_text=$(Tf "%u running of %u" 0 "$GUESTS")
# start_console N: the console in a fresh tmux, its output recorded to tty-N.*; sets cpid and t_up.
start_console() {
	rm -f "$tmp/ready" "$tmp/started"
	console_start "$term" "$tmp/launch.sh $tmp/ready $tmp/started env OSPITE_LOCALEDIR=$OSPITE_LOCALEDIR \
		$B/ospite --connect $uri --lang $lang --idle-timeout 0 --config $tmp/console.conf"
	tmx pipe-pane -t t -o "exec python3 $tmp/rec.py $tmp/tty-$1.raw $tmp/tty-$1.idx $tmp/ready"
	see "$count_text" 30
	local t_exec t_screen
	read -r cpid t_exec <"$tmp/started" || die "the console did not start"
	t_screen=$(python3 "$tmp/screen.py" "$tmp/tty-$1.raw" "$tmp/tty-$1.idx" "$count_text") ||
		die "the first screen is not in what the console wrote"
	t_up=$(awk -v a="$t_exec" -v b="$t_screen" 'BEGIN { printf "%.4f\n", b - a }')
}

# Start-up: from exec until the status screen shows the guests, a few times.
: >"$tmp/t.up"
for ((i = 1; i < 5; i++)); do
	start_console "$i"
	echo "$t_up" >>"$tmp/t.up"
	tui_stop
done
start_console 5
echo "$t_up" >>"$tmp/t.up"
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$cpid/status"; }
hwm_up=$(hwm)
up=$(median <"$tmp/t.up")
printf 'start-up: ospite console %.3f s from exec to its first screen (median of 5; virsh list --all takes %.3f s)\n' \
	"$up" "$v"

# The guest list with 1,000 rows.
login "$user" "$password"
see "$(Tt "Enter opens a guest.")" 30
see "$(Tn "%zu guest, %u running" "%zu guests, %u running" "$GUESTS" 0)"
hwm_login=$(hwm)
idx=$tmp/tty-5.idx

# Idle: several refreshes with nothing to change. The periods are the console's own.
refresh_s=$(sed -n 's/^#define REFRESH_NS (\([0-9]*\) \* NS_PER_S)$/\1/p' "$top/vmconsole/vc-app.c")
tick_ms=$(sed -n 's/^#define TICK_MS \([0-9]*\)$/\1/p' "$top/vmconsole/vc-app.c")
[ -n "$refresh_s" ] && [ -n "$tick_ms" ] || die "no REFRESH_NS or TICK_MS in vmconsole/vc-app.c"
sleep "$refresh_s"
t0=$EPOCHREALTIME
sleep $((5 * refresh_s))
t1=$EPOCHREALTIME
idle=$(python3 "$tmp/between.py" "$idx" "$t0" "$t1")
read -r refreshes ticks per_refresh idle_rate <<<"$(awk -v a="$t0" -v b="$t1" -v r="$refresh_s" -v k="$tick_ms" -v n="$idle" \
	'BEGIN { printf "%.1f %.0f %.0f %f\n", (b - a) / r, (b - a) * 1000 / k, n * r / (b - a), n / (b - a) }')"
printf 'idle refresh: %d bytes per refresh on vt100 80x24 (%d bytes in %s refreshes, %d ticks; target <= 100)\n' \
	"$per_refresh" "$idle" "$refreshes" "$ticks"

# Cursor moves: Down, each alone; whether the list scrolled tells the two kinds apart. What the
# idle console writes in the same time is taken off, so that ticks do not count as moves.
first_row() { tui_screen | grep -m1 -o 'ospite-bench-[0-9]*'; }
: >"$tmp/moves"
for ((i = 0; i < 20; i++)); do
	before=$(first_row)
	t0=$EPOCHREALTIME
	tui_keys Down
	sleep 0.3
	t1=$EPOCHREALTIME
	n=$(python3 "$tmp/between.py" "$idx" "$t0" "$t1")
	[ "$n" -gt 0 ] || die "a Down press wrote nothing"
	kind=page
	[ "$(first_row)" = "$before" ] || kind=scroll
	echo "$kind $n $t0 $t1" >>"$tmp/moves"
done
read -r page page_n scroll scroll_n <<<"$(awk -v r="$idle_rate" '
	{ b[$1] += $2 - r * ($4 - $3); n[$1]++ }
	END { printf "%.0f %d %.0f %d\n", n["page"] ? b["page"] / n["page"] : -1, n["page"],
		n["scroll"] ? b["scroll"] / n["scroll"] : -1, n["scroll"] }' "$tmp/moves")"
[ "$page_n" -gt 0 ] && [ "$scroll_n" -gt 0 ] || die "20 Down presses did not both move within the list and scroll it"
printf 'cursor move: %d bytes per Down within the page on vt100 80x24 (target <= 60), %d when the list scrolls (means of %d and %d)\n' \
	"$page" "$scroll" "$page_n" "$scroll_n"

# Memory: the console's peak at its first screen, after the login and with the list used, against
# the one-shot commands; and what it keeps.
hwm_end=$(hwm)
rss_end=$(awk '/^VmRSS:/ { print $2 }' "/proc/$cpid/status")
[ -n "$hwm_end" ] || die "the console is gone"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
printf 'memory: ospite console %s MiB peak (%s at its first screen, %s after the login, %s resident at the end), virsh list --all %s MiB, ratio %s; ospite list %s MiB, ratio %s\n' \
	"$(mib "$hwm_end")" "$(mib "$hwm_up")" "$(mib "$hwm_login")" "$(mib "$rss_end")" "$(mib "$mem_virsh")" \
	"$(ratio "$hwm_end" "$mem_virsh")" "$(mib "$mem_ospite_list")" "$(ratio "$mem_ospite_list" "$mem_virsh")"
tui_stop
