/* Unit tests of the answer file: words and quoting, options, %include, round trips, machine checks, scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "install/inst.h"
#include "install/inst-unattended.h"
#include "install/ks.h"

/* ---- words ------------------------------------------------------------------ */

static char **split_ok(const char *line, size_t want)
{
	char **w = NULL, *cause = NULL;
	size_t n = 99;

	assert_int_equal(inst_ks_split(line, &w, &n, &cause), 0);
	assert_null(cause);
	assert_int_equal(n, want);
	assert_null(w[n]);
	return w;
}

static void test_split(void **state)
{
	char **w, *cause = NULL;
	size_t n;

	w = split_ok("  part  /  --size=100\t--grow ", 4);
	assert_string_equal(w[0], "part");
	assert_string_equal(w[1], "/");
	assert_string_equal(w[2], "--size=100");
	assert_string_equal(w[3], "--grow");
	inst_ks_words_free(w);

	/* Single quotes keep everything, double quotes all but four escapes. */
	w = split_ok("rootpw 'a b\\c\"d' \"x \\\" \\\\ \\$ \\` \\n y\" \"\"", 4);
	assert_string_equal(w[1], "a b\\c\"d");
	assert_string_equal(w[2], "x \" \\ $ ` \\n y");
	assert_string_equal(w[3], "");
	inst_ks_words_free(w);

	/* A backslash outside quotes keeps the next character; quotes join words. */
	w = split_ok("a\\ b c\\#d e'f g'\"h\"", 3);
	assert_string_equal(w[0], "a b");
	assert_string_equal(w[1], "c#d");
	assert_string_equal(w[2], "ef gh");
	inst_ks_words_free(w);

	/* # starts a comment only at the start of a word. */
	w = split_ok("rootpw abc#def # a comment 'with quote", 2);
	assert_string_equal(w[1], "abc#def");
	inst_ks_words_free(w);
	w = split_ok("   # only a comment", 0);
	inst_ks_words_free(w);
	w = split_ok("", 0);
	inst_ks_words_free(w);
	w = split_ok("--append=\"quiet splash\"", 1);
	assert_string_equal(w[0], "--append=quiet splash");
	inst_ks_words_free(w);

	assert_int_equal(inst_ks_split("a 'b", &w, &n, &cause), -EINVAL);
	assert_null(w);
	assert_non_null(strstr(cause, "single quote"));
	free(cause);
	cause = NULL;
	assert_int_equal(inst_ks_split("a \"b\\\"", &w, &n, &cause), -EINVAL);
	assert_non_null(strstr(cause, "double quote"));
	free(cause);
	cause = NULL;
	assert_int_equal(inst_ks_split("a b\\", &w, &n, &cause), -EINVAL);
	assert_non_null(strstr(cause, "backslash"));
	free(cause);
}

/* ---- options ------------------------------------------------------------------ */

struct msgs {
	char text[1024];
	unsigned n;
};

static void collect(void *opaque, const char *msg)
{
	struct msgs *m = opaque;

	snprintf(m->text + strlen(m->text), sizeof(m->text) - strlen(m->text), "%s\n", msg);
	m->n++;
}

static const struct inst_ks_optdef defs[] = {
	{ "size", INST_KS_VALUE, NULL }, { "grow", INST_KS_FLAG, NULL },
	{ "ondisk", INST_KS_VALUE, NULL }, { "ondrive", INST_KS_VALUE, "ondisk" },
	{ NULL, 0, NULL },
};
static const char *const unsup[] = { "encrypted", "label=", NULL };

static unsigned opts(const char *line, struct inst_ks_args *a, struct msgs *m, char ***w)
{
	size_t n;

	memset(m, 0, sizeof(*m));
	assert_int_equal(inst_ks_split(line, w, &n, NULL), 0);
	return inst_ks_options("part", *w + 1, defs, unsup, a, collect, m);
}

static void test_options(void **state)
{
	struct inst_ks_args a;
	struct msgs m;
	char **w;

	assert_int_equal(opts("part / --size=100 --grow --ondrive sdb", &a, &m, &w), 0);
	assert_int_equal(a.n_pos, 1);
	assert_string_equal(a.pos[0], "/");
	assert_string_equal(a.val[0], "100");
	assert_string_equal(a.val[1], "");
	assert_string_equal(a.val[2], "sdb");   /* the alias fills the option it stands for */
	assert_int_equal(inst_ks_opt_index(defs, "ondrive"), 2);
	assert_int_equal(inst_ks_opt_index(defs, "nope"), -1);
	free(a.pos);
	inst_ks_words_free(w);

	assert_int_equal(opts("part / --size 100 --size=200", &a, &m, &w), 1);
	assert_string_equal(a.val[0], "100");
	assert_non_null(strstr(m.text, "--size of the command part is given twice"));
	free(a.pos);
	inst_ks_words_free(w);

	assert_int_equal(opts("part / --grow=yes --size", &a, &m, &w), 2);
	assert_non_null(strstr(m.text, "--grow of the command part takes no value"));
	assert_non_null(strstr(m.text, "--size of the command part needs a value"));
	free(a.pos);
	inst_ks_words_free(w);

	/* "--size --grow": an option never takes the next option as its value. */
	assert_int_equal(opts("part / --size --grow", &a, &m, &w), 1);
	assert_string_equal(a.val[1], "");
	free(a.pos);
	inst_ks_words_free(w);

	/* An unsupported flag leaves the next word alone; one that takes a value takes it. */
	assert_int_equal(opts("part --encrypted / --label root", &a, &m, &w), 2);
	assert_int_equal(a.n_pos, 1);
	assert_string_equal(a.pos[0], "/");
	assert_non_null(strstr(m.text, "--label of the command part is not supported by ospite"));
	free(a.pos);
	inst_ks_words_free(w);

	assert_int_equal(opts("part / --frob --encrypted --ondisk= x", &a, &m, &w), 2);
	assert_non_null(strstr(m.text, "The command part has no option --frob."));
	assert_non_null(strstr(m.text, "--encrypted of the command part is not supported by ospite"));
	assert_string_equal(a.val[2], "");
	assert_int_equal(a.n_pos, 2);
	free(a.pos);
	inst_ks_words_free(w);
}

