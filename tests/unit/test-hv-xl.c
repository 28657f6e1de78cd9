/* Unit tests of xl/xm import and export: the seed's guest, Xen's own examples, and export read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "hv/hv.h"

/* The fixtures sit next to this file's folder; make runs the tests from the top of the tree. */
static char *fixture(const char *name)
{
	char *p;
	const char *file = __FILE__, *slash = strrchr(file, '/');
	int dir_len = slash ? (int)(slash - file) : 0;

	assert_true(asprintf(&p, "%.*s%s../fixtures/%s", dir_len, file, slash ? "/" : "",
			     name) > 0);
	return p;
}

static struct hv_guest *import(const char *name, struct hv_xl_report *r)
{
	char *path = fixture(name), *cause = NULL;
	struct hv_guest *g = NULL;
	int rc = hv_xl_import(path, &g, r, &cause);

	if (rc < 0)
		fail_msg("%s: %s", path, cause ? cause : "?");
	assert_non_null(g);
	free(path);
	return g;
}

static const struct hv_xl_note *find_note(const struct hv_xl_report *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->notes[i].key, key) == 0)
			return &r->notes[i];
	}
	return NULL;
}

/* Whether @key is assigned on a line of @text that is not a comment. */
static bool assigned(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		l += strspn(l, " \t");
		if (strncmp(l, key, kl) == 0 && l[kl + strspn(l + kl, " \t")] == '=')
			return true;
	}
	return false;
}

/* Every key assigned in the file, found here by a plain line scan, has a note, and no other key has. */
static void assert_keys_noted(const char *name, const struct hv_xl_report *r)
{
	char *path = fixture(name), *data = NULL, *copy, *line, *save = NULL;
	size_t keys = 0;

	assert_int_equal(hcfg_read_file(path, &data, NULL), 0);
	copy = strdup(data);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64];

		if (line[strspn(line, " \t")] == '#' ||
		    sscanf(line, " %63[A-Za-z0-9_] =", key) != 1 || !strchr(line, '='))
			continue;
		if (!find_note(r, key))
			fail_msg("%s: the key %s has no note", name, key);
		keys++;
	}
	assert_true(keys > 3);
	for (size_t i = 0; i < r->n; i++) {
		if (!assigned(data, r->notes[i].key))
			fail_msg("%s: a note about %s, which the file does not set", name,
				 r->notes[i].key);
		assert_non_null(r->notes[i].what);
		assert_true(strlen(r->notes[i].what) > 5);
	}
	free(copy);
	free(data);
	free(path);
}

