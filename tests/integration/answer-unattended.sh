#!/bin/bash
# The unattended installer up to its first write: answer files from a file, from http on loopback and from the kernel command line, %pre, progress lines and JSON, exit statuses.
set -u

B=${OSPITE_BUILD:-build/std}
export PARTED_GPT_APPLE=${PARTED_GPT_APPLE:-0}
skip() { echo "$1"; exit 77; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

[ "$(id -u)" = 0 ] || skip "needs root to attach loop devices"
[ -e /dev/loop-control ] || skip "no loop device support"
for t in losetup blkid python3 sha256sum; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[ -x "$B/ospite-install" ] || { echo "FAIL: $B/ospite-install is missing: run make"; exit 1; }
bin=$(cd "$(dirname "$B/ospite-install")" && pwd)/ospite-install

tmp=$(mktemp -d /tmp/ospite-answer.XXXXXX) || exit 1
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	for f in "$tmp"/*.img; do
		for d in $(losetup -n -O NAME -j "$f" 2>/dev/null); do losetup -d "$d"; done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/www" "$tmp/work"

# A web server on loopback only, on a port the kernel picks.
python3 - "$tmp/www" "$tmp/port" 2>"$tmp/server.log" <<'PY' &
import functools, http.server, socketserver, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
    open(sys.argv[2], "w").write(str(httpd.server_address[1]))
    httpd.serve_forever()
PY
server=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "FAIL: the web server did not start"; exit 1; }
url=http://127.0.0.1:$(cat "$tmp/port")

# The mirror is a closed port on loopback: nothing may get that far, %pre stops the run first.
cat >"$tmp/www/host.ks" <<KS
lang en
keyboard us
timezone UTC --utc
network --device=link --bootproto=dhcp --hostname=unattended
url --url=http://127.0.0.1:9/debian
rootpw --plaintext ospite-test
user --name=alice --groups=wheel --plaintext --password=ospite-test
firewall --enabled --ssh
hypervisor --type=xen
clearpart --all
%include parts.ks
%pre --log=$tmp/pre.log
echo "pre ran as \$(id -un)"
echo marker >"$tmp/pre-marker"
%end
%pre --erroronfail
echo "this one fails"
exit 5
%end
KS
printf 'autopart\n' >"$tmp/www/parts.ks"

# --validate reads http(s) too, includes relative to the address (plain http: --insecure;
# tests/integration/answer-remote.sh checks the checksums and what may be included).
"$bin" --validate "$url/host.ks" --insecure --dump-plan >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] || fail "--validate of $url/host.ks: exit $rc: $(cat "$tmp/err")"
grep -qx 'hostname: unattended' "$tmp/out" || fail "--validate printed no plan"
grep -qx 'autopart: yes' "$tmp/out" || fail "the included file was not read"

# ospite.ks= on the kernel command line starts the unattended install; %pre runs, the second fails.
sum=$(sha256sum "$tmp/www/host.ks" | cut -d' ' -f1)
echo "quiet console=ttyS0 ospite.ks=$url/host.ks ospite.ks.sha256=$sum -- init args" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline LANGUAGE= "$bin" --insecure --image "$tmp/disk.img" --image-size 8G \
	--workdir "$tmp/work" --log "$tmp/install.log" --progress-fd 3 \
	</dev/null >"$tmp/out" 2>"$tmp/err" 3>"$tmp/progress.json"
rc=$?
[ $rc = 2 ] || fail "a failing %pre --erroronfail: exit $rc, expected 2"
grep -qF "The %pre script at $url/host.ks:16 failed with exit status 5." "$tmp/err" ||
	fail "the failure does not name the script's line: $(cat "$tmp/err")"
[ "$(cat "$tmp/pre-marker" 2>/dev/null)" = marker ] || fail "the first %pre did not run"
grep -qx 'pre ran as root' "$tmp/pre.log" || fail "the --log of %pre is missing its output"
grep -q 'pre ran as root' "$tmp/install.log" || fail "the install log is missing the %pre output"
grep -q 'this one fails' "$tmp/install.log" || fail "the install log is missing the failing script's output"
grep -qx '== Dependency Check' "$tmp/out" || fail "no step line on stdout"
# What the file asks for is said before anything runs, on the output and in the log.
grep -qxE 'Hypervisor: Xen; host name unattended; address from DHCP on xenbr[0-9]+\.' "$tmp/out" ||
	fail "the summary lacks the hypervisor and address: $(head -n 8 "$tmp/out")"
for l in "Users besides root: alice (sudo)." "Firewall: on; open ports: 22/tcp; trusted interfaces: -."; do
	grep -qxF "$l" "$tmp/out" || fail "the summary lacks \"$l\": $(head -n 8 "$tmp/out")"
	grep -qxF "$l" "$tmp/install.log" || fail "the log's summary lacks \"$l\""
done
grep -q $'\e' "$tmp/out" && fail "the progress lines carry terminal escapes"
grep -q '^{"event":"step","step":"deps"' "$tmp/progress.json" || fail "no JSON step line"
grep -q '^{"event":"failed","step":"deps","message":"The %pre script at' "$tmp/progress.json" ||
	fail "no JSON failure line"
[ -z "$(blkid -p -o value -s PTTYPE "$tmp/disk.img" 2>/dev/null)" ] || fail "the image was written"
[ -z "$(losetup -n -j "$tmp/disk.img")" ] || fail "the loop device was left attached"

# An answer file with problems: exit 1, and nothing made, not even the image.
printf 'rootpw --plaintext ospite-test\nautopart\nselinux --enforcing\n' >"$tmp/www/bad.ks"
"$bin" --answer "$url/bad.ks" --insecure --image "$tmp/bad.img" --image-size 8G --workdir "$tmp/work" \
	--log "$tmp/bad.log" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "an invalid answer file: exit $rc, expected 1"
grep -qxF "$url/bad.ks:3: selinux --enforcing is not supported: the Debian host runs without SELinux. Write selinux --disabled or leave the command out." "$tmp/err" ||
	fail "no line-numbered error: $(cat "$tmp/err")"
[ -e "$tmp/bad.img" ] && fail "an invalid answer file still made the image"

# An address the server has nothing at, and a kernel parameter that is no file nor address.
"$bin" --answer "$url/missing.ks" --insecure </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "a missing answer file: exit $rc, expected 1"
grep -qF "$url/missing.ks: The answer file does not exist." "$tmp/err" ||
	fail "no message for the missing file: $(cat "$tmp/err")"
echo "ospite.ks=ftp://example.org/a.ks" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline "$bin" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "ospite.ks=ftp://...: exit $rc, expected 1"
grep -qF 'names neither a file' "$tmp/err" || fail "no message for ospite.ks=ftp://: $(cat "$tmp/err")"

# A machine that does not fit the file is an install failure (2), with the reason, before %pre.
rm -f "$tmp/pre-marker"
"$bin" --answer "$url/host.ks" --insecure --image "$tmp/small.img" --image-size 2G --workdir "$tmp/work" \
	--log "$tmp/small.log" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] || fail "a 2 GiB image: exit $rc, expected 2"
grep -q 'too small' "$tmp/err" || fail "no reason for the small image: $(cat "$tmp/err")"
[ -e "$tmp/pre-marker" ] && fail "%pre ran although the machine check failed"

# An image that holds a partition is only erased when clearpart says so (checked by --validate).
if command -v parted >/dev/null; then
	truncate -s 8G "$tmp/data.img"
	parted -s "$tmp/data.img" mklabel gpt mkpart data ext4 1MiB 100MiB || fail "parted"
	sed '/^clearpart/d' "$tmp/www/host.ks" >"$tmp/noclear.ks"
	cp "$tmp/www/parts.ks" "$tmp/parts.ks"
	"$bin" --validate "$tmp/noclear.ks" --image "$tmp/data.img" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || fail "a disk with data and no clearpart: exit $rc, expected 1"
	grep -qF "$tmp/noclear.ks: The disk $tmp/data.img holds data" "$tmp/err" ||
		fail "no message for the disk with data: $(cat "$tmp/err")"
	"$bin" --validate "$tmp/www/host.ks" --image "$tmp/data.img" >"$tmp/out" 2>"$tmp/err" ||
		fail "clearpart --all does not allow erasing the image: $(cat "$tmp/err")"
fi

[ $failures = 0 ] || exit 1
echo "PASS: answer files from a file, http and the kernel command line; %pre; progress; exit statuses"
