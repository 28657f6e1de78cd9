/* Unit tests of hv/hv-clone.c against libvirt's in-process test driver: full and linked clones, the guards of a linked clone's base, templates, abort and refusals. */
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
#include <sys/stat.h>
#include <unistd.h>

#include "hv/hv-int.h"

static struct hv_conn *conn;
static char dir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	char *cause = NULL;

	snprintf(dir, sizeof(dir), "/tmp/test-hv-clone.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (hv_open("test:///default", &conn, &cause) < 0 ||
	    hv_pool_ensure(conn, "clonetest", dir, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	hv_close(conn);
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *in_dir(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* A shut-off guest with a 64 MiB sparse disk holding a marker at 0 and 1 MiB of data at 32 MiB. */
static void make_guest(const char *name)
{
	struct hv_guest g;
	struct hv_disk *d;
	struct hv_nic *nic;
	char *path = NULL, buf[4096];
	int fd;

	hv_guest_init(&g);
	g.name = strdup(name);
	g.memory_kib = 128 * 1024;
	d = hv_guest_add_disk(&g);
	d->kind = HV_DISK_NEW_RAW;
	d->path = path = in_dir(name);
	d->size = 64 << 20;
	nic = hv_guest_add_nic(&g);
	nic->bridge = strdup("br0");
	snprintf(nic->mac, sizeof(nic->mac), "52:54:00:12:34:56");
	g.vnc_port = 5977;
	assert_int_equal(hv_define(conn, &g, NULL), 0);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, name, strlen(name), 0), (ssize_t)strlen(name));
	memset(buf, 0x5a, sizeof(buf));
	for (off_t o = 32 << 20; o < (33 << 20); o += sizeof(buf))
		assert_int_equal(pwrite(fd, buf, sizeof(buf), o), (ssize_t)sizeof(buf));
	close(fd);
	hv_guest_clear(&g);
}

static bool same_file(const char *a, const char *b)
{
	char *cmd = NULL;
	int rc;

	assert_true(asprintf(&cmd, "cmp -s '%s' '%s'", a, b) > 0);
	rc = system(cmd);
	free(cmd);
	return rc == 0;
}

struct counter {
	unsigned calls;
	uint64_t last, total;
	unsigned stop_after;    /* 0 = never */
};

static bool count_cb(void *opaque, uint64_t done, uint64_t total)
{
	struct counter *c = opaque;

	c->calls++;
	assert_true(done >= c->last);
	c->last = done;
	c->total = total;
	return !c->stop_after || c->calls < c->stop_after;
}

/* @name is a template, and the only one of the connection. */
static void assert_only_template(const char *name)
{
	char **names = NULL;
	size_t n = 0;
	bool on = false;

	assert_int_equal(hv_template_get(conn, name, &on, NULL), 0);
	assert_true(on);
	assert_int_equal(hv_templates(conn, &names, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], name);
	free(names[0]);
	free(names);
}

static void test_full(void **state)
{
	struct hv_clone_opts o = { .source = "src1", .name = "full1" };
	struct hv_guest *a = NULL, *b = NULL;
	struct counter c = { 0 };
	char *src = in_dir("src1"), *dst = in_dir("full1.img"), *cause = NULL;
	struct stat sa, sb;

	make_guest("src1");
	assert_int_equal(hv_clone(conn, &o, count_cb, &c, &cause), 0);
	assert_true(c.calls > 0);
	assert_int_equal(c.last, 64 << 20);
	assert_int_equal(c.total, 64 << 20);
	assert_true(same_file(src, dst));
	/* Holes stay holes: about the 1 MiB of data and the marker's block are allocated. */
	assert_int_equal(stat(src, &sa), 0);
	assert_int_equal(stat(dst, &sb), 0);
	assert_true(sb.st_blocks * 512 <= (off_t)(2 << 20));
	assert_int_equal(hv_get(conn, "src1", &a, NULL), 0);
	assert_int_equal(hv_get(conn, "full1", &b, NULL), 0);
	assert_string_not_equal(a->uuid, b->uuid);
	assert_int_equal(b->n_nics, 1);
	assert_string_not_equal(a->nics[0].mac, b->nics[0].mac);
	assert_true(hv_mac_valid(b->nics[0].mac));
	assert_string_equal(b->disks[0].path, dst);
	/* A fixed display port would clash when both run. */
	assert_int_equal(a->vnc_port, 5977);
	assert_int_equal(b->vnc_port, -1);
	hv_guest_free(a);
	hv_guest_free(b);
	/* The same name again: refused, nothing made. */
	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), -EEXIST);
	assert_non_null(strstr(cause, "full1"));
	free(cause);
	cause = NULL;
	o.name = "bad name";
	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), -EINVAL);
	free(cause);
	free(src);
	free(dst);
}

