# Sourced: small signed apt repositories for tests (packages made with dpkg-deb, indexes with apt-ftparchive, signed by media/sign-repo.sh).

# test_deb DIR NAME [DEPENDS] [PRIORITY]: DIR/NAME_1.0_amd64.deb, an empty package of that name
# (Priority optional unless given).
test_deb() {
	local dir=$1 name=$2 deps=${3:-} prio=${4:-optional}
	mkdir -p "$dir/pkg-$name/DEBIAN" || return 1
	{
		printf 'Package: %s\nVersion: 1.0\nArchitecture: amd64\n' "$name"
		printf 'Maintainer: ospite tests <tests@example.org>\nPriority: %s\n' "$prio"
		[ -n "$deps" ] && printf 'Depends: %s\n' "$deps"
		printf 'Description: a package of the test repositories\n'
	} >"$dir/pkg-$name/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$dir/pkg-$name" "$dir/${name}_1.0_amd64.deb" >/dev/null
}

# test_repo DEBDIR REPO NAME...: a repository in REPO (suite bookworm, component main, Packages
# plain and gzipped as make iso lays out the medium's) of the packages NAME made by test_deb in
# DEBDIR, unsigned: test_repo_sign signs it.
test_repo() {
	local debs=$1 repo=$2 d
	shift 2
	mkdir -p "$repo/pool/main" "$repo/dists/bookworm/main/binary-amd64" || return 1
	for d in "$@"; do cp "$debs/${d}_1.0_amd64.deb" "$repo/pool/main/" || return 1; done
	(
		cd "$repo" || exit 1
		apt-ftparchive packages pool >dists/bookworm/main/binary-amd64/Packages &&
		gzip -9nk dists/bookworm/main/binary-amd64/Packages &&
		apt-ftparchive -o APT::FTPArchive::Release::Suite=bookworm \
			-o APT::FTPArchive::Release::Codename=bookworm \
			-o APT::FTPArchive::Release::Components=main \
			-o APT::FTPArchive::Release::Architectures=amd64 \
			release dists/bookworm >Release.new &&
		mv Release.new dists/bookworm/Release
	)
}

# test_repo_sign GNUPGHOME REPO KEY: sign REPO with the key of GNUPGHOME (made when missing),
# its public key exported to KEY (binary, mode 0644 for apt's own user).
test_repo_sign() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	"$root/media/sign-repo.sh" key "$1" "$3" && "$root/media/sign-repo.sh" sign "$1" "$2/dists/bookworm" &&
		chmod 644 "$3"
}

# test_http_start WWW DIR: serve WWW on loopback (the port in DIR/port, the log in DIR/http.log);
# sets srv to the server's pid for the caller's cleanup.
test_http_start() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	python3 "$root/tests/lib/http-loopback.py" "$1" "$2/port" 2>"$2/http.log" &
	srv=$!
	for _ in $(seq 50); do [ -s "$2/port" ] && break; sleep 0.1; done
	[ -s "$2/port" ]
}
