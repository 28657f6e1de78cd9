/* cloud-init for guests made from templates: whether a raw or qcow2 image has it (looked for read-only), and the NoCloud seed that gives a new guest its host name and address. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <blkid/blkid.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- looking for cloud-init in an image ------------------------------------------------- */

/* The file system type at @off of @fd ("ext4"), or "" when none is recognised. */
static void fs_type(int fd, uint64_t off, uint64_t size, char *out, size_t len)
{
	blkid_probe pr = blkid_new_probe();
	const char *type = NULL;

	out[0] = '\0';
	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) == 0) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
		if (blkid_do_safeprobe(pr) == 0 &&
		    blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 && type)
			snprintf(out, len, "%s", type);
	}
	blkid_free_probe(pr);
}

/*
 * Whether the ext file system at @off of @path has /etc/cloud/cloud.cfg. debugfs reads it
 * read-only in its own process, in catastrophic mode (no bitmaps), with a time limit: the image
 * is the template owner's, and is read as hostile.
 */
static int ext_has_cloudinit(const char *path, uint64_t off, bool *has)
{
	char *dev = NULL, out[4096];
	const char *argv[] = { "debugfs", "-c", "-R", "stat /etc/cloud/cloud.cfg", NULL, NULL };
	int fd = memfd_create("debugfs", MFD_CLOEXEC);
	struct base_proc p = { .argv = argv, .logfd = -1, .out_fd = fd, .status_fd = -1,
			       .timeout_s = 20 };
	ssize_t got = 0;
	int rc;

	*has = false;
	if (fd < 0)
		return -errno;
	if (asprintf(&dev, "%s?offset=%llu", path, (unsigned long long)off) < 0) {
		close(fd);
		return -ENOMEM;
	}
	argv[4] = dev;
	rc = base_proc_run(&p, NULL);
	/* Only the start of what it printed matters: a hostile image cannot make it large here. */
	if (rc == 0 && lseek(fd, 0, SEEK_SET) == 0)
		got = read(fd, out, sizeof(out) - 1);
	out[got > 0 ? got : 0] = '\0';
	*has = rc == 0 && strstr(out, "Inode:") && strstr(out, "Type: ");
	close(fd);
	free(dev);
	return rc < 0 ? rc : 0;
}

/* @file opened with @flags, a regular file (its *@st filled); sentences name it as @shown. */
static int open_image(const char *file, const char *shown, int flags, struct stat *st, char **cause)
{
	int fd = open(file, flags);

	if (fd < 0)
		return base_cause(cause, -errno, _("The disk image %s cannot be used: %s."), shown,
				  strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return base_cause(cause, -EINVAL, _("The disk image %s is not a regular file."), shown);
	}
	return fd;
}

/* Whether the raw bytes at @file have cloud-init; sentences name the image as @shown. */
static int raw_cloudinit(const char *file, const char *shown, enum hv_ci *ci, char **cause)
{
	const char *path = shown;
	blkid_probe pr = NULL;
	blkid_partlist pl;
	struct stat st;
	uint64_t offs[129], sizes[129];
	char type[32], unread[32] = "";
	size_t n = 0;
	bool ext_seen = false;
	int fd, rc = 0;

	fd = open_image(file, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, &st, cause);
	if (fd < 0)
		return fd;
	/* The whole image first (a file system without partitions), then each partition. */
	offs[n] = 0;
	sizes[n++] = (uint64_t)st.st_size;
	pr = blkid_new_probe();
	if (pr && blkid_probe_set_device(pr, fd, 0, 0) == 0) {
		blkid_probe_enable_partitions(pr, 1);
		pl = blkid_probe_get_partitions(pr);
		for (int i = 0; pl && i < blkid_partlist_numof_partitions(pl) && n < 129; i++) {
			blkid_partition par = blkid_partlist_get_partition(pl, i);
			long long s = blkid_partition_get_start(par), z = blkid_partition_get_size(par);

			/* Only partitions inside the file: a hostile table may point anywhere. */
			if (s <= 0 || z <= 0 || (uint64_t)(s + z) * 512 > (uint64_t)st.st_size)
				continue;
			offs[n] = (uint64_t)s * 512;
			sizes[n++] = (uint64_t)z * 512;
		}
	}
	if (pr)
		blkid_free_probe(pr);
	for (size_t i = 0; i < n && *ci != HV_CI_YES; i++) {
		bool has = false;

		fs_type(fd, offs[i], sizes[i], type, sizeof(type));
		if (!strcmp(type, "ext2") || !strcmp(type, "ext3") || !strcmp(type, "ext4")) {
			ext_seen = true;
			rc = ext_has_cloudinit(file, offs[i], &has);
			if (rc == -ENOENT) {
				close(fd);
				return base_cause(cause, rc,
						  _("debugfs (from e2fsprogs) is needed to look into the image."));
			}
			if (has)
				*ci = HV_CI_YES;
		} else if (!strcmp(type, "xfs") || !strcmp(type, "btrfs")) {
			snprintf(unread, sizeof(unread), "%s", type);
		}
	}
	close(fd);
	if (*ci == HV_CI_YES)
		return 0;
	if (*unread)
		return base_cause(cause, -ENOTSUP,
				  _("ospite cannot look into the %s file system of the image %s."), unread,
				  path);
	if (!ext_seen)
		return base_cause(cause, -ENOTSUP,
				  _("No Linux file system that ospite can read was found in the image %s."),
				  path);
	*ci = HV_CI_NO;
	return 0;
}