static void test_iris(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g = import("iris.cfg", &r);
	const struct hv_xl_note *n;

	assert_string_equal(g->name, "iris");
	assert_false(g->pv);
	assert_int_equal(g->memory_kib, 3500 * 1024);
	assert_int_equal(g->max_memory_kib, 0);
	assert_int_equal(g->vcpus, 4);
	assert_int_equal(g->n_disks, 3);
	/* The OS in a sparse file, mailboxes and swap on the host's partitions. */
	assert_int_equal(g->disks[0].kind, HV_DISK_FILE);
	assert_string_equal(g->disks[0].path, "/xen/iris.img");
	assert_string_equal(g->disks[0].target, "hda");
	assert_string_equal(g->disks[0].bus, "ide");
	assert_false(g->disks[0].readonly);
	assert_int_equal(g->disks[1].kind, HV_DISK_BLOCK);
	assert_string_equal(g->disks[1].path, "/dev/sdb5");
	assert_string_equal(g->disks[1].target, "hdb");
	assert_false(g->disks[1].readonly);
	assert_int_equal(g->disks[2].kind, HV_DISK_BLOCK);
	assert_string_equal(g->disks[2].path, "/dev/sdb6");
	assert_string_equal(g->disks[2].target, "hdc");
	assert_int_equal(g->n_nics, 1);
	assert_string_equal(g->nics[0].mac, "00:16:3e:65:b1:db");
	assert_string_equal(g->nics[0].bridge, "xenbr0");
	assert_null(g->nics[0].model);
	assert_true(g->vnc);
	assert_int_equal(g->vnc_port, -1);
	assert_true(g->acpi);
	assert_true(g->apic);
	assert_true(g->pae);
	assert_int_equal(g->on_reboot, HV_LC_RESTART);
	assert_int_equal(g->on_crash, HV_LC_RESTART);
	assert_int_equal(g->on_poweroff, HV_LC_DESTROY);
	/* serial is commented out in the file. */
	assert_false(g->serial);
	assert_null(g->kernel);
	assert_int_equal(g->boot[0], HV_BOOT_HD);

	assert_keys_noted("iris.cfg", &r);
	assert_null(find_note(&r, "serial"));
	n = find_note(&r, "device_model");
	assert_non_null(n);
	assert_false(n->mapped);
	n = find_note(&r, "kernel");
	assert_true(n->mapped);
	assert_non_null(strstr(n->what, "hvmloader"));
	n = find_note(&r, "memory");
	assert_true(n->mapped);
	assert_non_null(strstr(n->what, "3500"));
	assert_true(find_note(&r, "builder")->mapped);
	assert_true(find_note(&r, "vfb")->mapped);
	assert_true(find_note(&r, "disk")->mapped);
	/* The vif's type=ioemu has a note of its own, besides the card's. */
	size_t vif_notes = 0;

	for (size_t i = 0; i < r.n; i++) {
		if (strcmp(r.notes[i].key, "vif") == 0) {
			vif_notes++;
			if (strstr(r.notes[i].what, "type=ioemu"))
				assert_true(r.notes[i].mapped);
		}
	}
	assert_int_equal(vif_notes, 2);
	hv_xl_report_clear(&r);
	assert_int_equal(r.n, 0);
	hv_guest_free(g);
}

static void test_hvm_example(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g = import("xlexample.hvm", &r);

	assert_string_equal(g->name, "example.hvm");
	assert_false(g->pv);
	assert_int_equal(g->memory_kib, 128 * 1024);
	assert_int_equal(g->vcpus, 2);
	assert_int_equal(g->n_nics, 1);
	assert_string_equal(g->nics[0].bridge, "xenbr0");
	assert_string_equal(g->nics[0].mac, "");
	assert_int_equal(g->n_disks, 1);
	assert_int_equal(g->disks[0].kind, HV_DISK_BLOCK);
	assert_string_equal(g->disks[0].path, "/dev/vg/guest-volume");
	assert_string_equal(g->disks[0].format, "raw");
	assert_string_equal(g->disks[0].target, "xvda");
	assert_string_equal(g->disks[0].bus, "xen");
	assert_true(g->acpi && g->apic && g->pae);
	/* No vnc= line: xl's default for HVM is a VNC display on the first free port. */
	assert_true(g->vnc);
	assert_int_equal(g->vnc_port, -1);
	assert_keys_noted("xlexample.hvm", &r);
	assert_false(find_note(&r, "sdl")->mapped);
	hv_xl_report_clear(&r);
	hv_guest_free(g);
}

static void test_pv_examples(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g = import("xlexample.pvlinux", &r);

	assert_string_equal(g->name, "example.pvlinux");
	assert_true(g->pv);
	assert_string_equal(g->kernel, "/boot/vmlinuz");
	assert_string_equal(g->cmdline, "root=/dev/xvda1");
	assert_int_equal(g->memory_kib, 128 * 1024);
	assert_int_equal(g->vcpus, 2);
	assert_true(g->serial);
	assert_false(g->acpi);
	assert_int_equal(g->boot[0], HV_BOOT_NONE);
	assert_keys_noted("xlexample.pvlinux", &r);
	assert_true(find_note(&r, "extra")->mapped);
	hv_xl_report_clear(&r);
	hv_guest_free(g);

	g = import("xlexample.pvhlinux", &r);
	assert_string_equal(g->name, "example.pvhlinux");
	assert_true(g->pv);
	assert_int_equal(g->memory_kib, 512 * 1024);
	assert_int_equal(g->vcpus, 4);
	assert_string_equal(g->disks[0].path, "/dev/zvol/tank/guest-volume");
	assert_keys_noted("xlexample.pvhlinux", &r);
	/* PVH has no place in the model: the note says what it became. */
	assert_non_null(strstr(find_note(&r, "type")->what, "PV"));
	hv_xl_report_clear(&r);
	hv_guest_free(g);
}

