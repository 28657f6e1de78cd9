#!/bin/bash
# Fails when a source file using gettext is missing from po/POTFILES.in, or po/it.po lacks or fuzzes a string, or words guests, bits and decimals other than one way.
cd "$(dirname "$0")/.." || exit 1
passed=0 failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
ko() { echo "FAIL $1"; failed=$((failed + 1)); }

missing=""
for f in $(grep -lE '\b(N_|P_|_)\(' --include='*.c' -r tui hostcfg install hv vmconsole 2>/dev/null | sort); do
	grep -qx "$f" po/POTFILES.in || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "every file using gettext is in po/POTFILES.in"
else ko "files using gettext but missing from po/POTFILES.in:$missing"; fi

gone=""
while read -r f; do [ -z "$f" ] || [ -f "$f" ] || gone="$gone $f"; done <po/POTFILES.in
if [ -z "$gone" ]; then ok "every file in po/POTFILES.in exists"
else ko "po/POTFILES.in lists files that do not exist:$gone"; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xgettext --from-code=UTF-8 -k_ -kN_ -kP_:1,2 --add-comments=TRANSLATORS: -f po/POTFILES.in \
	-o "$tmp/ospite.pot" 2>"$tmp/err" || { cat "$tmp/err"; ko "xgettext"; }
msgmerge -q --no-fuzzy-matching -o "$tmp/merged.po" po/it.po "$tmp/ospite.pot"
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$tmp/merged.po" 2>&1)
case "$stats" in
*untranslated* | *fuzzy* | *error*) ko "po/it.po is not complete against the sources: $stats"
	msgattrib --untranslated --only-fuzzy "$tmp/merged.po" 2>/dev/null | head -20
	msgattrib --untranslated "$tmp/merged.po" | grep '^msgid' | head -20 ;;
*) ok "po/it.po translates every string ($stats)" ;;
esac
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null po/it.po 2>&1)
case "$stats" in
*untranslated* | *fuzzy* | *error*) ko "po/it.po has untranslated or fuzzy entries: $stats" ;;
*) ok "po/it.po has no untranslated or fuzzy entries" ;;
esac
# One Italian for the same thing: "guest" (masculine) for a guest, never "macchina virtuale";
# "64 bit"; a decimal comma.
msgattrib --no-wrap --no-obsolete po/it.po | grep '^msgstr' >"$tmp/msgstr"
bad=$(grep -nE 'macchin[ae] virtual[ei]|[0-9]-bit\b|\b([Ll]a|[Uu]na|della|alla|dalla|nella|sulla|questa|nessuna|sua|nuova) guest\b|[0-9]\.[0-9] ?[KMGT]iB' "$tmp/msgstr")
if [ -z "$bad" ]; then ok "po/it.po words guests, bits and decimals one way"
else ko "po/it.po words them another way: $bad"; fi
# Nothing here can skip: every check runs.
echo "po: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