/*
 * qemu-storage-daemon's error from its log @fd (the command line, its stderr, the exit status),
 * without the option it was about: "Unsupported cluster size: 2^31". At most @len - 1 bytes.
 */
static void qsd_error(int fd, char *out, size_t len)
{
	char buf[8192], *save = NULL, *found = NULL;
	ssize_t got = pread(fd, buf, sizeof(buf) - 1, 0);

	out[0] = '\0';
	if (got <= 0)
		return;
	buf[got] = '\0';
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "qemu-storage-daemon: ", 21) || !strncmp(l + 21, "exit status", 11))
			continue;
		found = l + 21;
	}
	if (!found)
		return;
	if (!strncmp(found, "--blockdev ", 11) && strstr(found, "}: ")) {
		for (char *p = strstr(found, "}: "); p; p = strstr(p + 1, "}: "))
			found = p + 3;
	} else if (!strncmp(found, "--", 2) && strstr(found, ": ")) {
		found = strstr(found, ": ") + 2;
	}
	snprintf(out, len, "%s", found);
	out[base_utf8_cut(out, strlen(out))] = '\0';
}

/* Whether the FUSE export at @mnt is gone (the daemon has unmounted it). */
static bool unmounted(const char *dir, const char *mnt)
{
	struct stat a, b;

	/* A mount going away answers ENOTCONN for a moment: that is not gone yet. */
	if (stat(dir, &a) < 0)
		return true;
	if (stat(mnt, &b) < 0)
		return errno == ENOENT;
	return a.st_dev == b.st_dev;
}

/*
 * Stop the daemon that exports @mnt (its pid in @pidf): SIGTERM unmounts cleanly; one that
 * does not go within five seconds is killed and its mount detached.
 */
static void export_stop(const char *dir, const char *mnt, const char *pidf)
{
	char buf[32] = "";
	FILE *f = fopen(pidf, "re");
	long pid = 0;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			pid = strtol(buf, NULL, 10);
		fclose(f);
	}
	if (pid > 1)
		kill((pid_t)pid, SIGTERM);
	for (int i = 0; i < 250 && !unmounted(dir, mnt); i++)
		usleep(20000);
	if (!unmounted(dir, mnt)) {
		const char *fu[] = { "fusermount3", "-u", "-z", mnt, NULL };

		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
		if (umount2(mnt, MNT_DETACH) < 0)
			base_run(fu, -1, NULL);
	}
}

/*
 * A qcow2 image is read through qemu-storage-daemon: it exports the image's contents, read-only,
 * as a FUSE file that only this user can open, and the raw reader looks at that. qemu parses the
 * hostile format; ospite first refuses what would make qemu open another file (a backing file or
 * an external data file), and hands qemu the descriptor it checked rather than the name.
 */