/* Two optional strings are equal, NULL only to NULL. */
static void assert_opt_equal(const char *what, const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		fail_msg("%s: \"%s\" != \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
}

static void assert_same_guest(const struct hv_guest *a, const struct hv_guest *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->uuid, b->uuid);
	assert_int_equal(a->pv, b->pv);
	assert_int_equal(a->memory_kib, b->memory_kib);
	assert_int_equal(a->max_memory_kib, b->max_memory_kib);
	assert_int_equal(a->vcpus, b->vcpus);
	assert_int_equal(a->n_disks, b->n_disks);
	for (size_t i = 0; i < a->n_disks; i++) {
		const struct hv_disk *x = &a->disks[i], *y = &b->disks[i];

		assert_int_equal(x->kind, y->kind);
		assert_opt_equal("disk path", x->path, y->path);
		assert_opt_equal("disk format", x->format, y->format);
		assert_opt_equal("disk target", x->target, y->target);
		assert_opt_equal("disk bus", x->bus, y->bus);
		assert_int_equal(x->readonly, y->readonly);
	}
	assert_int_equal(a->n_nics, b->n_nics);
	for (size_t i = 0; i < a->n_nics; i++) {
		assert_string_equal(a->nics[i].mac, b->nics[i].mac);
		assert_string_equal(a->nics[i].bridge, b->nics[i].bridge);
		assert_opt_equal("NIC model", a->nics[i].model, b->nics[i].model);
	}
	assert_int_equal(a->vnc, b->vnc);
	assert_int_equal(a->vnc_port, b->vnc_port);
	assert_opt_equal("VNC address", a->vnc_listen, b->vnc_listen);
	assert_opt_equal("VNC password", a->vnc_password, b->vnc_password);
	assert_int_equal(a->serial, b->serial);
	assert_int_equal(a->acpi, b->acpi);
	assert_int_equal(a->apic, b->apic);
	assert_int_equal(a->pae, b->pae);
	assert_int_equal(a->on_poweroff, b->on_poweroff);
	assert_int_equal(a->on_reboot, b->on_reboot);
	assert_int_equal(a->on_crash, b->on_crash);
	assert_memory_equal(a->boot, b->boot, sizeof(a->boot));
	assert_opt_equal("kernel", a->kernel, b->kernel);
	assert_opt_equal("initrd", a->initrd, b->initrd);
	assert_opt_equal("cmdline", a->cmdline, b->cmdline);
	assert_opt_equal("bootloader", a->bootloader, b->bootloader);
	assert_opt_equal("bootloader_args", a->bootloader_args, b->bootloader_args);
}

/* Export @g, write it to a file, import that file: the same guest must come back. */
static void export_reimport(const struct hv_guest *g)
{
	char tmpl[] = "/tmp/test-hv-xl.XXXXXX", *text = NULL, *cause = NULL;
	struct hv_xl_report r = { 0 };
	struct hv_guest *back = NULL;
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hv_xl_export(g, &text, &cause), 0);
	assert_int_equal(hcfg_write_file(tmpl, text, 0600, NULL), 0);
	int rc = hv_xl_import(tmpl, &back, &r, &cause);

	unlink(tmpl);
	if (rc < 0)
		fail_msg("%s\n%s", cause, text);
	assert_same_guest(g, back);
	/* Everything export writes is something import maps. */
	for (size_t i = 0; i < r.n; i++) {
		if (!r.notes[i].mapped)
			fail_msg("export wrote %s, which import does not map: %s", r.notes[i].key,
				 r.notes[i].what);
	}
	hv_xl_report_clear(&r);
	hv_guest_free(back);
	free(text);
}

