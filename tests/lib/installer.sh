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

# mount_part IMAGE N DIR: mount partition N of a disk image read-only, by offset, so that
# no partition device nodes are needed (no udev here, and loop partition scans may be refused).
mount_part() {
	local start sectors
	read -r start sectors <<<"$(partx -g -o START,SECTORS -n "$2" "$1")" || return 1
	[ -n "$sectors" ] || return 1
	mount -o ro,loop,offset=$((start * 512)),sizelimit=$((sectors * 512)) "$1" "$3"
}
