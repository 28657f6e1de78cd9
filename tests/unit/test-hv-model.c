/* Unit tests of the guest model: names, MACs, checks, and the domain XML it becomes and is read back from. */
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

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "hv/hv.h"

/* ---- XPath over the XML under test ------------------------------------------ */

static xmlDocPtr parse(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, strlen(xml), "t.xml", NULL, XML_PARSE_NONET);

	assert_non_null(doc);
	return doc;
}

/* The string value of @expr, "" when nothing matches. */
static char *xs(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	char *wrapped, *s;
	xmlXPathObjectPtr o;

	assert_true(asprintf(&wrapped, "string(%s)", expr) > 0);
	o = xmlXPathEvalExpression(BAD_CAST wrapped, ctx);
	assert_non_null(o);
	s = strdup(o->stringval ? (const char *)o->stringval : "");
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	free(wrapped);
	return s;
}

static int xcount(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	int n;

	assert_non_null(o);
	n = o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return n;
}

#define assert_xs(doc, expr, want)                 \
	do {                                       \
		char *got_ = xs((doc), (expr));    \
		assert_string_equal(got_, (want)); \
		free(got_);                        \
	} while (0)

/* ---- names, MACs --------------------------------------------------------------- */

static void test_names(void **state)
{
	char long_name[80];

	assert_true(hv_name_valid("iris"));
	assert_true(hv_name_valid("web-1.example_2"));
	assert_true(hv_name_valid("9lives"));
	assert_false(hv_name_valid(""));
	assert_false(hv_name_valid(NULL));
	assert_false(hv_name_valid("-iris"));
	assert_false(hv_name_valid(".iris"));
	assert_false(hv_name_valid("iris mail"));
	assert_false(hv_name_valid("iris/mail"));
	assert_false(hv_name_valid("irìs"));
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_true(hv_name_valid(long_name));
	long_name[64] = 'a';
	long_name[65] = '\0';
	assert_false(hv_name_valid(long_name));
}

static void test_macs(void **state)
{
	char a[18], b[18];

	assert_true(hv_mac_valid("00:16:3e:65:b1:db"));
	assert_true(hv_mac_valid("52:54:00:AB:cd:01"));
	assert_false(hv_mac_valid("01:16:3e:65:b1:db"));   /* multicast */
	assert_false(hv_mac_valid("00:00:00:00:00:00"));
	assert_false(hv_mac_valid("00:16:3e:65:b1"));
	assert_false(hv_mac_valid("00:16:3e:65:b1:dbx"));
	assert_false(hv_mac_valid("00-16-3e-65-b1-db"));
	assert_false(hv_mac_valid("00:16:3e:65:b1:gg"));
	assert_false(hv_mac_valid(NULL));

	hv_mac_generate(true, a);
	assert_int_equal(strlen(a), 17);
	assert_memory_equal(a, "00:16:3e:", 9);
	assert_true(hv_mac_valid(a));
	hv_mac_generate(false, b);
	assert_memory_equal(b, "52:54:00:", 9);
	assert_true(hv_mac_valid(b));
	hv_mac_generate(false, a);
	/* 24 random bits: equal twice in a row means the generator is not random. */
	assert_string_not_equal(a, b);
}

/* ---- checks ------------------------------------------------------------------- */

static struct hv_guest *small_guest(void)
{
	struct hv_guest *g = calloc(1, sizeof(*g));

	hv_guest_init(g);
	g->name = strdup("iris");
	return g;
}

static void test_defaults(void **state)
{
	struct hv_guest g;

	hv_guest_init(&g);
	assert_int_equal(g.arch, HV_ARCH_X86_64);
	assert_false(g.pv);
	assert_int_equal(g.vcpus, 1);
	assert_int_equal(g.memory_kib, 512 * 1024);
	assert_true(g.acpi && g.apic && g.pae && g.serial && g.vnc);
	assert_int_equal(g.vnc_port, -1);
	assert_int_equal(g.boot[0], HV_BOOT_HD);
	assert_int_equal(g.on_reboot, HV_LC_RESTART);
	hv_guest_clear(&g);
}