static void test_export(void **state)
{
	static const char *const files[] = { "iris.cfg", "xlexample.hvm", "xlexample.pvlinux",
					     "xlexample.pvhlinux" };
	struct hv_guest *g;
	struct hv_disk *d;
	char *text = NULL;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		g = import(files[i], NULL);
		export_reimport(g);
		hv_guest_free(g);
	}

	/* Odd paths and settings xl still has to read back whole. */
	g = import("iris.cfg", NULL);
	snprintf(g->uuid, sizeof(g->uuid), "6b1b7ad4-6a0c-4a8f-9d0e-2b5b0c6c9a11");
	g->max_memory_kib = 4096 * 1024;
	free(g->disks[0].path);
	g->disks[0].path = strdup("/srv/it's, \"odd\".img");
	free(g->disks[0].format);
	g->disks[0].format = strdup("qcow2");
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_CDROM;
	d->path = strdup("/srv/iso/debian.iso");
	d->format = strdup("raw");    /* what libxlutil reads when format= is left out */
	d->target = strdup("hdd");
	d->bus = strdup("ide");
	d->readonly = true;
	g->nics[0].model = strdup("e1000");
	g->vnc_listen = strdup("0.0.0.0");
	g->vnc_port = 5901;
	g->vnc_password = strdup("pa\"ss");
	g->serial = true;
	g->acpi = false;
	g->on_poweroff = HV_LC_PRESERVE;
	g->on_crash = HV_LC_COREDUMP_RESTART;
	g->boot[0] = HV_BOOT_CDROM;
	g->boot[1] = HV_BOOT_NETWORK;
	g->boot[2] = HV_BOOT_HD;
	g->kernel = strdup("/srv/boot/vmlinuz");
	g->initrd = strdup("/srv/boot/initrd.img");
	g->cmdline = strdup("console=ttyS0 quiet");
	export_reimport(g);
	assert_int_equal(hv_xl_export(g, &text, NULL), 0);
	assert_non_null(strstr(text, "memory = 3500\n"));
	assert_non_null(strstr(text, "maxmem = 4096\n"));
	assert_non_null(strstr(text, "boot = \"dnc\"\n"));
	free(text);
	hv_guest_free(g);
}

static void test_bad_files(void **state)
{
	char tmpl[] = "/tmp/test-hv-xl.XXXXXX", *cause = NULL;
	struct hv_guest *g = NULL;
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hcfg_write_file(tmpl, "name = \"x\"\nmemory = [ 'a'\n", 0600, NULL), 0);
	assert_int_equal(hv_xl_import(tmpl, &g, NULL, &cause), -EINVAL);
	assert_null(g);
	assert_non_null(strstr(cause, tmpl));
	assert_int_equal(hcfg_write_file(tmpl, "memory = 256\n", 0600, NULL), 0);
	assert_int_equal(hv_xl_import(tmpl, &g, NULL, &cause), -EINVAL);
	assert_int_equal(hv_xl_import("/nonexistent/guest.cfg", &g, NULL, &cause), -ENOENT);
	unlink(tmpl);
	free(cause);
}

/* Import @text written to a temporary file; the result, with *g and *cause set as by hv_xl_import(). */
static int import_text(const char *text, struct hv_guest **g, struct hv_xl_report *r, char **cause)
{
	char tmpl[] = "/tmp/test-hv-xl.XXXXXX";
	int fd = mkstemp(tmpl), rc;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hcfg_write_file(tmpl, text, 0600, NULL), 0);
	rc = hv_xl_import(tmpl, g, r, cause);
	unlink(tmpl);
	return rc;
}

/* Import @text, which must succeed. */
static struct hv_guest *import_ok(const char *text, struct hv_xl_report *r)
{
	struct hv_guest *g = NULL;
	char *cause = NULL;

	if (import_text(text, &g, r, &cause) < 0)
		fail_msg("%s\n%s", cause ? cause : "?", text);
	assert_non_null(g);
	return g;
}

