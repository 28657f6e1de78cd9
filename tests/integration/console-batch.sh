#!/bin/bash
# The console's batch commands on libvirt's test driver: list as text and JSON (text rows of 80 columns, names shortened and unique, JSON with whole names), of every host too, an xl config imported (its disk outside the pools only with --host-paths) and printed as XML, a guest exported as xl without its VNC password, --help in the language of --lang, the error with no daemon.
set -u
B=${OSPITE_BUILD:-build/std}
export LC_ALL=C.UTF-8 LANGUAGE=en
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$B/ospite" ] || fail "$B/ospite is missing"
tmp=$(mktemp -d /tmp/ospite-console-batch.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
o() { "$B/ospite" --connect test:///default "$@"; }

out=$(o list) || fail "ospite list"
echo "$out" | head -1 | grep -q "^Name  *State  *vCPUs  *Memory  *CPU" || fail "no heading: $out"
echo "$out" | grep -q "^test  *running  *2  *2.0 GiB" || fail "test is not listed running: $out"

out=$(o list --json) || fail "ospite list --json"
echo "$out" | python3 -c '
import json, sys
g = json.load(sys.stdin)
assert len(g) == 1, g
t = g[0]
assert t["name"] == "test" and t["state"] == "running" and t["vcpus"] == 2, t
assert t["memory_kib"] == 2097152 and t["autostart"] is False and t["persistent"] is True, t
' || fail "the JSON list is wrong: $out"

# Every host: two others whose long names, and their guests', are alike but at the end. Each row
# fits 80 columns (English and Italian), long names keep their start and end around an ellipsis
# and stay unique; one guest name on two hosts looks the same on both; JSON keeps whole names.
far() {
	echo "<node>"
	for g in customer-alpha-frontend-production-01 customer-alpha-frontend-production-02; do
		echo "<domain type='test'><name>$g</name><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
	done
	echo "</node>"
}
far >"$tmp/far.xml"

# One host's list: the same fitting, so that a script reading text gets rows of 80 columns too.
for lang in en it; do
	out=$(OSPITE_LOCALEDIR=${OSPITE_LOCALEDIR:-$B/locale} "$B/ospite" --connect "test://$tmp/far.xml" \
		--lang $lang list) || fail "list ($lang): $out"
	[ "$(echo "$out" | wc -l)" = 3 ] || fail "list ($lang) has not 3 lines: $out"
	wide=$(echo "$out" | python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in sys.stdin))')
	[ "$wide" -le 80 ] || fail "list ($lang) is $wide columns wide: $out"
	names=$(echo "$out" | sed 1d | awk '{print $1}')
	echo "$names" | grep -q "production" && fail "long names are not shortened ($lang): $out"
	[ "$(echo "$names" | grep -cF "…")" = 2 ] || fail "no ellipsis in both names ($lang): $out"
	[ "$(echo "$names" | sort -u | wc -l)" = 2 ] || fail "the two names look alike ($lang): $out"
	echo "$names" | grep -q "^customer-al…duction-02$" || fail "the second guest ($lang): $out"
done
[ "$(echo "$out" | head -1 | awk '{print $2}')" = "$(LANGUAGE=it TEXTDOMAINDIR=${OSPITE_LOCALEDIR:-$B/locale} gettext -d ospite State)" ] ||
	fail "the Italian list's heading is not Italian: $out"
out=$("$B/ospite" --connect "test://$tmp/far.xml" list --json) || fail "list --json: $out"
echo "$out" | python3 -c '
import json, sys
g = json.load(sys.stdin)
assert sorted(x["name"] for x in g) == ["customer-alpha-frontend-production-01", "customer-alpha-frontend-production-02"], g
' || fail "the JSON list does not keep the whole names: $out"
printf '[hosts]\nrack12-hypervisor-alpha-01 = test://%s\nrack12-hypervisor-alpha-02 = test://%s\n' \
	"$tmp/far.xml" "$tmp/far.xml" >"$tmp/hosts.conf"
for lang in en it; do
	out=$(OSPITE_LOCALEDIR=${OSPITE_LOCALEDIR:-$B/locale} o --lang $lang --config "$tmp/hosts.conf" list --all-hosts) ||
		fail "list --all-hosts ($lang): $out"
	[ "$(echo "$out" | wc -l)" = 6 ] || fail "list --all-hosts ($lang) has not 6 lines: $out"
	wide=$(echo "$out" | python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in sys.stdin))')
	[ "$wide" -le 80 ] || fail "list --all-hosts ($lang) is $wide columns wide: $out"
	# Host and name: the first two fields (names hold no blanks).
	pairs=$(echo "$out" | sed 1d | awk '{print $1, $2}')
	echo "$pairs" | grep -q "alpha" && fail "long names are not shortened ($lang): $out"
	echo "$pairs" | grep -qF "…" || fail "no ellipsis ($lang): $out"
	[ "$(echo "$pairs" | sort -u | wc -l)" = 5 ] || fail "two rows look alike ($lang): $out"
	[ "$(echo "$pairs" | awk '{print $1}' | sort -u | wc -l)" = 3 ] || fail "hosts look alike ($lang): $out"
	[ "$(echo "$pairs" | awk '{print $2}' | sort -u | wc -l)" = 3 ] ||
		fail "one guest name looks different on two hosts, or two alike ($lang): $out"
	echo "$out" | grep -q "^rack1…a-02 customer-al…duction-02 " || fail "rack12-hypervisor-alpha-02's guest ($lang): $out"
