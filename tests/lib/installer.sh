# Shared start of the installer's screen and end-to-end tests: paths, tmux helpers, root check, image cleanup.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${OSPITE_BUILD:-$top/build/std}
. "$top/tests/lib/tmux.sh"

# need_root WHY: skip (exit 77) unless running as root.
need_root() {
	[ "$(id -u)" = 0 ] || { echo "this test needs root $1"; exit 77; }
}

# detach_image FILE: detach every loop device an installer attached to FILE, and wait (up to
# 20 s) until they are gone: a killed installer's mounts end with its mount namespace, a moment
# after its last process, and a busy loop device is only detached when let go.
detach_image() {
	local d i
	for d in $(losetup -n -O NAME -j "$1" 2>/dev/null); do losetup -d "$d"; done
	for ((i = 0; i < 100; i++)); do
		[ -z "$(losetup -n -O NAME -j "$1" 2>/dev/null)" ] && return 0
		sleep 0.2
	done
	echo "the loop device of $1 is still attached" >&2
	return 1
}

# mount_part IMAGE N DIR [rw]: mount partition N of a disk image (read-only unless rw), by
# offset, so that no partition device nodes are needed (no udev here, and loop partition
# scans may be refused).
mount_part() {
	local start sectors
	read -r start sectors <<<"$(partx -g -o START,SECTORS -n "$2" "$1")" || return 1
	[ -n "$sectors" ] || return 1
	mount -o "${4:-ro}",loop,offset=$((start * 512)),sizelimit=$((sectors * 512)) "$1" "$3"
}

# The package cache every end-to-end install shares, so each downloads nothing twice.
e2e_workdir() {
	echo "${OSPITE_E2E_WORKDIR:-$B/e2e-work}"
}

# make_sentinel DIR: a 6 GiB loop disk with random data at both ends; sets $sentinel and
# $sentinel_sum. Every end-to-end install runs beside it, and it must not change.
make_sentinel() {
	truncate -s 6G "$1/sentinel.img"
	dd if=/dev/urandom of="$1/sentinel.img" bs=1M count=8 conv=notrunc status=none
	dd if=/dev/urandom of="$1/sentinel.img" bs=1M count=8 seek=6136 conv=notrunc status=none
	sentinel=$(losetup -f --show "$1/sentinel.img")
	sentinel_sum=$(sha256sum <"$sentinel")
}

sentinel_intact() {
	[ "$(sha256sum <"$sentinel")" = "$sentinel_sum" ]
}

# unmount_under DIR: undo what an installer stopped half-way left mounted there, deepest first.
unmount_under() {
	awk -v t="$1/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m"; done
}

# boot_image IMAGE MAC LOG: boot an installed image under QEMU TCG (-cpu Westmere lets Xen's
# dom0 boot) with no outside network and the serial console in LOG; sets $qpid.
boot_image() {
	qemu-system-x86_64 -machine pc,accel=tcg -cpu Westmere -m 2048 -smp 2 \
		-drive file="$1",format=raw,if=virtio \
		-netdev user,id=n0,restrict=on -device e1000,netdev=n0,mac="$2" \
		-display none -serial file:"$3" -monitor none -no-reboot &
	qpid=$!
}

# wait_marker LOG TEXT SECONDS: wait for TEXT on the serial console while QEMU runs.
wait_marker() {
	local i
	for ((i = 0; i < $3; i++)); do
		grep -qF "$2" "$1" 2>/dev/null && return 0
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
	done
	grep -qF "$2" "$1" 2>/dev/null
}

# e2e_cleanup: what every end-to-end test undoes: its QEMU ($qpid), its mount of the image
# ($mnt), the installer's mounts, the image's loop devices, the sentinel, and $tmp unless
# OSPITE_E2E_KEEP=1 keeps it for a look at a failure.
e2e_cleanup() {
	[ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	[ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null
	unmount_under "$(e2e_workdir)"
	detach_image "$tmp/disk.img"
	[ -n "${sentinel:-}" ] && losetup -d "$sentinel"
	if [ -n "${OSPITE_E2E_KEEP:-}" ]; then echo "kept in $tmp"; else rm -rf "$tmp"; fi
}
