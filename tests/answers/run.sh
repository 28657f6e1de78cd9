#!/bin/bash
# Checks each answer file here against its golden output: NAME.plan (the plan dump) or NAME.err (the error lines), NAME.err.it in Italian.
# An accepted file prints nothing on stderr, unless NAME.warn holds the warning lines it must print.
#
# A line "# test-args: ..." in a file adds options to its --validate run, "# test-env: NAME=VALUE"
# sets variables for it; @TMP@ stands for a private temporary folder (the image named there must
# not exist afterwards: --validate makes nothing). @TMP@/medium is a boot medium's repository;
# no file sees one unless it says so. In a file's own lines @SRC@ stands for the top of this tree
# (absolute paths such as a repository's --key=@SRC@/tests/fixtures/repo-key.gpg): such a file
# is validated as a copy under the same relative name, so its messages name it as written.
# OSPITE_REGEN=1 rewrites the golden files from what the installer prints now.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=$(realpath -m "${OSPITE_BUILD:-build/std}")
bin=$B/ospite-install
OSPITE_LOCALEDIR=$(realpath -m "${OSPITE_LOCALEDIR:-$B/locale}")
export OSPITE_LOCALEDIR
[ -x "$bin" ] || { echo "$bin is missing: run make first"; exit 2; }
tmp=$(mktemp -d /tmp/ospite-answers.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null)
mkdir -p "$tmp/medium/dists/${codename:-bookworm}" || exit 2
printf 'Suite: %s\n' "${codename:-bookworm}" >"$tmp/medium/dists/${codename:-bookworm}/Release"
export OSPITE_MEDIUM_REPO=$tmp/no-medium

# run KS [LANGUAGE]: validate KS; stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
	local args vars
	args=$(sed -n 's/^# test-args: //p' "$1" | head -n 1)
	args=${args//@TMP@/$tmp}
	vars=$(sed -n 's/^# test-env: //p' "$1" | head -n 1)
	vars=${vars//@TMP@/$tmp}
	if grep -q '@SRC@' "$1"; then
		mkdir -p "$tmp/src/$(dirname "$1")" || exit 2
		sed "s|@SRC@|$PWD|g" "$1" >"$tmp/src/$1" || exit 2
		# shellcheck disable=SC2086
		(cd "$tmp/src" && LANGUAGE=${2:-} LC_ALL=C.UTF-8 env $vars "$bin" --validate "$1" \
			--dump-plan $args </dev/null >"$tmp/out" 2>"$tmp/err")
		rc=$?
		rm -rf "$tmp/src"
	else
		# shellcheck disable=SC2086
		LANGUAGE=${2:-} LC_ALL=C.UTF-8 env $vars "$bin" --validate "$1" --dump-plan $args \
			</dev/null >"$tmp/out" 2>"$tmp/err"
		rc=$?
	fi
	sed -i -e "s|$tmp|@TMP@|g" -e "s|$PWD|@SRC@|g" "$tmp/out" "$tmp/err"
}

# compare NAME GOLDEN GOT WANT-STATUS OTHER-STREAM: one verdict for one golden file.
compare() {
	local name=$1 golden=$2 got=$3 want=$4 other=$5 why=""
	if [ -n "${OSPITE_REGEN:-}" ]; then
		cp "$got" "$golden"
	fi
	[ "$rc" = "$want" ] || why="exit status $rc, expected $want"
	[ -s "$other" ] && why="${why:+$why; }unexpected output: $(head -c 300 "$other")"
	ls "$tmp"/*.img >/dev/null 2>&1 && why="${why:+$why; }--validate created an image" &&
		rm -f "$tmp"/*.img
	if ! cmp -s "$golden" "$got"; then
		why="${why:+$why; }output differs from $golden"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		return
	fi
	echo "FAIL $name: $why"
	diff -u "$golden" "$got" | head -n 40 | sed 's/^/    /'
	failed=$((failed + 1))
}

# check KS [GOLDEN-BASE]: every golden file of one answer file.
check() {
	local ks=$1 base=${2:-${1%.ks}} name
	name=$(basename "$base")
	if [ -n "${OSPITE_REGEN:-}" ] && [ ! -e "$base.plan" ] && [ ! -e "$base.err" ]; then
		run "$ks"
		if [ "$rc" = 0 ]; then cp "$tmp/out" "$base.plan"; else cp "$tmp/err" "$base.err"; fi
	fi
	if [ -e "$base.plan" ] && [ -e "$base.warn" ]; then
		run "$ks"
		: >"$tmp/none"
		compare "$name" "$base.plan" "$tmp/out" 0 "$tmp/none"
		compare "$name (warnings)" "$base.warn" "$tmp/err" 0 "$tmp/none"
	elif [ -e "$base.plan" ]; then
		run "$ks"
		compare "$name" "$base.plan" "$tmp/out" 0 "$tmp/err"
	elif [ -e "$base.err" ]; then
		run "$ks"
		compare "$name" "$base.err" "$tmp/err" 1 "$tmp/out"
	else
		echo "FAIL $name: neither $base.plan nor $base.err exists"
		failed=$((failed + 1))
	fi
	if [ -e "$base.err.it" ]; then
		run "$ks" it
		compare "$name (it)" "$base.err.it" "$tmp/err" 1 "$tmp/out"
	fi
}

for ks in tests/answers/*.ks; do
	check "$ks"
done

# A line of 1 MiB is made here rather than kept in the tree.
long=$tmp/long-line.ks
{
	echo "rootpw --lock"
	printf 'part / --size=%s\n' "$(head -c 1048576 /dev/zero | tr '\0' 9)"
	echo "autopart"
} >"$long"
check "$long" tests/answers/generated/long-line

# Nothing here can skip: every answer file runs.
echo "answers: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