static void test_bootloader(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g, *back = NULL;
	char *xml = NULL, *cause = NULL;
	const struct hv_xl_note *n;

	g = import_ok("name = \"pyg\"\nmemory = 512\nbootloader = \"pygrub\"\n"
		      "bootloader_args = [ \"-q\", \"--entry=1\" ]\nextra = \"console=hvc0\"\n"
		      "", &r);
	assert_true(g->pv);
	assert_null(g->kernel);
	assert_string_equal(g->bootloader, "pygrub");
	assert_string_equal(g->bootloader_args, "-q --entry=1");
	n = find_note(&r, "bootloader");
	assert_non_null(n);
	assert_true(n->mapped);
	assert_non_null(strstr(n->what, "pygrub"));
	assert_true(find_note(&r, "bootloader_args")->mapped);
	assert_int_equal(hv_guest_check(g, 0, &cause), 0);
	assert_int_equal(hv_guest_to_xml(g, "xen", &xml, &cause), 0);
	assert_non_null(strstr(xml, "<bootloader>pygrub</bootloader>"));
	assert_non_null(strstr(xml, "<bootloader_args>-q --entry=1</bootloader_args>"));
	assert_int_equal(hv_guest_from_xml(xml, &back, &cause), 0);
	assert_string_equal(back->bootloader, "pygrub");
	assert_string_equal(back->bootloader_args, "-q --entry=1");
	export_reimport(g);
	free(xml);
	hv_guest_free(back);
	hv_guest_free(g);
	hv_xl_report_clear(&r);

	/* xm's spelling: one string of arguments. */
	g = import_ok("name = \"pvg\"\nbootloader = \"pvgrub\"\nbootargs = \"-q\"\n", &r);
	assert_string_equal(g->bootloader, "pvgrub");
	assert_string_equal(g->bootloader_args, "-q");
	export_reimport(g);
	hv_guest_free(g);
	hv_xl_report_clear(&r);

	/* A PV guest with no way to find a kernel is refused, not imported unbootable. */
	g = NULL;
	assert_int_equal(import_text("name = \"none\"\nmemory = 256\n", &g, &r, &cause), -EINVAL);
	assert_null(g);
	assert_non_null(strstr(cause, "boot loader"));
	free(cause);
}

static void test_hvm_vnc_default(void **state)
{
	struct hv_guest *g;

	g = import_ok("name = \"h\"\ntype = \"hvm\"\n", NULL);
	assert_true(g->vnc);
	assert_int_equal(g->vnc_port, -1);
	hv_guest_free(g);
	g = import_ok("name = \"h\"\nbuilder = \"hvm\"\nvnc = 0\n", NULL);
	assert_false(g->vnc);
	hv_guest_free(g);
	g = import_ok("name = \"h\"\ntype = \"hvm\"\nnographic = 1\n", NULL);
	assert_false(g->vnc);
	hv_guest_free(g);
	/* A PV guest has a display only when vfb asks for one. */
	g = import_ok("name = \"p\"\nkernel = \"/boot/vmlinuz\"\n", NULL);
	assert_false(g->vnc);
	hv_guest_free(g);
}

static void test_disk_phy_relative(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g;

	g = import_ok("name = \"d\"\ntype = \"hvm\"\ndisk = [ 'phy:hda1,hda1,w', 'phy:/dev/sdb,hdb,r' ]\n", &r);
	assert_int_equal(g->n_disks, 2);
	assert_int_equal(g->disks[0].kind, HV_DISK_BLOCK);
	assert_string_equal(g->disks[0].path, "/dev/hda1");
	assert_string_equal(g->disks[1].path, "/dev/sdb");
	assert_non_null(strstr(find_note(&r, "disk")->what, "/dev/hda1"));
	hv_xl_report_clear(&r);
	hv_guest_free(g);
}

/* Windows line ends are read as line ends; relative paths are taken from the file's folder. */
static void test_crlf_and_relative_paths(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g;

	g = import_ok("name = \"w\"\r\nkernel = \"vmlinuz\"\r\nramdisk = \"initrd.img\"\r\n"
		      "disk = [ 'file:img/w.img,xvda,w', 'file:/srv/w2.img,xvdb,w' ]\r\n", &r);
	assert_string_equal(g->name, "w");
	/* import_text() writes the file in /tmp. */
	assert_string_equal(g->kernel, "/tmp/vmlinuz");
	assert_string_equal(g->initrd, "/tmp/initrd.img");
	assert_string_equal(g->disks[0].path, "/tmp/img/w.img");
	assert_string_equal(g->disks[1].path, "/srv/w2.img");
	hv_xl_report_clear(&r);
	hv_guest_free(g);

	/* With a boot loader, the kernel is a path inside the guest's disk: left alone. */
	g = import_ok("name = \"b\"\nkernel = \"boot/vmlinuz\"\nbootloader = \"pygrub\"\n", &r);
	assert_string_equal(g->kernel, "boot/vmlinuz");
	assert_non_null(strstr(find_note(&r, "kernel")->what, "inside the guest's disk"));
	hv_xl_report_clear(&r);
	hv_guest_free(g);
}