/* ---- parsing, with files held in memory ------------------------------------------ */

struct memfile {
	const char *name, *text;
};

static int mem_read(void *opaque, const char *path, char **data, size_t *len, char **id,
		    char **cause)
{
	for (const struct memfile *f = opaque; f->name; f++)
		if (!strcmp(f->name, path)) {
			*data = strdup(f->text);
			*len = strlen(f->text);
			*id = strdup(path);
			return 0;
		}
	return -ENOENT;
}

static int parse(const char *text, const struct memfile *files, struct inst_plan *p, char **errors)
{
	struct inst_ks_opts o = { mem_read, (void *)files, NULL, NULL };

	inst_plan_init(p);
	return inst_ks_parse_buffer("t/main.ks", text, strlen(text), &o, p, errors);
}

static const char full_ks[] =
	"# Everything an answer file can say.\n"
	"lang it_IT.UTF-8\n"
	"keyboard --xlayouts='us','it'\n"
	"timezone America/New_York\n"
	"network --device=br0 --bridgeslaves=eth1 --bootproto=static --ip=192.0.2.10"
	" --netmask=255.255.255.0 --gateway=192.0.2.1 --nameserver=192.0.2.53,2001:db8::53"
	" --hostname=h1.example.org --activate\n"
	"network --device=br1 --bridgeslaves=eth0 --bootproto=none\n"
	"url --url=https://mirror.example.org/debian --suite=trixie --nosecurity\n"
	"rootpw --iscrypted --lock $6$1NGV7X4RQppXsAa1$.JBEY5uoVo4Zgi.JFIp9H.OAV.9kHSDozC2.Io2HuQFXrYK.DSSnFDAuocuK7N5.9WPvnGOTjm.Gygyy2nQj01\n"
	"hypervisor --type=kvm\n"
	"ignoredisk --drives=sdb\n"
	"zerombr\n"
	"clearpart --all --initlabel --drives=disk/by-id/ata-DISK_1\n"
	"part biosboot --fstype=biosboot --size=1 --ondisk=disk/by-id/ata-DISK_1\n"
	"part /boot --fstype=ext4 --size=512\n"
	"part / --fstype=xfs --size=8192 --grow --maxsize=20480\n"
	"part swap --recommended\n"
	"part '/srv/data' --size=100 --grow\n"
	"bootloader --location=none --timeout=0 --append=\"console=ttyS1 nomodeset\"\n"
	"services --enabled=chrony,libvirtd.socket --disabled=\"ssh\"\n"
	"poweroff\n"
	"%packages\n"
	"less\n"
	"vim-tiny\n"
	"-openssh-server\n"
	"%end\n"
	"%pre --interpreter=/usr/bin/python3 --log=/tmp/pre.log\n"
	"print('pre')\n"
	"\n"
	"  indented \"quoted\" $HOME \\\n"
	"%end\n"
	"%post --nochroot --erroronfail\n"
	"cp /etc/resolv.conf \"$OSPITE_TARGET/etc/\"\n"
	"%end\n";

/* Parse @ks, write it back, parse that: the two dumps must be the same. */
static void round_trip(struct inst_plan *p)
{
	struct inst_plan q;
	char *dump1 = inst_plan_dump(p), *ks = inst_plan_to_ks(p), *dump2, *errors = NULL;

	inst_plan_init(&q);
	if (inst_ks_parse_buffer("written.ks", ks, strlen(ks), NULL, &q, &errors) < 0) {
		print_error("%s\n---\n%s", errors, ks);
		fail();
	}
	dump2 = inst_plan_dump(&q);
	if (strcmp(dump1, dump2)) {
		print_error("%s\n---\n%s\n---\n%s", dump1, dump2, ks);
		fail();
	}
	free(dump1);
	free(dump2);
	free(ks);
	inst_plan_free(&q);
}

/* Several addresses, IPv6 settings and a package group survive a written answer file. */
static void test_round_trip_networks(void **state)
{
	static const char *const files[] = {
		"network --device=xenbr0 --bridgeslaves=eth0 --bootproto=dhcp --ipv6=auto --hostname=h1\n"
		"network --device=eth1 --bootproto=static --ip=198.51.100.7 --netmask=24 --ipv6=2001:db8::7/64\n"
		"network --device=xenbr1 --bridgeslaves=eth1 --bootproto=none\n"
		"network --device=eth2 --bootproto=static --ip=203.0.113.7 --netmask=24 --gateway=203.0.113.1 --nodefroute\n",
		"network --device=eth0 --bootproto=static --ip=192.0.2.7 --netmask=24 --gateway=192.0.2.1 --noipv6 --hostname=h2\n"
		"network --device=eth1 --bootproto=dhcp\n",
		NULL,
	};

	for (size_t i = 0; files[i]; i++) {
		struct inst_plan p;
		char *errors = NULL, *text = NULL;

		assert_true(asprintf(&text, "%srootpw --lock\nautopart\nurl --url=http://deb.example.org/debian\n"
				     "%%packages\n@standard\n%%end\n", files[i]) > 0);
		if (parse(text, NULL, &p, &errors) < 0) {
			print_error("%s", errors);
			fail();
		}
		assert_true(p.std_priority);
		assert_int_equal(p.n_addrs, i == 0 ? 2 : 1);
		if (i == 0) {
			/* The address of eth1's own line went to the bridge that carries eth1. */
			assert_string_equal(p.addrs[0].dev, "xenbr1");
			assert_string_equal(p.addrs[1].gateway, "");
			assert_string_equal(p.ipv6, "auto");
		} else {
			assert_true(p.noipv6);
			assert_true(p.addrs[0].dhcp);
		}
		round_trip(&p);
		free(text);
		free(errors);
		inst_plan_free(&p);
	}
}

