#!/bin/bash
# The answer file's repo: an extra repository on a loopback HTTP server, signed by its own key, from which the resolver takes a package only it has, and which the host keeps as sources.list.d/NAME.sources with its key (tests/unit/test-inst-repo.c).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${OSPITE_BUILD:-$root/build/std}
bin=$build/tests/test-inst-repo
for t in apt-ftparchive gpg gpgconf dpkg-deb python3; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 77; }
done
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$bin" ] || fail "$bin is missing; build it with make first"

tmp=$(mktemp -d /tmp/ospite-repo-extra.XXXXXX)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# apt fetches and checks as its unprivileged _apt user.
chmod 755 "$tmp"

. "$root/tests/lib/test-repo.sh"
test_deb "$tmp" main-probe && test_deb "$tmp" extra-only main-probe || fail "dpkg-deb"
test_repo "$tmp" "$tmp/www/main" main-probe && test_repo "$tmp" "$tmp/www/extra" extra-only ||
	fail "apt-ftparchive"
# The mirror is signed as the install medium's repository is; the extra one by a key of its own.
test_repo_sign "$tmp/gnupg-main" "$tmp/www/main" "$tmp/main.gpg" || fail "signing the mirror"
test_repo_sign "$tmp/gnupg-extra" "$tmp/www/extra" "$tmp/extra.gpg" || fail "signing the repository"
gpg --batch --quiet --homedir "$tmp/gnupg-extra" --armor --export >"$tmp/www/extra.asc" ||
	fail "no armored key"
gpgconf --homedir "$tmp/gnupg-extra" --kill gpg-agent 2>/dev/null
fpr=$(gpg --batch --with-colons --homedir "$tmp/gnupg-extra" --show-keys "$tmp/extra.gpg" 2>/dev/null |
	awk -F: '$1 == "fpr" { print $10; exit }')
gpgconf --homedir "$tmp/gnupg-extra" --kill gpg-agent 2>/dev/null
[ ${#fpr} = 40 ] || fail "no fingerprint for the repository key: '$fpr'"

test_http_start "$tmp/www" "$tmp" || fail "the loopback HTTP server did not start"
OSPITE_TEST_HTTP=http://127.0.0.1:$(cat "$tmp/port") OSPITE_TEST_MEDIUM_KEY=$tmp/main.gpg \
	OSPITE_TEST_REPO_KEY=$tmp/extra.gpg OSPITE_TEST_REPO_FPR=$fpr \
	OSPITE_TEST_WORKDIR=$tmp/work "$root/tests/lib/run-unit.sh" "$bin"
case $? in
0) ;;
77) fail "test-inst-repo skipped some of its tests" ;;
*) fail "test-inst-repo failed" ;;
esac
grep -q 'GET /extra/dists/bookworm/InRelease' "$tmp/http.log" || fail "apt never asked for the repository's InRelease"
grep -q 'GET /extra.asc' "$tmp/http.log" || fail "the key was never fetched over HTTP"
pgrep -f "gpg-agent --homedir $tmp" >/dev/null && fail "a gpg-agent still runs for the test's keys"
echo "repo-extra: the extra repository is taken signed by its key, and the host keeps it"
