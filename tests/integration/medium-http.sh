#!/bin/bash
# The install medium's repository served over HTTP as a mirror: signed by media/sign-repo.sh as make iso signs it, taken with the medium's key, refused unsigned or signed by another key (tests/unit/test-inst-mirror-key.c on the loopback HTTP server).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${OSPITE_BUILD:-$root/build/std}
bin=$build/tests/test-inst-mirror-key
for t in apt-ftparchive gpg gpgconf dpkg-deb python3; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 77; }
done
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$bin" ] || fail "$bin is missing; build it with make first"

tmp=$(mktemp -d /tmp/ospite-medium-http.XXXXXX)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# apt fetches and checks as its unprivileged _apt user.
chmod 755 "$tmp"

# One small package, in repositories laid out as make iso lays out the medium's.
. "$root/tests/lib/test-repo.sh"
test_deb "$tmp" ospite-probe || fail "dpkg-deb"
for r in signed unsigned other-key; do
	test_repo "$tmp" "$tmp/www/$r" ospite-probe || fail "apt-ftparchive for $r"
done
"$root/media/sign-repo.sh" key "$tmp/gnupg" "$tmp/medium.gpg" || fail "no medium key made"
"$root/media/sign-repo.sh" sign "$tmp/gnupg" "$tmp/www/signed/dists/bookworm" || fail "signing"
[ -s "$tmp/www/signed/dists/bookworm/InRelease" ] && [ -s "$tmp/www/signed/dists/bookworm/Release.gpg" ] ||
	fail "sign-repo.sh wrote no InRelease and Release.gpg"
gpgv --keyring "$tmp/medium.gpg" "$tmp/www/signed/dists/bookworm/InRelease" 2>/dev/null ||
	fail "the exported key does not check the signature"
# The same key is kept: a second run exports it again, unchanged.
"$root/media/sign-repo.sh" key "$tmp/gnupg" "$tmp/medium2.gpg" || fail "the second export"
cmp -s "$tmp/medium.gpg" "$tmp/medium2.gpg" || fail "a second run made another key"
"$root/media/sign-repo.sh" key "$tmp/gnupg-other" "$tmp/other.gpg" >/dev/null || fail "no other key made"
"$root/media/sign-repo.sh" sign "$tmp/gnupg-other" "$tmp/www/other-key/dists/bookworm" || fail "signing with the other key"
# No agent is left behind by the signing script.
pgrep -f "gpg-agent --homedir $tmp" >/dev/null && fail "a gpg-agent still runs for the test's keys"

test_http_start "$tmp/www" "$tmp" || fail "the loopback HTTP server did not start"
chmod 644 "$tmp/medium.gpg"
OSPITE_TEST_HTTP=http://127.0.0.1:$(cat "$tmp/port") OSPITE_TEST_MEDIUM_KEY=$tmp/medium.gpg \
	OSPITE_TEST_WORKDIR=$tmp/work "$root/tests/lib/run-unit.sh" "$bin"
case $? in
0) ;;
77) fail "test-inst-mirror-key skipped some of its tests" ;;
*) fail "test-inst-mirror-key failed" ;;
esac
grep -q 'GET /signed/dists/bookworm/InRelease' "$tmp/http.log" || fail "apt never asked the server for InRelease"
echo "medium-http: the medium's repository over HTTP is taken signed by its key, and only so"
