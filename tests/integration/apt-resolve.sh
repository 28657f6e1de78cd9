#!/bin/bash
# Resolves a Xen host's package set against the mirror of this machine's apt sources, and checks missing-package and unreachable-source errors.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${OSPITE_BUILD:-$repo/build/std}
bin=$build/tests/test-inst-apt-resolve
unit=$repo/tests/lib/run-unit.sh
suite=bookworm

skip() {
	echo "$1"
	exit 77
}
fail() {
	echo "FAIL: $1" >&2
	exit 1
}

command -v apt-get >/dev/null || skip "apt-get is not installed"
[ -x /usr/lib/apt/apt-helper ] || skip "apt-helper is not installed"
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || skip "debian-archive-keyring is not installed"

# The first http(s) URI of this machine's apt sources that serves $suite (deb822 and one-line formats).
find_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v suite="$suite" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
				    enabled != "no" && uris != "" && !found) {
					split(uris, u, " ")
					for (i in u) if (u[i] ~ /^https?:\/\//) { print u[i]; found = 1; exit }
				}
				types = suites = uris = ""; enabled = "yes"
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			/^Enabled:/ { sub(/^Enabled:[ \t]*/, ""); enabled = tolower($0) }
			END { flush() }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk -v suite="$suite" '$1 == "deb" && $3 == suite && $2 ~ /^https?:\/\// { print $2 }'
	done
}

mirror=$(find_mirror | head -n 1)
mirror=${mirror%/}
[ -n "$mirror" ] || skip "no $suite mirror in this machine's apt sources"

if [ ! -x "$bin" ]; then
	case $(cd "$build" 2>/dev/null && pwd) in
	"$repo/build/std") make -C "$repo" build/std/tests/test-inst-apt-resolve >&2 ;;
	"$repo/build/san") make -C "$repo" SANITIZE=1 build/san/tests/test-inst-apt-resolve >&2 ;;
	esac
	[ -x "$bin" ] || fail "$bin is missing; build it with make first"
fi

tmp=$(mktemp -d /tmp/ospite-apt-resolve.XXXXXX) || fail "mktemp"
cleanup() {
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
# apt fetches as its unprivileged _apt user, which must reach the work directory.
chmod 755 "$tmp"

/usr/lib/apt/apt-helper -o Acquire::http::Timeout=15 -o Acquire::Retries=0 \
	download-file "$mirror/dists/$suite/InRelease" "$tmp/InRelease" >/dev/null 2>&1 ||
	skip "the mirror $mirror cannot be reached"

echo "mirror: $mirror"
# run-unit.sh counts each test: one that skipped is no pass.
OSPITE_TEST_MIRROR=$mirror OSPITE_TEST_SUITE=$suite OSPITE_TEST_WORKDIR=$tmp/work "$unit" "$bin"
case $? in
0) ;;
77) skip "test-inst-apt-resolve skipped some of its tests" ;;
*) fail "test-inst-apt-resolve failed" ;;
esac
# The lists stay in the work directory for the install to reuse.
ls "$tmp"/work/state/lists/*_Packages >/dev/null 2>&1 || fail "the package lists were not kept"
echo "ok"
