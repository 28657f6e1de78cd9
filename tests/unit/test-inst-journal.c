/* Unit tests of the install journal: what a re-run reads back decides whether it may resume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "install/inst-journal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[PATH_MAX];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ospite-journal.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };

	return base_run(argv, -1, NULL) == 0 ? 0 : -1;
}

static void test_round_trip(void **state)
{
	struct inst_journal j, back;
	char *cause = NULL;
	unsigned want = 1u << INST_STEP_FORMAT | 1u << INST_STEP_BASE | 1u << INST_STEP_PACKAGES;
	unsigned begun = want | 1u << INST_STEP_POST;

	assert_int_equal(inst_journal_read(dir, 42, &back), -ENOENT);
	assert_int_equal(inst_journal_new(&j, 0xabcdef0123456789ULL, &cause), 0);
	assert_int_equal(strlen(j.run), INST_RUN_ID_LEN);
	j.done = want;
	j.started = begun;
	INST_COPY(j.uuid[1], "0b3c5a1e-55aa-4d2b-9c1f-1234567890ab");
	/* An array made of part 2 and a volume group, by the UUIDs mdadm and LVM gave them. */
	INST_COPY(j.md_uuid[2], "3f6b2c1a:9d8e7f60:11223344:55667788");
	INST_COPY(j.vg_uuid[0], "Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9");
	assert_int_equal(inst_journal_write(dir, &j, &cause), 0);
	assert_int_equal(inst_journal_read(dir, 0xabcdef0123456789ULL, &back), 0);
	assert_int_equal(back.done, want);
	/* A step that began and did not finish reads back as begun only. */
	assert_int_equal(back.started, begun);
	assert_string_equal(back.run, j.run);
	assert_true(back.began == j.began);
	assert_string_equal(back.uuid[1], j.uuid[1]);
	assert_string_equal(back.uuid[0], "");
	assert_string_equal(back.md_uuid[2], j.md_uuid[2]);
	assert_string_equal(back.md_uuid[1], "");
	assert_string_equal(back.vg_uuid[0], j.vg_uuid[0]);
	assert_string_equal(back.vg_uuid[1], "");
	/* Another plan's journal is not this one's. */
	assert_int_equal(inst_journal_read(dir, 0xabcdef0123456788ULL, &back), -ESTALE);
	assert_int_equal(back.done, 0);
	assert_int_equal(back.started, 0);

	/* Two runs never share an id. */
	struct inst_journal other;

	assert_int_equal(inst_journal_new(&other, 1, &cause), 0);
	assert_string_not_equal(other.run, j.run);
}

