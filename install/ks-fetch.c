/* Where an answer file comes from: a local file, an http(s) address, or ospite.ks= on the kernel command line. */
#include "ks.h"
#include "inst-unattended.h"
#include "base/i18n.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KS_MAX_REDIRS 5

const char *inst_ks_fetch_ca_file;

struct fetch {
	struct base_buf buf;
	bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *opaque)
{
	struct fetch *f = opaque;
	size_t n = size * nmemb;

	if (f->buf.len + n > INST_KS_MAX_FILE) {
		f->too_big = true;
		return 0;   /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	base_buf_add(&f->buf, ptr, n);
	return f->buf.oom ? 0 : n;
}

bool inst_ks_is_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

static bool is_https(const char *s)
{
	return !strncasecmp(s, "https://", 8);
}

bool inst_ks_is_plain_http(const char *s)
{
	return !strncasecmp(s, "http://", 7);
}

int inst_ks_redirect_ok(const char *from, const char *to, char **cause)
{
	if (!inst_ks_is_url(to))
		return base_cause(cause, -EPERM,
				  _("%s redirects to %s, which is not an http or https address."),
				  from, to);
	/* What came over TLS must not go on in the clear: that would void what https gave. */
	if (is_https(from) && !is_https(to))
		return base_cause(cause, -EPERM,
				  _("%s redirects from https to plain http (%s), which is refused."),
				  from, to);
	return 0;
}

int inst_ks_url_base(const char *url, char *base, size_t len)
{
	const char *auth, *path, *end, *slash;
	size_t n;

	if (!inst_ks_is_plain_http(url) && !is_https(url))
		return -EINVAL;
	auth = strstr(url, "://") + 3;
	path = auth + strcspn(auth, "/?#");
	end = path + strcspn(path, "?#");
	if (*path != '/') {
		/* "http://host" or "http://host?x": the base is the server's root. */
		if ((size_t)(path - url) + 2 > len)
			return -ENAMETOOLONG;
		snprintf(base, len, "%.*s/", (int)(path - url), url);
		return 0;
	}
	slash = path;
	for (const char *c = path; c < end; c++)
		if (*c == '/')
			slash = c;
	n = (size_t)(slash - url) + 1;
	if (n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(base, url, n);
	base[n] = '\0';
	return 0;
}

/* Would a server read this (or its %-decoded form) as a step out of its folder? */
static bool escapes(const char *rest)
{
	const char *seg = rest;

	for (const char *c = rest;; c++) {
		if (*c == '%' && c[1] && c[2]) {
			char hex[3] = { c[1], c[2], '\0' };
			long v = strtol(hex, NULL, 16);

			if (v == '.' || v == '/' || v == '\\' || v == 0)
				return true;
		}
		if (*c == '\\')
			return true;
		if (*c == '/' || *c == '?' || *c == '#' || *c == '\0') {
			size_t n = (size_t)(c - seg);

			if ((n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2)))
				return true;
			if (*c != '/')
				return false;
			seg = c + 1;
		}
	}
}

bool inst_ks_url_under(const char *base, const char *url)
{
	size_t n = strlen(base);

	return n && base[n - 1] == '/' && !strncmp(url, base, n) && url[n] && !escapes(url + n);
}

int inst_ks_sha256_hex(const char *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

bool inst_ks_sha256_valid(const char *hex)
{
	size_t n = strlen(hex);

	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return false;
	return true;
}

/* One request, no redirect followed: its body, and the next address when it redirects. */
static CURLcode fetch_once(CURL *h, const char *url, struct fetch *f, long *code, char **next)
{
	char *loc = NULL;
	CURLcode cc;

	free(f->buf.s);
	memset(f, 0, sizeof(*f));
	*code = 0;
	*next = NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	if (cc == CURLE_OK && *code >= 300 && *code < 400 &&
	    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
		*next = strdup(loc);
	return cc;
}

int inst_ks_fetch(const char *url, char **data, size_t *len, char **cause)
{
	struct fetch f = { { 0 }, false };
	char errbuf[CURL_ERROR_SIZE] = "", *cur = NULL, *next = NULL;
	long code = 0;
	CURLcode cc;
	CURL *h;
	int rc = 0;

	*data = NULL;
	*len = 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return base_cause(cause, -EIO, _("Could not fetch %s: %s."), url, "curl_global_init");
	h = curl_easy_init();
	cur = strdup(url);
	if (!h || !cur) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Redirects are followed here, one by one, so that each is checked (inst_ks_redirect_ok). */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A server that stops sending is given up after a minute, not waited for forever. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 600L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ospite-install/" OSPITE_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f);
	if (inst_ks_fetch_ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, inst_ks_fetch_ca_file);
	for (int hops = 0;; hops++) {
		cc = fetch_once(h, cur, &f, &code, &next);
		if (!next)
			break;
		if (hops >= KS_MAX_REDIRS) {
			rc = base_cause(cause, -ELOOP, _("%s redirects more than %d times."), url,
					KS_MAX_REDIRS);
			goto out;
		}
		rc = inst_ks_redirect_ok(cur, next, cause);
		if (rc < 0)
			goto out;
		free(cur);
		cur = next;
		next = NULL;
	}
	if (f.too_big) {
		rc = base_cause(cause, -EFBIG, _("%s is larger than %u MiB."), url,
				INST_KS_MAX_FILE >> 20);
	} else if (f.buf.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	} else if (cc != CURLE_OK) {
		rc = base_cause(cause, -EIO, _("Could not fetch %s: %s."), url,
				*errbuf ? errbuf : curl_easy_strerror(cc));
	} else if (code == 404 || code == 410) {
		rc = base_cause(cause, -ENOENT, _("The server has no file at %s."), url);
	} else if (code >= 300) {
		rc = base_cause(cause, -EIO, _("The server answered %ld for %s."), code, url);
	}
	if (rc == 0) {
		if (!f.buf.s)
			f.buf.s = strdup("");
		if (!f.buf.s) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		*data = f.buf.s;
		*len = f.buf.len;
		f.buf.s = NULL;
	}
out:
	free(f.buf.s);
	free(cur);
	free(next);
	if (h)
		curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc;
}

/* The answer file itself: plain http only with a checksum or --insecure; the checksum checked. */
static int read_main(struct inst_ks_source *src, const char *path, char **data, size_t *len,
		     char **id, char **cause)
{
	char hex[65];
	int rc;

	if (inst_ks_is_plain_http(path) && !src->sha256 && !src->insecure)
		return base_cause(cause, -EPERM,
				  _("The answer file would come over plain http, which anyone on the way can change: give its SHA-256 with --answer-sha256 (ospite.ks.sha256= on the kernel command line), use https, or give --insecure."));
	if (inst_ks_is_url(path)) {
		src->remote = true;
		if (inst_ks_url_base(path, src->base, sizeof(src->base)) < 0)
			return base_cause(cause, -EINVAL, _("The address %s is too long."), path);
		rc = inst_ks_fetch(path, data, len, cause);
		if (rc == 0 && !(*id = strdup(path)))
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	} else {
		rc = inst_ks_read_file(NULL, path, data, len, id, cause);
	}
	if (rc < 0 || !src->sha256)
		goto out;
	rc = inst_ks_sha256_hex(*data, *len, hex);
	if (rc < 0) {
		rc = base_cause(cause, rc, _("Could not compute the SHA-256 of %s."), path);
	} else if (strcasecmp(hex, src->sha256)) {
		rc = base_cause(cause, -EBADMSG,
				_("The answer file does not have the SHA-256 given (%s), but %s: it is not the file meant."),
				src->sha256, hex);
	}
out:
	if (rc < 0) {
		if (*data)
			explicit_bzero(*data, *len);
		free(*data);
		free(*id);
		*data = *id = NULL;
		*len = 0;
	}
	return rc;
}

int inst_ks_read_any(void *opaque, const char *path, char **data, size_t *len, char **id,
		     char **cause)
{
	struct inst_ks_source *src = opaque;
	int rc;

	*data = *id = NULL;
	*len = 0;
	if (!src)
		return base_cause(cause, -EINVAL, _("Could not read %s: %s."), path, strerror(EINVAL));
	if (!src->main_read) {
		src->main_read = true;
		return read_main(src, path, data, len, id, cause);
	}
	/* An include. A file from a server names only more files of that server's folder. */
	if (src->remote && !inst_ks_is_url(path))
		return base_cause(cause, -EPERM,
				  _("An answer file from the network may include only files under %s, never a local file."),
				  src->base);
	if (src->remote && !inst_ks_url_under(src->base, path))
		return base_cause(cause, -EPERM,
				  _("An answer file from the network may include only files under %s."),
				  src->base);
	if (!inst_ks_is_url(path))
		return inst_ks_read_file(NULL, path, data, len, id, cause);
	/* No checksum covers an included file: over plain http, anyone on the way could write it. */
	if (inst_ks_is_plain_http(path) && !src->insecure)
		return base_cause(cause, -EPERM,
				  _("It would come over plain http, which no checksum covers: use https, or give --insecure."));
	rc = inst_ks_fetch(path, data, len, cause);
	if (rc < 0)
		return rc;
	*id = strdup(path);
	if (!*id) {
		free(*data);
		*data = NULL;
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	return 0;
}

int inst_ks_cmdline(char **value, char **sha256, char **cause)
{
	const char *path = getenv("OSPITE_CMDLINE");
	char *text = NULL, *val = NULL, *sum = NULL;
	int rc;

	*value = NULL;
	*sha256 = NULL;
	if (!path || !*path)
		path = "/proc/cmdline";
	rc = hcfg_read_file(path, &text, cause);
	if (rc < 0)
		return rc;
	/* Words are separated by blanks; double quotes keep blanks inside a value. */
	for (char *p = text; *p;) {
		char word[4096];
		size_t n = 0;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		while (*p && (quoted || !strchr(" \t\n", *p))) {
			if (*p == '"')
				quoted = !quoted;
			else if (n + 1 < sizeof(word))
				word[n++] = *p;
			p++;
		}
		word[n] = '\0';
		if (!strncmp(word, "ospite.ks=", 10)) {
			free(val);
			val = strdup(word + 10);
			if (!val)
				goto oom;
		} else if (!strncmp(word, "ospite.ks.sha256=", 17)) {
			free(sum);
			sum = strdup(word + 17);
			if (!sum)
				goto oom;
		}
		if (!strcmp(word, "--"))
			break;   /* what follows belongs to init, not to the kernel */
	}
	free(text);
	text = NULL;
	if (!val) {
		free(sum);
		return 0;
	}
	if (sum && !inst_ks_sha256_valid(sum)) {
		rc = base_cause(cause, -EINVAL,
				_("ospite.ks.sha256=%s on the kernel command line is not a SHA-256: write its 64 hexadecimal digits."),
				sum);
		goto fail;
	}
	if (!strncmp(val, "file:", 5)) {
		memmove(val, val + 5, strlen(val + 5) + 1);
		if (!strncmp(val, "//", 2))
			memmove(val, val + 2, strlen(val + 2) + 1);
	}
	if (val[0] != '/' && !inst_ks_is_url(val)) {
		rc = base_cause(cause, -EINVAL,
				_("ospite.ks=%s on the kernel command line names neither a file (/path) nor an http or https address."),
				val);
		goto fail;
	}
	*value = val;
	*sha256 = sum;
	return 0;
oom:
	rc = base_cause(cause, -ENOMEM, _("Out of memory."));
fail:
	free(text);
	free(val);
	free(sum);
	return rc;
}
