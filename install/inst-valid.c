/* Validators for what an operator types or an answer file says: names, addresses, sizes, passwords. */
#include "inst.h"
#include "hostcfg/hcfg-target.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int inst_valid_hostname(const char *s, char **cause)
{
	return hcfg_hostname_valid(s, cause);
}

int inst_valid_ipv4(const char *s, char **cause)
{
	struct in_addr a;

	if (!*s)
		return base_cause(cause, -EINVAL, _("The address is empty."));
	if (inet_pton(AF_INET, s, &a) != 1)
		return base_cause(cause, -EINVAL, _("\"%s\" is not an IPv4 address."), s);
	return 0;
}

int inst_valid_prefix(const char *s, unsigned *prefix, char **cause)
{
	struct in_addr a;
	char *end;
	unsigned long v;

	if (strchr(s, '.')) {
		/* A dotted netmask: its ones must be contiguous. */
		if (inet_pton(AF_INET, s, &a) != 1)
			goto bad;
		uint32_t m = ntohl(a.s_addr);
		unsigned n = 0;

		while (n < 32 && (m & (1u << (31 - n))))
			n++;
		if (n == 0 || (n < 32 && (m << n) != 0))
			goto bad;
		*prefix = n;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 32)
		goto bad;
	*prefix = v;
	return 0;
bad:
	return base_cause(cause, -EINVAL,
			  _("\"%s\" is not a netmask: give a prefix length from 1 to 32 or a mask such as 255.255.255.0."),
			  s);
}

int inst_valid_dns(const char *s, char **cause)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		unsigned char buf[16];

		if (inet_pton(AF_INET, tok, buf) != 1 && inet_pton(AF_INET6, tok, buf) != 1) {
			rc = base_cause(cause, -EINVAL, _("\"%s\" is not the address of a name server."),
					tok);
			break;
		}
	}
	free(copy);
	return rc;
}

int inst_valid_url(const char *s, char **cause)
{
	const char *host;

	if (!strncmp(s, "http://", 7))
		host = s + 7;
	else if (!strncmp(s, "https://", 8))
		host = s + 8;
	else if (!strncmp(s, "file:/", 6))
		return 0;
	else
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a package source: it must start with http://, https:// or file:/."),
				  s);
	if (!*host || *host == '/' || strpbrk(s, " \t\"'"))
		return base_cause(cause, -EINVAL, _("The address \"%s\" names no host."), s);
	return 0;
}

/*
 * Plain decimal digits with at most one fraction, then an optional unit: no
 * sign, exponent, hexadecimal, blanks, "nan" or "inf" (all of which strtod
 * takes), and integer arithmetic throughout, so nothing can overflow.
 */
int inst_valid_size(const char *s, uint64_t *mib, char **cause)
{
	const uint64_t max = 1ULL << 40;   /* MiB: 1 EiB, far beyond any disk */
	uint64_t whole = 0, frac = 0, scale = 1, mult = 1, v;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > max)
			goto bad;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		/* Digits past the ninth cannot change a whole MiB count of a size this small. */
		for (; isdigit((unsigned char)*p); p++)
			if (scale < 1000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
	}
	switch (toupper((unsigned char)*p)) {
	case '\0':
	case 'M':
		break;
	case 'G':
		mult = 1024;
		break;
	case 'T':
		mult = 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (*p) {
		p++;
		if (toupper((unsigned char)*p) == 'I')
			p++;
		if (toupper((unsigned char)*p) == 'B')
			p++;
	}
	if (*p || whole > max / mult)
		goto bad;
	/* Rounded to the nearest MiB; frac < scale <= 1e9 and mult <= 2^20, so no overflow. */
	v = whole * mult + (frac * mult + scale / 2) / scale;
	if (v == 0 || v > max)
		goto bad;
	*mib = v;
	return 0;
bad:
	return base_cause(cause, -EINVAL,
			  _("\"%s\" is not a size: write a number of MiB, or a number followed by M, G or T."),
			  s);
}

int inst_valid_mount(const char *s, char **cause)
{
	static const char *const forbidden[] = { "/proc", "/sys", "/dev", "/run", "/tmp/.X11-unix",
						 "/etc", "/bin", "/sbin", "/lib", "/usr", NULL };

	if (!strcmp(s, "swap") || !strcmp(s, "biosboot"))
		return 0;
	if (s[0] != '/')
		return base_cause(cause, -EINVAL,
				  _("The mount point \"%s\" must start with / (or be swap)."), s);
	if (strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
	    (strlen(s) > 1 && s[strlen(s) - 1] == '/') || strpbrk(s, " \t\n\"'\\"))
		return base_cause(cause, -EINVAL, _("The mount point \"%s\" is not a clean path."), s);
	for (size_t i = 0; forbidden[i]; i++)
		if (!strcmp(s, forbidden[i]))
			return base_cause(cause, -EINVAL,
					  _("%s cannot be a separate partition."), s);
	return 0;
}

int inst_valid_bridge_name(const char *s, char **cause)
{
	size_t len = strlen(s);

	if (len == 0 || len > 15)
		return base_cause(cause, -EINVAL,
				  _("The bridge name \"%s\" must be 1 to 15 characters long."), s);
	for (size_t i = 0; i < len; i++)
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return base_cause(cause, -EINVAL,
					  _("The bridge name \"%s\" may only hold letters, digits, - _ and dots."),
					  s);
	return 0;
}