static void test_full_file(void **state)
{
	struct inst_plan p;
	char *errors = NULL, *dump;

	if (parse(full_ks, NULL, &p, &errors) < 0) {
		print_error("%s", errors);
		fail();
	}
	assert_string_equal(p.lang, "it");
	assert_string_equal(p.keyboard, "us");
	assert_false(p.utc);   /* no --utc: local time, as in Anaconda */
	assert_string_equal(p.nic, "eth1");
	assert_string_equal(p.dns, "192.0.2.53 2001:db8::53");
	assert_int_equal(p.prefix, 24);
	assert_int_equal(p.n_bridges, 2);
	assert_string_equal(inst_plan_mgmt_bridge(&p)->name, "br0");
	assert_string_equal(p.suite, "trixie");
	assert_false(p.security);
	assert_true(p.root_lock);
	assert_string_equal(p.disk, "/dev/disk/by-id/ata-DISK_1");
	assert_true(p.wipe_confirmed);
	assert_string_equal(p.ignore_disks[0], "/dev/sdb");
	assert_int_equal(p.n_parts, 5);
	assert_true(p.parts[3].recommended);
	assert_int_equal(p.parts[2].max_mib, 20480);
	assert_string_equal(p.parts[4].mount, "/srv/data");
	assert_true(p.boot_none);
	assert_int_equal(p.boot_timeout, 0);
	assert_string_equal(p.boot_append, "nomodeset");
	assert_string_equal(p.serial, "ttyS1,115200");
	assert_string_equal(p.svc_enable[1], "libvirtd.socket");
	assert_string_equal(p.svc_disable[0], "ssh.service");
	assert_int_equal(p.end, INST_END_POWEROFF);
	assert_string_equal(p.exclude[0], "openssh-server");
	assert_int_equal(p.n_scripts, 2);
	assert_int_equal(p.scripts[0].when, INST_SCRIPT_PRE);
	assert_string_equal(p.scripts[0].body, "print('pre')\n\n  indented \"quoted\" $HOME \\\n");
	assert_int_equal(p.scripts[0].src.line, 26);
	assert_true(p.scripts[1].nochroot && p.scripts[1].erroronfail);
	dump = inst_plan_dump(&p);
	assert_non_null(strstr(dump, "part: swap fs=swap size=recommended\n"));
	free(dump);
	round_trip(&p);
	inst_plan_free(&p);
}

static void test_plaintext_is_hashed(void **state)
{
	struct inst_plan p;
	char *errors = NULL, *ks, *dump;

	inst_plan_init(&p);
	const char text[] = "rootpw 'my secret password'\nautopart\n";

	assert_int_equal(inst_ks_parse_buffer("pw.ks", text, strlen(text), NULL, &p, &errors), 0);
	assert_true(!strncmp(p.root_hash, "$y$", 3) || !strncmp(p.root_hash, "$6$", 3));
	assert_null(memmem(&p, sizeof(p), "my secret", 9));
	ks = inst_plan_to_ks(&p);
	dump = inst_plan_dump(&p);
	assert_null(strstr(ks, "my secret"));
	assert_null(strstr(dump, "my secret"));
	assert_non_null(strstr(ks, "rootpw --iscrypted $"));
	free(ks);
	free(dump);
	round_trip(&p);
	inst_plan_free(&p);
}

/* What changes nothing on the host is a warning: the file stays valid, and both are told. */
static void test_warnings(void **state)
{
	const char ok[] = "text\nrootpw --lock --iscrypted locked\nautopart\nselinux --permissive\n"
			  "timezone --isUtc --nontp UTC\n";
	const char bad[] = "rootpw --iscrypted --allow-ssh $6$x\nautopart\nfirewall --disabled\n"
			   "selinux --enforcing\n";
	struct inst_plan p;
	char *errors = NULL, *warnings = NULL;
	struct inst_ks_opts o = { .warnings = &warnings };

	inst_plan_init(&p);
	assert_int_equal(inst_ks_parse_buffer("w.ks", ok, strlen(ok), &o, &p, &errors), 0);
	assert_null(errors);
	assert_non_null(warnings);
	assert_non_null(strstr(warnings, "w.ks:1: warning: The command text changes nothing"));
	assert_non_null(strstr(warnings, "w.ks:2: warning: "));
	assert_non_null(strstr(warnings, "w.ks:4: warning: The command selinux --permissive"));
	assert_non_null(strstr(warnings, "w.ks:5: warning: The option --nontp"));
	assert_true(p.root_lock);
	assert_string_equal(p.root_hash, "");
	assert_string_equal(p.timezone, "UTC");
	assert_true(p.utc);
	free(warnings);
	warnings = NULL;
	inst_plan_free(&p);

	/* An unsupported flag takes no value: only one problem for the rootpw line. */
	inst_plan_init(&p);
	assert_int_equal(inst_ks_parse_buffer("b.ks", bad, strlen(bad), &o, &p, &errors), -EINVAL);
	assert_non_null(strstr(errors, "b.ks:1: The option --allow-ssh of the command rootpw"));
	assert_null(strstr(errors, "needs a password"));
	assert_non_null(strstr(errors, "b.ks:4: selinux --enforcing is not supported"));
	assert_null(strstr(errors, "b.ks:3"));
	assert_non_null(strstr(warnings, "b.ks:3: warning: The command firewall --disabled"));
	free(errors);
	free(warnings);
	inst_plan_free(&p);
}

