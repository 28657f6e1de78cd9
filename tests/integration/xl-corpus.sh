#!/bin/bash
# xl and xm configs as sites have them (tests/fixtures/xl, Xen's own examples, a CRLF copy): every import that exits 0 gives XML with absolute paths that libvirt's schema accepts and that a private libvirtd defines (with its test driver: this machine runs no Xen); every refusal says why.
# The XML and the report of each are golden files in tests/fixtures/xl/golden (NAME.xml, NAME.report):
# a MAC address the config does not give reads @NEW-MAC@, this run's folder @DIR@, the source tree @TREE@. OSPITE_REGEN=1
# rewrites them from what ospite prints now.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${OSPITE_BUILD:-build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
passed=0 failed=0 skipped=0
tmp=$(mktemp -d /tmp/ospite-xl-corpus.XXXXXX) || exit 2
. tests/lib/libvirtd.sh
started=()
trap 'libvirtd_down; rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*"; echo "xl-corpus: $passed passed, $((failed + 1)) failed, $skipped skipped"; exit 1; }
ok() { passed=$((passed + 1)); }
golden=tests/fixtures/xl/golden

# same NAME GOT GOLDEN-FILE: the output matches its golden file (after masking what changes).
same() {
	local name=$1 got=$2 want=$3 cfg=$4 mac
	sed -i "s|$tmp|@DIR@|g; s|$PWD/|@TREE@/|g" "$got"
	for mac in $(grep -Eo '([0-9a-f]{2}:){5}[0-9a-f]{2}' "$got" | sort -u); do
		grep -qi "$mac" "$cfg" || sed -i "s/$mac/@NEW-MAC@/g" "$got"
	done
	[ -n "${OSPITE_REGEN:-}" ] && cp "$got" "$want"
	if ! cmp -s "$got" "$want"; then
		ko "$name: differs from $want: $(diff -u "$want" "$got" 2>&1 | head -n 30)"
		return 1
	fi
}
ko() { echo "FAIL $1"; failed=$((failed + 1)); }
[ -x "$B/ospite" ] || { echo "$B/ospite is missing: run make first"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "xl-corpus: 0 passed, 0 failed, 1 skipped (needs root for a private libvirtd)"; exit 77; }
for tool in virsh virt-xml-validate libvirtd unshare; do
	if ! command -v "$tool" >/dev/null; then
		echo "xl-corpus: 0 passed, 0 failed, 1 skipped ($tool is missing: tests/lib/deps.sh test installs it)"
		exit 77
	fi
done

libvirtd_private "$tmp/libvirtd"

# A copy with Windows line ends, and one in a folder of its own for the relative paths.
sed 's/$/\r/' tests/fixtures/xl/hvm-novnc.cfg >"$tmp/crlf.cfg"
mkdir "$tmp/guests"
cp tests/fixtures/xl/relative.cfg "$tmp/guests/relative-copy.cfg"

for cfg in tests/fixtures/xl/*.cfg tests/fixtures/xlexample.* "$tmp/crlf.cfg" "$tmp/guests/relative-copy.cfg"; do
	name=$(basename "$cfg")
	want=$(sed -n 's/^# expect: //p' "$cfg" | tr -d '\r' | head -n 1)
	[ -n "$want" ] || want=ok
	"$B/ospite" import-xl "$cfg" --print-xml >"$tmp/out.xml" 2>"$tmp/report"
	rc=$?
	same "$name (report)" "$tmp/report" "$golden/$name.report" "$cfg" || continue
	if [ "$want" = refused ]; then
		if [ "$rc" = 0 ]; then
			ko "$name: imported, but it should be refused"
		elif ! grep -q "$(basename "$cfg")" "$tmp/report"; then
			ko "$name: the refusal does not name the file: $(head -c 300 "$tmp/report")"
		else
			ok
		fi
		continue
	fi
	if [ "$rc" != 0 ]; then
		ko "$name: import-xl exited $rc: $(head -c 300 "$tmp/report")"
		continue
	fi
	cp "$tmp/out.xml" "$tmp/golden.xml"
	same "$name" "$tmp/golden.xml" "$golden/$name.xml" "$cfg" || continue
	# Paths libvirt would take from its own working folder are never written.
	if grep -Eq "<source (file|dev)=\"[^/]|<kernel>[^/]|<initrd>[^/]" "$tmp/out.xml"; then
		ko "$name: a relative path in the XML: $(grep -E "<source|<kernel|<initrd" "$tmp/out.xml")"
		continue
	fi
	if ! virt-xml-validate "$tmp/out.xml" domain >"$tmp/valid" 2>&1; then
		ko "$name: not a valid libvirt domain: $(head -c 300 "$tmp/valid")"
		continue
	fi
	# The files' disks are not on this machine: the XML is defined as --print-xml gave it.
	if ! virsh -q -c "$private_uri" define "$tmp/out.xml" >"$tmp/define" 2>&1; then
		ko "$name: the private libvirtd refuses it: $(head -c 300 "$tmp/define")"
		continue
	fi
	ok
done

# What is relative is taken from the folder of the file, and the report says so.
"$B/ospite" import-xl "$tmp/guests/relative-copy.cfg" --print-xml >"$tmp/out.xml" 2>"$tmp/report"
grep -q "<source file=\"$tmp/guests/images/rel1.img\"/>" "$tmp/out.xml" &&
	grep -q "<kernel>$tmp/guests/vmlinuz-guest</kernel>" "$tmp/out.xml" &&
	grep -q "relative path images/rel1.img is taken from the folder of the file" "$tmp/report" &&
	ok || ko "relative paths: $(grep -E "<source|<kernel" "$tmp/out.xml") / $(cat "$tmp/report")"
# With its files there, the import itself defines the guest on the private libvirtd.
mkdir -p "$tmp/guests/images"
touch "$tmp/guests/images/rel1.img" "$tmp/guests/rel1-data.img" "$tmp/guests/vmlinuz-guest" \
	"$tmp/guests/initrd-guest"
"$B/ospite" --connect "$private_uri" import-xl "$tmp/guests/relative-copy.cfg" --host-paths \
	>"$tmp/define" 2>&1 && grep -qF "The guest rel1 is defined." "$tmp/define" &&
	ok || ko "import-xl on the private libvirtd: $(tail -n 3 "$tmp/define")"
# pygrub stays the boot loader; the disks of block scripts are reported, not turned into files.
"$B/ospite" import-xl tests/fixtures/xl/pygrub.cfg --print-xml >"$tmp/out.xml" 2>/dev/null
grep -q "<bootloader>/usr/bin/pygrub</bootloader>" "$tmp/out.xml" && ok || ko "pygrub: no <bootloader>"
"$B/ospite" import-xl tests/fixtures/xl/blockscript.cfg --print-xml >"$tmp/out.xml" 2>"$tmp/report"
! grep -q "192.0.2.5" "$tmp/out.xml" && sed -n '/^Not mapped:/,$p' "$tmp/report" | grep -q "nbd" &&
	ok || ko "block scripts: $(cat "$tmp/report")"

echo "xl-corpus: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