static void test_disk_block_script(void **state)
{
	static const char *const disks[] = {
		"nbd:192.168.0.1:7000,xvda,w",
		"iscsi:iqn.2001-05.com.example:vol0,xvdb,w",
		"drbd:r0,xvdc,w",
		"vdev=xvdd, access=rw, script=block-custom, target=some-arg",
	};
	struct hv_xl_report r = { 0 };

	for (size_t i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		struct hv_guest *g;
		char *text = NULL;

		assert_true(asprintf(&text, "name = \"s\"\ntype = \"hvm\"\ndisk = [ '%s', 'file:/srv/ok.img,xvde,w' ]\n",
				     disks[i]) > 0);
		g = import_ok(text, &r);
		/* Only the plain image file is kept. */
		assert_int_equal(g->n_disks, 1);
		assert_string_equal(g->disks[0].path, "/srv/ok.img");
		assert_int_equal(r.n, 4);
		for (size_t j = 0; j < r.n; j++) {
			if (strcmp(r.notes[j].key, "disk") == 0 && strstr(r.notes[j].what, disks[i])) {
				assert_false(r.notes[j].mapped);
				assert_non_null(strstr(r.notes[j].what, "script"));
			}
			if (strcmp(r.notes[j].key, "disk") == 0 && r.notes[j].mapped)
				assert_non_null(strstr(r.notes[j].what, "/srv/ok.img"));
		}
		hv_xl_report_clear(&r);
		hv_guest_free(g);
		free(text);
	}
}

static void test_vnc_empty_password(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g;
	const struct hv_xl_note *n;

	g = import_ok("name = \"v\"\ntype = \"hvm\"\nvnc = 1\nvncpasswd = ''\n", &r);
	assert_true(g->vnc);
	assert_null(g->vnc_password);
	n = find_note(&r, "vncpasswd");
	assert_non_null(n);
	assert_non_null(strstr(n->what, "no password"));
	hv_xl_report_clear(&r);
	hv_guest_free(g);

	g = import_ok("name = \"v\"\ntype = \"hvm\"\nvncpasswd = 'secret'\n", &r);
	assert_string_equal(g->vnc_password, "secret");
	assert_null(strstr(find_note(&r, "vncpasswd")->what, "no password"));
	hv_xl_report_clear(&r);
	hv_guest_free(g);
}

static void test_last_line_and_python(void **state)
{
	static const struct {
		const char *text, *line;
	} py[] = {
		{ "import os\nname = \"x\"\nkernel = \"/boot/vmlinuz\"\n", "import os" },
		{ "name = \"x\"\nkernel = \"/boot/vmlinuz\"\nmemory = 256 * 2\n", "memory = 256 * 2" },
		{ "name = \"x\"\nkernel = \"/boot/vmlinuz\"\nvif = [ 'mac=%s' % mac ]\n", "vif = [ 'mac=%s' % mac ]" },
	};
	struct hv_guest *g = NULL;
	char *cause = NULL;

	/* The last line ends without a newline, here a comment. */
	g = import_ok("name = \"x\"\nkernel = \"/boot/vmlinuz\"\n# the end", NULL);
	assert_string_equal(g->name, "x");
	hv_guest_free(g);
	g = import_ok("kernel = \"/boot/vmlinuz\"\nname = \"y\"", NULL);
	assert_string_equal(g->name, "y");
	hv_guest_free(g);

	for (size_t i = 0; i < sizeof(py) / sizeof(py[0]); i++) {
		g = NULL;
		assert_int_equal(import_text(py[i].text, &g, NULL, &cause), -EINVAL);
		assert_null(g);
		if (!strstr(cause, "Python") || !strstr(cause, py[i].line))
			fail_msg("%s", cause);
		free(cause);
		cause = NULL;
	}
	/* A plain syntax error is not called Python. */
	assert_int_equal(import_text("name = \"x\"\nmemory = [ 'a'\n", &g, NULL, &cause), -EINVAL);
	assert_null(strstr(cause, "Python"));
	free(cause);
}