static int qcow2_cloudinit(const char *path, enum hv_ci *ci, char **cause)
{
	char dir[] = "/tmp/ospite-ci.XXXXXX", *mnt = NULL, *pidf = NULL, *exp = NULL, *src = NULL;
	char err[300];
	struct stat st;
	uint64_t boff, incompat;
	uint32_t blen;
	json_object *spec = NULL, *file = NULL;
	int fd = open_image(path, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, &st, cause);
	int logfd = -1, mfd, rc;

	if (fd < 0)
		return fd;
	if (!hv_qcow2_head(fd, &boff, &blen, &incompat)) {
		close(fd);
		return base_cause(cause, -EINVAL, _("The disk image %s is not a qcow2 image."), path);
	}
	if (incompat & 4) {
		close(fd);
		return base_cause(cause, -ENOTSUP,
				  _("The image %s keeps its data in another file; ospite does not look into such images."),
				  path);
	}
	if (boff) {
		close(fd);
		return base_cause(cause, -ENOTSUP,
				  _("The image %s is an overlay over another image; ospite looks only into qcow2 images that stand alone."),
				  path);
	}
	if (!mkdtemp(dir)) {
		close(fd);
		return base_cause(cause, -errno, _("Could not make a temporary folder: %s."),
				  strerror(errno));
	}
	rc = -ENOMEM;
	if (asprintf(&mnt, "%s/disk", dir) < 0 || asprintf(&pidf, "%s/pid", dir) < 0 ||
	    asprintf(&src, "/proc/%d/fd/%d", (int)getpid(), fd) < 0 ||
	    asprintf(&exp, "type=fuse,id=ci,node-name=ci,mountpoint=%s,writable=off,allow-other=off",
		     mnt) < 0) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	spec = json_object_new_object();
	file = json_object_new_object();
	json_object_object_add(file, "driver", json_object_new_string("file"));
	json_object_object_add(file, "filename", json_object_new_string(src));
	json_object_object_add(spec, "driver", json_object_new_string("qcow2"));
	json_object_object_add(spec, "node-name", json_object_new_string("ci"));
	json_object_object_add(spec, "read-only", json_object_new_boolean(1));
	/* A template does not run, and a lock held by a linked clone's QEMU must not stop a read. */
	json_object_object_add(spec, "force-share", json_object_new_boolean(1));
	json_object_object_add(spec, "backing", json_object_new_null());
	json_object_object_add(spec, "file", file);
	mfd = open(mnt, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	logfd = memfd_create("qsd", MFD_CLOEXEC);
	if (mfd < 0 || logfd < 0) {
		rc = base_cause(cause, -errno, _("Could not make a temporary folder: %s."),
				strerror(errno));
		if (mfd >= 0)
			close(mfd);
		goto out;
	}
	close(mfd);
	{
		const char *argv[] = { "qemu-storage-daemon", "--daemonize", "--pidfile", pidf,
				       "--blockdev", json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN),
				       "--export", exp, NULL };
		struct base_proc p = { .argv = argv, .logfd = logfd, .out_fd = -1, .status_fd = -1,
				       .timeout_s = 30 };

		rc = base_proc_run(&p, NULL);
	}
	if (rc == -ENOENT) {
		rc = base_cause(cause, rc,
				_("qemu-storage-daemon (from qemu-system-common) is needed to look into qcow2 images."));
		goto out;
	}
	if (rc != 0 || unmounted(dir, mnt)) {
		qsd_error(logfd, err, sizeof(err));
		export_stop(dir, mnt, pidf);
		rc = base_cause(cause, -EIO, _("qemu could not read the image %s: %s."), path,
				*err ? err : _("no reason given"));
		goto out;
	}
	rc = raw_cloudinit(mnt, path, ci, cause);
	export_stop(dir, mnt, pidf);
out:
	if (mnt)
		unlink(mnt);
	if (pidf)
		unlink(pidf);
	rmdir(dir);
	json_object_put(spec);
	if (logfd >= 0)
		close(logfd);
	close(fd);
	free(mnt);
	free(pidf);
	free(exp);
	free(src);
	return rc;
}

