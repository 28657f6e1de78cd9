/* The answer file's extra repositories in the install: their OpenPGP keys checked, given to apt, and kept by the host. */
#include "inst-engine.h"
#include "inst-unattended.h"
#include "ks.h"
#include "hostcfg/hcfg.h"
#include "hostcfg/hcfg-target.h"
#include "base/i18n.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARMOR_BEGIN "-----BEGIN PGP PUBLIC KEY BLOCK-----"

/* The base64 body of an armored block, decoded into a malloc'd buffer; NULL if it is not one. */
static unsigned char *dearmor(const char *data, size_t len, size_t *out_len)
{
	const char *p = memmem(data, len, ARMOR_BEGIN, strlen(ARMOR_BEGIN)), *end = data + len;
	char *b64;
	unsigned char *out;
	size_t n = 0;
	int got, pad = 0;

	if (!p)
		return NULL;
	p = memchr(p, '\n', end - p);
	/* Armor headers ("Comment: ...") end at the first blank line. */
	while (p && p < end) {
		const char *nl = memchr(p + 1, '\n', end - p - 1);
		size_t l = (nl ? nl : end) - (p + 1);

		if (l == 0 || (l == 1 && p[1] == '\r'))
			break;
		if (!memchr(p + 1, ':', l)) {
			/* No header at all: the body starts right here. */
			break;
		}
		p = nl;
	}
	if (!p)
		return NULL;
	b64 = malloc(end - p + 1);
	if (!b64)
		return NULL;
	for (const char *q = p; q < end; q++) {
		/* The "=XXXX" line is a checksum, and "-----END" closes the block. */
		if ((q == p || q[-1] == '\n') && (*q == '=' || *q == '-'))
			break;
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", *q) && *q)
			b64[n++] = *q;
	}
	while (n > 0 && b64[n - 1] == '=')
		n--;
	/* EVP_DecodeBlock wants whole quads, and counts what pads them as zero bytes. */
	pad = (4 - n % 4) % 4;
	while (n % 4)
		b64[n++] = '=';
	b64[n] = '\0';
	out = malloc(n / 4 * 3 + 1);
	got = !out ? -1 : n ? EVP_DecodeBlock(out, (unsigned char *)b64, (int)n) : 0;
	free(b64);
	if (got < 0) {
		free(out);
		return NULL;
	}
	*out_len = (size_t)got - (size_t)(pad > 2 ? 2 : pad);
	return out;
}

