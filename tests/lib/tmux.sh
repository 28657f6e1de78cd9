# Drives a program in a private tmux server at 80x24: start, send keys, wait for text, read the screen.
# Source it; call tui_stop (or let the EXIT trap of the caller do it).

TUI_SOCK="ospite-test-$$"
tmx() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

# tui_start TERM COMMAND...: run COMMAND in a fresh 80x24 session with that TERM ($TUI_COLS
# columns instead of 80 when set).
tui_start() {
	local term=$1 i; shift
	tmx kill-server 2>/dev/null
	# kill-server returns before the server is gone: a new session made meanwhile dies with it.
	for i in $(seq 1 50); do
		tmx list-sessions >/dev/null 2>&1 || break
		sleep 0.1
	done
	tmx new-session -d -x "${TUI_COLS:-80}" -y 24 -s t "env TERM=$term $* ; rc=\$?; echo; echo \"[exit status \$rc]\"; sleep 3600"
	tmx set-option -t t status off >/dev/null
	tmx set-option -t t remain-on-exit on >/dev/null
}

tui_stop() { tmx kill-server 2>/dev/null; true; }

# tui_each_look COMMAND [ARGS...]: COMMAND TERM LANG [ARGS...] on vt100 (no colour, ASCII lines)
# and xterm-256color, each in English and then Italian: every screen test's four looks.
tui_each_look() {
	local t l
	for t in vt100 xterm-256color; do
		for l in en it; do
			"$1" "$t" "$l" "${@:2}"
		done
	done
}

tui_keys() { tmx send-keys -t t "$@"; }

# tui_type TEXT: type literal text.
tui_type() { tmx send-keys -t t -l -- "$1"; }

tui_screen() { tmx capture-pane -p -t t; }
tui_screen_ansi() { tmx capture-pane -p -e -t t; }

# tui_wait TEXT [SECONDS]: wait until the screen shows TEXT (fixed string).
tui_wait() {
	local text=$1 limit=${2:-20} i=0
	while [ "$i" -lt $((limit * 5)) ]; do
		tui_screen | grep -qF -- "$text" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "timed out after ${limit}s waiting for: $text" >&2
	echo "---- screen ----" >&2
	tui_screen >&2
	echo "----------------" >&2
	return 1
}

# tui_expect TEXT: the screen shows TEXT now (after a short settle).
tui_expect() { tui_wait "$1" 5; }

# tui_reject TEXT: the screen does not show TEXT.
tui_reject() {
	sleep 0.3
	if tui_screen | grep -qF -- "$1"; then
		echo "the screen unexpectedly shows: $1" >&2
		tui_screen >&2
		return 1
	fi
}

# Texts a screen must show, from the catalog under test ($lang, $OSPITE_LOCALEDIR); Italian must differ.
T() {
	LC_ALL=C.UTF-8 LANGUAGE=$lang TEXTDOMAINDIR=$OSPITE_LOCALEDIR gettext -d ospite -- "$1"
}
# Tt runs inside $(...), where exit would leave only the subshell: it notes a miss in $tmp/untranslated.
Tt() {
	local t
	t=$(T "$1")
	if [ "$lang" = it ] && [ "$t" = "$1" ]; then
		echo "$1" >>"$tmp/untranslated"
	fi
	printf '%s' "$t"
}
# Fails (status 1) after naming every text Tt found untranslated.
check_translated() {
	[ -s "$tmp/untranslated" ] || return 0
	sort -u "$tmp/untranslated" | sed 's/^/FAIL: no Italian translation: /'
	return 1
}
