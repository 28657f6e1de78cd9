#!/bin/bash
# Runs every test script in a folder (sorted), keeping each one's log only when it fails.
#
# A script that exits 77 skipped; with OSPITE_NO_SKIP=1 (make check, which installs what every
# test needs) that is a failure, and its reason is printed.
dir=$1
passed=0 failed=0 skipped=0
logdir=${OSPITE_BUILD:-build}/test-logs/$(basename "$dir")
mkdir -p "$logdir"
for t in "$dir"/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log=$logdir/$name.log
	start=$(date +%s)
	bash "$t" >"$log" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	case $rc in
	0) echo "PASS $name (${took}s)"; passed=$((passed + 1)); rm -f "$log" ;;
	77) if [ "${OSPITE_NO_SKIP:-}" = 1 ]; then
		echo "FAIL $name: skipped, but no test may skip under make check: $(tail -n 1 "$log")"
		failed=$((failed + 1))
	    else
		echo "SKIP $name: $(tail -n 1 "$log")"; skipped=$((skipped + 1))
	    fi ;;
	*) echo "FAIL $name (${took}s), log follows:"; tail -n 60 "$log" | sed 's/^/    /'
	   failed=$((failed + 1)) ;;
	esac
done
echo "$(basename "$dir"): $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