static void test_check(void **state)
{
	struct hv_guest *g = small_guest();
	char tmpl[] = "/tmp/test-hv-model.XXXXXX";
	int fd = mkstemp(tmpl);
	char *cause = NULL;
	struct hv_nic *nic;
	struct hv_disk *d;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hv_guest_check(g, 4 << 20, &cause), 0);
	assert_null(cause);

	free(g->name);
	g->name = strdup("bad name");
	assert_int_equal(hv_guest_check(g, 0, &cause), -EINVAL);
	assert_non_null(strstr(cause, "bad name"));
	free(g->name);
	g->name = strdup("iris");

	assert_int_equal(hv_guest_check(g, 256 * 1024, &cause), -ENOMEM);
	assert_non_null(strstr(cause, "512"));

	g->vcpus = 4;
	g->sockets = 1;
	g->cores = 2;
	g->threads = 1;
	assert_int_equal(hv_guest_check(g, 0, &cause), -EINVAL);
	g->threads = 2;
	assert_int_equal(hv_guest_check(g, 0, NULL), 0);

	nic = hv_guest_add_nic(g);
	nic->bridge = strdup("xenbr0");
	snprintf(nic->mac, sizeof(nic->mac), "00:16:3e:65:b1:db");
	assert_int_equal(hv_guest_check(g, 0, NULL), 0);
	nic = hv_guest_add_nic(g);
	nic->bridge = strdup("xenbr1");
	snprintf(nic->mac, sizeof(nic->mac), "00:16:3E:65:B1:DB");
	assert_int_equal(hv_guest_check(g, 0, &cause), -EINVAL);
	assert_non_null(strstr(cause, "00:16:3E:65:B1:DB"));
	snprintf(nic->mac, sizeof(nic->mac), "01:16:3e:65:b1:dc");
	assert_int_equal(hv_guest_check(g, 0, NULL), -EINVAL);
	nic->mac[0] = '\0';
	assert_int_equal(hv_guest_check(g, 0, NULL), 0);

	/* A new disk on a path that exists must never be made over it. */
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_NEW_RAW;
	d->path = strdup(tmpl);
	d->size = 1 << 20;
	assert_int_equal(hv_guest_check(g, 0, &cause), -EEXIST);
	assert_non_null(strstr(cause, tmpl));
	d->kind = HV_DISK_FILE;
	assert_int_equal(hv_guest_check(g, 0, NULL), 0);
	d->kind = HV_DISK_BLOCK;
	assert_int_equal(hv_guest_check(g, 0, &cause), -EINVAL);
	assert_non_null(strstr(cause, tmpl));
	d->kind = HV_DISK_FILE;
	free(d->path);
	d->path = strdup("relative.img");
	assert_int_equal(hv_guest_check(g, 0, NULL), -EINVAL);
	free(d->path);
	d->path = strdup(tmpl);

	g->vnc_password = strdup("123456789");
	assert_int_equal(hv_guest_check(g, 0, &cause), -EINVAL);
	g->vnc_password[8] = '\0';
	assert_int_equal(hv_guest_check(g, 0, NULL), 0);
	g->on_reboot = HV_LC_COREDUMP_RESTART;
	assert_int_equal(hv_guest_check(g, 0, NULL), -EINVAL);
	g->on_reboot = HV_LC_RESTART;
	g->on_crash = HV_LC_COREDUMP_RESTART;
	assert_int_equal(hv_guest_check(g, 0, NULL), 0);

	unlink(tmpl);
	free(cause);
	hv_guest_free(g);
}

/* ---- XML ------------------------------------------------------------------------ */

/* A guest with one of everything the model knows. */
static struct hv_guest *full_guest(void)
{
	struct hv_guest *g = small_guest();
	struct hv_disk *d;
	struct hv_nic *nic;

	g->arch = HV_ARCH_I686;
	snprintf(g->uuid, sizeof(g->uuid), "6b1b7ad4-6a0c-4a8f-9d0e-2b5b0c6c9a11");
	g->memory_kib = 3500 * 1024;
	g->max_memory_kib = 4096 * 1024;
	g->vcpus = 4;
	g->sockets = 1;
	g->cores = 2;
	g->threads = 2;
	g->on_crash = HV_LC_RESTART;
	g->boot[0] = HV_BOOT_CDROM;
	g->boot[1] = HV_BOOT_HD;
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_NEW_RAW;
	d->path = strdup("/srv/guests/iris.img");
	d->size = 8ULL << 30;
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_BLOCK;
	d->path = strdup("/dev/sdb5");
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_CDROM;
	d->path = strdup("/srv/iso/debian-12.iso");
	nic = hv_guest_add_nic(g);
	nic->bridge = strdup("xenbr0");
	snprintf(nic->mac, sizeof(nic->mac), "00:16:3e:65:b1:db");
	nic = hv_guest_add_nic(g);
	nic->bridge = strdup("xenbr1");
	nic->model = strdup("e1000");
	g->vnc_password = strdup("s3cr<t&");
	g->kernel = strdup("/srv/boot/vmlinuz");
	g->initrd = strdup("/srv/boot/initrd.img");
	g->cmdline = strdup("console=ttyS0 root=/dev/vda1");
	return g;
}

