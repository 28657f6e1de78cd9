/* Unit tests for hostcfg's filesystem names, mkfs and UUID reading, and (as root, opt-in) partitioning a loop disk. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hostcfg/hcfg.h"

struct progress_log {
	unsigned calls[8];
	size_t n;
	int stop_at;            /* return nonzero when this permille arrives; -1 never */
};

static int record_progress(void *opaque, unsigned permille)
{
	struct progress_log *p = opaque;

	if (p->n < 8)
		p->calls[p->n++] = permille;
	return p->stop_at >= 0 && (unsigned)p->stop_at == permille;
}

/* A command's stdout, without the trailing newline; "" when it printed nothing. */
static char *capture(const char *const argv[])
{
	char *out = NULL;
	int rc = base_run_capture(argv, -1, &out, NULL);

	assert_true(rc >= 0);
	assert_non_null(out);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static char *blkid_value(const char *dev, const char *tag)
{
	const char *argv[] = { "blkid", "-c", "/dev/null", "-o", "value", "-s", tag, dev, NULL };

	return capture(argv);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	strcpy(tmpdir, "/tmp/ospite-part.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	const char *argv[] = { "rm", "-rf", tmpdir, NULL };

	return base_run(argv, -1, NULL) == 0 ? 0 : -1;
}

/* A sparse file of @mib MiB in the temporary folder. */
static void make_file(char *path, size_t len, const char *name, unsigned mib)
{
	int fd;

	snprintf(path, len, "%s/%s", tmpdir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)mib << 20), 0);
	close(fd);
}

