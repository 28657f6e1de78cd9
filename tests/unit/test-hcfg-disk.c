/* Disk listing, eligibility and partitioning on loop devices that tests/integration/disk-loop.sh made; skips without them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "hostcfg/hcfg.h"

/* Set by the script: loop devices it attached, and the image behind the fresh one. */
static const char *fresh, *fresh_img, *mounted, *small, *sentinel, *whole, *ro;

static bool have_loops(void)
{
	fresh = getenv("OSPITE_TEST_FRESH");
	fresh_img = getenv("OSPITE_TEST_FRESH_IMG");
	mounted = getenv("OSPITE_TEST_MOUNTED");
	small = getenv("OSPITE_TEST_SMALL");
	sentinel = getenv("OSPITE_TEST_SENTINEL");
	whole = getenv("OSPITE_TEST_WHOLE");
	ro = getenv("OSPITE_TEST_RO");
	return fresh && fresh_img && mounted && small && sentinel && whole && ro;
}

static char *capture(const char *const argv[])
{
	char *out = NULL;

	assert_true(base_run_capture(argv, -1, &out, NULL) >= 0);
	assert_non_null(out);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* blkid(8) on its own, without cache and without this code's help. */
static char *blkid_tag(const char *dev, const char *tag, bool low_level)
{
	const char *cached[] = { "blkid", "-c", "/dev/null", "-o", "value", "-s", tag, dev, NULL };
	const char *probe[] = { "blkid", "-p", "-o", "value", "-s", tag, dev, NULL };

	return capture(low_level ? probe : cached);
}

static const struct hcfg_disk *find(const struct hcfg_disk *d, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].path, path))
			return &d[i];
	return NULL;
}

static void test_list_fresh(void **state)
{
	struct hcfg_disk *d = NULL;
	const struct hcfg_disk *f;
	char *cause = NULL, real[PATH_MAX];
	size_t n = 0;

	if (!have_loops())
		skip();
	assert_int_equal(hcfg_disk_list(&d, &n, NULL, NULL, &cause), 0);
	f = find(d, n, fresh);
	assert_non_null(f);
	assert_string_equal(f->name, strrchr(fresh, '/') + 1);
	assert_true(f->eligible);
	assert_string_equal(f->why, "");
	assert_string_equal(f->contents, "empty");
	assert_int_equal(f->size, 8ull << 30);
	assert_int_equal(f->sector, 512);
	assert_string_equal(f->model, "Loop device");
	assert_non_null(realpath(fresh_img, real));
	assert_string_equal(f->serial, real);

	/* Names ram*, zram*, dm-*, md*, sr*, fd* and unattached loops never appear, and neither do partitions. */
	for (size_t i = 0; i < n; i++) {
		char sys[PATH_MAX];
		struct stat st;

		assert_true(strncmp(d[i].name, "zram", 4) && strncmp(d[i].name, "ram", 3) &&
			    strncmp(d[i].name, "dm-", 3) && strncmp(d[i].name, "sr", 2));
		assert_true(d[i].size > 0);
		snprintf(sys, sizeof(sys), "/sys/block/%s", d[i].name);
		assert_int_equal(stat(sys, &st), 0);
	}
	free(d);
	free(cause);
}

static void test_list_mounted(void **state)
{
	struct hcfg_disk *d = NULL;
	const struct hcfg_disk *m;
	size_t n = 0;

	if (!have_loops())
		skip();
	assert_int_equal(hcfg_disk_list(&d, &n, NULL, NULL, NULL), 0);
	m = find(d, n, mounted);
	assert_non_null(m);
	assert_false(m->eligible);
	assert_non_null(strstr(m->why, "mounted"));
	assert_string_equal(m->contents, "GPT, 1 partition: ext4");
	free(d);

	/* The install medium comes before every other reason: a mounted medium is still the medium. */
	assert_int_equal(hcfg_disk_list(&d, &n, mounted, NULL, NULL), 0);
	m = find(d, n, mounted);
	assert_non_null(m);
	assert_string_equal(m->why, "The disk holds the installation medium.");
	free(d);
}