static void test_abort(void **state)
{
	struct hv_clone_opts o = { .source = "src1", .name = "stopped" };
	struct counter c = { .stop_after = 1 };
	struct hv_guest *g = NULL;
	char *dst = in_dir("stopped.img"), *cause = NULL;

	/* The first report comes after the first chunk: stop there. */
	assert_int_equal(hv_clone(conn, &o, count_cb, &c, &cause), -ECANCELED);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(access(dst, F_OK), -1);
	assert_int_equal(hv_get(conn, "stopped", &g, NULL), -ENOENT);
	free(dst);
}

static void test_linked(void **state)
{
	struct hv_clone_opts o = { .source = "src1", .name = "link1", .linked = true };
	char *over = in_dir("link1.qcow2"), *src = in_dir("src1"), *cause = NULL, **deps = NULL;
	size_t n = 0;
	struct hv_guest *g = NULL;

	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), 0);
	assert_int_equal(access(over, F_OK), 0);
	assert_int_equal(hv_get(conn, "link1", &g, NULL), 0);
	assert_string_equal(g->disks[0].path, over);
	assert_string_equal(g->disks[0].format, "qcow2");
	hv_guest_free(g);
	assert_int_equal(hv_clone_dependents(conn, "src1", &deps, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(deps[0], "link1");
	free(deps[0]);
	free(deps);
	/* The base may neither start nor go; both say which clone holds it. */
	assert_int_equal(hv_start(conn, "src1", &cause), -EPERM);
	assert_non_null(strstr(cause, "link1"));
	free(cause);
	cause = NULL;
	assert_int_equal(hv_undefine(conn, "src1", true, &cause), -EPERM);
	assert_non_null(strstr(cause, "link1"));
	free(cause);
	cause = NULL;
	assert_int_equal(access(src, F_OK), 0);
	/* Nor may an offline migration take it (and its disk) away from the clone. */
	{
		struct hv_mig_opts mo = { .mode = HV_MIG_OFFLINE };
		struct hv_preflight pf;
		bool named = false;

		assert_int_equal(hv_mig_preflight(conn, conn, "src1", &mo, &pf, NULL), 0);
		assert_true(pf.refused);
		for (size_t i = 0; i < pf.n; i++)
			named = named || (pf.items[i].level == HV_CHECK_REFUSE &&
					  strstr(pf.items[i].text, "linked clone link1"));
		assert_true(named);
		hv_preflight_clear(&pf);
	}
	/* The clone goes with its overlay alone. */
	assert_int_equal(hv_undefine(conn, "link1", true, &cause), 0);
	assert_int_equal(access(over, F_OK), -1);
	assert_int_equal(access(src, F_OK), 0);
	assert_int_equal(hv_clone_dependents(conn, "src1", &deps, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(deps);
	assert_int_equal(hv_start(conn, "src1", NULL), 0);
	/* A running guest is not cloned. */
	o.name = "link2";
	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), -EBUSY);
	free(cause);
	assert_int_equal(hv_destroy(conn, "src1", NULL), 0);
	free(over);
	free(src);
}

/*
 * A template marked by an earlier version, in the old placeholder namespace: still a template,
 * its clones are not, and the next change moves the element, other children kept, to HV_XMLNS.
 */
static void test_template_old_ns(void)
{
	struct hv_clone_opts o = { .source = "full1", .name = "fromold", .linked = true };
	virDomainPtr dom = virDomainLookupByName(conn->c, "full1");
	char *cause = NULL, *meta;
	bool on = false;

	assert_non_null(dom);
	assert_null(virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, HV_XMLNS_OLD,
					 VIR_DOMAIN_AFFECT_CONFIG));
	assert_int_equal(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, HV_XMLNS,
					      VIR_DOMAIN_AFFECT_CONFIG), 0);
	assert_int_equal(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
					      "<guest><backup last='y'/><template/></guest>", "ospite",
					      HV_XMLNS_OLD, VIR_DOMAIN_AFFECT_CONFIG), 0);
	assert_only_template("full1");
	assert_int_equal(hv_start(conn, "full1", &cause), -EPERM);
	free(cause);
	cause = NULL;
	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), 0);
	assert_int_equal(hv_template_get(conn, "fromold", &on, NULL), 0);
	assert_false(on);
	assert_int_equal(hv_undefine(conn, "fromold", true, NULL), 0);
	assert_int_equal(hv_template_set(conn, "full1", false, NULL), 0);
	assert_null(virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, HV_XMLNS_OLD,
					 VIR_DOMAIN_AFFECT_CONFIG));
	meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, HV_XMLNS,
				    VIR_DOMAIN_AFFECT_CONFIG);
	assert_non_null(meta);
	assert_non_null(strstr(meta, "last=\"y\""));
	assert_null(strstr(meta, "template"));
	free(meta);
	assert_int_equal(hv_template_set(conn, "full1", true, NULL), 0);
	assert_int_equal(hv_template_get(conn, "full1", &on, NULL), 0);
	assert_true(on);
	assert_int_equal(hv_template_set(conn, "full1", false, NULL), 0);
	virDomainFree(dom);
}