static void test_fs_round_trip(void **state)
{
	static const struct { enum hcfg_fs fs; const char *name; } t[] = {
		{ HCFG_FS_NONE, "none" },     { HCFG_FS_EXT4, "ext4" },
		{ HCFG_FS_XFS, "xfs" },       { HCFG_FS_SWAP, "swap" },
		{ HCFG_FS_BIOSBOOT, "biosboot" }, { HCFG_FS_VFAT, "vfat" }, { HCFG_FS_EXT3, "ext3" },
		{ HCFG_FS_LVMPV, "lvmpv" }, { HCFG_FS_MDMEMBER, "mdmember" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(hcfg_fs_name(t[i].fs), t[i].name);
		assert_int_equal(hcfg_fs_parse(t[i].name), t[i].fs);
		assert_int_equal(hcfg_fs_parse(hcfg_fs_name(t[i].fs)), t[i].fs);
	}
	assert_int_equal(hcfg_fs_parse("ext2"), HCFG_FS_NONE);
	assert_int_equal(hcfg_fs_parse("EXT4"), HCFG_FS_NONE);
	assert_int_equal(hcfg_fs_parse(""), HCFG_FS_NONE);
	assert_int_equal(hcfg_fs_parse(NULL), HCFG_FS_NONE);
	assert_string_equal(hcfg_fs_name((enum hcfg_fs)99), "none");
}

/* mkfs on image files needs no root: each filesystem, its label, its UUID as blkid(8) sees it. */
static void check_mkfs_file(enum hcfg_fs fs, const char *blkid_type, unsigned mib, const char *label)
{
	struct progress_log pl = { .stop_at = -1 };
	char path[128], logpath[128], uuid[64], *cause = NULL, *v;
	int logfd, rc;

	make_file(path, sizeof(path), hcfg_fs_name(fs), mib);
	snprintf(logpath, sizeof(logpath), "%s/%s.log", tmpdir, hcfg_fs_name(fs));
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(logfd >= 0);

	rc = hcfg_mkfs(path, fs, label, logfd, record_progress, &pl, &cause);
	close(logfd);
	if (rc)
		fail_msg("mkfs %s: %d %s", hcfg_fs_name(fs), rc, cause ? cause : "");
	assert_true(pl.n >= 2);
	assert_int_equal(pl.calls[0], 0);
	assert_int_equal(pl.calls[pl.n - 1], 1000);

	v = blkid_value(path, "TYPE");
	assert_string_equal(v, blkid_type);
	free(v);
	v = blkid_value(path, "LABEL");
	assert_string_equal(v, label);
	free(v);

	assert_int_equal(hcfg_fs_uuid(path, uuid, sizeof(uuid), &cause), 0);
	v = blkid_value(path, "UUID");
	assert_true(strlen(uuid) >= 8);
	assert_string_equal(uuid, v);
	free(v);

	/* The log names the command that ran. */
	assert_int_equal(hcfg_read_file(logpath, &v, NULL), 0);
	assert_non_null(strstr(v, "+ mk"));
	assert_non_null(strstr(v, path));
	free(v);
	free(cause);
}

static void test_mkfs_ext4(void **state) { check_mkfs_file(HCFG_FS_EXT4, "ext4", 64, "ospite-root"); }
static void test_mkfs_xfs(void **state) { check_mkfs_file(HCFG_FS_XFS, "xfs", 320, "images"); }
static void test_mkfs_swap(void **state) { check_mkfs_file(HCFG_FS_SWAP, "swap", 32, "swap0"); }
static void test_mkfs_vfat(void **state) { check_mkfs_file(HCFG_FS_VFAT, "vfat", 64, "EFI"); }
static void test_mkfs_ext3(void **state) { check_mkfs_file(HCFG_FS_EXT3, "ext3", 64, "old-root"); }

static void test_mkfs_refusals(void **state)
{
	struct progress_log pl = { .stop_at = -1 };
	char path[128], *cause = NULL, *data;

	make_file(path, sizeof(path), "untouched", 8);

	/* An xfs label holds at most 12 characters: nothing runs, nothing is reported as progress. */
	assert_int_equal(hcfg_mkfs(path, HCFG_FS_XFS, "thirteen-char", -1, record_progress, &pl,
				   &cause), -EINVAL);
	assert_non_null(cause);
	assert_int_equal(pl.n, 0);

	assert_int_equal(hcfg_mkfs(path, HCFG_FS_NONE, NULL, -1, NULL, NULL, &cause), -EINVAL);

	/* Cancelled at 0: the command never runs, so the file stays all zeros. */
	pl.stop_at = 0;
	assert_int_equal(hcfg_mkfs(path, HCFG_FS_EXT4, NULL, -1, record_progress, &pl, &cause),
			 -ECANCELED);
	assert_int_equal(hcfg_read_file(path, &data, NULL), 0);
	for (size_t i = 0; i < (8u << 20); i++)
		if (data[i]) {
			free(data);
			fail_msg("byte %zu changed", i);
		}
	free(data);

	/* BIOS boot partitions have no filesystem: success without a command. */
	pl = (struct progress_log){ .stop_at = -1 };
	assert_int_equal(hcfg_mkfs(path, HCFG_FS_BIOSBOOT, NULL, -1, record_progress, &pl, &cause), 0);
	assert_int_equal(pl.n, 2);
	assert_int_equal(pl.calls[0], 0);
	assert_int_equal(pl.calls[1], 1000);

	/* A failing command gives an error and a cause that says what failed. */
	snprintf(path, sizeof(path), "%s/no-such-dir/x.img", tmpdir);
	assert_true(hcfg_mkfs(path, HCFG_FS_EXT4, NULL, -1, NULL, NULL, &cause) < 0);
	assert_non_null(strstr(cause, "ext4"));
	free(cause);
}

static void test_fs_uuid_errors(void **state)
{
	char path[128], uuid[64], *cause = NULL;

	snprintf(path, sizeof(path), "%s/missing.img", tmpdir);
	assert_int_equal(hcfg_fs_uuid(path, uuid, sizeof(uuid), &cause), -ENOENT);
	assert_non_null(cause);

	make_file(path, sizeof(path), "zeros.img", 4);
	assert_int_equal(hcfg_fs_uuid(path, uuid, sizeof(uuid), &cause), -ENODATA);
	assert_string_equal(uuid, "");

	/* A buffer too small for the UUID is an error, never a truncated UUID. */
	make_file(path, sizeof(path), "small-buf.img", 32);
	assert_int_equal(hcfg_mkfs(path, HCFG_FS_SWAP, NULL, -1, NULL, NULL, NULL), 0);
	assert_int_equal(hcfg_fs_uuid(path, uuid, 8, &cause), -ERANGE);
	free(cause);
}

static void test_partition_refusals(void **state)
{
	const struct hcfg_part_spec spec[] = { { 16, HCFG_FS_EXT4, "root" } };
	char path[128], *paths[1] = { (char *)"junk" }, *cause = NULL, *data;

	make_file(path, sizeof(path), "not-a-disk.img", 8);
	assert_int_equal(hcfg_disk_partition(path, spec, 0, paths, &cause), -EINVAL);
	assert_int_equal(hcfg_disk_partition(path, spec, 1, paths, &cause), -ENOENT);
	assert_null(paths[0]);
	assert_non_null(strstr(cause, "block device"));

	/* The regular file was never written. */
	assert_int_equal(hcfg_read_file(path, &data, NULL), 0);
	for (size_t i = 0; i < (1u << 20); i++)
		assert_int_equal(data[i], 0);
	free(data);
	free(cause);
}

/* ---- opt-in: a loop disk with 4096-byte sectors (root, OSPITE_TEST_LOOP=1) ---- */

static char loopdev[64];
static char loopimg[128];

static bool loop_enabled(void)
{
	const char *e = getenv("OSPITE_TEST_LOOP");

	return geteuid() == 0 && e && !strcmp(e, "1");
}

static int loop_setup(void **state)
{
	if (!loop_enabled())
		return 0;
	if (make_tmpdir(state) < 0)
		return -1;
	snprintf(loopimg, sizeof(loopimg), "%s/disk4k.img", tmpdir);
	int fd = open(loopimg, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, (off_t)4200 << 20) < 0)
		return -1;
	close(fd);

	const char *argv[] = { "losetup", "-f", "--show", "-b", "4096", loopimg, NULL };
	char *out = NULL;

	if (base_run_capture(argv, -1, &out, NULL) != 0 || !out)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	snprintf(loopdev, sizeof(loopdev), "%s", out);
	free(out);
	return strncmp(loopdev, "/dev/loop", 9) ? -1 : 0;
}