static void test_whole_and_ro(void **state)
{
	struct hcfg_disk d;

	if (!have_loops())
		skip();
	/* A filesystem straight on the disk, mounted: also "too small", but mounted wins. */
	assert_int_equal(hcfg_disk_probe(whole, NULL, &d, NULL), 0);
	assert_false(d.eligible);
	assert_string_equal(d.why, "The disk is mounted.");
	assert_string_equal(d.contents, "ext4 filesystem");

	assert_int_equal(hcfg_disk_probe(ro, NULL, &d, NULL), 0);
	assert_false(d.eligible);
	assert_string_equal(d.why, "The disk is read-only.");
	assert_string_equal(d.contents, "empty");
}

static void test_small(void **state)
{
	struct hcfg_disk d;

	if (!have_loops())
		skip();
	assert_int_equal(hcfg_disk_probe(small, NULL, &d, NULL), 0);
	assert_int_equal(d.size, 1ull << 30);
	assert_false(d.eligible);
	assert_non_null(strstr(d.why, "too small"));
	assert_non_null(strstr(d.why, "4 GiB"));
	assert_string_equal(d.contents, "empty");
}

/* The disk this machine runs from is in the list, and not eligible. */
static void test_root_disk_refused(void **state)
{
	struct hcfg_disk *d = NULL;
	char link[64], sys[PATH_MAX], part[PATH_MAX];
	const char *name;
	struct stat st;
	size_t n = 0;
	bool seen = false;

	if (!have_loops())
		skip();
	assert_int_equal(stat("/", &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (!realpath(link, sys))
		skip();         /* root is not on a block device here (overlay, tmpfs) */
	snprintf(part, sizeof(part), "%s/partition", sys);
	if (access(part, F_OK) == 0)
		*strrchr(sys, '/') = '\0';
	name = strrchr(sys, '/') + 1;
	assert_int_equal(hcfg_disk_list(&d, &n, NULL, NULL, NULL), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].name, name)) {
			seen = true;
			assert_false(d[i].eligible);
			/* The root file system's disk is the medium an installer runs from. */
			assert_string_equal(d[i].why, "The disk holds the installation medium.");
		}
	free(d);
	if (strncmp(name, "dm-", 3) && strncmp(name, "md", 2))
		assert_true(seen);
}

static void test_medium_and_only(void **state)
{
	struct hcfg_disk *d = NULL, one;
	char *cause = NULL;
	size_t n = 0;

	if (!have_loops())
		skip();
	assert_int_equal(hcfg_disk_probe(fresh, fresh, &one, NULL), 0);
	assert_false(one.eligible);
	assert_non_null(strstr(one.why, "installation medium"));
	assert_int_equal(hcfg_disk_probe(fresh, sentinel, &one, NULL), 0);
	assert_true(one.eligible);

	/* Image mode: by device, or by the image file behind the loop device. */
	assert_int_equal(hcfg_disk_list(&d, &n, NULL, fresh, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].path, fresh);
	free(d);
	assert_int_equal(hcfg_disk_list(&d, &n, NULL, fresh_img, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].path, fresh);
	free(d);

	assert_int_equal(hcfg_disk_probe("/nonexistent/disk", NULL, &one, &cause), -ENOENT);
	assert_non_null(cause);
	free(cause);
}

struct progress_log {
	unsigned first, last, calls;
};

static int record_progress(void *opaque, unsigned permille)
{
	struct progress_log *p = opaque;

	if (!p->calls++)
		p->first = permille;
	p->last = permille;
	return 0;
}