static void test_xml_qemu(void **state)
{
	struct hv_guest *g = full_guest(), *back = NULL;
	char *xml = NULL, *xml2 = NULL, *cause = NULL, *mac;
	xmlDocPtr doc;

	assert_int_equal(hv_guest_to_xml(g, "qemu", &xml, &cause), 0);
	doc = parse(xml);
	assert_xs(doc, "/domain/@type", "qemu");
	assert_xs(doc, "/domain/name", "iris");
	assert_xs(doc, "/domain/uuid", "6b1b7ad4-6a0c-4a8f-9d0e-2b5b0c6c9a11");
	assert_xs(doc, "/domain/memory", "4194304");
	assert_xs(doc, "/domain/memory/@unit", "KiB");
	assert_xs(doc, "/domain/currentMemory", "3584000");
	assert_xs(doc, "/domain/vcpu", "4");
	assert_xs(doc, "/domain/os/type", "hvm");
	assert_xs(doc, "/domain/os/type/@arch", "i686");
	assert_xs(doc, "/domain/os/kernel", "/srv/boot/vmlinuz");
	assert_xs(doc, "/domain/os/initrd", "/srv/boot/initrd.img");
	assert_xs(doc, "/domain/os/cmdline", "console=ttyS0 root=/dev/vda1");
	assert_int_equal(xcount(doc, "/domain/os/boot"), 2);
	assert_xs(doc, "/domain/os/boot[1]/@dev", "cdrom");
	assert_xs(doc, "/domain/os/boot[2]/@dev", "hd");
	assert_int_equal(xcount(doc, "/domain/features/acpi"), 1);
	assert_int_equal(xcount(doc, "/domain/features/apic"), 1);
	assert_int_equal(xcount(doc, "/domain/features/pae"), 1);
	assert_xs(doc, "/domain/cpu/topology/@sockets", "1");
	assert_xs(doc, "/domain/cpu/topology/@cores", "2");
	assert_xs(doc, "/domain/cpu/topology/@threads", "2");
	assert_xs(doc, "/domain/on_poweroff", "destroy");
	assert_xs(doc, "/domain/on_reboot", "restart");
	assert_xs(doc, "/domain/on_crash", "restart");

	/* The new sparse file. */
	assert_int_equal(xcount(doc, "/domain/devices/disk"), 3);
	assert_xs(doc, "/domain/devices/disk[1]/@type", "file");
	assert_xs(doc, "/domain/devices/disk[1]/@device", "disk");
	assert_xs(doc, "/domain/devices/disk[1]/driver/@name", "qemu");
	assert_xs(doc, "/domain/devices/disk[1]/driver/@type", "raw");
	assert_xs(doc, "/domain/devices/disk[1]/driver/@cache", "none");
	assert_xs(doc, "/domain/devices/disk[1]/driver/@io", "native");
	assert_xs(doc, "/domain/devices/disk[1]/source/@file", "/srv/guests/iris.img");
	assert_xs(doc, "/domain/devices/disk[1]/target/@dev", "vda");
	assert_xs(doc, "/domain/devices/disk[1]/target/@bus", "virtio");
	assert_int_equal(xcount(doc, "/domain/devices/disk[1]/readonly"), 0);
	/* The host partition. */
	assert_xs(doc, "/domain/devices/disk[2]/@type", "block");
	assert_xs(doc, "/domain/devices/disk[2]/@device", "disk");
	assert_xs(doc, "/domain/devices/disk[2]/source/@dev", "/dev/sdb5");
	assert_int_equal(xcount(doc, "/domain/devices/disk[2]/source/@file"), 0);
	assert_xs(doc, "/domain/devices/disk[2]/target/@dev", "vdb");
	/* The CD-ROM. */
	assert_xs(doc, "/domain/devices/disk[3]/@type", "file");
	assert_xs(doc, "/domain/devices/disk[3]/@device", "cdrom");
	assert_xs(doc, "/domain/devices/disk[3]/source/@file", "/srv/iso/debian-12.iso");
	assert_xs(doc, "/domain/devices/disk[3]/target/@bus", "sata");
	assert_xs(doc, "/domain/devices/disk[3]/target/@dev", "sda");
	assert_int_equal(xcount(doc, "/domain/devices/disk[3]/readonly"), 1);
	assert_int_equal(xcount(doc, "/domain/devices/disk[3]/driver/@cache"), 0);

	assert_int_equal(xcount(doc, "/domain/devices/interface[@type='bridge']"), 2);
	assert_xs(doc, "/domain/devices/interface[1]/source/@bridge", "xenbr0");
	assert_xs(doc, "/domain/devices/interface[1]/mac/@address", "00:16:3e:65:b1:db");
	assert_xs(doc, "/domain/devices/interface[1]/model/@type", "virtio");
	assert_xs(doc, "/domain/devices/interface[2]/source/@bridge", "xenbr1");
	assert_xs(doc, "/domain/devices/interface[2]/model/@type", "e1000");
	mac = xs(doc, "/domain/devices/interface[2]/mac/@address");
	assert_memory_equal(mac, "52:54:00:", 9);
	assert_true(hv_mac_valid(mac));
	free(mac);

	assert_xs(doc, "/domain/devices/serial/@type", "pty");
	assert_xs(doc, "/domain/devices/console/target/@type", "serial");
	assert_xs(doc, "/domain/devices/graphics/@type", "vnc");
	assert_xs(doc, "/domain/devices/graphics/@port", "-1");
	assert_xs(doc, "/domain/devices/graphics/@autoport", "yes");
	assert_xs(doc, "/domain/devices/graphics/@listen", "127.0.0.1");
	assert_xs(doc, "/domain/devices/graphics/listen/@address", "127.0.0.1");
	/* Escaped by the tree API, so the odd characters come back whole. */
	assert_xs(doc, "/domain/devices/graphics/@passwd", "s3cr<t&");
	xmlFreeDoc(doc);

	/* Read back: the fields, then the same XML again. */
	assert_int_equal(hv_guest_from_xml(xml, &back, &cause), 0);
	assert_string_equal(back->name, "iris");
	assert_string_equal(back->uuid, g->uuid);
	assert_int_equal(back->arch, HV_ARCH_I686);
	assert_int_equal(back->memory_kib, g->memory_kib);
	assert_int_equal(back->max_memory_kib, g->max_memory_kib);
	assert_int_equal(back->vcpus, 4);
	assert_int_equal(back->sockets, 1);
	assert_int_equal(back->cores, 2);
	assert_int_equal(back->threads, 2);
	assert_int_equal(back->n_disks, 3);
	assert_int_equal(back->disks[0].kind, HV_DISK_FILE);
	assert_string_equal(back->disks[0].path, "/srv/guests/iris.img");
	assert_string_equal(back->disks[0].format, "raw");
	assert_string_equal(back->disks[0].target, "vda");
	assert_int_equal(back->disks[1].kind, HV_DISK_BLOCK);
	assert_string_equal(back->disks[1].path, "/dev/sdb5");
	assert_int_equal(back->disks[2].kind, HV_DISK_CDROM);
	assert_true(back->disks[2].readonly);
	assert_int_equal(back->n_nics, 2);
	assert_string_equal(back->nics[0].mac, "00:16:3e:65:b1:db");
	assert_string_equal(back->nics[0].bridge, "xenbr0");
	assert_string_equal(back->nics[1].model, "e1000");
	assert_true(back->vnc);
	assert_int_equal(back->vnc_port, -1);
	assert_string_equal(back->vnc_listen, "127.0.0.1");
	assert_string_equal(back->vnc_password, "s3cr<t&");
	assert_true(back->serial && back->acpi && back->apic && back->pae);
	assert_int_equal(back->on_crash, HV_LC_RESTART);
	assert_int_equal(back->boot[0], HV_BOOT_CDROM);
	assert_int_equal(back->boot[1], HV_BOOT_HD);
	assert_int_equal(back->boot[2], HV_BOOT_NONE);
	assert_string_equal(back->kernel, "/srv/boot/vmlinuz");
	assert_string_equal(back->initrd, "/srv/boot/initrd.img");
	assert_string_equal(back->cmdline, "console=ttyS0 root=/dev/vda1");
	assert_int_equal(hv_guest_to_xml(back, "qemu", &xml2, &cause), 0);
	assert_string_equal(xml2, xml);

	free(xml);
	free(xml2);
	hv_guest_free(back);
	hv_guest_free(g);
	free(cause);
}

