/* Unit tests for the storage editor's checks (sizes, mount points), fstab edits under a root prefix and the impact analysis of files and folders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg-stor.h"
#include "vmconsole/vc-stor.h"

#define MIB ((uint64_t)1 << 20)

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ospite-stor-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_size(void **state)
{
	uint64_t b;
	bool all;
	char *cause = NULL;

	assert_int_equal(hcfg_stor_parse_size("512M", 1024 * MIB, &all, &b, NULL), 0);
	assert_false(all);
	assert_int_equal(b, 512 * MIB);
	assert_int_equal(hcfg_stor_parse_size("1G", 1024 * MIB, &all, &b, NULL), 0);
	assert_int_equal(b, 1024 * MIB);
	assert_int_equal(hcfg_stor_parse_size("100", 1024 * MIB, &all, &b, NULL), 0);
	assert_int_equal(b, 100 * MIB);
	assert_int_equal(hcfg_stor_parse_size("1.5GiB", 4096 * MIB, &all, &b, NULL), 0);
	assert_int_equal(b, 1536 * MIB);
	assert_int_equal(hcfg_stor_parse_size("all", 77 * MIB, &all, &b, NULL), 0);
	assert_true(all);
	assert_int_equal(b, 77 * MIB);
	assert_int_equal(hcfg_stor_parse_size("2G", 1024 * MIB, &all, &b, &cause), -ENOSPC);
	assert_non_null(strstr(cause, "larger than the free region"));
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_stor_parse_size("0", 1024 * MIB, &all, &b, &cause), -EINVAL);
	assert_non_null(strstr(cause, "too small"));
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_stor_parse_size("nan", 1024 * MIB, &all, &b, &cause), -EINVAL);
	assert_non_null(strstr(cause, "is not a size"));
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_stor_parse_size("inf", 1024 * MIB, &all, &b, NULL), -EINVAL);
	assert_int_equal(hcfg_stor_parse_size("-5M", 1024 * MIB, &all, &b, NULL), -EINVAL);
	assert_int_equal(hcfg_stor_parse_size("", 1024 * MIB, &all, &b, NULL), -EINVAL);
	assert_int_equal(hcfg_stor_parse_size(NULL, 1024 * MIB, &all, &b, NULL), -EINVAL);
	assert_int_equal(hcfg_stor_parse_size("1e400", 1024 * MIB, &all, &b, NULL), -EINVAL);
	assert_int_equal(hcfg_stor_parse_size("5Q", 1024 * MIB, &all, &b, &cause), -EINVAL);
	assert_non_null(strstr(cause, "unit that does not exist"));
	free(cause);
}

static void test_mountpoint(void **state)
{
	char path[128], *cause = NULL;
	FILE *f;

	assert_int_equal(hcfg_stor_check_mountpoint("/var/lib/ospite/new-pool-xyz", NULL), 0);
	assert_int_equal(hcfg_stor_check_mountpoint("rel/dir", &cause), -EINVAL);
	assert_non_null(strstr(cause, "not an absolute path"));
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_stor_check_mountpoint("/proc/x", &cause), -EPERM);
	assert_non_null(strstr(cause, "/proc"));
	free(cause);
	assert_int_equal(hcfg_stor_check_mountpoint("/sys", NULL), -EPERM);
	assert_int_equal(hcfg_stor_check_mountpoint("/dev/shm/x", NULL), -EPERM);
	assert_int_equal(hcfg_stor_check_mountpoint("/procx", NULL), 0);
	assert_int_equal(hcfg_stor_check_mountpoint("/", NULL), -EPERM);
	assert_int_equal(hcfg_stor_check_mountpoint("/boot/efi", NULL), -EPERM);
	assert_int_equal(hcfg_stor_check_mountpoint("/usr", NULL), -EPERM);
	assert_int_equal(hcfg_stor_check_mountpoint("/srv/../etc", NULL), -EINVAL);
	assert_int_equal(hcfg_stor_check_mountpoint("/srv/x/", NULL), -EINVAL);
	assert_int_equal(hcfg_stor_check_mountpoint("/srv//x", NULL), -EINVAL);
	assert_int_equal(hcfg_stor_check_mountpoint("/srv/a b", NULL), -EINVAL);
	assert_int_equal(hcfg_stor_check_mountpoint("/srv/a'<b", NULL), -EINVAL);
	assert_int_equal(hcfg_stor_check_mountpoint("/srv/a&b", NULL), -EINVAL);
	/* An empty folder is fine, a folder with something in it or a file is not. */
	snprintf(path, sizeof path, "%s/empty", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(hcfg_stor_check_mountpoint(path, NULL), 0);
	snprintf(path, sizeof path, "%s/empty/file", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof path, "%s/empty", dir);
	cause = NULL;
	assert_int_equal(hcfg_stor_check_mountpoint(path, &cause), -ENOTEMPTY);
	assert_non_null(strstr(cause, "not empty"));
	free(cause);
	snprintf(path, sizeof path, "%s/empty/file", dir);
	assert_int_equal(hcfg_stor_check_mountpoint(path, NULL), -ENOTDIR);
	/* A symbolic link on the way, to a folder or to nowhere yet. */
	{
		char link[128];

		snprintf(link, sizeof link, "%s/link", dir);
		assert_int_equal(symlink("/etc", link), 0);
		snprintf(path, sizeof path, "%s/link/newdir", dir);
		assert_int_equal(hcfg_stor_check_mountpoint(path, NULL), -ELOOP);
		assert_int_equal(hcfg_stor_check_mountpoint(link, NULL), -ELOOP);
	}
}

