# Sourced: the Debian package sources this machine's apt uses, for tests and media builds that must not name a mirror of their own.

# debian_sources SUITE: print, in deb822 form, this machine's apt sources of SUITE and its
# updates and security suites (SUITE-updates, SUITE-security), leaving out other archives.
debian_sources() {
	local suite=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			BEGIN { RS = ""; ORS = "\n\n" }
			{ keep = 0
			  n = split($0, l, "\n")
			  for (j = 1; j <= n; j++) if (l[j] ~ /^Suites:/) {
				m = split(l[j], w, /[ \t]+/)
				for (k = 2; k <= m; k++) if (w[k] ~ "^" s "(-updates|-security)?$") keep = 1
			  }
			  if (keep) {
				out = ""
				for (j = 1; j <= n; j++) if (l[j] !~ /^#/) out = out l[j] "\n"
				printf "%s\n", out
			  } }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '$1 == "deb" {
			i = 2; opts = ""
			if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ }; opts = opts " " $i; i++ }
			if ($(i + 1) !~ "^" s "(-updates|-security|/updates)?$") next
			printf "Types: deb\nURIs: %s\nSuites: %s\nComponents:", $i, $(i + 1)
			for (k = i + 2; k <= NF; k++) printf " %s", $k
			printf "\n"
			if (opts ~ /signed-by=/) { sub(/.*signed-by=/, "", opts); sub(/[] ].*/, "", opts); printf "Signed-By: %s\n", opts }
			printf "\n" }' "$f"
	done
}
