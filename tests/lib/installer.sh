# Shared start of the installer's screen and end-to-end tests: paths, tmux helpers, root check, image cleanup.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
. "$top/tests/lib/tmux.sh"

# need_root WHY: skip (exit 77) unless running as root.
need_root() {
	[ "$(id -u)" = 0 ] || { echo "this test needs root $1"; exit 77; }
}

# detach_image FILE: detach every loop device an installer attached to FILE.
detach_image() {
	local d
	for d in $(losetup -n -O NAME -j "$1" 2>/dev/null); do losetup -d "$d"; done
}