static int loop_teardown(void **state)
{
	if (loopdev[0]) {
		const char *partx[] = { "partx", "-d", loopdev, NULL };
		const char *detach[] = { "losetup", "-d", loopdev, NULL };

		base_run(partx, -1, NULL);
		base_run(detach, -1, NULL);
		loopdev[0] = '\0';
	}
	if (loop_enabled())
		return remove_tmpdir(state);
	return 0;
}

static void test_partition_4k_loop(void **state)
{
	const struct hcfg_part_spec spec[] = {
		{ 100, HCFG_FS_VFAT, "EFI" },
		{ 4200 - 100, HCFG_FS_EXT4, "root" },    /* more than fits: shrinks to the end */
	};
	const enum hcfg_fs fs[] = { HCFG_FS_VFAT, HCFG_FS_EXT4 };
	const char *types[] = { "vfat", "ext4" };
	struct hcfg_disk d;
	char *paths[2] = { NULL, NULL }, *cause = NULL, *v, uuid[64], want[80];
	int rc;

	if (!loop_enabled())
		skip();
	assert_int_equal(hcfg_disk_probe(loopdev, NULL, &d, &cause), 0);
	assert_int_equal(d.sector, 4096);
	assert_true(d.eligible);

	rc = hcfg_disk_partition(loopdev, spec, 2, paths, &cause);
	if (rc)
		fail_msg("partition: %d %s", rc, cause ? cause : "");
	for (int i = 0; i < 2; i++) {
		const char *argv[] = { "blkid", "-p", "-o", "value", "-s", "PART_ENTRY_NAME", paths[i],
				       NULL };

		snprintf(want, sizeof(want), "%sp%d", loopdev, i + 1);
		assert_string_equal(paths[i], want);
		assert_int_equal(hcfg_mkfs(paths[i], fs[i], NULL, -1, NULL, NULL, &cause), 0);
		v = blkid_value(paths[i], "TYPE");
		assert_string_equal(v, types[i]);
		free(v);
		v = capture(argv);
		assert_string_equal(v, spec[i].label);
		free(v);
		assert_int_equal(hcfg_fs_uuid(paths[i], uuid, sizeof(uuid), &cause), 0);
		v = blkid_value(paths[i], "UUID");
		assert_string_equal(uuid, v);
		free(v);
	}
	/* The first partition starts at 1 MiB and is exactly 100 MiB, counted in 512-byte units. */
	snprintf(want, sizeof(want), "/sys/class/block/%sp1/start", loopdev + 5);
	assert_int_equal(hcfg_read_file(want, &v, NULL), 0);
	assert_int_equal(strtoull(v, NULL, 10), 2048);
	free(v);
	snprintf(want, sizeof(want), "/sys/class/block/%sp1/size", loopdev + 5);
	assert_int_equal(hcfg_read_file(want, &v, NULL), 0);
	assert_int_equal(strtoull(v, NULL, 10), 100 * 2048);
	free(v);

	assert_int_equal(hcfg_disk_probe(loopdev, NULL, &d, &cause), 0);
	assert_string_equal(d.contents, "GPT, 2 partitions: vfat, ext4");
	for (int i = 0; i < 2; i++)
		free(paths[i]);
	free(cause);
}