done
out=$(o --config "$tmp/hosts.conf" list --all-hosts --json) || fail "list --all-hosts --json: $out"
echo "$out" | python3 -c '
import json, sys
g = json.load(sys.stdin)
assert len(g) == 5, g
far = [x for x in g if x["host"] == "rack12-hypervisor-alpha-02"]
assert sorted(x["name"] for x in far) == ["customer-alpha-frontend-production-01", "customer-alpha-frontend-production-02"], far
' || fail "the JSON of every host is wrong: $out"

# The slides' guest, with its disk on a file that exists here.
touch "$tmp/iris.img"
cat >"$tmp/iris.cfg" <<CFG
name = "iris"
builder = "hvm"
memory = "1024"
disk = [ 'file:$tmp/iris.img,hda,w' ]
vif = [ 'type=ioemu, mac=00:16:3e:65:b1:db, bridge=xenbr0' ]
device_model = "/usr/lib64/xen/bin/qemu-dm"
vnc=1
acpi=1
vcpus=2
on_crash = 'restart'
CFG
"$B/ospite" import-xl "$tmp/iris.cfg" --print-xml >"$tmp/iris.xml" 2>"$tmp/report" ||
	fail "import-xl --print-xml: $(cat "$tmp/report")"
grep -q "<name>iris</name>" "$tmp/iris.xml" || fail "no name in the XML"
grep -q "<memory unit=\"KiB\">1048576</memory>" "$tmp/iris.xml" || fail "memory not mapped"
grep -q "<source file=\"$tmp/iris.img\"/>" "$tmp/iris.xml" || fail "disk not mapped"
grep -q "00:16:3e:65:b1:db" "$tmp/iris.xml" || fail "MAC not mapped"
grep -q "^<?xml" "$tmp/iris.xml" || fail "the XML does not start the output: the report went to stdout"
# The report says what was not mapped, and why.
sed -n '/^Not mapped:/,$p' "$tmp/report" | grep -q "device_model" || fail "device_model not reported: $(cat "$tmp/report")"
sed -n '/^Mapped:/,/^Not mapped:/p' "$tmp/report" | grep -q "^  memory " || fail "memory not reported as mapped"

# Its disk is in no storage pool: defined only when root asks for host paths.
out=$(o import-xl "$tmp/iris.cfg" 2>&1) && fail "import-xl took a disk outside the pools: $out"
echo "$out" | grep -q "$tmp/iris.img is outside every storage pool" || fail "the refusal does not name the disk: $out"
out=$(o import-xl "$tmp/iris.cfg" --host-paths) || fail "import-xl --host-paths: $out"
echo "$out" | grep -q "The guest iris is defined." || fail "no definition reported: $out"