static void test_xml_xen(void **state)
{
	struct hv_guest *g = full_guest();
	char *xml = NULL, *cause = NULL, *mac;
	xmlDocPtr doc;

	/* HVM on Xen: Xen's own disks and NIC, no virtio and no cache modes. */
	g->nics[1].model = (free(g->nics[1].model), NULL);
	g->kernel = (free(g->kernel), NULL);
	g->initrd = (free(g->initrd), NULL);
	g->cmdline = (free(g->cmdline), NULL);
	g->arch = HV_ARCH_X86_64;
	assert_int_equal(hv_guest_to_xml(g, "xen", &xml, &cause), 0);
	doc = parse(xml);
	assert_xs(doc, "/domain/@type", "xen");
	assert_xs(doc, "/domain/os/type", "hvm");
	assert_xs(doc, "/domain/os/type/@arch", "x86_64");
	assert_xs(doc, "/domain/devices/disk[1]/target/@dev", "xvda");
	assert_xs(doc, "/domain/devices/disk[1]/target/@bus", "xen");
	assert_int_equal(xcount(doc, "/domain/devices/disk[1]/driver/@cache"), 0);
	assert_xs(doc, "/domain/devices/disk[2]/driver/@name", "phy");
	assert_xs(doc, "/domain/devices/disk[2]/target/@dev", "xvdb");
	assert_xs(doc, "/domain/devices/disk[3]/target/@bus", "ide");
	assert_xs(doc, "/domain/devices/disk[3]/target/@dev", "hda");
	assert_int_equal(xcount(doc, "/domain/devices/interface[2]/model"), 0);
	mac = xs(doc, "/domain/devices/interface[2]/mac/@address");
	assert_memory_equal(mac, "00:16:3e:", 9);
	free(mac);
	assert_xs(doc, "/domain/devices/serial/@type", "pty");
	xmlFreeDoc(doc);
	free(xml);

	/* PV: os type xen, Xen's console ring instead of a UART, no firmware boot order. */
	g->pv = true;
	g->kernel = strdup("/boot/vmlinuz");
	assert_int_equal(hv_guest_to_xml(g, "xen", &xml, &cause), 0);
	doc = parse(xml);
	assert_xs(doc, "/domain/os/type", "xen");
	assert_xs(doc, "/domain/os/kernel", "/boot/vmlinuz");
	assert_int_equal(xcount(doc, "/domain/os/boot"), 0);
	assert_int_equal(xcount(doc, "/domain/devices/serial"), 0);
	assert_xs(doc, "/domain/devices/console/@type", "pty");
	assert_xs(doc, "/domain/devices/console/target/@type", "xen");
	assert_xs(doc, "/domain/devices/disk[3]/target/@bus", "xen");
	assert_xs(doc, "/domain/devices/disk[3]/target/@dev", "xvdc");
	xmlFreeDoc(doc);
	free(xml);
	hv_guest_free(g);
	free(cause);
}