static void test_template(void **state)
{
	struct hv_clone_opts o = { .source = "full1", .name = "fromtpl", .linked = true };
	char *cause = NULL, *meta;
	bool on = true;
	virDomainPtr dom;

	assert_int_equal(hv_template_get(conn, "full1", &on, NULL), 0);
	assert_false(on);
	/* Another part of ospite's element is kept when the template mark comes and goes. */
	dom = virDomainLookupByName(conn->c, "full1");
	assert_non_null(dom);
	assert_int_equal(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
					      "<guest><backup last='x'/></guest>", "ospite", HV_XMLNS,
					      VIR_DOMAIN_AFFECT_CONFIG), 0);
	assert_int_equal(hv_template_set(conn, "full1", true, NULL), 0);
	assert_only_template("full1");
	assert_int_equal(hv_start(conn, "full1", &cause), -EPERM);
	assert_non_null(strstr(cause, "template"));
	free(cause);
	cause = NULL;
	/* A guest made from a template is not one. */
	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), 0);
	assert_int_equal(hv_template_get(conn, "fromtpl", &on, NULL), 0);
	assert_false(on);
	assert_int_equal(hv_undefine(conn, "fromtpl", true, NULL), 0);
	assert_int_equal(hv_template_set(conn, "full1", false, NULL), 0);
	meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, HV_XMLNS,
				    VIR_DOMAIN_AFFECT_CONFIG);
	assert_non_null(meta);
	assert_non_null(strstr(meta, "backup"));
	assert_null(strstr(meta, "template"));
	free(meta);
	virDomainFree(dom);
	assert_int_equal(hv_start(conn, "full1", NULL), 0);
	/* A running guest does not become a template. */
	assert_int_equal(hv_template_set(conn, "full1", true, &cause), -EBUSY);
	free(cause);
	assert_int_equal(hv_destroy(conn, "full1", NULL), 0);
	test_template_old_ns();
}

/* Run a shell command line; its status. */
static int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd = NULL;
	int rc;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return rc;
}

/* A 40 MiB raw image with one MBR partition at 1 MiB holding ext4 made from @tree (none: no file system). */
static char *image(const char *name, const char *tree)
{
	char *img = in_dir(name);

	assert_int_equal(sh("truncate -s 40M '%s' && echo 'start=2048, type=83' | "
			    "sfdisk -q '%s' >/dev/null 2>&1", img, img), 0);
	if (tree)
		assert_int_equal(sh("mkfs.ext4 -q -F -E offset=1048576 -d '%s' '%s' 30M", tree, img),
				 0);
	return img;
}

/*
 * The same images as qcow2, read through qemu-storage-daemon's FUSE export: the answers of the
 * raw ones, nothing changed, nothing left mounted; one with a backing file or an external data
 * file (which would make qemu open another file the image names) is refused unread.
 */
