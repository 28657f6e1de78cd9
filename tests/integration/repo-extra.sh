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

# deb NAME [DEPENDS]: a small package.
deb() {
	mkdir -p "$tmp/pkg-$1/DEBIAN"
	{
		printf 'Package: %s\nVersion: 1.0\nArchitecture: amd64\n' "$1"
		printf 'Maintainer: ospite tests <tests@example.org>\nPriority: optional\n'
		[ -n "${2:-}" ] && printf 'Depends: %s\n' "$2"
		printf 'Description: a package of the extra repository test\n'
	} >"$tmp/pkg-$1/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$tmp/pkg-$1" "$tmp/$1_1.0_amd64.deb" >/dev/null ||
		fail "dpkg-deb $1"
}
# repo DIR DEB...: a repository of suite bookworm, component main, signed later.
repo() {
	local dir=$tmp/www/$1
	shift
	mkdir -p "$dir/pool/main" "$dir/dists/bookworm/main/binary-amd64"
	for d in "$@"; do cp "$tmp/${d}_1.0_amd64.deb" "$dir/pool/main/"; done
	(
		cd "$dir" || exit 1
		apt-ftparchive packages pool >dists/bookworm/main/binary-amd64/Packages
		apt-ftparchive -o APT::FTPArchive::Release::Suite=bookworm \
			-o APT::FTPArchive::Release::Codename=bookworm \
			-o APT::FTPArchive::Release::Components=main \
			-o APT::FTPArchive::Release::Architectures=amd64 \
			release dists/bookworm >"$tmp/Release"
		mv "$tmp/Release" dists/bookworm/Release
	) || fail "apt-ftparchive for $dir"
}
deb main-probe
deb extra-only main-probe
repo main main-probe
repo extra extra-only
# The mirror is signed as the install medium's repository is; the extra one by a key of its own.
"$root/media/sign-repo.sh" key "$tmp/gnupg-main" "$tmp/main.gpg" || fail "no mirror key made"
"$root/media/sign-repo.sh" sign "$tmp/gnupg-main" "$tmp/www/main/dists/bookworm" || fail "signing the mirror"
"$root/media/sign-repo.sh" key "$tmp/gnupg-extra" "$tmp/extra.gpg" || fail "no repository key made"
"$root/media/sign-repo.sh" sign "$tmp/gnupg-extra" "$tmp/www/extra/dists/bookworm" || fail "signing the repository"
gpg --batch --quiet --homedir "$tmp/gnupg-extra" --armor --export >"$tmp/www/extra.asc" ||
	fail "no armored key"
gpgconf --homedir "$tmp/gnupg-extra" --kill gpg-agent 2>/dev/null
fpr=$(gpg --batch --with-colons --homedir "$tmp/gnupg-extra" --show-keys "$tmp/extra.gpg" 2>/dev/null |
	awk -F: '$1 == "fpr" { print $10; exit }')
gpgconf --homedir "$tmp/gnupg-extra" --kill gpg-agent 2>/dev/null
[ ${#fpr} = 40 ] || fail "no fingerprint for the repository key: '$fpr'"
chmod 644 "$tmp/main.gpg" "$tmp/extra.gpg"

python3 "$root/tests/lib/http-loopback.py" "$tmp/www" "$tmp/port" 2>"$tmp/http.log" &
srv=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || fail "the loopback HTTP server did not start"
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
