/* Where an answer file comes from: a local file, an http(s) address, or ospite.ks= on the kernel command line. */
#include "ks.h"
#include "inst-unattended.h"
#include "tui/i18n.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fetch {
	struct hcfg_buf buf;
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
	hcfg_buf_add(&f->buf, ptr, n);
	return f->buf.oom ? 0 : n;
}

bool inst_ks_is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

int inst_ks_fetch(const char *url, char **data, size_t *len, char **cause)
{
	struct fetch f = { { 0 }, false };
	char errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode cc;
	CURL *h;
	int rc = 0;

	*data = NULL;
	*len = 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return hcfg_cause(cause, -EIO, _("Could not fetch %s: %s."), url, "curl_global_init");
	h = curl_easy_init();
	if (!h) {
		rc = hcfg_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
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
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (f.too_big) {
		rc = hcfg_cause(cause, -EFBIG, _("%s is larger than %u MiB."), url,
				INST_KS_MAX_FILE >> 20);
	} else if (f.buf.oom) {
		rc = hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	} else if (cc != CURLE_OK) {
		rc = hcfg_cause(cause, -EIO, _("Could not fetch %s: %s."), url,
				*errbuf ? errbuf : curl_easy_strerror(cc));
	} else if (code == 404 || code == 410) {
		rc = hcfg_cause(cause, -ENOENT, _("The server has no file at %s."), url);
	} else if (code >= 400) {
		rc = hcfg_cause(cause, -EIO, _("The server answered %ld for %s."), code, url);
	}
	if (rc == 0) {
		if (!f.buf.s)
			f.buf.s = strdup("");
		if (!f.buf.s) {
			rc = hcfg_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		*data = f.buf.s;
		*len = f.buf.len;
		f.buf.s = NULL;
	}
out:
	free(f.buf.s);
	if (h)
		curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc;
}

int inst_ks_read_any(void *opaque, const char *path, char **data, size_t *len, char **id,
		     char **cause)
{
	int rc;

	if (!inst_ks_is_url(path))
		return inst_ks_read_file(opaque, path, data, len, id, cause);
	rc = inst_ks_fetch(path, data, len, cause);
	if (rc < 0)
		return rc;
	*id = strdup(path);
	if (!*id) {
		free(*data);
		*data = NULL;
		return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	}
	return 0;
}

int inst_ks_cmdline(char **value, char **cause)
{
	const char *path = getenv("OSPITE_CMDLINE");
	char *text = NULL, *val = NULL;
	int rc;

	*value = NULL;
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
			if (!val) {
				free(text);
				return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
			}
		}
		if (!strcmp(word, "--"))
			break;   /* what follows belongs to init, not to the kernel */
	}
	free(text);
	if (!val)
		return 0;
	if (!strncmp(val, "file:", 5)) {
		memmove(val, val + 5, strlen(val + 5) + 1);
		if (!strncmp(val, "//", 2))
			memmove(val, val + 2, strlen(val + 2) + 1);
	}
	if (val[0] != '/' && !inst_ks_is_url(val)) {
		rc = hcfg_cause(cause, -EINVAL,
				_("ospite.ks=%s on the kernel command line names neither a file (/path) nor an http or https address."),
				val);
		free(val);
		return rc;
	}
	*value = val;
	return 0;
}