static void test_cloudinit_qcow2(const char *yes_raw, const char *no_raw)
{
	char *yes = in_dir("ci-yes.qcow2"), *no = in_dir("ci-no.qcow2"), *over = in_dir("ci-over.qcow2");
	char *ext = in_dir("ci-ext.qcow2"), *extdata = in_dir("ci-ext.data"), *cause = NULL;
	enum hv_ci ci;

	assert_int_equal(sh("qemu-img convert -f raw -O qcow2 '%s' '%s' && "
			    "qemu-img convert -f raw -O qcow2 '%s' '%s'", yes_raw, yes, no_raw, no), 0);
	assert_int_equal(sh("sha256sum '%s' '%s' >'%s.sum'", yes, no, yes), 0);
	assert_int_equal(hv_image_cloudinit(yes, "qcow2", &ci, &cause), 0);
	assert_int_equal(ci, HV_CI_YES);
	assert_int_equal(hv_image_cloudinit(no, "qcow2", &ci, &cause), 0);
	assert_int_equal(ci, HV_CI_NO);
	assert_null(cause);
	assert_int_equal(sh("sha256sum -c --quiet '%s.sum'", yes), 0);
	assert_int_equal(sh("! grep -q ospite-ci /proc/self/mountinfo && ! ls -d /tmp/ospite-ci.* 2>/dev/null"), 0);

	assert_int_equal(sh("qemu-img create -q -f qcow2 -F qcow2 -b '%s' '%s'", yes, over), 0);
	assert_int_equal(hv_image_cloudinit(over, "qcow2", &ci, &cause), -ENOTSUP);
	assert_int_equal(ci, HV_CI_UNKNOWN);
	assert_non_null(strstr(cause, "is an overlay over another image"));
	free(cause);
	cause = NULL;
	assert_int_equal(sh("qemu-img convert -q -f raw -O qcow2 -o data_file='%s' '%s' '%s'",
			    extdata, yes_raw, ext), 0);
	assert_int_equal(hv_image_cloudinit(ext, "qcow2", &ci, &cause), -ENOTSUP);
	assert_int_equal(ci, HV_CI_UNKNOWN);
	assert_non_null(strstr(cause, "keeps its data in another file"));
	free(cause);
	cause = NULL;
	/* A damaged header: qemu's refusal, in a sentence. */
	assert_int_equal(sh("cp '%s' '%s' && printf '\\377\\377\\377\\377' | "
			    "dd of='%s' bs=1 seek=20 conv=notrunc status=none", no, over, over), 0);
	assert_int_equal(hv_image_cloudinit(over, "qcow2", &ci, &cause), -EIO);
	assert_non_null(strstr(cause, "qemu could not read the image"));
	free(cause);
	assert_int_equal(sh("! grep -q ospite-ci /proc/self/mountinfo && ! ls -d /tmp/ospite-ci.* 2>/dev/null"), 0);
	free(yes);
	free(no);
	free(over);
	free(ext);
	free(extdata);
}

static void test_cloudinit(void **state)
{
	char *tree_yes = in_dir("tree-yes"), *tree_no = in_dir("tree-no"), *cause = NULL;
	char *yes, *no, *none;
	enum hv_ci ci;

	assert_int_equal(sh("mkdir -p '%s/etc/cloud' '%s/etc' && echo 'datasource_list: [NoCloud]' "
			    ">'%s/etc/cloud/cloud.cfg' && echo x >'%s/etc/hostname'", tree_yes, tree_no,
			    tree_yes, tree_no), 0);
	yes = image("ci-yes.img", tree_yes);
	no = image("ci-no.img", tree_no);
	none = image("ci-none.img", NULL);
	assert_int_equal(hv_image_cloudinit(yes, "raw", &ci, NULL), 0);
	assert_int_equal(ci, HV_CI_YES);
	assert_int_equal(hv_image_cloudinit(no, "raw", &ci, NULL), 0);
	assert_int_equal(ci, HV_CI_NO);
	/* Nothing readable, or a format it does not read: it says it cannot tell, and why. */
	assert_int_equal(hv_image_cloudinit(none, "raw", &ci, &cause), -ENOTSUP);
	assert_int_equal(ci, HV_CI_UNKNOWN);
	assert_non_null(strstr(cause, "No Linux file system"));
	free(cause);
	cause = NULL;
	assert_int_equal(hv_image_cloudinit(yes, "vmdk", &ci, &cause), -ENOTSUP);
	assert_int_equal(ci, HV_CI_UNKNOWN);
	free(cause);
	cause = NULL;
	/* A raw image that is not qcow2 is not read as one. */
	assert_int_equal(hv_image_cloudinit(yes, "qcow2", &ci, &cause), -EINVAL);
	assert_non_null(strstr(cause, "is not a qcow2 image"));
	free(cause);
	cause = NULL;
	/* The image was only read. */
	assert_int_equal(sh("sfdisk -d '%s' | grep -q 'start=        2048'", yes), 0);
	test_cloudinit_qcow2(yes, no);
	free(yes);
	free(no);
	free(none);
	free(tree_yes);
	free(tree_no);
}