/* The fingerprint of the public key (sub)packet @body: v4 SHA-1, v5 and v6 SHA-256. */
static bool key_fpr(const unsigned char *body, size_t len, char hex[65])
{
	unsigned char hdr[5], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, hl;
	EVP_MD_CTX *c;
	bool ok;

	if (len < 1 || len > 0xffffff)
		return false;
	if (body[0] == 4) {
		if (len > 0xffff)
			return false;
		hdr[0] = 0x99;
		hdr[1] = len >> 8;
		hdr[2] = len & 0xff;
		hl = 3;
	} else if (body[0] == 5 || body[0] == 6) {
		hdr[0] = body[0] == 5 ? 0x9a : 0x9b;
		hdr[1] = len >> 24;
		hdr[2] = (len >> 16) & 0xff;
		hdr[3] = (len >> 8) & 0xff;
		hdr[4] = len & 0xff;
		hl = 5;
	} else {
		return false;
	}
	c = EVP_MD_CTX_new();
	ok = c && EVP_DigestInit_ex(c, body[0] == 4 ? EVP_sha1() : EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(c, hdr, hl) && EVP_DigestUpdate(c, body, len) &&
	     EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	if (!ok)
		return false;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
	return true;
}

int inst_pgp_key_check(const char *data, size_t len, const char *fpr, const char *what,
		       bool *armored, char **cause)
{
	const char *first = memmem(data, len, ARMOR_BEGIN, strlen(ARMOR_BEGIN));
	bool two = first && memmem(first + 1, data + len - first - 1, "-----BEGIN PGP", 14);
	unsigned char *dec = dearmor(data, len, &len);
	const unsigned char *b = dec ? dec : (const unsigned char *)data;
	size_t i = 0, keys = 0, others = 0;
	bool match = false;
	char hex[65];

	*armored = dec != NULL;
	/*
	 * apt reads the whole file, but only the first armored block is checked
	 * here: a second one could carry a key nobody asked for.
	 */
	if (two) {
		free(dec);
		return base_cause(cause, -EINVAL, _("%s holds more than one armored block: give one key."),
				  what);
	}
	while (i < len) {
		unsigned tag;
		size_t plen = 0, hl;

		if (!(b[i] & 0x80))
			break;
		if (b[i] & 0x40) {
			/* New format: one, two or five length octets (partial lengths are not for keys). */
			tag = b[i] & 0x3f;
			if (i + 1 >= len)
				break;
			if (b[i + 1] < 192) {
				plen = b[i + 1];
				hl = 2;
			} else if (b[i + 1] < 224 && i + 2 < len) {
				plen = ((size_t)(b[i + 1] - 192) << 8) + b[i + 2] + 192;
				hl = 3;
			} else if (b[i + 1] == 255 && i + 5 < len) {
				plen = (size_t)b[i + 2] << 24 | (size_t)b[i + 3] << 16 |
				       (size_t)b[i + 4] << 8 | b[i + 5];
				hl = 6;
			} else {
				break;
			}
		} else {
			unsigned lt = b[i] & 3;

			tag = (b[i] >> 2) & 0xf;
			if (lt == 3)
				break;
			hl = 1 + (1u << lt);
			if (i + hl > len)
				break;
			for (unsigned k = 1; k < hl; k++)
				plen = plen << 8 | b[i + k];
		}
		if (plen > len - i - hl)
			break;
		/* Public key and public subkey packets. */
		/*
		 * Primary keys only: a subkey packet copied next to another primary
		 * key would match the fingerprint while that key signs.
		 */
		if (tag == 6 && key_fpr(b + i + hl, plen, hex)) {
			keys++;
			if (fpr && !strcmp(hex, fpr))
				match = true;
			else
				others++;
		}
		i += hl + plen;
	}
	free(dec);
	if (i != len || keys == 0)
		return base_cause(cause, -EINVAL, _("%s is not an OpenPGP public key."), what);
	if (fpr && *fpr && !match)
		return base_cause(cause, -EINVAL, _("The key %s does not have the fingerprint %s."),
				  what, fpr);
	/* apt would trust every key of the file: the pinned one must be alone. */
	if (fpr && *fpr && others)
		return base_cause(cause, -EINVAL, _("The key file %s holds other keys besides the one of fingerprint %s."),
				  what, fpr);
	return 0;
}

int inst_repo_key_load(const struct inst_repo *r, bool fetch, char **data, size_t *len,
		       bool *armored, char **cause)
{
	char *id = NULL, *why = NULL;
	int rc;

	*data = NULL;
	*len = 0;
	if (inst_ks_is_url(r->key) && !fetch)
		return 1;
	rc = inst_ks_is_url(r->key) ? inst_ks_fetch(r->key, data, len, &why)
				    : inst_ks_read_file(NULL, r->key, data, len, &id, &why);
	free(id);
	if (rc < 0) {
		rc = base_cause(cause, rc, _("The key %s of the repository %s could not be read: %s"),
				r->key, r->name, why ? why : strerror(-rc));
		free(why);
		return rc;
	}
	rc = inst_pgp_key_check(*data, *len, r->fingerprint, r->key, armored, cause);
	if (rc < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	return rc;
}

/* Put the answer file's FILE:LINE of @r's repo line before *@cause, when the plan came from one. */
static void repo_where(const struct inst_plan *p, const struct inst_repo *r, char **cause)
{
	char where[320], *why;

	inst_plan_where(p, r->src, where, sizeof(where));
	if (!*where || !cause || !*cause)
		return;
	why = *cause;
	*cause = NULL;
	if (asprintf(cause, "%s: %s", where, why) < 0)
		*cause = why;
	else
		free(why);
}

int inst_repo_keys_check(const struct inst_plan *p, char **errors)
{
	struct base_buf errs = { 0 };
	int rc = 0;

	for (size_t i = 0; i < p->n_repos; i++) {
		const struct inst_repo *r = &p->repos[i];
		char *data = NULL, *cause = NULL;
		size_t len;
		bool armored;

		if (r->trusted || !*r->key || inst_repo_key_load(r, false, &data, &len, &armored, &cause) >= 0) {
			free(data);
			continue;
		}
		repo_where(p, r, &cause);
		base_buf_printf(&errs, "%s\n", cause ? cause : "?");
		free(cause);
		rc = -EINVAL;
	}
	if (errs.oom) {
		free(errs.s);
		return -ENOMEM;
	}
	if (errs.s) {
		char *all = NULL;

		if (asprintf(&all, "%s%s", *errors ? *errors : "", errs.s) < 0) {
			free(errs.s);
			return -ENOMEM;
		}
		free(*errors);
		*errors = all;
	}
	free(errs.s);
	return rc;
}

int eng_repo_keys(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char dir[PATH_MAX];
	int rc = 0;

	e->n_repo_src = 0;
	if (!p->n_repos)
		return 0;
	snprintf(dir, sizeof(dir), "%s/repo-keys", e->workdir);
	rc = hcfg_mkdirs(dir, cause);
	for (size_t i = 0; rc == 0 && i < p->n_repos; i++) {
		const struct inst_repo *r = &p->repos[i];
		struct inst_apt_extra *x = &e->repo_src[i];
		size_t sl = strlen(r->suite);
		char *data = NULL;
		size_t len = 0;
		bool armored = false;

		memset(x, 0, sizeof(*x));
		x->url = r->url;
		x->suite = sl ? r->suite : p->suite;
		x->components = *r->components ? r->components : "main";
		x->trusted = r->trusted;
		e->repo_key[i][0] = '\0';
		if (r->trusted) {
			eng_log(e, "repo %s: %s, trusted without a signature", r->name, r->url);
			continue;
		}
		/* The same reading and checks as --validate's (inst_repo_keys_check()), and the URL too. */
		rc = inst_repo_key_load(r, true, &data, &len, &armored, cause);
		if (rc < 0)
			/* A key by URL is read only now: say which repo line, as --validate does. */
			repo_where(p, r, cause);
		if (rc == 0) {
			snprintf(e->repo_key[i], sizeof(e->repo_key[i]), "%s/%s.%s", dir, r->name,
				 armored ? "asc" : "gpg");
			/* Mode 0644: apt reads keys as its own user. */
			rc = hcfg_write_data(e->repo_key[i], data, len, 0644, cause);
		}
		free(data);
		if (rc < 0)
			break;
		x->keyring = e->repo_key[i];
		eng_log(e, "repo %s: %s %s, signed by %s%s%s", r->name, r->url, x->suite, r->key,
			*r->fingerprint ? " with the fingerprint " : "", r->fingerprint);
	}
	if (rc == 0)
		e->n_repo_src = p->n_repos;
	return rc;
}

void eng_repo_source(const struct inst_engine *e, struct inst_apt_source *src)
{
	src->extra = e->n_repo_src ? e->repo_src : NULL;
	src->n_extra = e->n_repo_src;
}

int eng_repo_host(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < e->n_repo_src; i++) {
		const struct inst_apt_extra *x = &e->repo_src[i];
		struct hcfg_target_apt apt = {
			.mirror = x->url, .suite = x->suite, .components = x->components,
			.signed_by = "", .trusted = x->trusted,
		};
		char rel[PATH_MAX];

		if (x->keyring) {
			const char *ext = strrchr(x->keyring, '.');

			snprintf(rel, sizeof(rel), "/etc/apt/keyrings/%s%s", p->repos[i].name, ext);
			rc = hcfg_target_copy(e->target, rel, x->keyring, 0644, cause);
			apt.signed_by = rel;
		}
		if (rc == 0)
			rc = hcfg_target_apt_repo(e->target, p->repos[i].name, &apt, cause);
	}
	return rc;
}