static void test_partition_fresh(void **state)
{
	struct hcfg_part_spec spec[] = {
		{ 1, HCFG_FS_BIOSBOOT, "biosboot" },
		{ 512, HCFG_FS_EXT4, "boot" },
		{ 256, HCFG_FS_SWAP, "swap" },
		{ 2048, HCFG_FS_EXT4, "root" },
		{ 0, HCFG_FS_XFS, "images" },
	};
	const char *types[] = { "", "ext4", "swap", "ext4", "xfs" };
	char *paths[5], *cause = NULL, *v, want[80], uuid[64];
	struct hcfg_disk d;
	int rc;

	if (!have_loops())
		skip();
	/* "The rest", the way a caller that ignores the GPT's own space would size it. */
	spec[4].size_mib = 8192 - 1 - 512 - 256 - 2048;

	rc = hcfg_disk_partition(fresh, spec, 5, paths, &cause);
	if (rc)
		fail_msg("partition %s: %d %s", fresh, rc, cause ? cause : "");
	for (int i = 0; i < 5; i++) {
		struct progress_log pl = { 0 };
		struct stat st;

		snprintf(want, sizeof(want), "%sp%d", fresh, i + 1);
		assert_string_equal(paths[i], want);
		assert_int_equal(stat(paths[i], &st), 0);
		assert_true(S_ISBLK(st.st_mode));

		rc = hcfg_mkfs(paths[i], spec[i].fs, spec[i].label, -1, record_progress, &pl, &cause);
		if (rc)
			fail_msg("mkfs %s: %d %s", paths[i], rc, cause ? cause : "");
		assert_true(pl.calls >= 2);
		assert_int_equal(pl.first, 0);
		assert_int_equal(pl.last, 1000);

		v = blkid_tag(paths[i], "TYPE", false);
		assert_string_equal(v, types[i]);
		free(v);
		v = blkid_tag(paths[i], "PART_ENTRY_NAME", true);
		assert_string_equal(v, spec[i].label);
		free(v);
		v = blkid_tag(paths[i], "PART_ENTRY_SIZE", true);
		if (i < 4) {
			assert_int_equal(strtoull(v, NULL, 10), spec[i].size_mib * 2048);
		} else {
			/* The last one gave up what the backup GPT needs, ending on a MiB boundary. */
			unsigned long long got = strtoull(v, NULL, 10);

			assert_true(got < spec[i].size_mib * 2048);
			assert_true(got >= (spec[i].size_mib - 4) * 2048);
			assert_int_equal(got % 2048, 0);
		}
		free(v);
		v = blkid_tag(paths[i], "PART_ENTRY_OFFSET", true);
		assert_int_equal(strtoull(v, NULL, 10) % 2048, 0);
		free(v);

		if (spec[i].fs == HCFG_FS_BIOSBOOT) {
			v = blkid_tag(paths[i], "PART_ENTRY_TYPE", true);
			assert_string_equal(v, "21686148-6449-6e6f-744e-656564454649");
			free(v);
			assert_int_equal(hcfg_fs_uuid(paths[i], uuid, sizeof(uuid), &cause), -ENODATA);
			continue;
		}
		assert_int_equal(hcfg_fs_uuid(paths[i], uuid, sizeof(uuid), &cause), 0);
		v = blkid_tag(paths[i], "UUID", false);
		assert_string_equal(uuid, v);
		free(v);
	}
	v = blkid_tag(fresh, "PTTYPE", true);
	assert_string_equal(v, "gpt");
	free(v);

	assert_int_equal(hcfg_disk_probe(fresh, NULL, &d, &cause), 0);
	assert_string_equal(d.contents, "GPT, 5 partitions: biosboot, ext4, swap, ext4, xfs");
	assert_true(d.eligible);
	/* A partition of this disk as the install medium makes the whole disk off limits. */
	assert_int_equal(hcfg_disk_probe(fresh, paths[1], &d, &cause), 0);
	assert_false(d.eligible);
	assert_non_null(strstr(d.why, "installation medium"));

	/*
	 * Partitioning again replaces the table, and the old partitions'
	 * signatures are gone too: the new second partition lies exactly
	 * where the ext4 /boot was.
	 */
	struct hcfg_part_spec two[] = { { 1, HCFG_FS_NONE, NULL }, { 512, HCFG_FS_NONE, NULL } };
	char *paths2[2];

	for (int i = 0; i < 5; i++)
		free(paths[i]);
	rc = hcfg_disk_partition(fresh, two, 2, paths2, &cause);
	if (rc)
		fail_msg("repartition %s: %d %s", fresh, rc, cause ? cause : "");
	assert_int_equal(hcfg_disk_probe(fresh, NULL, &d, &cause), 0);
	assert_string_equal(d.contents, "GPT, 2 partitions: unformatted, unformatted");
	snprintf(want, sizeof(want), "%sp3", fresh);
	assert_int_equal(access(want, F_OK), -1);
	for (int i = 0; i < 2; i++)
		free(paths2[i]);
	free(cause);
}