static void test_fstab(void **state)
{
	char root[96], path[128], *text = NULL;
	unsigned removed = 9;

	snprintf(root, sizeof root, "%s/root", dir);
	snprintf(path, sizeof path, "%s/etc", root);
	assert_int_equal(hcfg_mkdirs(path, NULL), 0);
	snprintf(path, sizeof path, "%s/etc/fstab", root);
	assert_int_equal(hcfg_write_file(path, "# keep\nUUID=1 / ext4 defaults 0 1\n\n", 0644, NULL), 0);
	assert_int_equal(hcfg_fstab_add(root, "abc", "/srv/p", "xfs", NULL), 0);
	assert_int_equal(hcfg_read_file(path, &text, NULL), 0);
	assert_string_equal(text, "# keep\nUUID=1 / ext4 defaults 0 1\n\nUUID=abc /srv/p xfs defaults 0 2\n");
	free(text);
	assert_int_equal(hcfg_fstab_remove(root, "abc", "/dev/nothing", &removed, NULL), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(hcfg_read_file(path, &text, NULL), 0);
	/* The other lines, blank ones and comments included, stay as they were. */
	assert_string_equal(text, "# keep\nUUID=1 / ext4 defaults 0 1\n\n");
	free(text);
	assert_int_equal(hcfg_fstab_remove(root, "zzz", NULL, &removed, NULL), 0);
	assert_int_equal(removed, 0);
}

static void test_host_mount(void **state)
{
	assert_true(hcfg_stor_host_mount("/"));
	assert_true(hcfg_stor_host_mount("/boot"));
	assert_true(hcfg_stor_host_mount("/boot/efi"));
	assert_true(hcfg_stor_host_mount("/var"));
	assert_true(hcfg_stor_host_mount("/var/log/audit"));
	assert_false(hcfg_stor_host_mount("/var/lib/ospite/p1"));
	assert_false(hcfg_stor_host_mount("/bootstrap"));
	assert_false(hcfg_stor_host_mount("/srv/data"));
}

/* The impact of a folder: the guests whose files are in it, the pools it holds; a running guest refuses. */
static void test_impact_path(void **state)
{
	struct vc_stor s;
	struct vc_impact im;
	struct hv_guest_disks g[2];
	struct hv_pool_info p;
	char pool_dir[96], f1[128], f2[128], *paths1[1], *paths2[1], *text;
	bool block[1] = { false };
	int pool_node = -1;
	FILE *f;

	memset(&s, 0, sizeof s);
	memset(g, 0, sizeof g);
	memset(&p, 0, sizeof p);
	snprintf(pool_dir, sizeof pool_dir, "%s/pool", dir);
	assert_int_equal(mkdir(pool_dir, 0755), 0);
	snprintf(f1, sizeof f1, "%s/a.img", pool_dir);
	/* A file name with a terminal escape in it, as anyone who names a guest's disk may write. */
	snprintf(f2, sizeof f2, "%s/b\033[2J.img", pool_dir);
	assert_non_null(f = fopen(f1, "w"));
	fclose(f);
	assert_non_null(f = fopen(f2, "w"));
	fclose(f);
	paths1[0] = f1;
	paths2[0] = f2;
	snprintf(g[0].name, sizeof g[0].name, "off1");
	g[0].state = HV_STATE_SHUTOFF;
	g[0].paths = paths1;
	g[0].block = block;
	g[0].n = 1;
	snprintf(g[1].name, sizeof g[1].name, "on1");
	g[1].state = HV_STATE_RUNNING;
	g[1].paths = paths2;
	g[1].block = block;
	g[1].n = 1;
	p.name = (char *)"p1";
	p.type = (char *)"dir";
	p.target = pool_dir;
	s.guests = g;
	s.nguests = 2;
	s.pools = &p;
	s.npools = 1;
	s.pool_node = &pool_node;
	s.libvirt = true;

	assert_int_equal(vc_stor_impact(&s, f1, &im, NULL), 0);
	assert_false(im.refuse);
	assert_int_equal(im.n, 1);
	assert_int_equal(im.v[0].kind, VC_IMP_GUEST);
	assert_string_equal(im.v[0].name, "off1");
	vc_impact_clear(&im);

	assert_int_equal(vc_stor_impact(&s, pool_dir, &im, NULL), 0);
	assert_true(im.refuse);
	text = vc_impact_text(&im);
	assert_non_null(strstr(text, "Refused: the running guest on1 uses"));
	assert_non_null(strstr(text, "The guest off1 loses its disk"));
	assert_non_null(strstr(text, "The storage pool p1 (dir) is removed."));
	assert_null(strchr(text, '\033'));
	assert_non_null(strstr(text, "b?[2J.img"));
	free(text);
	vc_impact_clear(&im);

	assert_int_equal(vc_stor_impact(&s, "/", &im, NULL), 0);
	assert_true(im.refuse);
	vc_impact_clear(&im);
	assert_int_equal(vc_stor_impact(&s, "/nonexistent-ospite", &im, NULL), -ENOENT);
	vc_impact_clear(&im);

	/* Removing the pool keeps its files unless asked; deleting them names the guests. */
	assert_int_equal(vc_stor_pool_impact(&s, "p1", false, &im, NULL), 0);
	assert_int_equal(im.n, 1);
	vc_impact_clear(&im);
	assert_int_equal(vc_stor_pool_impact(&s, "nope", false, &im, NULL), -ENOENT);
	vc_impact_clear(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_mountpoint),
		cmocka_unit_test(test_fstab),
		cmocka_unit_test(test_host_mount),
		cmocka_unit_test(test_impact_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