int inst_hash_password(const char *pw, char *hash, size_t len, char **cause)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *out;
	int rc = 0;

	if (!cd)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	/* yescrypt is Debian 12's default; SHA-512 where this libcrypt lacks it. */
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) &&
	    !crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt))) {
		rc = base_cause(cause, -EIO, _("Could not make a salt for the password hash."));
		goto out;
	}
	out = crypt_rn(pw, salt, cd, sizeof(*cd));
	if (!out || out[0] == '*' || strlen(out) >= len) {
		rc = base_cause(cause, -EIO, _("Could not hash the password."));
		goto out;
	}
	strcpy(hash, out);
out:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int inst_valid_ifname(const char *s, char **cause)
{
	size_t len = strlen(s);

	if (len == 0 || len >= IF_NAMESIZE)
		return base_cause(cause, -EINVAL,
				  _("The network device name \"%s\" must be 1 to 15 characters long."), s);
	if (!hcfg_ifname_ok(s))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a network device name ospite accepts: use letters, digits, dots, - and _, not starting with - (such as eth0 or enp1s0)."),
				  s);
	return 0;
}

int inst_valid_unit(const char *s, char **cause)
{
	const char *dot = strrchr(s, '.');
	size_t len = strlen(s);
	bool ok = len > 0 && len <= 255 && s[0] != '.' && s[0] != '@' && dot && dot[1] &&
		  !strchr(dot, '@');

	for (size_t i = 0; ok && i < len; i++)
		ok = isascii((unsigned char)s[i]) &&
		     (isalnum((unsigned char)s[i]) || strchr(":-_.@\\", s[i]));
	if (!ok)
		return base_cause(cause, -EINVAL, _("The service name \"%s\" is not valid."), s);
	return 0;
}

int inst_valid_package(const char *s, char **cause)
{
	size_t len = strlen(s);
	bool ok = len >= 2 && len <= 128 && (islower((unsigned char)s[0]) || isdigit((unsigned char)s[0]));

	/* Debian policy: lower-case letters, digits, + - and dots, starting alphanumeric. */
	for (size_t i = 0; ok && i < len; i++)
		ok = isascii((unsigned char)s[i]) &&
		     (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || strchr("+-.", s[i]));
	if (!ok)
		return base_cause(cause, -EINVAL, _("\"%s\" is not a Debian package name."), s);
	return 0;
}

int inst_valid_cmdline(const char *s, char **cause)
{
	if (strlen(s) > 500)
		return base_cause(cause, -EINVAL, _("The kernel arguments are longer than 500 characters."));
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < ' ' || (unsigned char)*c == 0x7f || strchr("\"\\$`'", *c))
			return base_cause(cause, -EINVAL,
					  _("The kernel arguments may not contain quotes, backslashes, dollar signs, backquotes or control characters."));
	return 0;
}

void inst_serial_trim(char *s)
{
	size_t l = strlen(s);

	if (l > 2 && !strcmp(s + l - 2, "n8") && isdigit((unsigned char)s[l - 3]) && strchr(s, ','))
		s[l - 2] = '\0';
}

int inst_valid_ipv6(const char *s, char **cause)
{
	struct in6_addr a6;
	char addr[64], *end;
	const char *slash = strchr(s, '/');
	unsigned long n = 0;

	if (!strcmp(s, "auto") || !strcmp(s, "dhcp"))
		return 0;
	if (slash && (size_t)(slash - s) < sizeof(addr) && isdigit((unsigned char)slash[1])) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(slash - s), s);
		errno = 0;
		n = strtoul(slash + 1, &end, 10);
		if (!*end && !errno && n >= 1 && n <= 128 && inet_pton(AF_INET6, addr, &a6) == 1)
			return 0;
	}
	return base_cause(cause, -EINVAL,
			  _("The IPv6 setting \"%s\" is not valid: write auto, dhcp or an address with its prefix length, such as 2001:db8::5/64."),
			  s);
}

bool inst_hash_weak(const char *s)
{
	return !strncmp(s, "$1$", 3);
}

int inst_valid_hash(const char *s, char **cause)
{
	bool ok = s[0] == '$' && strlen(s) < 256;

	/* What crypt(3) writes: no blanks, and no colon, which would end the shadow field. */
	for (const char *c = s; ok && *c; c++)
		ok = isascii((unsigned char)*c) && isgraph((unsigned char)*c) && *c != ':';
	/* MD5 ($1$) is weak but still verified: the caller warns about it. */
	if (ok && crypt_checksalt(s) != CRYPT_SALT_OK &&
	    !(crypt_checksalt(s) == CRYPT_SALT_METHOD_LEGACY && !strncmp(s, "$1$", 3)))
		ok = false;
	if (ok) {
		/* A whole hash as the setting gives one of the same length: a cut hash does not. */
		struct crypt_data *cd = calloc(1, sizeof(*cd));
		const char *out;

		if (!cd)
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		out = crypt_rn("", s, cd, sizeof(*cd));
		ok = out && out[0] != '*' && strlen(out) == strlen(s);
		free(cd);
	}
	if (!ok)
		return base_cause(cause, -EINVAL,
				  _("The root password hash is not a crypt(3) hash this system can check, such as one made by mkpasswd."));
	return 0;
}