/* In use or too small: refused before anything is written (the script checks the bytes). */
static void test_partition_refused(void **state)
{
	const struct hcfg_part_spec spec[] = { { 16, HCFG_FS_EXT4, "x" } };
	const char *disks[5];
	const char *why[] = { "mounted", "too small", "too small", "mounted", "read-only" };
	char *paths[1], *cause = NULL;

	if (!have_loops())
		skip();
	disks[0] = mounted;
	disks[1] = small;
	disks[2] = sentinel;
	disks[3] = whole;
	disks[4] = ro;
	for (int i = 0; i < 5; i++) {
		paths[0] = (char *)"junk";
		assert_int_equal(hcfg_disk_partition(disks[i], spec, 1, paths, &cause), -EBUSY);
		assert_null(paths[0]);
		assert_non_null(cause);
		assert_non_null(strstr(cause, disks[i]));
		assert_non_null(strstr(cause, why[i]));
	}
	free(cause);
}

/*
 * A disk's identity: the same disk reads the same, another disk (or the same
 * one partitioned meanwhile) does not, and the description names what
 * differs. Runs last: it writes a partition table to the small disk.
 */
static void test_identity(void **state)
{
	struct hcfg_disk_id a, b, c;
	char text[640], dir[] = "/tmp/ospite-byid.XXXXXX", link[PATH_MAX], name[300];
	const char *mklabel[] = { "parted", "-s", small, "mklabel", "gpt", NULL };
	char *cause = NULL;

	if (!have_loops())
		skip();
	assert_int_equal(hcfg_disk_identity(small, &a, &cause), 0);
	assert_int_equal(hcfg_disk_identity(small, &b, &cause), 0);
	assert_true(hcfg_disk_id_equal(&a, &b));
	assert_string_equal(a.ptuuid, "");
	assert_int_equal(a.size, 1ULL << 30);
	/* A loop device's file stands for its serial. */
	assert_non_null(strstr(a.serial, "small.img"));
	assert_int_equal(hcfg_disk_identity(sentinel, &c, &cause), 0);
	assert_false(hcfg_disk_id_equal(&a, &c));

	assert_int_equal(base_run(mklabel, -1, &cause), 0);
	assert_int_equal(hcfg_disk_identity(small, &b, &cause), 0);
	assert_false(hcfg_disk_id_equal(&a, &b));
	assert_true(strlen(b.ptuuid) > 8);
	hcfg_disk_id_describe(&b, text, sizeof(text));
	assert_non_null(strstr(text, b.ptuuid));
	assert_int_equal(hcfg_disk_identity("/dev/null", &b, &cause), -ENOTBLK);

	/* The stable name: a wwn- link wins over the others, partitions and strangers never count. */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(hcfg_disk_stable_name(small, dir, name, sizeof(name)), -ENOENT);
	snprintf(link, sizeof(link), "%s/ata-QEMU_HARDDISK_QM0001", dir);
	assert_int_equal(symlink(small, link), 0);
	snprintf(link, sizeof(link), "%s/wwn-0x5000c5001234", dir);
	assert_int_equal(symlink(small, link), 0);
	snprintf(link, sizeof(link), "%s/wwn-0x5000c500ffff", dir);
	assert_int_equal(symlink(sentinel, link), 0);
	snprintf(link, sizeof(link), "%s/wwn-0x5000c5001234-part1", dir);
	assert_int_equal(symlink(small, link), 0);
	assert_int_equal(hcfg_disk_stable_name(small, dir, name, sizeof(name)), 0);
	assert_string_equal(name, "/dev/disk/by-id/wwn-0x5000c5001234");
	const char *rm[] = { "rm", "-rf", dir, NULL };

	assert_int_equal(base_run(rm, -1, NULL), 0);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_fresh),
		cmocka_unit_test(test_list_mounted),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_whole_and_ro),
		cmocka_unit_test(test_root_disk_refused),
		cmocka_unit_test(test_medium_and_only),
		cmocka_unit_test(test_partition_refused),
		cmocka_unit_test(test_partition_fresh),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests_name("hcfg-disk", tests, NULL, NULL);
}
