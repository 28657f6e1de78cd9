#!/bin/sh
# Signs the install medium's package repository with GnuPG: the site's key, or one made for this build.
# Usage: media/sign-repo.sh key GNUPGHOME PUBKEY   exports the public key (made first when
#                                                 GNUPGHOME holds no secret key) to PUBKEY
#        media/sign-repo.sh sign GNUPGHOME DISTDIR  writes DISTDIR/InRelease and Release.gpg
# A site gives its own key by pointing OSPITE_MEDIA_GNUPGHOME at a GnuPG home holding it.
set -eu
mode=$1 home=$2 out=$3
g() { gpg --batch --quiet --homedir "$home" "$@"; }
mkdir -p "$home"
chmod 700 "$home"
# gpg starts an agent for the home: stop it when done, whatever happens.
trap 'gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true' EXIT
case $mode in
key)
	if ! g --list-secret-keys 2>/dev/null | grep -q '^sec'; then
		g --passphrase '' --pinentry-mode loopback \
			--quick-gen-key "ospite install medium (made $(date -u +%Y-%m-%d))" ed25519 sign never
	fi
	g --export >"$out.tmp"
	[ -s "$out.tmp" ] || { echo "sign-repo: no public key in $home" >&2; exit 1; }
	mv "$out.tmp" "$out"
	;;
sign)
	[ -f "$out/Release" ] || { echo "sign-repo: no $out/Release" >&2; exit 1; }
	rm -f "$out/InRelease" "$out/Release.gpg"
	g --yes --clearsign -o "$out/InRelease" "$out/Release"
	g --yes --armor --detach-sign -o "$out/Release.gpg" "$out/Release"
	;;
*) echo "usage: $0 key|sign GNUPGHOME PUBKEY|DISTDIR" >&2; exit 2 ;;
esac
