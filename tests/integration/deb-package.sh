#!/bin/bash
# The Debian package: make deb builds it lintian-clean; installed with apt into a fresh mmdebstrap root, ospite --version runs there, the console unit is enabled, and no Xen library comes with it.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/installer.sh"
. "$root/tests/lib/mirror.sh"
need_root "for mmdebstrap"
for t in mmdebstrap dpkg-buildpackage lintian dpkg-deb; do
	command -v "$t" >/dev/null || { echo "missing $t"; exit 77; }
done

tmp=$(mktemp -d /tmp/ospite-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make -C "$root" deb >"$tmp/make.log" 2>&1 || { tail -n 40 "$tmp/make.log"; fail "make deb"; }
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
deb=$root/build/ospite_${version}_amd64.deb
[ -f "$deb" ] || fail "make deb made no $deb"
lintian --fail-on error "$deb" >"$tmp/lintian.log" 2>&1 || { cat "$tmp/lintian.log"; fail "lintian reports errors"; }

# What the package must hold.
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/files"
for f in ./usr/sbin/ospite ./usr/sbin/ospite-install ./usr/share/locale/it/LC_MESSAGES/ospite.mo \
	./etc/pam.d/ospite ./lib/systemd/system/ospite-console.service \
	./lib/systemd/system/ospite-console-serial@.service ./lib/systemd/system/ospite-net-restore.service \
	./usr/share/man/man8/ospite.8.gz \
	./usr/share/man/man8/ospite-install.8.gz ./usr/share/man/man5/ospite-answers.5.gz; do
	grep -qxF "$f" "$tmp/files" || fail "the package lacks $f"
done

# A fresh root from this machine's own mirror, with the package installed by apt (which must
# resolve its dependencies from that mirror).
debian_sources bookworm >"$tmp/debian.sources"
[ -s "$tmp/debian.sources" ] || fail "this machine's apt names no bookworm source"
cp "$deb" "$tmp/ospite.deb"
start=$(date +%s)
mmdebstrap --variant=apt --quiet --skip=cleanup/apt/lists \
	--customize-hook='copy-in "'"$tmp"'/ospite.deb" /tmp' \
	--customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/ospite.deb' \
	bookworm "$tmp/root" "$tmp/debian.sources" >"$tmp/mmdebstrap.log" 2>&1 ||
	{ tail -n 40 "$tmp/mmdebstrap.log"; fail "mmdebstrap with the package"; }
echo "root with the package made in $(( $(date +%s) - start )) s"

v=$(chroot "$tmp/root" ospite --version 2>&1) || fail "ospite --version in the new root: $v"
grep -q "$version" <<<"$v" || fail "ospite --version says \"$v\", not $version"
v=$(chroot "$tmp/root" ospite-install --version 2>&1) || fail "ospite-install --version in the new root: $v"
chroot "$tmp/root" dpkg-query -W -f='${Status}\n' ospite | grep -q '^install ok installed' ||
	fail "dpkg does not list ospite as installed"
[ "$(readlink "$tmp/root/etc/systemd/system/getty.target.wants/ospite-console.service")" = \
	/lib/systemd/system/ospite-console.service ] || fail "the console unit is not enabled"
if command -v systemctl >/dev/null; then
	s=$(systemctl --root="$tmp/root" is-enabled ospite-console.service 2>&1)
	[ "$s" = enabled ] || fail "systemctl says the console unit is \"$s\""
fi
# A bridge change the host rebooted through is put back before the network starts.
[ -L "$tmp/root/etc/systemd/system/multi-user.target.wants/ospite-net-restore.service" ] ||
	fail "the network restore unit is not enabled"
# The serial template is enabled per line by the installer, never by the package.
[ -z "$(ls "$tmp/root/etc/systemd/system/getty.target.wants/" | grep serial)" ] ||
	fail "the package enabled a serial console unit"

# No Xen library on a host without Xen: the console opens libxlutil only to read an xl file.
dpkg-deb -f "$deb" Depends | grep -qi 'libxen' && fail "the package depends on a Xen library: $(dpkg-deb -f "$deb" Depends)"
xen=$(chroot "$tmp/root" dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'libxen*' 2>/dev/null | awk '$1 == "ii" { print $2 }')
[ -z "$xen" ] || fail "installing the package brought Xen libraries: $xen"
cp "$root/tests/fixtures/iris.cfg" "$tmp/root/tmp/iris.cfg"
out=$(chroot "$tmp/root" ospite import-xl /tmp/iris.cfg --print-xml 2>&1) &&
	fail "import-xl worked without libxlutil: $out"
grep -q 'libxenmisc4.17' <<<"$out" || fail "import-xl without libxlutil does not say which package brings it: $out"
# With Xen's library installed, the same import works.
chroot "$tmp/root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	libxenmisc4.17 >"$tmp/xen.log" 2>&1 || { tail -n 20 "$tmp/xen.log"; fail "apt could not install libxenmisc4.17"; }
chroot "$tmp/root" ospite import-xl /tmp/iris.cfg --print-xml >"$tmp/iris.xml" 2>"$tmp/report" ||
	fail "import-xl with libxlutil: $(cat "$tmp/report")"
grep -q '<name>iris</name>' "$tmp/iris.xml" || fail "import-xl printed no guest XML"
echo "deb-package: the package installs with apt and enables the console; no Xen library without Xen"