static void test_interactive_round_trip(void **state)
{
	struct inst_plan p;
	struct hcfg_nic nics[2] = { { .name = "eth0", .mac = "52:54:00:00:00:01" },
				    { .name = "eth1", .mac = "52:54:00:00:00:02" } };

	/* What the screens leave in the plan when the operator takes every default. */
	inst_plan_init(&p);
	snprintf(p.mirror, sizeof(p.mirror), "http://deb.example.org/debian");
	snprintf(p.disk, sizeof(p.disk), "/dev/vdb");
	snprintf(p.nic, sizeof(p.nic), "eth0");
	snprintf(p.nic_mac, sizeof(p.nic_mac), "52:54:00:00:00:01");
	inst_plan_auto_parts(&p, 40960, 4096);
	inst_plan_default_bridges(&p, nics, 2);
	assert_int_equal(inst_hash_password("secret", p.root_hash, sizeof(p.root_hash), NULL), 0);
	p.wipe_confirmed = true;
	round_trip(&p);

	/* A static address, Italian, KVM, a serial console. */
	p.dhcp = false;
	snprintf(p.ip, sizeof(p.ip), "10.1.2.3");
	p.prefix = 16;
	snprintf(p.dns, sizeof(p.dns), "10.1.0.1 10.1.0.2");
	inst_plan_lang_defaults(&p, "it");
	p.hv = INST_HV_KVM;
	snprintf(p.serial, sizeof(p.serial), "ttyS0,9600");
	p.security = false;
	round_trip(&p);

	/* Without bridges the address stays on the NIC. */
	p.n_bridges = 0;
	round_trip(&p);
	inst_plan_free(&p);
}

static void test_include(void **state)
{
	static const struct memfile files[] = {
		{ "t/parts.ks", "part / --size=4096\n%include more/swap.ks\n" },
		{ "t/more/swap.ks", "part swap --size=512\nbogus\n" },
		{ "t/self.ks", "%include self.ks\n" },
		{ "t/deep.ks", "%include deep2.ks\n" },
		{ "t/deep2.ks", "%include deep.ks\n" },
		{ "t/open.ks", "%post\necho\n" },
		{ NULL, NULL },
	};
	struct inst_plan p;
	char *errors = NULL;

	assert_int_equal(parse("rootpw --lock\n%include parts.ks\n", files, &p, &errors), -EINVAL);
	/* The error in the included file names that file and its line. */
	assert_string_equal(errors, "t/more/swap.ks:2: \"bogus\" is an unknown command.\n");
	assert_int_equal(p.n_parts, 3);
	free(errors);
	inst_plan_free(&p);

	assert_int_equal(parse("%include self.ks\n%include missing.ks\n%include open.ks\n"
			       "%include deep.ks\nrootpw --lock\nautopart\n", files, &p, &errors),
			 -EINVAL);
	assert_non_null(strstr(errors, "t/self.ks:1: The file t/self.ks includes itself through %include.\n"));
	assert_non_null(strstr(errors, "t/main.ks:2: The included file t/missing.ks does not exist.\n"));
	/* A section may end with its file, as in RHEL 5 files: no problem. */
	assert_null(strstr(errors, "t/open.ks"));
	assert_non_null(strstr(errors, "t/deep2.ks:1: The file t/deep.ks includes itself through %include.\n"));
	free(errors);
	inst_plan_free(&p);
}

static void test_all_errors(void **state)
{
	struct inst_plan p;
	char *errors = NULL;
	size_t lines = 0;

	assert_int_equal(parse("part / --size=x\npart / --size=1\npart / --size=2\n"
			       "hypervisor --type=vmware\nnetwork --bootproto=static\n", NULL, &p,
			       &errors), -EINVAL);
	for (const char *c = errors; *c; c++)
		lines += *c == '\n';
	/* One message per problem, the last one too: the missing rootpw. */
	assert_int_equal(lines, 5);
	assert_non_null(strstr(errors, "t/main.ks:3: The mount point / is already used at t/main.ks:2.\n"));
	assert_non_null(strstr(errors, "t/main.ks: No root password is set: add a rootpw command.\n"));
	free(errors);
	inst_plan_free(&p);

	/* Past the limit, the rest are counted, not shown. */
	struct base_buf b = { 0 };

	for (int i = 0; i < 150; i++)
		base_buf_str(&b, "bogus\n");
	assert_int_equal(parse(b.s, NULL, &p, &errors), -EINVAL);
	assert_non_null(strstr(errors, "t/main.ks:100: \"bogus\""));
	assert_null(strstr(errors, "t/main.ks:101:"));
	assert_non_null(strstr(errors, "t/main.ks: 52 more problems were found.\n"));
	free(errors);
	free(b.s);
	inst_plan_free(&p);
}

/*
 * Parse the golden file @path with @SRC@ (in a repository's --key) standing
 * for the top of the tree, as tests/answers/run.sh does.
 */
static int parse_golden(const char *path, struct inst_plan *p, char **errors)
{
	struct base_buf b = { 0 };
	char *data = NULL, *id = NULL, top[PATH_MAX];
	size_t len = 0;
	int rc;

	assert_int_equal(inst_ks_read_file(NULL, path, &data, &len, &id, NULL), 0);
	assert_non_null(getcwd(top, sizeof(top)));
	for (const char *c = data, *at; *c; c = at + 5) {
		at = strstr(c, "@SRC@");
		if (!at) {
			base_buf_str(&b, c);
			break;
		}
		base_buf_add(&b, c, at - c);
		base_buf_str(&b, top);
	}
	assert_false(b.oom);
	rc = inst_ks_parse_buffer(path, b.s, b.len, NULL, p, errors);
	free(b.s);
	free(data);
	free(id);
	return rc;
}

/* Every accepted golden answer file writes back to the same plan (run from the top of the tree). */
static void test_golden_round_trip(void **state)
{
	glob_t g;
	size_t tried = 0;
	struct inst_plan sys;
	char medium[] = "/tmp/ospite-medium.XXXXXX", dir[PATH_MAX], rel[PATH_MAX];

	if (glob("tests/answers/ok-*.ks", 0, NULL, &g) != 0)
		skip();
	/* The files that say cdrom need a boot medium's repository (tests/answers/run.sh makes one too). */
	inst_plan_init(&sys);
	assert_non_null(mkdtemp(medium));
	snprintf(dir, sizeof(dir), "%s/dists", medium);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/dists/%s", medium, sys.suite);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(rel, sizeof(rel), "%s/Release", dir);
	assert_int_equal(hcfg_write_file(rel, "Suite: test\n", 0644, NULL), 0);
	inst_plan_free(&sys);
	setenv("OSPITE_MEDIUM_REPO", medium, 1);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct inst_plan p;
		char *errors = NULL;

		inst_plan_init(&p);
		if (parse_golden(g.gl_pathv[i], &p, &errors) < 0) {
			print_error("%s", errors);
			fail();
		}
		round_trip(&p);
		inst_plan_free(&p);
		tried++;
	}
	unsetenv("OSPITE_MEDIUM_REPO");
	unlink(rel);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/dists", medium);
	rmdir(dir);
	rmdir(medium);
	globfree(&g);
	assert_true(tried >= 12);
}