int hv_image_cloudinit(const char *path, const char *format, enum hv_ci *ci, char **cause)
{
	*ci = HV_CI_UNKNOWN;
	if (format && !strcmp(format, "qcow2"))
		return qcow2_cloudinit(path, ci, cause);
	if (format && strcmp(format, "raw"))
		return base_cause(cause, -ENOTSUP,
				  _("ospite looks into raw and qcow2 images only, and %s is %s."), path,
				  format);
	return raw_cloudinit(path, path, ci, cause);
}

int hv_guest_cloudinit(struct hv_conn *conn, const char *name, enum hv_ci *ci, char **cause)
{
	struct hv_guest *g = NULL;
	int rc = hv_get(conn, name, &g, cause);

	*ci = HV_CI_UNKNOWN;
	if (rc < 0)
		return rc;
	rc = base_cause(cause, -ENOENT, _("The guest %s has no disk image file."), name);
	for (size_t i = 0; i < g->n_disks; i++) {
		const struct hv_disk *d = &g->disks[i];

		if (d->kind != HV_DISK_FILE || d->readonly || !d->path)
			continue;
		free(*cause);
		*cause = NULL;
		/* The first disk is the one the guest boots from. */
		rc = hv_image_cloudinit(d->path, d->format ? d->format : "raw", ci, cause);
		break;
	}
	hv_guest_free(g);
	return rc;
}

/* ---- the NoCloud seed ----------------------------------------------------------------- */

static bool host_name_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0, label = 0;

	if (!len || len > 253)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (!label || p[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)*p) || (*p == '-' && label)) || ++label > 63)
			return false;
	}
	return label && s[len - 1] != '-';
}

static bool ip_ok(const char *s)
{
	unsigned char buf[16];

	return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* "192.0.2.10/24" or "2001:db8::5/64". */
static bool cidr_ok(const char *s)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char ip[64], *end;
	long pfx;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return false;
	snprintf(ip, sizeof(ip), "%.*s", (int)(slash - s), s);
	errno = 0;
	pfx = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || errno || pfx < 0)
		return false;
	return ip_ok(ip) && pfx <= (strchr(ip, ':') ? 128 : 32);
}

int hv_seed_check(const struct hv_seed *s, char **cause)
{
	if (!host_name_ok(s->hostname))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a valid host name: letters, digits and '-', in labels of up to 63 separated by dots."),
				  s->hostname ? s->hostname : "");
	if (s->address && *s->address && !cidr_ok(s->address))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not an address with its prefix length, such as 192.0.2.10/24."),
				  s->address);
	if (s->gateway && *s->gateway && !ip_ok(s->gateway))
		return base_cause(cause, -EINVAL, _("\"%s\" is not an IP address."), s->gateway);
	if (s->gateway && *s->gateway && !(s->address && *s->address))
		return base_cause(cause, -EINVAL, _("A gateway needs a fixed address."));
	if (s->dns && *s->dns) {
		char *copy = strdup(s->dns), *save = NULL;
		int rc = 0;

		if (!copy)
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		for (char *t = strtok_r(copy, " ,", &save); t && rc == 0; t = strtok_r(NULL, " ,", &save))
			if (!ip_ok(t))
				rc = base_cause(cause, -EINVAL, _("\"%s\" is not an IP address."), t);
		free(copy);
		return rc;
	}
	return 0;
}

