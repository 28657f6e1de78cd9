# Shared start of the console's screen tests: paths, tmux helpers, a real PAM user in the group ospite, text from the catalog.
# Source it; call console_cleanup from the caller's EXIT trap (it stops tmux, removes the users, the group and the PAM file it added).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
export LC_ALL=C.UTF-8
. "$top/tests/lib/tmux.sh"

[ "$(id -u)" = 0 ] || { echo "this test needs root to add a test user"; exit 77; }
[ -x "$B/ospite" ] || { echo "FAIL: $B/ospite is missing"; exit 1; }

tmp=$(mktemp -d /tmp/ospite-console.XXXXXX)
made_group=0 made_pam=0 users=() roots=() groups=()

console_cleanup() {
	tui_stop
	for u in "${users[@]}"; do userdel "$u" 2>/dev/null; done
	# userdel refuses a name of UID 0 while any process of UID 0 runs: -f, and no home to remove.
	for u in "${roots[@]}"; do userdel -f "$u" 2>/dev/null; done
	for g in "${groups[@]}"; do groupdel "$g" 2>/dev/null; done
	[ "$made_group" = 1 ] && groupdel ospite 2>/dev/null
	[ "$made_pam" = 1 ] && rm -f /etc/pam.d/ospite
	rm -rf "$tmp"
}

# add_user NAME PASSWORD [GROUP]: a user without a home, for PAM to check; removed by console_cleanup.
add_user() {
	local g=()
	[ -n "${3:-}" ] && g=(-G "$3")
	useradd -M -N -s /usr/sbin/nologin "${g[@]}" "$1" || { echo "FAIL: useradd $1"; exit 1; }
	users+=("$1")
	echo "$1:$2" | chpasswd || { echo "FAIL: chpasswd $1"; exit 1; }
}

# add_group NAME: the group, unless it exists; removed by console_cleanup when made here.
add_group() {
	getent group "$1" >/dev/null && return 0
	groupadd "$1" || { echo "FAIL: groupadd $1"; exit 1; }
	groups+=("$1")
}

# add_root_alias NAME PASSWORD: a second name for UID 0 with a password of its own, so that a test
# logs in as root without knowing root's password; no home, no shell; removed by console_cleanup.
add_root_alias() {
	useradd -o -u 0 -g 0 -M -N -d /nonexistent -s /usr/sbin/nologin "$1" 2>/dev/null ||
		{ echo "FAIL: useradd $1"; exit 1; }
	roots+=("$1")
	echo "$1:$2" | chpasswd || { echo "FAIL: chpasswd $1"; exit 1; }
}

if ! getent group ospite >/dev/null; then
	groupadd ospite || { echo "FAIL: groupadd ospite"; exit 1; }
	made_group=1
fi
# The console's own PAM service, as make install puts it.
if [ ! -e /etc/pam.d/ospite ]; then
	install -m 0644 "$top/vmconsole/ospite.pam" /etc/pam.d/ospite
	made_pam=1
fi
user=ospt$$
password="Pw-$RANDOM-$$-x"
add_user "$user" "$password" ospite

fail() { echo "FAIL [${term:-}/${lang:-}]: $*"; tui_screen; exit 1; }
see() { tui_wait "$1" "${2:-10}" || fail "expected on screen: $1"; }
# The start of a message that the dialog may wrap onto more lines.
see_start() { see "${1:0:40}" "${2:-10}"; }
absent() { tui_reject "$1" || fail "unexpected on screen: $1"; }
# gone TEXT [SECONDS]: wait until the screen no longer shows TEXT (a dialog closed).
gone() {
	local i
	for i in $(seq 1 $((${2:-10} * 5))); do
		tui_screen | grep -qF -- "$1" || return 0
		sleep 0.2
	done
	fail "still on screen: $1"
}

# Tf FORMAT ARGS...: a translated printf format filled in.
Tf() {
	local f
	f=$(Tt "$1")
	shift
	# shellcheck disable=SC2059
	printf "$f" "$@"
}
# Tp FORMAT ARGS...: the same for a format whose Italian is the English one ("Guest %s").
Tp() {
	local f
	f=$(T "$1")
	shift
	# shellcheck disable=SC2059
	printf "$f" "$@"
}

# Tn SINGULAR PLURAL N ARGS...: a translated plural format filled in.
Tn() {
	local f
	f=$(LC_ALL=C.UTF-8 LANGUAGE=$lang TEXTDOMAINDIR=$OSPITE_LOCALEDIR ngettext -d ospite -- "$1" "$2" "$3")
	shift 2
	# shellcheck disable=SC2059
	printf "$f" "$@"
}

# console_start TERM COMMAND...: like tui_start, and the screen shows the program's own exit
# status afterwards ("[ospite exit N]"), which tmux.sh's closing line does not.
console_start() {
	local term=$1
	shift
	tui_start "$term" "$*; echo \"[ospite exit \$?]\""
}

# check_look TERM: ASCII borders on vt100, the blue background on a colour terminal.
check_look() {
	if [ "$1" = vt100 ]; then
		tui_screen | grep -q '+----' || fail "no ASCII border on vt100"
		tui_screen | grep -q '─' && fail "line drawing characters on vt100"
	else
		tui_screen_ansi | grep -q '44m' || fail "no blue background on a colour terminal"
	fi
	return 0
}

# login USER PASSWORD: from the status screen, through the Log In dialog.
login() {
	see "$(Tt "Log in to manage the guests.")"
	tui_keys Enter
	see "$(Tt "User:")"
	tui_type "$1"
	tui_keys Tab
	tui_type "$2"
	tui_keys F12
}
