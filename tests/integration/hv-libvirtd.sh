#!/bin/bash
# Runs hv/'s libvirtd test against the system libvirtd with QEMU (TCG), starting the daemons itself when none runs.
set -u

B=${OSPITE_BUILD:-build/std}
unit=$(cd "$(dirname "$0")/../lib" && pwd)/run-unit.sh
# The test binary links libparted, whose load-time GPT probe trips AddressSanitizer (see Makefile).
export PARTED_GPT_APPLE=${PARTED_GPT_APPLE:-0}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:intercept_strchr=0}
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to run the system libvirtd"
for t in libvirtd virtlogd virsh qemu-system-x86_64; do
	command -v "$t" >/dev/null ||
		skip "missing $t: apt-get install libvirt-daemon-system qemu-system-x86"
done
[ -x "$B/tests/test-hv-libvirtd" ] || fail "$B/tests/test-hv-libvirtd is missing: make $B/tests/test-hv-libvirtd"

uri=qemu:///system
guest=ospite-hvtest-$$
started=()
. "$(dirname "$0")/../lib/libvirtd.sh"
tmp=$(mktemp -d /tmp/ospite-hv-libvirtd.XXXXXX) || fail "mktemp"
# QEMU runs as libvirt-qemu and must reach the kernel copied here.
chmod 755 "$tmp"

cleanup() {
	set +e
	# The test removes its guest; this is for when it died halfway.
	if virsh -c "$uri" domid "$guest" >/dev/null 2>&1; then
		virsh -c "$uri" destroy "$guest" >/dev/null 2>&1
	fi
	virsh -c "$uri" undefine "$guest" >/dev/null 2>&1
	# libvirt keeps a QEMU log per guest name; this name was ours.
	rm -f "/var/log/libvirt/qemu/$guest.log"
	# Only the daemons started here, newest first, each by its pid.
	libvirtd_down
	rm -rf "$tmp"
}
trap cleanup EXIT

libvirtd_up "$uri"

# Any Linux kernel prints to a serial console; a copy, since libvirt relabels the file it boots.
kernel=
for k in /boot/vmlinuz-*; do [ -r "$k" ] && kernel=$k; done
if [ -n "$kernel" ]; then
	cp "$kernel" "$tmp/vmlinuz" || fail "copy $kernel"
	chmod 644 "$tmp/vmlinuz"
	export OSPITE_TEST_KERNEL=$tmp/vmlinuz
else
	echo "no kernel in /boot: the console test with a booting guest is skipped"
fi

# run-unit.sh counts each test: one that skipped (no kernel to boot, say) is no pass.
OSPITE_TEST_LIBVIRTD=1 OSPITE_TEST_URI=$uri OSPITE_TEST_GUEST=$guest OSPITE_ACCEL=tcg \
	"$unit" "$B/tests/test-hv-libvirtd"
case $? in
0) echo "hv-libvirtd: passed" ;;
77) skip "test-hv-libvirtd skipped some of its tests" ;;
*) fail "test-hv-libvirtd failed" ;;
esac