static void test_xml_targets(void **state)
{
	struct hv_guest *g = small_guest();
	struct hv_disk *d;
	char *xml = NULL, *cause = NULL;
	xmlDocPtr doc;

	/* Automatic names skip the ones other disks ask for. */
	for (int i = 0; i < 3; i++) {
		d = hv_guest_add_disk(g);
		d->kind = HV_DISK_FILE;
		assert_true(asprintf(&d->path, "/srv/d%d.img", i) > 0);
	}
	g->disks[1].target = strdup("vda");
	g->disks[2].format = strdup("qcow2");
	g->disks[2].cache = strdup("writeback");
	g->vnc = false;
	g->serial = false;
	g->acpi = g->apic = g->pae = false;
	g->vnc_port = 5905;
	assert_int_equal(hv_guest_to_xml(g, "kvm", &xml, &cause), 0);
	doc = parse(xml);
	assert_xs(doc, "/domain/@type", "kvm");
	assert_xs(doc, "/domain/devices/disk[1]/target/@dev", "vdb");
	assert_xs(doc, "/domain/devices/disk[2]/target/@dev", "vda");
	assert_xs(doc, "/domain/devices/disk[3]/target/@dev", "vdc");
	assert_xs(doc, "/domain/devices/disk[3]/driver/@type", "qcow2");
	assert_xs(doc, "/domain/devices/disk[3]/driver/@cache", "writeback");
	/* io=native needs O_DIRECT, so it only comes with cache=none. */
	assert_int_equal(xcount(doc, "/domain/devices/disk[3]/driver/@io"), 0);
	assert_int_equal(xcount(doc, "/domain/features"), 0);
	assert_int_equal(xcount(doc, "/domain/cpu"), 0);
	assert_int_equal(xcount(doc, "/domain/devices/graphics"), 0);
	assert_int_equal(xcount(doc, "/domain/devices/serial"), 0);
	assert_int_equal(xcount(doc, "/domain/devices/console"), 0);
	assert_int_equal(xcount(doc, "/domain/uuid"), 0);
	xmlFreeDoc(doc);
	free(xml);

	g->vnc = true;
	assert_int_equal(hv_guest_to_xml(g, "kvm", &xml, &cause), 0);
	doc = parse(xml);
	assert_xs(doc, "/domain/devices/graphics/@port", "5905");
	assert_xs(doc, "/domain/devices/graphics/@autoport", "no");
	xmlFreeDoc(doc);
	free(xml);

	assert_int_equal(hv_guest_to_xml(g, NULL, &xml, &cause), -EINVAL);
	assert_non_null(cause);
	hv_guest_free(g);
	free(cause);
}

