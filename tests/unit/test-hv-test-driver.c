/* Unit tests of hv/ against libvirt's in-process test driver (test:///default): list, define, life cycle, storage and where disks may be, events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "hv/hv-int.h"

static struct hv_conn *conn;
/* The guests' folder, a storage pool, and a folder outside every pool. */
static char dir[64], outside[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	char *cause = NULL;

	snprintf(dir, sizeof(dir), "/tmp/test-hv-driver.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(outside, sizeof(outside), "/tmp/test-hv-outside.XXXXXX");
	if (!mkdtemp(outside))
		return -1;
	if (hv_open("test:///default", &conn, &cause) < 0 ||
	    hv_pool_ensure(conn, "hvtest", dir, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	hv_close(conn);
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) |
	       nftw(outside, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *in_dir(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* A small guest with a new sparse disk of @size bytes at @disk (NULL: no disk). */
static struct hv_guest *guest(const char *name, const char *disk, uint64_t size)
{
	struct hv_guest *g = calloc(1, sizeof(*g));
	struct hv_nic *nic;

	hv_guest_init(g);
	g->name = strdup(name);
	g->memory_kib = 256 * 1024;
	g->vcpus = 2;
	if (disk) {
		struct hv_disk *d = hv_guest_add_disk(g);

		d->kind = HV_DISK_NEW_RAW;
		d->path = strdup(disk);
		d->size = size;
	}
	nic = hv_guest_add_nic(g);
	nic->bridge = strdup("br0");
	snprintf(nic->mac, sizeof(nic->mac), "52:54:00:12:34:56");
	g->vnc_password = strdup("one");
	return g;
}

static const struct hv_dom_stat *find(const struct hv_dom_stat *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	}
	return NULL;
}

static enum hv_state state_of(const char *name)
{
	struct hv_dom_stat *s = NULL;
	size_t n = 0;
	const struct hv_dom_stat *d;
	enum hv_state st;

	assert_int_equal(hv_list(conn, &s, &n, NULL), 0);
	d = find(s, n, name);
	assert_non_null(d);
	st = d->state;
	free(s);
	return st;
}

static void test_open(void **state)
{
	char *cause = NULL;
	struct hv_conn *bad = NULL;

	assert_string_equal(hv_uri(conn), "test:///default");
	/* The test driver offers only its own domain type. */
	assert_string_equal(hv_virt_type(conn), "test");
	assert_false(hv_is_xen(conn));
	assert_true(hv_open("nosuchdriver:///x", &bad, &cause) < 0);
	assert_null(bad);
	assert_non_null(strstr(cause, "nosuchdriver:///x"));
	/* Without a URI, the one the environment names comes before any guess. */
	setenv("LIBVIRT_DEFAULT_URI", "test:///default", 1);
	assert_int_equal(hv_open(NULL, &bad, &cause), 0);
	unsetenv("LIBVIRT_DEFAULT_URI");
	assert_string_equal(hv_uri(bad), "test:///default");
	hv_close(bad);
	free(cause);
}

static void test_host(void **state)
{
	struct hv_host h;

	assert_int_equal(hv_host_info(conn, &h, NULL), 0);
	/* The test driver's fixed node: 16 CPUs, 3 GiB. */
	assert_int_equal(h.cpus, 16);
	assert_int_equal(h.memory_kib, 3 * 1024 * 1024);
	assert_string_equal(h.hypervisor, "TEST");
	assert_true(h.hostname[0] != '\0');
	assert_true(h.version[0] != '\0');
	assert_true(h.cpu_model[0] != '\0');
	assert_true(h.running >= 1);
	assert_true(h.guests >= h.running);
}

static void test_list_default(void **state)
{
	struct hv_dom_stat *s = NULL;
	size_t n = 0;
	const struct hv_dom_stat *d;

	assert_int_equal(hv_list(conn, &s, &n, NULL), 0);
	d = find(s, n, "test");
	assert_non_null(d);
	assert_int_equal(d->state, HV_STATE_RUNNING);
	assert_int_equal(d->vcpus, 2);
	assert_int_equal(d->memory_kib, 2097152);
	assert_string_equal(d->uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
	assert_true(d->persistent);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(s[i - 1].name, s[i].name) < 0);
	free(s);
}

static void test_life_cycle(void **state)
{
	char *disk = in_dir("lc.img"), *cause = NULL, **files = NULL;
	struct hv_guest *g = guest("hvtest-lc", disk, 1ULL << 30), *back = NULL;
	struct hv_dom_stat *s = NULL;
	const struct hv_dom_stat *d;
	struct hv_vnc_info vi;
	struct stat st;
	size_t n = 0;

	assert_int_equal(hv_define(conn, g, &cause), 0);
	/* A sparse file: a whole GiB long, with (almost) no blocks behind it. */
	assert_int_equal(stat(disk, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 1ULL << 30);
	assert_true(st.st_blocks * 512 < (1 << 20));

	assert_int_equal(state_of("hvtest-lc"), HV_STATE_SHUTOFF);
	assert_int_equal(hv_start(conn, "hvtest-lc", &cause), 0);
	assert_int_equal(hv_list(conn, &s, &n, NULL), 0);
	d = find(s, n, "hvtest-lc");
	assert_non_null(d);
	assert_int_equal(d->state, HV_STATE_RUNNING);
	assert_int_equal(d->vcpus, 2);
	assert_int_equal(d->memory_kib, 256 * 1024);
	assert_true(d->persistent);
	assert_false(d->autostart);
	free(s);

	assert_int_equal(hv_vnc_info(conn, "hvtest-lc", &vi, &cause), 0);
	assert_string_equal(vi.listen, "127.0.0.1");
	assert_true(vi.has_password);

	assert_int_equal(hv_suspend(conn, "hvtest-lc", &cause), 0);
	assert_int_equal(state_of("hvtest-lc"), HV_STATE_PAUSED);
	assert_int_equal(hv_resume(conn, "hvtest-lc", &cause), 0);
	assert_int_equal(state_of("hvtest-lc"), HV_STATE_RUNNING);
	/* A running guest is not deleted. */
	assert_int_equal(hv_undefine(conn, "hvtest-lc", true, &cause), -EBUSY);
	assert_non_null(strstr(cause, "hvtest-lc"));
	assert_int_equal(hv_destroy(conn, "hvtest-lc", &cause), 0);
	assert_int_equal(state_of("hvtest-lc"), HV_STATE_SHUTOFF);
	assert_true(hv_resume(conn, "hvtest-lc", &cause) < 0);
	assert_non_null(strstr(cause, "hvtest-lc"));

	assert_int_equal(hv_set_autostart(conn, "hvtest-lc", true, &cause), 0);
	assert_int_equal(hv_get(conn, "hvtest-lc", &back, &cause), 0);
	assert_string_equal(back->name, "hvtest-lc");
	assert_int_equal(strlen(back->uuid), 36);
	assert_int_equal(back->memory_kib, 256 * 1024);
	assert_int_equal(back->max_memory_kib, 0);
	assert_int_equal(back->vcpus, 2);
	assert_int_equal(back->arch, HV_ARCH_X86_64);
	assert_true(back->autostart);
	assert_int_equal(back->n_disks, 1);
	assert_int_equal(back->disks[0].kind, HV_DISK_FILE);
	assert_string_equal(back->disks[0].path, disk);
	assert_string_equal(back->disks[0].format, "raw");
	assert_string_equal(back->disks[0].target, "vda");
	assert_string_equal(back->disks[0].bus, "virtio");
	assert_string_equal(back->disks[0].cache, "none");
	assert_int_equal(back->disks[0].size, 1ULL << 30);
	assert_int_equal(back->n_nics, 1);
	assert_string_equal(back->nics[0].bridge, "br0");
	assert_string_equal(back->nics[0].mac, "52:54:00:12:34:56");
	assert_string_equal(back->nics[0].model, "virtio");
	assert_true(back->vnc);
	assert_int_equal(back->vnc_port, -1);
	assert_string_equal(back->vnc_password, "one");
	assert_true(back->serial && back->acpi && back->apic && back->pae);
	assert_int_equal(back->on_reboot, HV_LC_RESTART);
	assert_int_equal(back->boot[0], HV_BOOT_HD);

	assert_int_equal(hv_storage_files(conn, "hvtest-lc", &files, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(files[0], disk);
	free(files[0]);
	free(files);

	assert_int_equal(hv_undefine(conn, "hvtest-lc", true, &cause), 0);
	assert_int_equal(stat(disk, &st), -1);
	assert_int_equal(errno, ENOENT);
	hv_guest_free(back);
	back = NULL;
	assert_int_equal(hv_get(conn, "hvtest-lc", &back, &cause), -ENOENT);
	assert_non_null(strstr(cause, "hvtest-lc"));
	assert_int_equal(hv_start(conn, "hvtest-lc", NULL), -ENOENT);

	hv_guest_free(g);
	free(disk);
	free(cause);
}

static void test_refusals(void **state)
{
	char *disk = in_dir("taken.img"), *cause = NULL, buf[16] = "";
	struct hv_guest *g = guest("hvtest-taken", disk, 1 << 20), *back = NULL;
	int fd;

	/* A file that is already there is never made over. */
	assert_int_equal(hcfg_write_file(disk, "precious", 0600, NULL), 0);
	assert_int_equal(hv_define(conn, g, &cause), -EEXIST);
	assert_non_null(strstr(cause, disk));
	fd = open(disk, O_RDONLY);
	assert_true(read(fd, buf, sizeof(buf) - 1) == 8);
	close(fd);
	assert_string_equal(buf, "precious");
	assert_int_equal(hv_get(conn, "hvtest-taken", &back, NULL), -ENOENT);

	/* A bad name never reaches libvirt. */
	free(g->name);
	g->name = strdup("bad name!");
	unlink(disk);
	assert_int_equal(hv_define(conn, g, &cause), -EINVAL);
	assert_non_null(strstr(cause, "bad name!"));
	assert_int_equal(access(disk, F_OK), -1);

	/* libvirt refuses the XML after the disk was made: the disk goes again. */
	free(g->name);
	g->name = strdup("hvtest-refused");
	g->disks[0].bus = strdup("nosuchbus");
	assert_true(hv_define(conn, g, &cause) < 0);
	assert_non_null(strstr(cause, "hvtest-refused"));
	assert_int_equal(access(disk, F_OK), -1);
	assert_int_equal(hv_get(conn, "hvtest-refused", &back, NULL), -ENOENT);

	hv_guest_free(g);
	free(disk);
	free(cause);
}

static void test_redefine(void **state)
{
	char *disk = in_dir("re.img"), *cause = NULL;
	struct hv_guest *g = guest("hvtest-re", disk, 1 << 20), *back = NULL, *other;

	assert_int_equal(hv_define(conn, g, &cause), 0);
	/* Another new guest of the same name is refused... */
	other = guest("hvtest-re", NULL, 0);
	assert_int_equal(hv_define(conn, other, &cause), -EEXIST);
	assert_non_null(strstr(cause, "hvtest-re"));
	/* ...but the guest itself, read back and changed, is redefined in place. */
	assert_int_equal(hv_get(conn, "hvtest-re", &back, &cause), 0);
	back->memory_kib = 384 * 1024;
	assert_int_equal(hv_define(conn, back, &cause), 0);
	hv_guest_free(back);
	assert_int_equal(hv_get(conn, "hvtest-re", &back, &cause), 0);
	assert_int_equal(back->memory_kib, 384 * 1024);
	assert_int_equal(access(disk, F_OK), 0);

	/* A second guest on the same file: deleting the first must leave the file. */
	hv_guest_free(other);
	other = guest("hvtest-share", NULL, 0);
	struct hv_disk *d = hv_guest_add_disk(other);

	d->kind = HV_DISK_FILE;
	d->path = strdup(disk);
	other->nics[0].mac[0] = '\0';
	assert_int_equal(hv_define(conn, other, &cause), 0);
	char **files = NULL;
	size_t n = 9;

	assert_int_equal(hv_storage_files(conn, "hvtest-re", &files, &n, &cause), 0);
	assert_int_equal(n, 0);
	free(files);
	assert_int_equal(hv_undefine(conn, "hvtest-re", true, &cause), 0);
	assert_int_equal(access(disk, F_OK), 0);
	assert_int_equal(hv_storage_files(conn, "hvtest-share", &files, &n, &cause), 0);
	assert_int_equal(n, 1);
	free(files[0]);
	free(files);
	assert_int_equal(hv_undefine(conn, "hvtest-share", false, &cause), 0);
	assert_int_equal(access(disk, F_OK), 0);

	hv_guest_free(other);
	hv_guest_free(back);
	hv_guest_free(g);
	free(disk);
	free(cause);
}

static void test_qcow2(void **state)
{
	char *disk = in_dir("q.qcow2"), *cause = NULL, magic[4] = "";
	struct hv_guest *g = guest("hvtest-qcow2", disk, 2ULL << 30);
	const char *const probe[] = { "qemu-img", "--version", NULL };
	int fd;

	if (base_run(probe, -1, NULL) != 0)
		skip();
	g->disks[0].kind = HV_DISK_NEW_QCOW2;
	assert_int_equal(hv_define(conn, g, &cause), 0);
	fd = open(disk, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, magic, 4), 4);
	close(fd);
	assert_memory_equal(magic, "QFI\xfb", 4);
	hv_guest_free(g);
	assert_int_equal(hv_get(conn, "hvtest-qcow2", &g, &cause), 0);
	assert_string_equal(g->disks[0].format, "qcow2");
	assert_int_equal(hv_undefine(conn, "hvtest-qcow2", true, &cause), 0);
	assert_int_equal(access(disk, F_OK), -1);
	hv_guest_free(g);
	free(disk);
	free(cause);
}

static void test_events(void **state)
{
	struct hv_guest *g = guest("hvtest-ev", NULL, 0);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char *cause = NULL;
	bool seen = false;

	assert_int_equal(hv_events_start(conn, &cause), 0);
	assert_int_equal(hv_events_start(conn, &cause), 0);
	while (hv_events_changed(conn))
		;
	assert_int_equal(hv_define(conn, g, &cause), 0);
	assert_int_equal(hv_start(conn, "hvtest-ev", &cause), 0);
	for (int i = 0; i < 250 && !seen; i++) {
		seen = hv_events_changed(conn);
		if (!seen)
			nanosleep(&ts, NULL);
	}
	assert_true(seen);
	/* Read once: nothing new has happened since. */
	nanosleep(&ts, NULL);
	while (hv_events_changed(conn))
		nanosleep(&ts, NULL);
	assert_false(hv_events_changed(conn));
	assert_int_equal(hv_destroy(conn, "hvtest-ev", &cause), 0);
	seen = false;
	for (int i = 0; i < 250 && !seen; i++) {
		seen = hv_events_changed(conn);
		if (!seen)
			nanosleep(&ts, NULL);
	}
	assert_true(seen);
	assert_int_equal(hv_undefine(conn, "hvtest-ev", false, &cause), 0);
	hv_guest_free(g);
	free(cause);
}

static void test_console_unsupported(void **state)
{
	struct hv_console *con = NULL;
	char *cause = NULL;

	/* The test driver has no consoles: a clear refusal, nothing left open. */
	assert_true(hv_console_open(conn, "test", &con, &cause) < 0);
	assert_null(con);
	assert_non_null(strstr(cause, "test"));
	assert_int_equal(hv_console_open(conn, "nosuchguest", &con, &cause), -ENOENT);
	free(cause);
}

/* The block device that holds this machine's root filesystem, or "" when it cannot be named. */
static void root_disk(char *out, size_t len)
{
	struct stat st;
	char link[64], sys[PATH_MAX], *name;

	out[0] = '\0';
	if (stat("/", &st) < 0)
		return;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (!realpath(link, sys))
		return;
	name = strrchr(sys, '/') + 1;
	snprintf(out, len, "/dev/%s", name);
	if (stat(out, &st) < 0 || !S_ISBLK(st.st_mode))
		out[0] = '\0';
}

static void test_places(void **state)
{
	char *cause = NULL, *in_pool = in_dir("pooled.img"), *pool = NULL, dev[64], *p;
	char *etc_img = strdup("/etc/hvtest-never.img");
	struct hv_disk d = { 0 };
	enum hv_place place;
	struct hv_guest *g;

	/* A file in the pool's folder: anyone's. */
	assert_int_equal(hcfg_write_file(in_pool, "", 0600, NULL), 0);
	d.kind = HV_DISK_FILE;
	d.path = in_pool;
	assert_int_equal(hv_disk_place(conn, &d, 0, &place, &cause), 0);
	assert_int_equal(place, HV_PLACE_POOL);
	assert_int_equal(hv_path_pool(conn, in_pool, true, &pool, NULL), 0);
	assert_string_equal(pool, "hvtest");
	free(pool);

	/* A host file: refused to a member of the group, root may after confirming. */
	d.path = (char *)"/etc/shadow";
	assert_int_equal(hv_disk_place(conn, &d, 0, &place, &cause), -EPERM);
	assert_non_null(strstr(cause, "/etc/shadow"));
	assert_non_null(strstr(cause, "root"));
	assert_int_equal(hv_disk_place(conn, &d, HV_HOST_PATHS, &place, &cause), 0);
	assert_int_equal(place, HV_PLACE_OUTSIDE);
	d.kind = HV_DISK_CDROM;
	assert_int_equal(hv_disk_place(conn, &d, 0, &place, &cause), -EPERM);

	/* A link in the pool to a host file is the host file. */
	p = in_dir("link.img");
	assert_int_equal(symlink("/etc/shadow", p), 0);
	d.kind = HV_DISK_FILE;
	d.path = p;
	assert_int_equal(hv_disk_place(conn, &d, 0, &place, &cause), -EPERM);
	free(p);

	/* The disk this machine runs from: refused to everyone, root included. */
	root_disk(dev, sizeof(dev));
	if (dev[0]) {
		d.kind = HV_DISK_BLOCK;
		d.path = dev;
		assert_int_equal(hv_disk_place(conn, &d, HV_HOST_PATHS, &place, &cause), -EBUSY);
		assert_non_null(strstr(cause, dev));
		assert_int_equal(hv_disk_place(conn, &d, 0, &place, &cause), -EBUSY);
	}

	/* A new disk outside the pools is never made, whoever asks. */
	g = guest("hvtest-etc", etc_img, 1ULL << 30);
	assert_int_equal(hv_define_flags(conn, g, HV_HOST_PATHS, &cause), -EPERM);
	assert_non_null(strstr(cause, etc_img));
	assert_non_null(strstr(cause, dir));
	assert_int_equal(access(etc_img, F_OK), -1);
	hv_guest_free(g);
	/* Nor /etc/shadow given to a guest by a member. */
	g = guest("hvtest-shadow", NULL, 0);
	struct hv_disk *sd = hv_guest_add_disk(g);

	sd->kind = HV_DISK_FILE;
	sd->path = strdup("/etc/shadow");
	assert_int_equal(hv_define(conn, g, &cause), -EPERM);
	assert_non_null(strstr(cause, "/etc/shadow"));
	hv_guest_free(g);
	assert_int_equal(hv_get(conn, "hvtest-shadow", &g, NULL), -ENOENT);

	unlink(in_pool);
	free(in_pool);
	free(etc_img);
	free(cause);
}

/* A guest defined without the console, on a file outside the pools: deleting it leaves the file. */
static void test_delete_by_hand(void **state)
{
	char *cause = NULL, *xml = NULL, *host_file = NULL, *mine = in_dir("byhand.img"),
	     *link = in_dir("byhand-link.img"), **files = NULL, buf[16] = "";
	virDomainPtr dom;
	size_t n = 9;
	int fd;

	assert_true(asprintf(&host_file, "%s/precious.img", outside) > 0);
	assert_int_equal(hcfg_write_file(host_file, "precious", 0600, NULL), 0);
	assert_int_equal(hcfg_write_file(mine, "", 0600, NULL), 0);
	assert_int_equal(symlink(host_file, link), 0);
	assert_true(asprintf(&xml,
			     "<domain type='test'><name>hvtest-byhand</name><memory>262144</memory>"
			     "<os><type arch='x86_64'>hvm</type></os><devices>"
			     "<disk type='file' device='disk'><source file='%s'/><target dev='vda' bus='virtio'/></disk>"
			     "<disk type='file' device='disk'><source file='%s'/><target dev='vdb' bus='virtio'/></disk>"
			     "<disk type='file' device='disk'><source file='%s'/><target dev='vdc' bus='virtio'/></disk>"
			     "</devices></domain>", host_file, link, mine) > 0);
	dom = virDomainDefineXML(conn->c, xml);
	assert_non_null(dom);
	virDomainFree(dom);

	/* Only its own file in the pool is offered for deletion. */
	assert_int_equal(hv_storage_files(conn, "hvtest-byhand", &files, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(files[0], "byhand.img"));
	free(files[0]);
	free(files);
	assert_int_equal(hv_undefine(conn, "hvtest-byhand", true, &cause), 0);
	fd = open(host_file, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
	close(fd);
	assert_string_equal(buf, "precious");
	assert_int_equal(access(link, F_OK), 0);
	assert_int_equal(access(mine, F_OK), -1);

	unlink(link);
	unlink(host_file);
	free(link);
	free(mine);
	free(host_file);
	free(xml);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_list_default),
		cmocka_unit_test(test_life_cycle),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_redefine),
		cmocka_unit_test(test_qcow2),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_console_unsupported),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_delete_by_hand),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
