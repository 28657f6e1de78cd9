#!/bin/bash
# Answer files over the network, checked with --validate only: plain http needs a checksum or --insecure, a remote file includes only files under its own folder, redirects from https to http are refused.
set -u

B=${OSPITE_BUILD:-build/std}
skip() { echo "$1"; exit 77; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for t in python3 sha256sum; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[ -x "$B/ospite-install" ] || { echo "FAIL: $B/ospite-install is missing: run make"; exit 1; }
bin=$(cd "$(dirname "$B/ospite-install")" && pwd)/ospite-install
server_py=$(cd "$(dirname "$0")/../lib" && pwd)/http-loopback.py

tmp=$(mktemp -d /tmp/ospite-remote.XXXXXX) || exit 1
servers=()
cleanup() {
	for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/www/ks" "$tmp/other"

# start NAME DIR [CERT KEY]: a server on loopback; its port ends up in $tmp/NAME.port.
start() {
	python3 "$server_py" "$2" "$tmp/$1.port" "${@:3}" 2>"$tmp/$1.log" &
	servers+=($!)
	for _ in $(seq 100); do [ -s "$tmp/$1.port" ] && return; sleep 0.1; done
	echo "FAIL: the server $1 did not start: $(cat "$tmp/$1.log")"
	exit 1
}
start http "$tmp/www"
url=http://127.0.0.1:$(cat "$tmp/http.port")

# v NAME ARGS...: run --validate (LANGUAGE empty: English); status in $rc, stderr in $tmp/err.
v() {
	LANGUAGE= LC_ALL=C.UTF-8 "$bin" --validate "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

head='lang en
keyboard us
timezone UTC --utc
network --device=link --bootproto=dhcp --hostname=remote
url --url=http://deb.example.org/debian
rootpw --plaintext ospite-test
hypervisor --type=xen'
printf '%s\nautopart\n' "$head" >"$tmp/www/ks/plain.ks"
printf '%s\n%%include parts.ks\n' "$head" >"$tmp/www/ks/inc.ks"
printf 'autopart\n' >"$tmp/www/ks/parts.ks"
sum=$(sha256sum "$tmp/www/ks/plain.ks" | cut -d' ' -f1)

# Plain http with neither a checksum nor --insecure: refused, saying what to do.
v "$url/ks/plain.ks"
[ $rc = 1 ] || fail "plain http without a checksum: exit $rc, expected 1"
grep -qF "$url/ks/plain.ks: The answer file would come over plain http" "$tmp/err" ||
	fail "no message for plain http: $(cat "$tmp/err")"
grep -qF -- "--answer-sha256" "$tmp/err" || fail "the message does not name --answer-sha256"

# The right checksum (any case), --insecure: taken. A wrong one: refused, naming both.
v "$url/ks/plain.ks" --answer-sha256="$sum"
[ $rc = 0 ] || fail "plain http with its checksum: exit $rc: $(cat "$tmp/err")"
v "$url/ks/plain.ks" --answer-sha256="${sum^^}"
[ $rc = 0 ] || fail "an upper-case checksum: exit $rc: $(cat "$tmp/err")"
v "$url/ks/plain.ks" --insecure
[ $rc = 0 ] || fail "plain http with --insecure: exit $rc: $(cat "$tmp/err")"
bad=$(printf '%s' "$sum" | tr 0-9a-f 1-9a-f0)
v "$url/ks/plain.ks" --answer-sha256="$bad"
[ $rc = 1 ] || fail "a wrong checksum: exit $rc, expected 1"
grep -qF "does not have the SHA-256 given ($bad), but $sum" "$tmp/err" ||
	fail "no message for the wrong checksum: $(cat "$tmp/err")"
v "$url/ks/plain.ks" --answer-sha256=1234
[ $rc = 1 ] || fail "a checksum that is not one: exit $rc, expected 1"
grep -qF -- "--answer-sha256 needs the 64 hexadecimal digits" "$tmp/err" ||
	fail "no message for --answer-sha256=1234: $(cat "$tmp/err")"

# A local file is checked against --answer-sha256 too.
cp "$tmp/www/ks/plain.ks" "$tmp/local.ks"
v "$tmp/local.ks" --answer-sha256="$sum"
[ $rc = 0 ] || fail "a local file with its checksum: exit $rc: $(cat "$tmp/err")"
v "$tmp/local.ks" --answer-sha256="$bad"
[ $rc = 1 ] || fail "a local file with a wrong checksum: exit $rc, expected 1"

# The checksum covers the file, not what it includes over plain http: that needs --insecure.
v "$url/ks/inc.ks" --answer-sha256="$(sha256sum "$tmp/www/ks/inc.ks" | cut -d' ' -f1)"
[ $rc = 1 ] || fail "an include over plain http without --insecure: exit $rc, expected 1"
grep -qF "$url/ks/inc.ks:8: The included file $url/ks/parts.ks cannot be read: It would come over plain http" "$tmp/err" ||
	fail "no message for the unchecked include: $(cat "$tmp/err")"
v "$url/ks/inc.ks" --insecure --dump-plan
[ $rc = 0 ] || fail "an include under the file's folder with --insecure: exit $rc: $(cat "$tmp/err")"
grep -qx 'autopart: yes' "$tmp/out" || fail "the included file was not read"

# A remote file includes nothing local and nothing outside its folder, --insecure or not.
echo "marker-secret" >"$tmp/secret.ks"
echo "marker-other" >"$tmp/www/outside.ks"
for inc in "$tmp/secret.ks" ../outside.ks %2e%2e/outside.ks sub/../../outside.ks \
	"http://localhost:$(cat "$tmp/http.port")/ks/parts.ks" "$url/outside.ks" "file://$tmp/secret.ks"; do
	printf '%s\nautopart\n%%include %s\n' "$head" "$inc" >"$tmp/www/ks/escape.ks"
	v "$url/ks/escape.ks" --insecure
	[ $rc = 1 ] || fail "%include $inc from a remote file: exit $rc, expected 1"
	grep -qF "$url/ks/escape.ks:9: The included file" "$tmp/err" &&
		grep -qF "may include only files under $url/ks/" "$tmp/err" ||
		fail "no message for %include $inc: $(cat "$tmp/err")"
	grep -q marker- "$tmp/err" && fail "%include $inc was read"
done

# The kernel command line: ospite.ks.sha256= next to ospite.ks=. Each run stops at the answer
# file (a wrong checksum, or a command the file may not have), before anything is touched.
printf '%s\nautopart\nselinux --enforcing\n' "$head" >"$tmp/www/ks/stop.ks"
stop_sum=$(sha256sum "$tmp/www/ks/stop.ks" | cut -d' ' -f1)
echo "quiet ospite.ks=$url/ks/stop.ks ospite.ks.sha256=$stop_sum -- init" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline LANGUAGE= "$bin" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "ospite.ks.sha256= right: exit $rc, expected 1 (the file's own error)"
grep -qxF "$url/ks/stop.ks:9: selinux --enforcing is not supported: the Debian host runs without SELinux. Write selinux --disabled or leave the command out." "$tmp/err" ||
	fail "the file with the right ospite.ks.sha256= was not read: $(cat "$tmp/err")"
echo "ospite.ks=$url/ks/stop.ks ospite.ks.sha256=$sum" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline LANGUAGE= "$bin" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "ospite.ks.sha256= wrong: exit $rc, expected 1"
grep -qF "does not have the SHA-256 given ($sum)" "$tmp/err" ||
	fail "no message for a wrong ospite.ks.sha256=: $(cat "$tmp/err")"
echo "ospite.ks=$url/ks/stop.ks" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline LANGUAGE= "$bin" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "ospite.ks= over http without a checksum: exit $rc, expected 1"
grep -qF "would come over plain http" "$tmp/err" ||
	fail "no message for ospite.ks= over plain http: $(cat "$tmp/err")"
echo "ospite.ks=$url/ks/stop.ks ospite.ks.sha256=xyz" >"$tmp/cmdline"
OSPITE_CMDLINE=$tmp/cmdline LANGUAGE= "$bin" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "ospite.ks.sha256=xyz: exit $rc, expected 1"
grep -qF "ospite.ks.sha256=xyz on the kernel command line is not a SHA-256" "$tmp/err" ||
	fail "no message for ospite.ks.sha256=xyz: $(cat "$tmp/err")"

# Redirects: http to http is followed; one to a scheme that is not http(s) is refused.
v "$url/redirect?to=$url/ks/plain.ks" --answer-sha256="$sum"
[ $rc = 0 ] || fail "a redirect from http to http: exit $rc: $(cat "$tmp/err")"
v "$url/redirect?to=file://$tmp/local.ks" --insecure
[ $rc = 1 ] || fail "a redirect to file://: exit $rc, expected 1"
grep -qF "which is not an http or https address" "$tmp/err" ||
	fail "no message for a redirect to file://: $(cat "$tmp/err")"

# From https to http: refused. The installer trusts only the system's CAs, so this runs
# through the unit test test-ks (test_fetch_https), which can name a test CA.

# The help names both options.
"$bin" --help >"$tmp/out"
grep -q -- "--answer-sha256=HEX" "$tmp/out" || fail "--help does not show --answer-sha256"
grep -q -- "--insecure" "$tmp/out" || fail "--help does not show --insecure"

[ $failures = 0 ] || exit 1
echo "PASS: answer files over http need a checksum or --insecure; remote includes stay under their folder"
