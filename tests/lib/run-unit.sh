#!/bin/bash
# Runs each cmocka unit test binary given and counts its tests as cmocka reports them: passed, failed, skipped.
#
# Exit status as for a test script: 0 when every test passed, 1 when one failed, 77 when none
# failed but some skipped. With OSPITE_NO_SKIP=1 (make check, which installs what every test
# needs) a skipped test is a failed one, and the reason is printed.
set -u
passed=0 failed=0 skipped=0
out=$(mktemp /tmp/ospite-unit.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT

# count WORD: the number on cmocka's closing line "[  WORD  ] N test(s)", 0 when absent.
count() {
	sed -n "s/^\[ *$1 *\] \([0-9][0-9]*\) test(s).*/\1/p" "$out" | awk '{ n += $1 } END { print n + 0 }'
}

for t in "$@"; do
	"$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(count PASSED) f=$(count FAILED) s=$(count SKIPPED)
	# A crash, or a group setup that failed, may leave no FAILED line: the binary still failed.
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAILED: $t exited with status $rc"
		f=1
	fi
	[ "$f" != 0 ] && echo "FAILED: $t: $f test(s) failed"
	if [ "$s" != 0 ]; then
		names=$(sed -n 's/^\[  SKIPPED \] \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' "$out" | sort -u | tr '\n' ' ')
		if [ "${OSPITE_NO_SKIP:-}" = 1 ]; then
			echo "FAILED: $t skipped ${names}but no test may skip under make check," \
				"which installs what every test needs (tests/lib/deps.sh test)"
			f=$((f + s)) s=0
		else
			echo "SKIPPED: $t: $names"
		fi
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || exit 77
exit 0