static int write_text(const char *dir, const char *name, const char *text, char **cause)
{
	char *path = NULL;
	FILE *f;
	int rc = 0;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	f = fopen(path, "wxe");
	if (!f || fputs(text, f) < 0)
		rc = base_cause(cause, -errno, _("Could not write %s: %s."), path, strerror(errno));
	if (f && fclose(f) != 0 && rc == 0)
		rc = base_cause(cause, -errno, _("Could not write %s: %s."), path, strerror(errno));
	free(path);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* The three NoCloud files: meta-data, user-data and, for a fixed address, network-config. */
static int seed_texts(const struct hv_seed *s, const char *mac, char *texts[3])
{
	struct base_buf m = { 0 }, u = { 0 }, nc = { 0 };
	unsigned char rnd[6] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, rnd, sizeof(rnd)) != sizeof(rnd))
			memset(rnd, 0, sizeof(rnd));
		close(fd);
	}
	/* A new instance id makes cloud-init treat the copy as a new machine: new host keys. */
	base_buf_printf(&m, "instance-id: ospite-%s-%02x%02x%02x%02x%02x%02x\nlocal-hostname: %s\n",
			s->hostname, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], s->hostname);
	base_buf_printf(&u, "#cloud-config\nhostname: %s\npreserve_hostname: false\n", s->hostname);
	if (s->address && *s->address) {
		base_buf_str(&nc, "version: 2\nethernets:\n  nic0:\n");
		if (mac && *mac)
			base_buf_printf(&nc, "    match:\n      macaddress: \"%s\"\n", mac);
		else
			base_buf_str(&nc, "    match:\n      name: \"e*\"\n");
		base_buf_printf(&nc, "    addresses: [\"%s\"]\n", s->address);
		if (s->gateway && *s->gateway)
			base_buf_printf(&nc, "    routes:\n      - to: default\n        via: \"%s\"\n",
					s->gateway);
		if (s->dns && *s->dns) {
			char *copy = strdup(s->dns), *save = NULL;
			bool first = true;

			base_buf_str(&nc, "    nameservers:\n      addresses: [");
			for (char *t = copy ? strtok_r(copy, " ,", &save) : NULL; t;
			     t = strtok_r(NULL, " ,", &save), first = false)
				base_buf_printf(&nc, "%s\"%s\"", first ? "" : ", ", t);
			base_buf_str(&nc, "]\n");
			free(copy);
		}
	}
	texts[0] = m.s;
	texts[1] = u.s;
	texts[2] = nc.s;
	return m.oom || u.oom || nc.oom ? -ENOMEM : 0;
}

int hv_seed_make(const char *path, const struct hv_seed *s, const char *mac, char **cause)
{
	static const char *const names[] = { "meta-data", "user-data", "network-config" };
	char dir[] = "/tmp/ospite-seed.XXXXXX", *texts[3] = { NULL, NULL, NULL };
	char *files[3] = { NULL, NULL, NULL };
	int rc = hv_seed_check(s, cause);

	if (rc < 0)
		return rc;
	if (!mkdtemp(dir))
		return base_cause(cause, -errno, _("Could not make a temporary folder: %s."),
				  strerror(errno));
	rc = seed_texts(s, mac, texts);
	if (rc < 0)
		rc = base_cause(cause, rc, _("Out of memory."));
	for (int i = 0; i < 3 && rc == 0; i++) {
		if (!texts[i])
			continue;
		rc = write_text(dir, names[i], texts[i], cause);
		if (rc == 0 && asprintf(&files[i], "%s/%s", dir, names[i]) < 0)
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	if (rc == 0) {
		/* The file is ours only once O_EXCL made it: only then may a failure remove it. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			rc = base_cause(cause, -errno, _("Could not create the disk %s: %s."), path,
					strerror(errno));
		else if (ftruncate(fd, 1 << 20) < 0)
			rc = base_cause(cause, -errno, _("Could not size the disk %s: %s."), path,
					strerror(errno));
		if (fd >= 0)
			close(fd);
		if (rc < 0 && fd >= 0)
			unlink(path);
	}
	if (rc == 0) {
		/* A 1 MiB FAT volume labelled CIDATA: cloud-init's NoCloud looks for that label. */
		const char *mk[] = { "mkfs.vfat", "-n", "CIDATA", path, NULL };
		const char *cp[] = { "mcopy", "-o", "-i", path, files[0], files[1], files[2] ? files[2] : "::",
				     files[2] ? "::" : NULL, NULL };
		const char *env[] = { "MTOOLS_SKIP_CHECK=1", NULL };
		struct base_proc p = { .argv = cp, .env = env, .logfd = -1, .out_fd = -1,
				       .status_fd = -1, .timeout_s = 30 };

		rc = base_run(mk, -1, cause);
		if (rc == 0)
			rc = base_proc_run(&p, cause);
		if (rc > 0)
			rc = -EIO;
		if (rc < 0)
			unlink(path);
	}
	for (int i = 0; i < 3; i++) {
		free(texts[i]);
		free(files[i]);
	}
	nftw(dir, rm_entry, 4, FTW_DEPTH | FTW_PHYS);
	return rc;
}
