/* The backup archive's container: a POSIX pax tar with GNU sparse 1.0 entries (what GNU tar writes with --sparse --format=pax), optionally one zstd frame, as a stream. */
#include "hv-archive.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define BLK 512
/* GNU tar's default record: readers that insist on whole records are served. */
#define RECORD (20 * BLK)

/* ---- the ustar header ---------------------------------------------------------- */

struct ustar {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};
_Static_assert(sizeof(struct ustar) == BLK, "a tar header is one block");

/* An octal field, or base-256 (GNU) when the number does not fit. */
static void put_num(char *f, size_t n, uint64_t v)
{
	if (n == 12 ? v < (1ull << 33) : v < (1ull << 21)) {
		snprintf(f, n, "%0*" PRIo64, (int)n - 1, v);
		return;
	}
	memset(f, 0, n);
	f[0] = (char)0x80;
	for (size_t i = n - 1; i > 0 && v; i--, v >>= 8)
		f[i] = (char)(v & 0xff);
}

static int get_num(const char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if ((unsigned char)f[0] == 0x80) {
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return -1;
			v = (v << 8) | (unsigned char)f[i];
		}
		*out = v;
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

static unsigned header_sum(const struct ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned s = 0;

	for (size_t i = 0; i < BLK; i++)
		s += (i >= 148 && i < 156) ? ' ' : p[i];
	return s;
}

static void make_header(struct ustar *h, const char *name, char type, uint64_t size,
			long long mtime, unsigned mode)
{
	memset(h, 0, sizeof(*h));
	/* Names here are ours and short; the real (long) names go in pax records. */
	snprintf(h->name, sizeof(h->name), "%.99s", name);
	put_num(h->mode, sizeof(h->mode), mode);
	put_num(h->uid, sizeof(h->uid), 0);
	put_num(h->gid, sizeof(h->gid), 0);
	put_num(h->size, sizeof(h->size), size);
	put_num(h->mtime, sizeof(h->mtime), mtime > 0 ? (uint64_t)mtime : 0);
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	snprintf(h->chksum, sizeof(h->chksum), "%06o", header_sum(h));
	h->chksum[7] = ' ';
}

/* ---- writing ---------------------------------------------------------------- */

struct ar_w {
	int fd;
	ZSTD_CCtx *z;
	unsigned char *zbuf;
	size_t zcap;
	uint64_t written;       /* to the file */
	uint64_t stream;        /* tar bytes produced */
	uint64_t left;          /* data still due for the open entry */
	uint64_t entry_total;   /* the open entry's stored size, for its padding */
};

static int full_write(int fd, const void *buf, size_t len, char **cause)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return base_cause(cause, -errno, _("Could not write the archive: %s."),
					  strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int w_out(struct ar_w *w, const void *data, size_t len, char **cause)
{
	int rc;

	w->stream += len;
	if (!w->z) {
		rc = full_write(w->fd, data, len, cause);
		if (rc == 0)
			w->written += len;
		return rc;
	}
	ZSTD_inBuffer in = { data, len, 0 };
	while (in.pos < in.size) {
		ZSTD_outBuffer out = { w->zbuf, w->zcap, 0 };
		size_t r = ZSTD_compressStream2(w->z, &out, &in, ZSTD_e_continue);

		if (ZSTD_isError(r))
			return base_cause(cause, -EIO, _("Could not compress the archive: %s."),
					  ZSTD_getErrorName(r));
		if (out.pos && (rc = full_write(w->fd, w->zbuf, out.pos, cause)) < 0)
			return rc;
		w->written += out.pos;
	}
	return 0;
}

static int w_zeros(struct ar_w *w, size_t n, char **cause)
{
	static const char zero[BLK];
	int rc = 0;

	while (n && rc == 0) {
		size_t k = n < BLK ? n : BLK;

		rc = w_out(w, zero, k, cause);
		n -= k;
	}
	return rc;
}

static size_t pad_of(uint64_t n)
{
	return (size_t)((BLK - n % BLK) % BLK);
}

int ar_w_open(int fd, bool zstd, int zstd_level, struct ar_w **out, char **cause)
{
	struct ar_w *w = calloc(1, sizeof(*w));

	if (!w)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	w->fd = fd;
	if (zstd) {
		w->z = ZSTD_createCCtx();
		w->zcap = ZSTD_CStreamOutSize();
		w->zbuf = malloc(w->zcap);
		if (!w->z || !w->zbuf) {
			ar_w_free(w);
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
		ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, zstd_level ? zstd_level : 3);
		ZSTD_CCtx_setParameter(w->z, ZSTD_c_checksumFlag, 1);
	}
	*out = w;
	return 0;
}

void ar_w_free(struct ar_w *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->z);
	free(w->zbuf);
	free(w);
}

uint64_t ar_w_written(const struct ar_w *w)
{
	return w->written;
}

/* One pax record: "LEN key=value\n", LEN counting itself. */
static void pax_record(struct base_buf *b, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;

	while (snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	base_buf_printf(b, "%zu %s=%s\n", len, key, value);
}

static int w_pax(struct ar_w *w, const char *name, const struct base_buf *rec, long long mtime,
		 char **cause)
{
	struct ustar h;
	char hname[100];
	int rc;

	snprintf(hname, sizeof(hname), "PaxHeaders.0/%.80s", name);
	make_header(&h, hname, 'x', rec->len, mtime, 0644);
	if ((rc = w_out(w, &h, BLK, cause)) < 0 || (rc = w_out(w, rec->s, rec->len, cause)) < 0)
		return rc;
	return w_zeros(w, pad_of(rec->len), cause);
}

int ar_w_file(struct ar_w *w, const char *name, const void *data, size_t len, long long mtime,
	      unsigned mode, char **cause)
{
	struct ustar h;
	int rc;

	make_header(&h, name, '0', len, mtime, mode);
	if ((rc = w_out(w, &h, BLK, cause)) < 0 || (rc = w_out(w, data, len, cause)) < 0)
		return rc;
	return w_zeros(w, pad_of(len), cause);
}

int ar_w_sparse(struct ar_w *w, const char *name, uint64_t realsize, const struct ar_region *map,
		size_t n, long long mtime, char **map_text, char **cause)
{
	struct base_buf m = { 0 }, rec = { 0 };
	struct ustar h;
	char num[32], sname[100];
	uint64_t data = 0, stored;
	int rc;

	*map_text = NULL;
	base_buf_printf(&m, "%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		base_buf_printf(&m, "%" PRIu64 "\n%" PRIu64 "\n", map[i].off, map[i].len);
		data += map[i].len;
	}
	stored = m.len + pad_of(m.len) + data;
	pax_record(&rec, "GNU.sparse.major", "1");
	pax_record(&rec, "GNU.sparse.minor", "0");
	pax_record(&rec, "GNU.sparse.name", name);
	snprintf(num, sizeof(num), "%" PRIu64, realsize);
	pax_record(&rec, "GNU.sparse.realsize", num);
	/* The ustar size field holds 8 GiB at most in octal: larger entries say so in pax too. */
	if (stored >= (1ull << 33)) {
		snprintf(num, sizeof(num), "%" PRIu64, stored);
		pax_record(&rec, "size", num);
	}
	if (m.oom || rec.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if ((rc = w_pax(w, name, &rec, mtime, cause)) < 0)
		goto out;
	/* GNU tar's own name for the stand-in entry; a reader without sparse support extracts it there. */
	snprintf(sname, sizeof(sname), "GNUSparseFile.0/%.80s", name);
	make_header(&h, sname, '0', stored, mtime, 0600);
	if ((rc = w_out(w, &h, BLK, cause)) < 0 || (rc = w_out(w, m.s, m.len, cause)) < 0 ||
	    (rc = w_zeros(w, pad_of(m.len), cause)) < 0)
		goto out;
	w->left = data;
	w->entry_total = stored;
	*map_text = m.s;
	m.s = NULL;
out:
	free(m.s);
	free(rec.s);
	return rc;
}

int ar_w_data(struct ar_w *w, const void *data, size_t len, char **cause)
{
	if (len > w->left)
		return base_cause(cause, -EINVAL, _("A disk gave more data than its map said."));
	w->left -= len;
	return w_out(w, data, len, cause);
}

int ar_w_end(struct ar_w *w, char **cause)
{
	if (w->left)
		return base_cause(cause, -EIO, _("A disk gave less data than its map said."));
	return w_zeros(w, pad_of(w->entry_total), cause);
}

int ar_w_close(struct ar_w *w, char **cause)
{
	int rc;

	if (!w)
		return 0;
	rc = w_zeros(w, 2 * BLK, cause);
	if (rc == 0 && w->stream % RECORD)
		rc = w_zeros(w, (size_t)(RECORD - w->stream % RECORD), cause);
	while (rc == 0 && w->z) {
		ZSTD_inBuffer in = { NULL, 0, 0 };
		ZSTD_outBuffer out = { w->zbuf, w->zcap, 0 };
		size_t left = ZSTD_compressStream2(w->z, &out, &in, ZSTD_e_end);

		if (ZSTD_isError(left)) {
			rc = base_cause(cause, -EIO, _("Could not compress the archive: %s."),
					ZSTD_getErrorName(left));
			break;
		}
		if (out.pos && (rc = full_write(w->fd, w->zbuf, out.pos, cause)) < 0)
			break;
		w->written += out.pos;
		if (!left)
			break;
	}
	ar_w_free(w);
	return rc;
}

/* ---- reading ---------------------------------------------------------------- */

struct ar_r {
	int fd;
	ZSTD_DCtx *z;
	unsigned char *ibuf;
	size_t icap, ipos, ilen;
	bool eof;
	uint64_t consumed;      /* bytes of the file used */
	uint64_t left;          /* data of the current entry not read yet */
	uint64_t pad;           /* its padding */
	bool zframe_done;       /* the zstd frame ended (more input is an error) */
};

static int fill(struct ar_r *r, char **cause)
{
	ssize_t n;

	if (r->ipos < r->ilen || r->eof)
		return 0;
	do
		n = read(r->fd, r->ibuf, r->icap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return base_cause(cause, -errno, _("Could not read the archive: %s."), strerror(errno));
	r->ipos = 0;
	r->ilen = (size_t)n;
	r->eof = n == 0;
	return 0;
}

static int truncated(char **cause)
{
	return base_cause(cause, -EIO, _("The archive ends too early: it is truncated."));
}

/* Exactly @len bytes of the tar stream. */
static int r_in(struct ar_r *r, void *buf, size_t len, char **cause)
{
	unsigned char *p = buf;
	int rc;

	while (len) {
		if ((rc = fill(r, cause)) < 0)
			return rc;
		if (r->ipos == r->ilen)
			return truncated(cause);
		if (!r->z) {
			size_t k = r->ilen - r->ipos < len ? r->ilen - r->ipos : len;

			memcpy(p, r->ibuf + r->ipos, k);
			r->ipos += k;
			r->consumed += k;
			p += k;
			len -= k;
			continue;
		}
		if (r->zframe_done)
			return truncated(cause);
		ZSTD_inBuffer in = { r->ibuf, r->ilen, r->ipos };
		ZSTD_outBuffer out = { p, len, 0 };
		size_t z = ZSTD_decompressStream(r->z, &out, &in);

		if (ZSTD_isError(z))
			return base_cause(cause, -EBADMSG, _("The archive is damaged: %s."),
					  ZSTD_getErrorName(z));
		r->consumed += in.pos - r->ipos;
		r->ipos = in.pos;
		p += out.pos;
		len -= out.pos;
		if (z == 0)
			r->zframe_done = true;
	}
	return 0;
}

int ar_r_open(int fd, struct ar_r **out, char **cause)
{
	static const unsigned char zmagic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	struct ar_r *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	r->fd = fd;
	r->icap = 1 << 20;
	r->ibuf = malloc(r->icap);
	if (!r->ibuf) {
		ar_r_free(r);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	/* Enough of the start to tell zstd from tar. */
	while (r->ilen < 4 && !r->eof) {
		ssize_t n = read(fd, r->ibuf + r->ilen, r->icap - r->ilen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = base_cause(cause, -errno, _("Could not read the archive: %s."),
					strerror(errno));
			ar_r_free(r);
			return rc;
		}
		r->eof = n == 0;
		r->ilen += (size_t)n;
	}
	r->eof = false;
	if (r->ilen >= 4 && !memcmp(r->ibuf, zmagic, 4)) {
		r->z = ZSTD_createDCtx();
		if (!r->z) {
			ar_r_free(r);
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
	}
	*out = r;
	return 0;
}

void ar_r_free(struct ar_r *r)
{
	if (!r)
		return;
	ZSTD_freeDCtx(r->z);
	free(r->ibuf);
	free(r);
}

uint64_t ar_r_consumed(const struct ar_r *r)
{
	return r->consumed;
}

void ar_entry_clear(struct ar_entry *e)
{
	free(e->name);
	free(e->map);
	free(e->map_text);
	memset(e, 0, sizeof(*e));
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Skip @n bytes of the stream; the padding of an entry must be zeros. */
static int r_skip(struct ar_r *r, uint64_t n, bool must_be_zero, char **cause)
{
	unsigned char buf[4096];
	int rc;

	while (n) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);

		if ((rc = r_in(r, buf, k, cause)) < 0)
			return rc;
		if (must_be_zero && !all_zero(buf, k))
			return base_cause(cause, -EBADMSG,
					  _("The archive is damaged: the padding after an entry is not blank."));
		n -= k;
	}
	return 0;
}

static int damaged(char **cause, const char *what)
{
	return base_cause(cause, -EBADMSG, _("The archive is damaged: %s."), what);
}

/* A decimal number from pax or a sparse map. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

struct pax {
	char *sparse_name;
	bool sparse_major1, sparse_minor0, has_size, has_realsize;
	uint64_t size, realsize;
};

static int parse_pax(const char *p, size_t len, struct pax *x, char **cause)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i, reclen;
		uint64_t v;
		const char *eq, *key, *val;
		size_t klen, vlen;

		while (j < len && p[j] >= '0' && p[j] <= '9')
			j++;
		if (j == i || j >= len || p[j] != ' ' || !parse_u64(p + i, j - i, &v) ||
		    v > len - i || v < (j - i) + 3 || p[i + v - 1] != '\n')
			return damaged(cause, _("a pax header is malformed"));
		reclen = (size_t)v;
		key = p + j + 1;
		eq = memchr(key, '=', (size_t)(p + i + reclen - 1 - key));
		if (!eq)
			return damaged(cause, _("a pax header is malformed"));
		klen = (size_t)(eq - key);
		val = eq + 1;
		vlen = (size_t)(p + i + reclen - 1 - val);
#define KEY(s) (klen == strlen(s) && !memcmp(key, s, klen))
		if (KEY("GNU.sparse.name")) {
			free(x->sparse_name);
			x->sparse_name = strndup(val, vlen);
			if (!x->sparse_name)
				return base_cause(cause, -ENOMEM, _("Out of memory."));
		} else if (KEY("GNU.sparse.major")) {
			x->sparse_major1 = vlen == 1 && *val == '1';
		} else if (KEY("GNU.sparse.minor")) {
			x->sparse_minor0 = vlen == 1 && *val == '0';
		} else if (KEY("GNU.sparse.realsize")) {
			if (!parse_u64(val, vlen, &x->realsize))
				return damaged(cause, _("a pax header is malformed"));
			x->has_realsize = true;
		} else if (KEY("size")) {
			if (!parse_u64(val, vlen, &x->size))
				return damaged(cause, _("a pax header is malformed"));
			x->has_size = true;
		}
#undef KEY
		i += reclen;
	}
	return 0;
}

/* Read the sparse map at the start of the entry's data: "N\n" then "OFFSET\nLENGTH\n" N times. */
static int read_map(struct ar_r *r, struct ar_entry *e, uint64_t stored, char **cause)
{
	struct base_buf text = { 0 };
	unsigned char blk[BLK];
	uint64_t nums_needed = 1, count = 0, cur = 0, data = 0, end = 0;
	size_t pos = 0, have = 0, got = 0, cap = 0;
	bool in_num = false;
	int rc;

	/* The map is read a block at a time; it ends on a newline, the rest of its block is zeros. */
	for (;;) {
		if (have + BLK > stored)
			return damaged(cause, _("a sparse map is longer than its entry"));
		if ((rc = r_in(r, blk, BLK, cause)) < 0)
			goto fail;
		have += BLK;
		for (pos = 0; pos < BLK && got < nums_needed; pos++) {
			unsigned char c = blk[pos];

			base_buf_add(&text, (const char *)&c, 1);
			if (c >= '0' && c <= '9') {
				if (cur > (UINT64_MAX - 9) / 10)
					goto bad;
				cur = cur * 10 + (c - '0');
				in_num = true;
				continue;
			}
			if (c != '\n' || !in_num)
				goto bad;
			if (got == 0) {
				/* A map larger than 1M regions is not something ospite writes. */
				if (cur > (1u << 20))
					goto bad;
				count = cur;
				nums_needed = 1 + 2 * count;
				cap = (size_t)count;
				e->map = calloc(cap ? cap : 1, sizeof(*e->map));
				if (!e->map) {
					rc = base_cause(cause, -ENOMEM, _("Out of memory."));
					goto fail;
				}
			} else if (got % 2) {
				e->map[(got - 1) / 2].off = cur;
			} else {
				struct ar_region *g = &e->map[(got - 1) / 2];

				g->len = cur;
				if (g->off < end || g->len > UINT64_MAX - g->off)
					goto bad;
				end = g->off + g->len;
				data += g->len;
			}
			got++;
			cur = 0;
			in_num = false;
		}
		if (got == nums_needed) {
			if (!all_zero(blk + pos, BLK - pos))
				goto bad;
			break;
		}
	}
	if (text.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto fail;
	}
	e->n_map = (size_t)count;
	if (data != stored - have || end > e->realsize)
		goto bad;
	e->size = data;
	e->map_text = text.s;
	return 0;
bad:
	rc = damaged(cause, _("a sparse map is malformed"));
fail:
	free(text.s);
	return rc;
}

int ar_r_next(struct ar_r *r, struct ar_entry *e, char **cause)
{
	struct pax x = { 0 };
	struct ustar h;
	bool have_pax = false;
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = r_skip(r, r->left, false, cause)) < 0 || (rc = r_skip(r, r->pad, true, cause)) < 0)
		return rc;
	r->left = r->pad = 0;
	for (;;) {
		uint64_t size, sum;

		if ((rc = r_in(r, &h, BLK, cause)) < 0)
			goto out;
		if (all_zero((const unsigned char *)&h, BLK)) {
			/* The end: a second blank block must follow. */
			if ((rc = r_in(r, &h, BLK, cause)) < 0)
				goto out;
			if (!all_zero((const unsigned char *)&h, BLK) || have_pax) {
				rc = damaged(cause, _("a header is blank"));
				goto out;
			}
			rc = 0;
			goto out;
		}
		if (get_num(h.chksum, sizeof(h.chksum), &sum) < 0 || sum != header_sum(&h) ||
		    memcmp(h.magic, "ustar", 5) || get_num(h.size, sizeof(h.size), &size) < 0) {
			rc = damaged(cause, _("a header's checksum does not match"));
			goto out;
		}
		if (h.typeflag == 'x' || h.typeflag == 'g') {
			char *p;

			if (size > (1u << 20)) {
				rc = damaged(cause, _("a pax header is too long"));
				goto out;
			}
			p = malloc(size ? (size_t)size : 1);
			if (!p) {
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
				goto out;
			}
			rc = r_in(r, p, (size_t)size, cause);
			if (rc == 0 && h.typeflag == 'x') {
				rc = parse_pax(p, (size_t)size, &x, cause);
				have_pax = true;
			}
			free(p);
			if (rc < 0 || (rc = r_skip(r, pad_of(size), true, cause)) < 0)
				goto out;
			continue;
		}
		if (x.has_size)
			size = x.size;
		e->type = h.typeflag ? h.typeflag : '0';
		e->name = x.sparse_name ? strdup(x.sparse_name) : strndup(h.name, sizeof(h.name));
		if (!e->name) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		e->size = e->realsize = size;
		r->pad = pad_of(size);
		if (x.sparse_name || x.has_realsize) {
			if (!x.sparse_major1 || !x.sparse_minor0 || !x.has_realsize) {
				rc = base_cause(cause, -ENOTSUP,
						_("The archive holds a kind of sparse file that ospite does not read."));
				goto out;
			}
			e->sparse = true;
			e->realsize = x.realsize;
			if ((rc = read_map(r, e, size, cause)) < 0)
				goto out;
		}
		r->left = e->size;
		rc = 1;
		goto out;
	}
out:
	free(x.sparse_name);
	if (rc <= 0)
		ar_entry_clear(e);
	return rc;
}

int ar_r_read(struct ar_r *r, void *buf, size_t len, char **cause)
{
	if (len > r->left)
		return damaged(cause, _("an entry is read past its end"));
	r->left -= len;
	return r_in(r, buf, len, cause);
}
