/* Unit tests for hv/hv-archive.c: sparse entries written and read back, plain and zstd, and damaged, truncated and foreign input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/hv-archive.h"

/* An archive in memory: manifest-like text, then a 20 MiB sparse file with two regions and a trailing hole. */
static int make(bool zstd, char **buf, size_t *len)
{
	static const struct ar_region map[] = { { 4096, 8192 }, { 10u << 20, 100 }, { 20u << 20, 0 } };
	struct ar_w *w = NULL;
	unsigned char data[8192];
	char *cause = NULL, *text = NULL;
	int fd = memfd_create("ar", 0);

	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 1);
	assert_int_equal(ar_w_open(fd, zstd, 1, &w, &cause), 0);
	assert_int_equal(ar_w_file(w, "manifest.json", "{}\n", 3, 1700000000, 0644, &cause), 0);
	assert_int_equal(ar_w_sparse(w, "disks/vda.img", 20u << 20, map, 3, 1700000000, &text, &cause), 0);
	assert_string_equal(text, "3\n4096\n8192\n10485760\n100\n20971520\n0\n");
	free(text);
	assert_int_equal(ar_w_data(w, data, 8192, &cause), 0);
	/* The map said 100 bytes for the second region: more is refused. */
	assert_int_equal(ar_w_data(w, data, 101, &cause), -EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(ar_w_data(w, data, 100, &cause), 0);
	assert_int_equal(ar_w_end(w, &cause), 0);
	assert_int_equal(ar_w_close(w, &cause), 0);
	*len = (size_t)lseek(fd, 0, SEEK_END);
	*buf = malloc(*len);
	assert_non_null(*buf);
	assert_int_equal(pread(fd, *buf, *len, 0), (ssize_t)*len);
	close(fd);
	return 0;
}

static int from_buf(const char *buf, size_t len)
{
	int fd = memfd_create("in", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Read everything; returns the first error, or 0 with the disk's bytes checked. */
static int read_all(const char *buf, size_t len, char **cause)
{
	struct ar_r *r = NULL;
	struct ar_entry e;
	unsigned char got[8192];
	int fd = from_buf(buf, len), rc;

	rc = ar_r_open(fd, &r, cause);
	if (rc == 0)
		rc = ar_r_next(r, &e, cause);
	if (rc == 1) {
		assert_string_equal(e.name, "manifest.json");
		assert_false(e.sparse);
		assert_int_equal(e.size, 3);
		ar_entry_clear(&e);
		rc = ar_r_next(r, &e, cause);
	}
	if (rc == 1) {
		assert_string_equal(e.name, "disks/vda.img");
		assert_true(e.sparse);
		assert_int_equal(e.realsize, 20u << 20);
		assert_int_equal(e.n_map, 3);
		assert_int_equal(e.size, 8292);
		assert_string_equal(e.map_text, "3\n4096\n8192\n10485760\n100\n20971520\n0\n");
		ar_entry_clear(&e);
		rc = ar_r_read(r, got, 8192, cause);
		for (size_t i = 0; rc == 0 && i < sizeof(got); i++)
			assert_int_equal(got[i], (unsigned char)(i * 7 + 1));
		if (rc == 0)
			rc = ar_r_read(r, got, 100, cause);
		if (rc == 0)
			rc = ar_r_next(r, &e, cause);
	}
	ar_r_free(r);
	close(fd);
	return rc;
}

static void round_trip(bool zstd)
{
	char *buf = NULL, *cause = NULL;
	size_t len = 0;

	make(zstd, &buf, &len);
	if (!zstd)
		assert_int_equal(len % 10240, 0);
	assert_int_equal(read_all(buf, len, &cause), 0);
	assert_null(cause);
	free(buf);
}

static void test_plain(void **state)
{
	(void)state;
	round_trip(false);
}

static void test_zstd(void **state)
{
	(void)state;
	round_trip(true);
}

static void test_truncated(void **state)
{
	char *buf = NULL, *cause = NULL;
	size_t len = 0;

	(void)state;
	make(false, &buf, &len);
	/* Cut inside the disk's data, and just before the end blocks. */
	assert_int_equal(read_all(buf, 3000, &cause), -EIO);
	assert_non_null(strstr(cause, "truncated"));
	free(cause);
	cause = NULL;
	assert_int_equal(read_all(buf, 512 * 3 + 512 * 2 + 512 + 8292 + 28, &cause), -EIO);
	free(cause);
	free(buf);
	make(true, &buf, &len);
	cause = NULL;
	assert_int_equal(read_all(buf, len - 20, &cause), -EIO);
	free(cause);
	free(buf);
}

static void test_damaged(void **state)
{
	char *buf = NULL, *cause = NULL;
	size_t len = 0;

	(void)state;
	make(false, &buf, &len);
	/* A header byte: its checksum no longer matches. */
	buf[10] ^= 1;
	assert_int_equal(read_all(buf, len, &cause), -EBADMSG);
	free(cause);
	buf[10] ^= 1;
	/* A digit of the sparse map (after manifest header, data block, pax header and record, entry header). */
	cause = NULL;
	buf[512 * 5 + 2] = 'x';
	assert_int_equal(read_all(buf, len, &cause), -EBADMSG);
	assert_non_null(strstr(cause, "sparse map"));
	free(cause);
	free(buf);
	/* Not an archive at all. */
	cause = NULL;
	assert_int_equal(read_all("hello, this is not a tar file", 29, &cause), -EIO);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
