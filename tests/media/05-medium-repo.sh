#!/bin/bash
# The ISO's package repository, read from the ISO as the installer finds it (mounted when the kernel has iso9660, else extracted by xorriso): its Release checksums hold, it is the installer's default source, and the Dependency Check resolves a Xen host and a KVM host from it with no network at all.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/installer.sh"
need_root "for loop devices and unshare"
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
iso=${OSPITE_ISO:-$root/build/ospite-$version-amd64.iso}
bin=${OSPITE_BUILD:-$root/build/std}
[ -f "$iso" ] || { echo "no ISO at $iso: run make iso"; exit 1; }
[ -x "$bin/ospite-media-repo" ] || { echo "no $bin/ospite-media-repo: run make iso"; exit 1; }
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")

tmp=$(mktemp -d /tmp/ospite-mrepo.XXXXXX)
dev=
cleanup() {
	mountpoint -q "$tmp/medium" && umount "$tmp/medium"
	[ -n "$dev" ] && losetup -d "$dev"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$tmp/medium"
if grep -qw iso9660 /proc/filesystems || modprobe -q isofs 2>/dev/null; then
	dev=$(losetup -f --show -r "$iso") || fail "losetup"
	mount -o ro "$dev" "$tmp/medium" || fail "mount the ISO"
else
	command -v xorriso >/dev/null || { echo "missing xorriso"; exit 77; }
	xorriso -osirrox on -indev "$iso" -extract /debian "$tmp/medium/debian" >"$tmp/xorriso.log" 2>&1 ||
		{ cat "$tmp/xorriso.log"; fail "xorriso cannot read the ISO"; }
fi
repo=$tmp/medium/debian
rel=$repo/dists/$suite/Release
[ -f "$rel" ] || fail "the ISO has no $rel"

# Every index the Release file names has the size and SHA256 it gives.
n=0
while read -r sum size name; do
	[ -f "$repo/dists/$suite/$name" ] || fail "Release names $name, which is missing"
	[ "$(stat -c %s "$repo/dists/$suite/$name")" = "$size" ] || fail "$name has the wrong size"
	[ "$(sha256sum <"$repo/dists/$suite/$name" | cut -d' ' -f1)" = "$sum" ] || fail "$name has the wrong SHA256"
	n=$((n + 1))
done < <(sed -n '/^SHA256:/,/^[A-Z]/p' "$rel" | grep '^ ')
[ "$n" -ge 2 ] || fail "Release has $n SHA256 lines"
# The Release is signed with the key the medium carries (what a mirror over HTTP is checked with).
[ -s "$repo/ospite-medium.gpg" ] || fail "the ISO carries no debian/ospite-medium.gpg"
gpgv --keyring "$repo/ospite-medium.gpg" "$repo/dists/$suite/InRelease" 2>/dev/null ||
	fail "InRelease is not signed by the medium's key"
gpgv --keyring "$repo/ospite-medium.gpg" "$repo/dists/$suite/Release.gpg" "$rel" 2>/dev/null ||
	fail "Release.gpg is not a signature of Release by the medium's key"
# Every package file the index names is on the medium with its SHA256.
zcat "$repo/dists/$suite/main/binary-amd64/Packages.gz" | awk '/^Filename:/ { f = $2 } /^SHA256:/ { print $2, f }' >"$tmp/sums"
[ "$(wc -l <"$tmp/sums")" -ge 200 ] || fail "the index names only $(wc -l <"$tmp/sums") packages"
(cd "$repo" && sha256sum --quiet -c "$tmp/sums") || fail "a package of the medium does not match its index"
grep -q " pool/main/ospite_${version}_amd64.deb$" "$tmp/sums" || fail "the ospite package is not in the repository"

# The installer takes the medium as its source by itself.
cat >"$tmp/ks.cfg" <<KS
lang en_US.UTF-8
keyboard us
timezone UTC --utc
rootpw --plaintext ospite-test
hypervisor --type=kvm
autopart
KS
OSPITE_MEDIUM_REPO=$repo "$bin/ospite-install" --validate "$tmp/ks.cfg" --dump-plan >"$tmp/plan" 2>&1 ||
	{ cat "$tmp/plan"; fail "the answer file does not validate"; }
grep -q "^source: dir $repo $suite$" "$tmp/plan" || { cat "$tmp/plan"; fail "the medium is not the source"; }

# The Dependency Check, from the medium alone: no network in this namespace.
OSPITE_MEDIUM_REPO=$repo unshare -n "$bin/ospite-media-repo" "$tmp/work" >"$tmp/files" 2>"$tmp/err" ||
	{ cat "$tmp/err"; tail -n 30 "$tmp/work/media-repo.log"; fail "the Xen and KVM sets do not resolve from the medium"; }
cat "$tmp/err"
grep -q '^xen-system-amd64_' "$tmp/files" || fail "no Xen hypervisor resolved"
grep -q '^qemu-system-x86_' "$tmp/files" || fail "no QEMU resolved"
echo "medium-repo: $n indexes and $(wc -l <"$tmp/sums") packages check, both hosts resolve offline"