static void test_memory_overflow(void **state)
{
	static const char *const bad[] = {
		"name = \"m\"\nkernel = \"/boot/vmlinuz\"\nmemory = 18014398509481985\n",
		"name = \"m\"\nkernel = \"/boot/vmlinuz\"\nmemory = 9223372036854775807\n",
		"name = \"m\"\nkernel = \"/boot/vmlinuz\"\nmemory = 512\nmaxmem = 18014398509481985\n",
		"name = \"m\"\nkernel = \"/boot/vmlinuz\"\nmemory = 68719477\n",
		"name = \"m\"\nkernel = \"/boot/vmlinuz\"\nmemory = 99999999999999999999\n",
	};
	struct hv_guest *g = NULL;
	char *cause = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(import_text(bad[i], &g, NULL, &cause), -EINVAL);
		assert_null(g);
		if (!strstr(cause, "MiB") || !strstr(cause, i == 2 ? "maxmem = 18014398509481985" : "memory = "))
			fail_msg("%s", cause);
		free(cause);
		cause = NULL;
	}
	assert_int_equal(import_text(bad[4], &g, NULL, &cause), -EINVAL);
	assert_non_null(strstr(cause, "memory = 99999999999999999999 MiB"));
	free(cause);
	/* 64 TiB is still taken, exactly. */
	g = import_ok("name = \"m\"\nkernel = \"/boot/vmlinuz\"\nmemory = 67108864\n", NULL);
	assert_true(g->memory_kib == 67108864ULL * 1024);
	hv_guest_free(g);
}

/* A Xen PV guest brought to KVM: its xvda becomes the virtio vda it can start with, with a note. */
static void test_fit_disks_kvm(void **state)
{
	struct hv_xl_report r = { 0 };
	struct hv_guest *g = import("xlexample.pvlinux", &r);
	size_t before = r.n;

	assert_string_equal(g->disks[0].target, "xvda");
	assert_string_equal(g->disks[0].bus, "xen");
	/* On Xen nothing changes. */
	assert_int_equal(hv_xl_fit_disks(g, "xen", &r), 0);
	assert_string_equal(g->disks[0].target, "xvda");
	assert_int_equal(r.n, before);
	assert_int_equal(hv_xl_fit_disks(g, "kvm", &r), 1);
	assert_string_equal(g->disks[0].target, "vda");
	assert_string_equal(g->disks[0].bus, "virtio");
	assert_int_equal(r.n, before + 1);
	assert_non_null(strstr(r.notes[before].what, "vda"));
	/* The XML libvirt gets has no Xen bus left. */
	char *xml = NULL, *cause = NULL;

	assert_int_equal(hv_guest_to_xml(g, "kvm", &xml, &cause), 0);
	assert_null(strstr(xml, "'xen'"));
	assert_null(strstr(xml, "\"xen\""));
	assert_non_null(strstr(xml, "vda"));
	free(xml);
	/* Already fitted: a second pass changes nothing. */
	assert_int_equal(hv_xl_fit_disks(g, "qemu", &r), 0);
	hv_xl_report_clear(&r);
	hv_guest_free(g);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iris),
		cmocka_unit_test(test_hvm_example),
		cmocka_unit_test(test_pv_examples),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bootloader),
		cmocka_unit_test(test_hvm_vnc_default),
		cmocka_unit_test(test_disk_phy_relative),
		cmocka_unit_test(test_disk_block_script),
		cmocka_unit_test(test_crlf_and_relative_paths),
		cmocka_unit_test(test_vnc_empty_password),
		cmocka_unit_test(test_last_line_and_python),
		cmocka_unit_test(test_memory_overflow),
		cmocka_unit_test(test_fit_disks_kvm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