static void test_seed(void **state)
{
	struct hv_seed s = { .hostname = "web-1", .address = "192.0.2.10/24", .gateway = "192.0.2.1",
			     .dns = "192.0.2.53, 192.0.2.54" };
	char *seed = in_dir("web-1-seed.img"), *cause = NULL;

	assert_int_equal(hv_seed_make(seed, &s, "52:54:00:01:02:03", &cause), 0);
	assert_int_equal(sh("MTOOLS_SKIP_CHECK=1 mtype -i '%s' ::meta-data | "
			    "grep -qx 'local-hostname: web-1'", seed), 0);
	assert_int_equal(sh("MTOOLS_SKIP_CHECK=1 mtype -i '%s' ::user-data | "
			    "grep -qx 'hostname: web-1'", seed), 0);
	assert_int_equal(sh("MTOOLS_SKIP_CHECK=1 mtype -i '%s' ::network-config | tr -d '\r' | "
			    "grep -q 'macaddress: \"52:54:00:01:02:03\"'", seed), 0);
	assert_int_equal(sh("MTOOLS_SKIP_CHECK=1 mtype -i '%s' ::network-config | "
			    "grep -qF 'addresses: [\"192.0.2.53\", \"192.0.2.54\"]'", seed), 0);
	assert_int_equal(sh("blkid -o value -s LABEL '%s' | grep -qx CIDATA", seed), 0);
	/* An existing file is never overwritten, nor removed. */
	assert_int_equal(hv_seed_make(seed, &s, NULL, &cause), -EEXIST);
	free(cause);
	cause = NULL;
	assert_int_equal(access(seed, F_OK), 0);
	/* Bad identities are refused with a sentence each. */
	s.hostname = "web_1";
	assert_int_equal(hv_seed_check(&s, &cause), -EINVAL);
	assert_non_null(strstr(cause, "web_1"));
	free(cause);
	cause = NULL;
	s.hostname = "web-1";
	s.address = "192.0.2.10";
	assert_int_equal(hv_seed_check(&s, &cause), -EINVAL);
	free(cause);
	cause = NULL;
	s.address = "";
	assert_int_equal(hv_seed_check(&s, &cause), -EINVAL);
	free(cause);
	cause = NULL;
	s.gateway = NULL;
	s.dns = "192.0.2.53; rm -rf /";
	assert_int_equal(hv_seed_check(&s, &cause), -EINVAL);
	free(cause);
	free(seed);
}

static void test_clone_seed(void **state)
{
	struct hv_seed s = { .hostname = "seeded" };
	struct hv_clone_opts o = { .source = "src1", .name = "seeded", .linked = true, .seed = &s };
	char *seed = in_dir("seeded-seed.img"), *cause = NULL;
	struct hv_guest *g = NULL;
	bool found = false;

	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), 0);
	assert_int_equal(access(seed, F_OK), 0);
	assert_int_equal(hv_get(conn, "seeded", &g, NULL), 0);
	for (size_t i = 0; i < g->n_disks; i++)
		found = found || (g->disks[i].readonly && g->disks[i].path &&
				  !strcmp(g->disks[i].path, seed));
	assert_true(found);
	hv_guest_free(g);
	/* A clone of it does not get (nor share) its seed: that identity is the original's. */
	{
		struct hv_clone_opts o2 = { .source = "seeded", .name = "seeded2", .linked = true };

		assert_int_equal(hv_clone(conn, &o2, NULL, NULL, NULL), 0);
		assert_int_equal(hv_get(conn, "seeded2", &g, NULL), 0);
		for (size_t i = 0; i < g->n_disks; i++)
			assert_null(g->disks[i].path && strstr(g->disks[i].path, "-seed.img") ?
				    g->disks[i].path : NULL);
		hv_guest_free(g);
		assert_int_equal(hv_undefine(conn, "seeded2", true, NULL), 0);
	}
	/* Deleted with its storage, the guest takes its seed along. */
	assert_int_equal(hv_undefine(conn, "seeded", true, NULL), 0);
	assert_int_equal(access(seed, F_OK), -1);
	/* A refused clone leaves no seed behind. */
	s.hostname = "bad name";
	assert_int_equal(hv_clone(conn, &o, NULL, NULL, &cause), -EINVAL);
	free(cause);
	assert_int_equal(access(seed, F_OK), -1);
	free(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_linked),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_cloudinit),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_clone_seed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
