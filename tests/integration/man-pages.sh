#!/bin/bash
# The manual pages render without warnings and name every command and option the parsers accept: the answer file's (install/ks-*.c) and both programs' command lines.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v man >/dev/null || { echo "missing man"; exit 1; }

# text PAGE: the page as a reader sees it, without hyphenation or justification.
text() {
	MANWIDTH=200 LC_ALL=C.UTF-8 man --nh --nj -E UTF-8 -l "$root/man/$1" 2>/dev/null |
		sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g; s/‐/-/g'
}

for p in ospite.8 ospite-install.8 ospite-answers.5 ospite-backup.5; do
	[ -f "$root/man/$p" ] || { fail "man/$p is missing"; continue; }
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$root/man/$p" 2>&1 >/dev/null)
	[ -z "$warn" ] || fail "man/$p renders with warnings: $warn"
done

# The answer file: every command of the dispatch table and every option of an optdef table.
ans=$(text ospite-answers.5)
cmds=$(sed -n 's/^\s*{ "\([a-z_]*\)", \(ks_\)\?cmd_[a-z_]*, KS_ONCE_[A-Z_]* },$/\1/p' "$root/install/ks-cmd.c")
[ "$(echo "$cmds" | wc -w)" -ge 20 ] || fail "only $(echo "$cmds" | wc -w) commands found in ks-cmd.c"
for c in $cmds %packages %pre %post %end %include %addon %anaconda; do
	grep -qw -- "$c" <<<"$ans" || fail "ospite-answers(5) does not name the command $c"
done
opts=$(cat "$root"/install/ks-*.c |
	grep -o '{ "[A-Za-z0-9-]*", INST_KS_\(FLAG\|VALUE\)' |
	sed 's/{ "\([^"]*\)".*/\1/' | sort -u)
[ "$(echo "$opts" | wc -w)" -ge 40 ] || fail "only $(echo "$opts" | wc -w) options found in ks-cmd.c"
for o in $opts; do
	grep -q -- "--$o\b" <<<"$ans" || fail "ospite-answers(5) does not name the option --$o"
done

# The programs: every long option getopt_long is given.
for pair in ospite-install.8:install/main-install.c ospite.8:vmconsole/main-ospite.c; do
	page=${pair%%:*} src=${pair#*:}
	t=$(text "$page")
	for o in $(sed -n 's/^\s*{ "\([a-z0-9-]*\)", \(required\|no\|optional\)_argument,.*/\1/p' "$root/$src"); do
		grep -q -- "--$o\b" <<<"$t" || fail "$page does not name the option --$o of $src"
	done
done
for c in list import-xl export-xl; do
	grep -qw -- "$c" <<<"$(text ospite.8)" || fail "ospite(8) does not name the command $c"
done

if [ "$failures" = 0 ]; then
	echo "man-pages: all commands and options are documented"
	exit 0
fi
exit 1