# Exported from Xen and imported here (not Xen): the PV disk becomes a virtio disk, said in the report.
cat >"$tmp/pv.cfg" <<CFG
name = "pv1"
bootloader = "pygrub"
memory = 256
disk = [ 'format=raw, vdev=xvda, access=rw, target=$tmp/iris.img' ]
CFG
o import-xl "$tmp/pv.cfg" --print-xml >"$tmp/pv.xml" 2>"$tmp/report" || fail "import-xl pv.cfg: $(cat "$tmp/report")"
grep -q "<target dev=\"vda\" bus=\"virtio\"/>" "$tmp/pv.xml" || fail "xvda is not vda on virtio: $(cat "$tmp/pv.xml")"
grep -q "bus=\"xen\"" "$tmp/pv.xml" && fail "a Xen disk bus off Xen: $(cat "$tmp/pv.xml")"
grep -q "Disk xvda becomes vda" "$tmp/report" || fail "the report does not say xvda became vda: $(cat "$tmp/report")"

out=$(o export-xl test) || fail "export-xl"
echo "$out" | grep -q '^name = "test"' || fail "export-xl: $out"
echo "$out" | grep -q '^vcpus = 2' || fail "export-xl: $out"

# A guest's VNC password never leaves in an exported config.
cat >"$tmp/node.xml" <<XML
<node>
  <domain type='test'>
    <name>vault</name>
    <memory>262144</memory>
    <os><type arch='x86_64'>hvm</type></os>
    <devices><graphics type='vnc' port='-1' passwd='Zq7secret'/></devices>
  </domain>
</node>
XML
out=$("$B/ospite" --connect "test://$tmp/node.xml" export-xl vault) || fail "export-xl vault: $out"
echo "$out" | grep -q '^vnc = 1' || fail "export-xl lost the VNC display: $out"
echo "$out" | grep -q 'Zq7secret' && fail "export-xl printed the VNC password: $out"
echo "$out" | grep -q '^vncpasswd' && fail "export-xl printed a vncpasswd line: $out"

# Failures say why and exit non-zero.
out=$(o export-xl no-such-guest 2>&1) && fail "export-xl of a missing guest succeeded"
echo "$out" | grep -q "no-such-guest" || fail "the error does not name the guest: $out"
"$B/ospite" import-xl "$tmp/missing.cfg" >/dev/null 2>&1 && fail "import-xl of a missing file succeeded"
"$B/ospite" frobnicate >/dev/null 2>&1; [ $? = 1 ] || fail "an unknown command is not a usage error"
"$B/ospite" --help | grep -q "import-xl FILE" || fail "--help"
"$B/ospite" --version | grep -q "^ospite " || fail "--version"
</dev/null "$B/ospite" --connect test:///default >/dev/null 2>&1 && fail "the console started without a terminal"

# --lang applies to --help wherever it stands.
[ -n "${OSPITE_LOCALEDIR:-}" ] && export OSPITE_LOCALEDIR
it=$(LANGUAGE=it "$B/ospite" --help) || fail "ospite --help"
en=$("$B/ospite" --lang en --help) || fail "ospite --lang en --help"
[ "$it" != "$en" ] || fail "the catalog has no Italian help"
[ "$("$B/ospite" --help --lang it)" = "$it" ] || fail "--help --lang it is not in Italian"
[ "$("$B/ospite" --lang it --help)" = "$it" ] || fail "--lang it --help is not in Italian"

# With no daemon (an empty /run/libvirt in a mount namespace of this test), root's default
# connection and the socket in the error are the same one, and the error says what to do.
if [ "$(id -u)" = 0 ]; then
	out=$(unshare -m sh -c 'mount -t tmpfs ospite-test /run/libvirt && exec env -u LIBVIRT_DEFAULT_URI "$0" list' "$B/ospite" 2>&1) &&
		fail "ospite list succeeded without a daemon: $out"
	echo "$out" | grep -q "Could not connect to qemu:///system: no libvirt daemon is running" ||
		fail "the error does not name the system URI: $out"
	echo "$out" | grep -q "libvirt-sock" || fail "the error does not name the socket: $out"
	echo "$out" | grep -q "systemctl start libvirtd" || fail "the error does not say what to do: $out"
fi
echo "console-batch: passed"