/* What Formatting reads back after mdadm --create and vgcreate, in the forms the tools print. */
static void test_uuid_read_back(void **state)
{
	/* mdadm 4.2's --detail --export of a RAID 1 array of two partitions. */
	static const char detail[] =
		"MD_LEVEL=raid1\nMD_DEVICES=2\nMD_METADATA=1.2\n"
		"MD_UUID=3f6b2c1a:9d8e7f60:11223344:55667788\nMD_DEVNAME=md0\n"
		"MD_NAME=ukvm:0\nMD_DEV_vda2_ROLE=0\nMD_DEV_vda2_DEV=/dev/vda2\n"
		"MD_DEV_vdb2_ROLE=1\nMD_DEV_vdb2_DEV=/dev/vdb2\n";
	static const char *const bad_md[] = {
		/* Another form of the same UUID, and a short one. */
		"MD_UUID=3f6b2c1a-9d8e-7f60-1122-334455667788\n",
		"MD_UUID=3f6b2c1a:9d8e7f60:11223344\n",
		"MD_UUID=3F6B2C1A:9D8E7F60:11223344:55667788\n",
		"MD_UUID=3f6b2c1a:9d8e7f60:11223344:55667788 \n",
		/* Two arrays: not the one asked about. */
		"MD_UUID=3f6b2c1a:9d8e7f60:11223344:55667788\nMD_UUID=00000000:9d8e7f60:11223344:55667788\n",
	};
	static const char *const bad_vg[] = {
		"  Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9\n  Ab2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9\n",
		"  Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS\n",
		"  Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUv,x9\n",
		"  Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9 vg0\n",
	};
	char buf[48], small[20];

	assert_int_equal(inst_md_uuid_from_export(detail, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3f6b2c1a:9d8e7f60:11223344:55667788");
	/* The last line may come without its newline. */
	assert_int_equal(inst_md_uuid_from_export("MD_LEVEL=raid1\nMD_UUID=3f6b2c1a:9d8e7f60:11223344:55667788",
						  buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3f6b2c1a:9d8e7f60:11223344:55667788");
	assert_int_equal(inst_md_uuid_from_export("MD_LEVEL=raid1\nMD_DEVICES=2\n", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(inst_md_uuid_from_export("", buf, sizeof(buf)), -ENOENT);
	/* A line that only ends in MD_UUID= is not one. */
	assert_int_equal(inst_md_uuid_from_export("X_MD_UUID=3f6b2c1a:9d8e7f60:11223344:55667788\n",
						  buf, sizeof(buf)), -ENOENT);
	for (size_t i = 0; i < sizeof(bad_md) / sizeof(bad_md[0]); i++)
		assert_int_equal(inst_md_uuid_from_export(bad_md[i], buf, sizeof(buf)), -EINVAL);
	assert_int_equal(inst_md_uuid_from_export(detail, small, sizeof(small)), -EINVAL);

	/* vgs --noheadings -o vg_uuid NAME: the UUID indented, on a line of its own. */
	assert_int_equal(inst_vg_uuid_from_vgs("  Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9\n", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9");
	assert_int_equal(inst_vg_uuid_from_vgs("", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(inst_vg_uuid_from_vgs("  \n", buf, sizeof(buf)), -ENOENT);
	for (size_t i = 0; i < sizeof(bad_vg) / sizeof(bad_vg[0]); i++)
		assert_int_equal(inst_vg_uuid_from_vgs(bad_vg[i], buf, sizeof(buf)), -EINVAL);

	/* What is read back goes into the journal as it is, and reads back the same. */
	{
		struct inst_journal j, back;
		char *cause = NULL;

		assert_int_equal(inst_journal_new(&j, 7, &cause), 0);
		assert_int_equal(inst_md_uuid_from_export(detail, j.md_uuid[1], sizeof(j.md_uuid[1])), 0);
		assert_int_equal(inst_vg_uuid_from_vgs("  Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9\n",
						       j.vg_uuid[0], sizeof(j.vg_uuid[0])), 0);
		assert_int_equal(inst_journal_write(dir, &j, &cause), 0);
		assert_int_equal(inst_journal_read(dir, 7, &back), 0);
		assert_string_equal(back.md_uuid[1], "3f6b2c1a:9d8e7f60:11223344:55667788");
		assert_string_equal(back.vg_uuid[0], "Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9");
	}
}

static void test_damaged(void **state)
{
	char path[PATH_MAX];
	struct inst_journal j;
	static const char *const bad[] = {
		"done format\n",                        /* no plan line */
		"plan 00000000000000ff\ndone base\n",   /* no run id */
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\ndone nothing\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\ngarbage\n",
		/* A run id names a file of this machine: nothing but hex of the right length. */
		"plan 00000000000000ff\nrun ../../../../etc/passwd\ndone base\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddee\ndone base\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nfs 99 abcd\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nfs 1 ab/cd\n",
		/* Array and group UUIDs go to mdadm and vgchange: their own forms only. */
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nmd 1 3f6b2c1a:9d8e7f60:11223344\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nmd 1 3f6b2c1a-9d8e7f60-11223344-55667788\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nmd 99 3f6b2c1a:9d8e7f60:11223344:55667788\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nvg 0 Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUv,x9\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nvg 0 -p2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9\n",
		"plan 00000000000000ff\nrun 00112233445566778899aabbccddeeff\nvg 4 Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9\n",
	};

	snprintf(path, sizeof(path), "%s%s", dir, INST_JOURNAL_PATH);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hcfg_write_file(path, bad[i], 0600, NULL), 0);
		assert_int_equal(inst_journal_read(dir, 0xff, &j), -EINVAL);
		assert_int_equal(j.done, 0);
	}
	assert_int_equal(hcfg_write_file(path, "# comment\nplan 00000000000000ff\n"
					 "run 00112233445566778899aabbccddeeff\nbegan 1700000000\n"
					 "done base\nstart packages\n", 0600, NULL), 0);
	assert_int_equal(inst_journal_read(dir, 0xff, &j), 0);
	assert_int_equal(j.done, 1u << INST_STEP_BASE);
	assert_int_equal(j.started, 1u << INST_STEP_BASE | 1u << INST_STEP_PACKAGES);

	/* A FIFO in the journal's place would hang a plain read: it is damage. */
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(inst_journal_read(dir, 0xff, &j), -EINVAL);
	unlink(path);
	/* So is a journal too large to be one, and a symbolic link to one. */
	char *big = malloc(40000);

	assert_non_null(big);
	memset(big, '#', 39999);
	big[39999] = '\0';
	assert_int_equal(hcfg_write_file(path, big, 0600, NULL), 0);
	free(big);
	assert_int_equal(inst_journal_read(dir, 0xff, &j), -EINVAL);
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(inst_journal_read(dir, 0xff, &j), -EINVAL);
	unlink(path);
}

/*
 * A journal found on a disk is resumed only when this machine recorded that
 * very run: a journal copied from another run, a forged run id, or other
 * file systems under a genuine journal are all refused.
 */
static void test_vouch(void **state)
{
	char work[PATH_MAX], uuids[INST_MAX_PARTS][64] = { { 0 } }, *cause = NULL;
	struct inst_journal j, forged;

	snprintf(work, sizeof(work), "%s/work", dir);
	assert_int_equal(inst_journal_new(&j, 0x1234, &cause), 0);
	INST_COPY(j.uuid[1], "1111-2222");
	INST_COPY(j.uuid[2], "3333-4444");
	memcpy(uuids, j.uuid, sizeof(uuids));
	/* No record at all: another machine's run. */
	assert_int_equal(inst_run_records_open(work), -1);
	assert_int_equal(inst_journal_vouch(-1, &j, uuids, INST_MAX_PARTS, &cause), -EPERM);
	assert_non_null(strstr(cause, "did not start"));
	assert_int_equal(inst_run_record_write(work, &j, &cause), 0);
	int records = inst_run_records_open(work);

	assert_true(records >= 0);
	assert_int_equal(inst_journal_vouch(records, &j, uuids, INST_MAX_PARTS, &cause), 0);

	/* The same journal over other file systems (a copy on another disk). */
	INST_COPY(uuids[2], "5555-6666");
	assert_int_equal(inst_journal_vouch(records, &j, uuids, INST_MAX_PARTS, &cause), -EPERM);
	assert_non_null(strstr(cause, "file systems"));
	memcpy(uuids, j.uuid, sizeof(uuids));

	/* A journal that claims the run but another start or plan. */
	forged = j;
	forged.began++;
	assert_int_equal(inst_journal_vouch(records, &forged, uuids, INST_MAX_PARTS, &cause), -EPERM);
	forged = j;
	forged.plan++;
	assert_int_equal(inst_journal_vouch(records, &forged, uuids, INST_MAX_PARTS, &cause), -EPERM);
	/* UUIDs of a journal edited to match the disk still differ from the record. */
	forged = j;
	INST_COPY(forged.uuid[2], "5555-6666");
	INST_COPY(uuids[2], "5555-6666");
	assert_int_equal(inst_journal_vouch(records, &forged, uuids, INST_MAX_PARTS, &cause), -EPERM);
	memcpy(uuids, j.uuid, sizeof(uuids));

	/* A journal that names an array or a volume group the run did not make. */
	forged = j;
	INST_COPY(forged.md_uuid[3], "3f6b2c1a:9d8e7f60:11223344:55667788");
	assert_int_equal(inst_journal_vouch(records, &forged, uuids, INST_MAX_PARTS, &cause), -EPERM);
	assert_non_null(strstr(cause, "volume groups"));
	forged = j;
	INST_COPY(forged.vg_uuid[1], "Zp2Tq1-0aBc-dEfG-hIjK-lMnO-pQrS-tUvWx9");
	assert_int_equal(inst_journal_vouch(records, &forged, uuids, INST_MAX_PARTS, &cause), -EPERM);

	/* The record lives in a directory only root can read. */
	struct stat st;
	char runs[PATH_MAX + 8];

	snprintf(runs, sizeof(runs), "%s/runs", work);
	assert_int_equal(stat(runs, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* A record others could have written vouches for nothing. */
	char rec[PATH_MAX + 64];

	snprintf(rec, sizeof(rec), "%s/%s", runs, j.run);
	assert_int_equal(chmod(rec, 0666), 0);
	assert_int_equal(inst_journal_vouch(records, &j, uuids, INST_MAX_PARTS, &cause), -EPERM);
	assert_int_equal(chmod(rec, 0600), 0);
	/* The directory opened before is the one read, whatever is mounted over its path later. */
	const char *tmpfs[] = { "mount", "-t", "tmpfs", "tmpfs", runs, NULL };
	const char *umnt[] = { "umount", runs, NULL };

	if (geteuid() == 0) {
		assert_int_equal(base_run(tmpfs, -1, NULL), 0);
		assert_int_equal(inst_journal_vouch(records, &j, uuids, INST_MAX_PARTS, &cause), 0);
		assert_int_equal(base_run(umnt, -1, NULL), 0);
	}

	/* A finished install is forgotten. */
	inst_run_record_remove(work, &j);
	assert_int_equal(inst_journal_vouch(records, &j, uuids, INST_MAX_PARTS, &cause), -EPERM);
	close(records);
	free(cause);
}

static void test_fingerprint(void **state)
{
	struct inst_plan a, b;

	inst_plan_init(&a);
	inst_plan_init(&b);
	INST_COPY(a.hostname, "alpha");
	INST_COPY(b.hostname, "alpha");
	INST_COPY(a.disk, "/dev/loop3");
	INST_COPY(b.disk, "/dev/loop7");
	/* The same image on another loop device is the same plan. */
	assert_true(inst_plan_fingerprint(&a) == inst_plan_fingerprint(&b));
	/* From the dump the engine logs, the same fingerprint. */
	char *dump = inst_plan_dump(&b);

	assert_true(inst_plan_dump_fingerprint(dump) == inst_plan_fingerprint(&a));
	free(dump);
	INST_COPY(b.hostname, "beta");
	assert_true(inst_plan_fingerprint(&a) != inst_plan_fingerprint(&b));
	INST_COPY(b.hostname, "alpha");
	b.hv = INST_HV_KVM;
	assert_true(inst_plan_fingerprint(&a) != inst_plan_fingerprint(&b));
	assert_string_equal(inst_journal_word(INST_STEP_PACKAGES), "packages");
	inst_plan_free(&a);
	inst_plan_free(&b);
}

/* What a killed run leaves mounted in the target is unmounted, deepest first. */
static void test_clear_stale(void **state)
{
	char target[PATH_MAX], sub[PATH_MAX + 8], *cause = NULL;
	const char *mnt1[] = { "mount", "-t", "tmpfs", "tmpfs", target, NULL };
	const char *mnt2[] = { "mount", "-t", "tmpfs", "tmpfs", sub, NULL };
	const char *check[] = { "mountpoint", "-q", target, NULL };

	if (geteuid() != 0)
		skip();
	snprintf(target, sizeof(target), "%s/tar get", dir);
	snprintf(sub, sizeof(sub), "%s/proc", target);
	assert_int_equal(hcfg_mkdirs(target, NULL), 0);
	assert_int_equal(base_run(mnt1, -1, NULL), 0);
	assert_int_equal(hcfg_mkdirs(sub, NULL), 0);
	assert_int_equal(base_run(mnt2, -1, NULL), 0);
	assert_int_equal(inst_clear_stale(target, -1, &cause), 0);
	assert_int_not_equal(base_run(check, -1, NULL), 0);
	/* Nothing left: a second call has nothing to do. */
	assert_int_equal(inst_clear_stale(target, -1, &cause), 0);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_uuid_read_back),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_vouch),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_clear_stale),
	};

	return cmocka_run_group_tests_name("inst-journal", tests, setup, teardown);
}