static void test_xml_bad(void **state)
{
	struct hv_guest *g = NULL;
	char *cause = NULL;

	assert_int_equal(hv_guest_from_xml("<domain><name>x</name>", &g, &cause), -EINVAL);
	assert_null(g);
	assert_non_null(cause);
	assert_int_equal(hv_guest_from_xml("<network><name>x</name></network>", &g, NULL),
			 -EINVAL);
	assert_int_equal(hv_guest_from_xml("<domain><memory>1</memory></domain>", &g, &cause),
			 -EINVAL);
	/* Units other than KiB, as other tools write them. */
	assert_int_equal(hv_guest_from_xml("<domain><name>m</name><memory unit='GiB'>2</memory>"
					   "<currentMemory unit='MiB'>1024</currentMemory></domain>",
					   &g, &cause), 0);
	assert_int_equal(g->memory_kib, 1024 * 1024);
	assert_int_equal(g->max_memory_kib, 2 * 1024 * 1024);
	assert_false(g->vnc);
	assert_int_equal(g->n_disks, 0);
	hv_guest_free(g);
	free(cause);
}

static void test_cpu_percent(void **state)
{
	struct hv_dom_stat a = { .vcpus = 2, .cpu_time_ns = 1000000000 };
	struct hv_dom_stat b = { .vcpus = 2, .cpu_time_ns = 2000000000 };

	/* One CPU-second over one wall second of a two-vCPU guest is half of it. */
	assert_true(hv_cpu_percent(&a, &b, 1000000000) > 49.9);
	assert_true(hv_cpu_percent(&a, &b, 1000000000) < 50.1);
	assert_true(hv_cpu_percent(&a, &b, 100000000) == 100);
	assert_true(hv_cpu_percent(&b, &a, 1000000000) == 0);
	assert_true(hv_cpu_percent(&a, &b, 0) == 0);
}

static void test_state_names(void **state)
{
	assert_string_equal(hv_state_name(HV_STATE_RUNNING), "running");
	assert_string_equal(hv_state_name(HV_STATE_SHUTOFF), "shut off");
	assert_string_equal(hv_state_name(HV_STATE_PAUSED), "paused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_macs),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_xml_qemu),
		cmocka_unit_test(test_xml_xen),
		cmocka_unit_test(test_xml_targets),
		cmocka_unit_test(test_xml_bad),
		cmocka_unit_test(test_cpu_percent),
		cmocka_unit_test(test_state_names),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	xmlCleanupParser();
	return rc;
}