/* Resuming reads the table back; the fingerprint notices a write anywhere it looks. */
static void test_partitions_and_fingerprint_loop(void **state)
{
	char *paths[4] = { NULL }, *fp1 = NULL, *fp2 = NULL, *fp3 = NULL, *cause = NULL;
	uint64_t sizes[4];
	size_t n = 0;
	int fd;

	if (!loop_enabled())
		skip();
	assert_int_equal(hcfg_disk_partitions(loopdev, paths, sizes, 4, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sizes[0], 100);
	assert_true(sizes[1] > 4000 && sizes[1] < 4100);
	for (size_t i = 0; i < n; i++) {
		char want[80];

		snprintf(want, sizeof(want), "%sp%zu", loopdev, i + 1);
		assert_string_equal(paths[i], want);
		free(paths[i]);
	}
	/* Too small a buffer is refused rather than overrun. */
	assert_int_equal(hcfg_disk_partitions(loopdev, paths, sizes, 1, &n, NULL), -E2BIG);

	assert_int_equal(hcfg_disk_fingerprint(loopdev, &fp1, &cause), 0);
	assert_int_equal(hcfg_disk_fingerprint(loopdev, &fp2, &cause), 0);
	assert_string_equal(fp1, fp2);
	assert_non_null(strstr(fp1, "pt=gpt"));
	assert_non_null(strstr(fp1, " p2="));
	/* One byte in the last MiB, through the image file, behind the device's back. */
	fd = open(loopimg, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "x", 1, ((off_t)4200 << 20) - 300 * 1024), 1);
	fsync(fd);
	close(fd);
	{
		const char *argv[] = { "blockdev", "--flushbufs", loopdev, NULL };

		assert_int_equal(base_run(argv, -1, NULL), 0);
	}
	assert_int_equal(hcfg_disk_fingerprint(loopdev, &fp3, &cause), 0);
	assert_string_not_equal(fp1, fp3);
	/* Inside the second partition (it starts at 101 MiB): far from both ends of the disk. */
	free(fp1);
	fp1 = fp3;
	fd = open(loopimg, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "y", 1, ((off_t)101 << 20) + 512 * 1024), 1);
	fsync(fd);
	close(fd);
	{
		const char *argv[] = { "blockdev", "--flushbufs", loopdev, NULL };

		assert_int_equal(base_run(argv, -1, NULL), 0);
	}
	assert_int_equal(hcfg_disk_fingerprint(loopdev, &fp3, &cause), 0);
	assert_string_not_equal(fp1, fp3);
	free(fp1);
	free(fp2);
	free(fp3);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest file_tests[] = {
		cmocka_unit_test(test_fs_round_trip),
		cmocka_unit_test(test_mkfs_ext4),
		cmocka_unit_test(test_mkfs_xfs),
		cmocka_unit_test(test_mkfs_swap),
		cmocka_unit_test(test_mkfs_vfat), cmocka_unit_test(test_mkfs_ext3),
		cmocka_unit_test(test_mkfs_refusals),
		cmocka_unit_test(test_fs_uuid_errors),
		cmocka_unit_test(test_partition_refusals),
	};
	const struct CMUnitTest loop_tests[] = {
		cmocka_unit_test(test_partition_4k_loop),
		cmocka_unit_test(test_partitions_and_fingerprint_loop),
	};
	int failed;

	failed = cmocka_run_group_tests_name("hcfg-part", file_tests, make_tmpdir, remove_tmpdir);
	failed += cmocka_run_group_tests_name("hcfg-part-loop", loop_tests, loop_setup, loop_teardown);
	return failed ? 1 : 0;
}