/* ---- where answer files come from ---------------------------------------------------- */

static void test_fetch_policy(void **state)
{
	char base[64], hex[65], *cause = NULL;

	assert_int_equal(inst_ks_redirect_ok("http://h/a.ks", "https://h/a.ks", NULL), 0);
	assert_int_equal(inst_ks_redirect_ok("http://h/a.ks", "http://g/a.ks", NULL), 0);
	assert_int_equal(inst_ks_redirect_ok("https://h/a.ks", "https://g/b.ks", NULL), 0);
	assert_int_equal(inst_ks_redirect_ok("https://h/a.ks", "http://h/a.ks", &cause), -EPERM);
	assert_string_equal(cause, "https://h/a.ks redirects from https to plain http (http://h/a.ks), which is refused.");
	free(cause);
	cause = NULL;
	assert_int_equal(inst_ks_redirect_ok("HTTPS://h/a.ks", "HTTP://h/a.ks", NULL), -EPERM);
	assert_int_equal(inst_ks_redirect_ok("http://h/a.ks", "file:///etc/shadow", NULL), -EPERM);
	assert_int_equal(inst_ks_redirect_ok("http://h/a.ks", "ftp://h/a.ks", NULL), -EPERM);

	assert_int_equal(inst_ks_url_base("http://h:8080/ks/a.ks?x=/y#z", base, sizeof(base)), 0);
	assert_string_equal(base, "http://h:8080/ks/");
	assert_int_equal(inst_ks_url_base("https://h", base, sizeof(base)), 0);
	assert_string_equal(base, "https://h/");
	assert_int_equal(inst_ks_url_base("https://h/a.ks", base, sizeof(base)), 0);
	assert_string_equal(base, "https://h/");
	assert_int_equal(inst_ks_url_base("/local/a.ks", base, sizeof(base)), -EINVAL);

	assert_true(inst_ks_url_under("http://h/ks/", "http://h/ks/parts.ks"));
	assert_true(inst_ks_url_under("http://h/ks/", "http://h/ks/sub/parts.ks?v=1"));
	assert_true(inst_ks_url_under("http://h/ks/", "http://h/ks/a..b.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ksx/parts.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/other.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/../other.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/sub/../../other.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/%2e%2E/other.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/.%2e/other.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/..%2fother.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/..\\other.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/./parts.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h/ks/.."));
	assert_false(inst_ks_url_under("http://h/ks/", "https://h/ks/parts.ks"));
	assert_false(inst_ks_url_under("http://h/ks/", "http://h.example.org/ks/parts.ks"));

	assert_int_equal(inst_ks_sha256_hex("abc", 3, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(inst_ks_sha256_valid(hex));
	assert_true(inst_ks_sha256_valid("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(inst_ks_sha256_valid("ba7816bf"));
	assert_false(inst_ks_sha256_valid("za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(inst_ks_sha256_valid(""));
}

/* A local answer file (or include) is a regular file: never a device, a FIFO or a kernel file. */
static void test_read_file_kinds(void **state)
{
	char dir[] = "/tmp/ospite-test-read.XXXXXX", fifo[64], big[64], *data = NULL, *id = NULL;
	char *cause = NULL;
	size_t len = 0;
	int status, fd;
	pid_t writer;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(inst_ks_read_file(NULL, "/dev/null", &data, &len, &id, &cause), -EINVAL);
	assert_string_equal(cause, "/dev/null is not a regular file.");
	free(cause);
	cause = NULL;
	assert_int_equal(inst_ks_read_file(NULL, "/proc/self/status", &data, &len, &id, &cause),
			 -EINVAL);
	assert_null(data);
	assert_string_equal(cause, "/proc/self/status is a file of the kernel (/proc, /sys...), not an answer file.");
	free(cause);
	cause = NULL;
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK) == 0)
		assert_int_equal(inst_ks_read_file(NULL, "/sys/kernel/mm/transparent_hugepage/enabled",
						   &data, &len, &id, NULL), -EINVAL);

	/*
	 * A FIFO is refused without being opened: a writer blocked in open() stays
	 * blocked, where opening the read end would have let it through.
	 */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		alarm(5);
		_exit(open(fifo, O_WRONLY) >= 0 ? 3 : 4);
	}
	usleep(200 * 1000);
	assert_int_equal(inst_ks_read_file(NULL, fifo, &data, &len, &id, NULL), -EINVAL);
	usleep(200 * 1000);
	assert_int_equal(waitpid(writer, &status, WNOHANG), 0);
	kill(writer, SIGKILL);
	assert_int_equal(waitpid(writer, &status, 0), writer);
	unlink(fifo);

	/* One byte more than the limit. */
	snprintf(big, sizeof(big), "%s/big.ks", dir);
	fd = open(big, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, INST_KS_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(inst_ks_read_file(NULL, big, &data, &len, &id, NULL), -EFBIG);
	unlink(big);
	assert_int_equal(rmdir(dir), 0);
}

/* What a local answer file may include over the network: https, or plain http only with --insecure. */
static void test_read_any_local(void **state)
{
	char dir[] = "/tmp/ospite-test-any.XXXXXX", path[64], *data = NULL, *id = NULL;
	char *cause = NULL;
	struct inst_ks_source src = { 0 };
	size_t len = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.ks", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("abc", f);
	fclose(f);
	assert_int_equal(inst_ks_read_any(NULL, path, &data, &len, &id, NULL), -EINVAL);

	/* The first read is the answer file, checked against the checksum when one is given. */
	src.sha256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
	assert_int_equal(inst_ks_read_any(&src, path, &data, &len, &id, NULL), 0);
	assert_false(src.remote);
	free(data);
	free(id);
	/* Then includes: a local file from a local file is fine; plain http is not checked. */
	assert_int_equal(inst_ks_read_any(&src, path, &data, &len, &id, NULL), 0);
	free(data);
	free(id);
	assert_int_equal(inst_ks_read_any(&src, "http://127.0.0.1:9/x.ks", &data, &len, &id, &cause),
			 -EPERM);
	assert_non_null(strstr(cause, "plain http, which no checksum covers"));
	free(cause);
	cause = NULL;

	memset(&src, 0, sizeof(src));
	src.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(inst_ks_read_any(&src, path, &data, &len, &id, &cause), -EBADMSG);
	assert_null(data);
	assert_non_null(strstr(cause, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	free(cause);
	cause = NULL;

	memset(&src, 0, sizeof(src));
	assert_int_equal(inst_ks_read_any(&src, "http://127.0.0.1:9/a.ks", &data, &len, &id, &cause),
			 -EPERM);
	assert_non_null(strstr(cause, "--answer-sha256"));
	free(cause);
	cause = NULL;
	unlink(path);
	rmdir(dir);
}

/* Start tests/lib/http-loopback.py on @www (with TLS when @cert is set); its port, or 0. */
static int start_server(const char *tmp, const char *name, const char *www, const char *cert,
			const char *key, pid_t *pid)
{
	char portfile[256], buf[16] = "";

	snprintf(portfile, sizeof(portfile), "%s/%s.port", tmp, name);
	*pid = fork();
	if (*pid < 0)
		return 0;
	if (*pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		execlp("python3", "python3", "tests/lib/http-loopback.py", www, portfile, cert, key,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !*buf; i++) {
		FILE *f = fopen(portfile, "r");

		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		if (!*buf)
			usleep(100 * 1000);
	}
	return atoi(buf);
}

/* What test_fetch_https started, so that its teardown stops it even when an assertion failed. */
static char https_tmp[] = "/tmp/ospite-test-https.XXXXXX";
static pid_t https_pid = -1, http_pid = -1;

static int teardown_https(void **state)
{
	char cmd[128];
	int status;

	inst_ks_fetch_ca_file = NULL;
	for (int i = 0; i < 2; i++) {
		pid_t *pid = i ? &http_pid : &https_pid;

		if (*pid > 0) {
			kill(*pid, SIGTERM);
			waitpid(*pid, &status, 0);
			*pid = -1;
		}
	}
	if (strchr(https_tmp, 'X'))
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", https_tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* Over TLS for real, on loopback, with a CA made here: https to http is refused, https to https followed. */
static void test_fetch_https(void **state)
{
	char *tmp = https_tmp, cmd[1024], www[64], cert[96], key[96];
	char url[256], *data = NULL, *cause = NULL;
	int https_port, http_port;
	size_t len = 0;
	FILE *f;

	if (system("command -v python3 >/dev/null && command -v openssl >/dev/null") != 0 ||
	    access("tests/lib/http-loopback.py", R_OK) != 0)
		skip();
	assert_non_null(mkdtemp(tmp));
	snprintf(www, sizeof(www), "%s/www", tmp);
	snprintf(cert, sizeof(cert), "%s/cert.pem", tmp);
	snprintf(key, sizeof(key), "%s/key.pem", tmp);
	assert_int_equal(mkdir(www, 0700), 0);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1", key, cert);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/a.ks", www);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs("rootpw --lock\n", f);
	fclose(f);
	https_port = start_server(tmp, "https", www, cert, key, &https_pid);
	http_port = start_server(tmp, "http", www, NULL, NULL, &http_pid);
	assert_true(https_port > 0 && http_port > 0);
	inst_ks_fetch_ca_file = cert;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/a.ks", https_port);
	if (inst_ks_fetch(url, &data, &len, &cause) != 0)
		fail_msg("%s: %s", url, cause);
	assert_string_equal(data, "rootpw --lock\n");
	free(data);
	data = NULL;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/redirect?to=https://127.0.0.1:%d/a.ks",
		 https_port, https_port);
	assert_int_equal(inst_ks_fetch(url, &data, &len, NULL), 0);
	free(data);
	data = NULL;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/redirect?to=http://127.0.0.1:%d/a.ks",
		 https_port, http_port);
	assert_int_equal(inst_ks_fetch(url, &data, &len, &cause), -EPERM);
	assert_null(data);
	assert_non_null(strstr(cause, "redirects from https to plain http (http://127.0.0.1:"));
	free(cause);
	cause = NULL;

	/* A plain http server: the answer file's own https address fails, it is not downgraded. */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/a.ks", http_port);
	assert_int_equal(inst_ks_fetch(url, &data, &len, &cause), -EIO);
	free(cause);

	cause = NULL;
}

/* ---- checks against a machine ---------------------------------------------------- */

static void test_machine(void **state)
{
	struct hcfg_disk disks[3] = {
		{ .name = "vda", .path = "/dev/vda", .size = 20ULL << 30, .eligible = false,
		  .why = "A partition of this disk is mounted." },
		{ .name = "sdx", .path = "/dev/sdx", .size = 8ULL << 30, .eligible = true,
		  .contents = "GPT, 1 partition: ext4" },
		{ .name = "sdy", .path = "/dev/sdy", .size = 16ULL << 30, .eligible = true,
		  .contents = "empty" },
	};
	bool blank[3] = { false, false, true };
	struct hcfg_nic nics[2] = { { .name = "en1", .mac = "52:54:00:aa:bb:01" },
				    { .name = "en2", .mac = "52:54:00:aa:bb:02", .carrier = true } };
	struct inst_ks_machine m = { disks, 3, blank, true, nics, 2, true, 8192, NULL };
	struct inst_plan p;
	char *errors = NULL;

	/* Two disks could take it and the file names none. */
	assert_int_equal(parse("rootpw --lock\nautopart\nnetwork --device=link\n", NULL, &p, &errors), 0);
	assert_int_equal(inst_ks_check_machine(&p, &m, &errors), -EINVAL);
	assert_string_equal(errors, "t/main.ks: The answer file names no disk, and 2 disks of this machine could take the install (/dev/sdx, /dev/sdy): name one with ignoredisk --only-use, clearpart --drives or part --ondisk.\n");
	free(errors);
	inst_plan_free(&p);

	/* One left after ignoredisk: taken, blank so no clearpart needed, sized, NIC by link. */
	assert_int_equal(parse("rootpw --lock\nautopart\nnetwork --device=link\nignoredisk --drives=sdx\n",
			       NULL, &p, &errors), 0);
	assert_int_equal(inst_ks_check_machine(&p, &m, &errors), 0);
	assert_string_equal(p.disk, "/dev/sdy");
	assert_true(p.wipe_confirmed);
	assert_false(p.autopart);
	assert_int_equal(p.n_parts, 5);
	assert_string_equal(p.nic, "en2");
	assert_string_equal(p.nic_mac, "52:54:00:aa:bb:02");
	assert_int_equal(p.n_bridges, 2);   /* the defaults, one per NIC */
	assert_string_equal(p.bridges[1].mac, "52:54:00:aa:bb:02");
	inst_plan_free(&p);

	/* Data on the disk and no clearpart; a partition bigger than the disk; a missing NIC. */
	assert_int_equal(parse("rootpw --lock\npart / --size=9000 --ondisk=sdx\n"
			       "network --device=xenbr0 --bridgeslaves=eth9\n", NULL, &p, &errors), 0);
	assert_int_equal(inst_ks_check_machine(&p, &m, &errors), -EINVAL);
	assert_non_null(strstr(errors, "t/main.ks:2: The disk /dev/sdx holds data (GPT, 1 partition: ext4): name it in clearpart --drives, or use clearpart --all, to erase it.\n"));
	assert_non_null(strstr(errors, "t/main.ks:2: The partition / needs 9000 MiB, but the disk /dev/sdx holds only 8190 MiB.\n"));
	assert_non_null(strstr(errors, "t/main.ks:3: The network device eth9 does not exist on this machine.\n"));
	free(errors);
	inst_plan_free(&p);

	/* A disk in use; a MAC no NIC has; dom0 memory beyond the RAM. */
	assert_int_equal(parse("rootpw --lock\nautopart\nclearpart --drives=vda\n"
			       "network --device=52:54:00:AA:BB:09\nhypervisor --type=xen --dom0-mem=8G\n",
			       NULL, &p, &errors), 0);
	assert_int_equal(inst_ks_check_machine(&p, &m, &errors), -EINVAL);
	assert_non_null(strstr(errors, "t/main.ks:3: The disk /dev/vda cannot be used: A partition of this disk is mounted.\n"));
	assert_non_null(strstr(errors, "t/main.ks:4: No network device of this machine has the MAC address 52:54:00:aa:bb:09.\n"));
	assert_non_null(strstr(errors, "t/main.ks:5: Dom0 memory must be at least 512 MiB and less than the 8192 MiB of this machine.\n"));
	free(errors);
	inst_plan_free(&p);

	/* Extra addresses: on a NIC here, not on one missing, not on the management NIC found by link. */
	assert_int_equal(parse("rootpw --lock\nautopart\nignoredisk --only-use=sdy\n"
			       "network --device=link --bootproto=dhcp\n"
			       "network --device=en1 --bootproto=static --ip=192.0.2.9 --netmask=24\n"
			       "network --device=en7 --bootproto=dhcp\n"
			       "network --device=en2 --bootproto=dhcp\n", NULL, &p, &errors), 0);
	assert_int_equal(inst_ks_check_machine(&p, &m, &errors), -EINVAL);
	assert_null(strstr(errors, "t/main.ks:5:"));
	assert_non_null(strstr(errors, "t/main.ks:6: The network device en7 does not exist on this machine.\n"));
	assert_non_null(strstr(errors, "t/main.ks:7: The device en2 already has the management address.\n"));
	free(errors);
	inst_plan_free(&p);
}

/* ---- scripts ------------------------------------------------------------------------ */

static void test_scripts(void **state)
{
	char dir[] = "/tmp/ospite-test-ks.XXXXXX", text[2048], path[512], *errors = NULL, *cause = NULL;
	char *out = NULL;
	struct inst_plan p;
	int logfd;

	assert_non_null(mkdtemp(dir));
	snprintf(text, sizeof(text),
		 "rootpw --lock\nautopart\n"
		 "%%pre --log=%s/pre.log\necho pre ran >%s/pre-marker\necho to the log\n%%end\n"
		 "%%post --nochroot\necho \"target=$OSPITE_TARGET\"\nexit 4\n%%end\n"
		 "%%post --nochroot --erroronfail --interpreter=/bin/bash\n[[ -n $BASH_VERSION ]] && exit 3\n%%end\n",
		 dir, dir);
	assert_int_equal(parse(text, NULL, &p, &errors), 0);
	snprintf(path, sizeof(path), "%s/install.log", dir);
	logfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(logfd >= 0);

	assert_int_equal(inst_run_scripts(&p, INST_SCRIPT_PRE, dir, logfd, &cause), 0);
	snprintf(path, sizeof(path), "%s/pre-marker", dir);
	assert_int_equal(hcfg_read_file(path, &out, NULL), 0);
	assert_string_equal(out, "pre ran\n");
	free(out);
	snprintf(path, sizeof(path), "%s/pre.log", dir);
	assert_int_equal(hcfg_read_file(path, &out, NULL), 0);
	assert_string_equal(out, "to the log\n");
	free(out);

	/* The first %post fails without --erroronfail: logged only; the second stops the run. */
	assert_int_equal(inst_run_scripts(&p, INST_SCRIPT_POST, dir, logfd, &cause), -EIO);
	assert_string_equal(cause, "The %post script at t/main.ks:11 failed with exit status 3.");
	free(cause);
	close(logfd);
	snprintf(path, sizeof(path), "%s/install.log", dir);
	assert_int_equal(hcfg_read_file(path, &out, NULL), 0);
	assert_non_null(strstr(out, "to the log\n"));
	snprintf(text, sizeof(text), "target=%s\n", dir);
	assert_non_null(strstr(out, text));
	assert_non_null(strstr(out, "script at t/main.ks:7: exit status 4\n"));
	free(out);
	inst_plan_free(&p);
	const char *rm[] = { "rm", "-rf", dir, NULL };

	assert_int_equal(base_run(rm, -1, NULL), 0);
}

/* True when @pid is gone, or only a zombie waiting for its (new) parent to reap it. */
static bool process_gone(pid_t pid)
{
	char path[64], *stat = NULL;
	bool gone;

	if (kill(pid, 0) < 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (hcfg_read_file(path, &stat, NULL) < 0)
		return true;
	gone = strstr(stat, ") Z ") != NULL;
	free(stat);
	return gone;
}

/* A script past its --timeout: its whole process group is killed, and the failure named. */
static void test_script_timeout(void **state)
{
	char dir[] = "/tmp/ospite-test-timeout.XXXXXX", text[1024], path[512], *errors = NULL;
	char *cause = NULL, *out = NULL;
	struct inst_plan p;
	long long start;
	pid_t child;
	int logfd;

	assert_non_null(mkdtemp(dir));
	/* The first ignores SIGTERM, so only the SIGKILL that follows can stop it. */
	snprintf(text, sizeof(text),
		 "rootpw --lock\nautopart\n"
		 "%%pre --timeout=2\nsleep 60 &\necho $! >%s/child\ntrap '' TERM\necho started\nwhile :; do sleep 1; done\n%%end\n"
		 "%%pre --erroronfail --timeout=1\nexec >/dev/null 2>&1\nsleep 60\n%%end\n"
		 "%%pre --erroronfail\necho not reached >%s/third\n%%end\n",
		 dir, dir);
	assert_int_equal(parse(text, NULL, &p, &errors), 0);
	assert_int_equal(p.scripts[0].timeout, 2);
	assert_int_equal(p.scripts[2].timeout, 30 * 60);
	snprintf(path, sizeof(path), "%s/install.log", dir);
	logfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(logfd >= 0);

	start = base_now_ms();
	assert_int_equal(inst_run_scripts(&p, INST_SCRIPT_PRE, dir, logfd, &cause), -EIO);
	/* 2 s, then 5 s of grace for the one ignoring SIGTERM, then 1 s (closed output, no grace). */
	assert_true(base_now_ms() - start < 15000);
	assert_string_equal(cause, "The %pre script at t/main.ks:10 did not finish within its time limit of 1 second and was stopped.");
	free(cause);
	close(logfd);
	snprintf(path, sizeof(path), "%s/third", dir);
	assert_int_not_equal(access(path, F_OK), 0);

	/* The first one's background child went with its group. */
	snprintf(path, sizeof(path), "%s/child", dir);
	assert_int_equal(hcfg_read_file(path, &out, NULL), 0);
	child = (pid_t)atoi(out);
	free(out);
	assert_true(child > 1);
	for (int i = 0; i < 50 && !process_gone(child); i++)
		usleep(100 * 1000);
	assert_true(process_gone(child));

	snprintf(path, sizeof(path), "%s/install.log", dir);
	assert_int_equal(hcfg_read_file(path, &out, NULL), 0);
	assert_non_null(strstr(out, "started\n"));
	assert_non_null(strstr(out, "script at t/main.ks:3: stopped after its time limit of 2 seconds\n"));
	assert_non_null(strstr(out, "script at t/main.ks:10: stopped after its time limit of 1 seconds\n"));
	free(out);
	inst_plan_free(&p);

	/* Bad limits, each named with its line; every one found at once. */
	assert_int_equal(parse("rootpw --lock\nautopart\n%pre --timeout=0\n%end\n%post --timeout=-5\n%end\n"
			       "%pre --timeout=nan\n%end\n%pre --timeout=1e3\n%end\n%pre --timeout=8d\n%end\n"
			       "%pre --timeout=604801\n%end\n%pre --timeout=99999999999999999999h\n%end\n"
			       "%pre --timeout\n%end\n%post --timeout=10m\n%end\n%pre --timeout=168h\n%end\n",
			       NULL, &p, &errors), -EINVAL);
	for (int line = 3; line <= 15; line += 2) {
		snprintf(path, sizeof(path), "t/main.ks:%d: The value \"", line);
		if (!strstr(errors, path))
			fail_msg("no message for line %d in:\n%s", line, errors);
	}
	assert_non_null(strstr(errors, "t/main.ks:17: "));
	assert_null(strstr(errors, "t/main.ks:19:"));
	assert_null(strstr(errors, "t/main.ks:21:"));
	free(errors);
	inst_plan_free(&p);
	const char *rm[] = { "rm", "-rf", dir, NULL };

	assert_int_equal(base_run(rm, -1, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),          cmocka_unit_test(test_options),
		cmocka_unit_test(test_full_file),      cmocka_unit_test(test_plaintext_is_hashed),
		cmocka_unit_test(test_warnings),          cmocka_unit_test(test_round_trip_networks),
		cmocka_unit_test(test_interactive_round_trip), cmocka_unit_test(test_include),
		cmocka_unit_test(test_all_errors),     cmocka_unit_test(test_golden_round_trip),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_fetch_policy),   cmocka_unit_test(test_read_file_kinds),
		cmocka_unit_test(test_read_any_local), cmocka_unit_test_teardown(test_fetch_https, teardown_https),
		cmocka_unit_test(test_scripts),        cmocka_unit_test(test_script_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
