/* Small helpers every hostcfg module needs: atomic files, small reads, mkdir -p, the installer's private mount namespace, the NIC name rule. */
#include "hcfg.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int hcfg_private_mounts(char **cause)
{
	if (unshare(CLONE_NEWNS) < 0)
		return base_cause(cause, -errno, _("Could not make a mount namespace of its own: %s."),
				  strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return base_cause(cause, -errno, _("Could not make a mount namespace of its own: %s."),
				  strerror(errno));
	return 0;
}

int hcfg_write_file(const char *path, const char *data, unsigned mode, char **cause)
{
	return hcfg_write_data(path, data, strlen(data), mode, cause);
}

int hcfg_write_data(const char *path, const void *buf, size_t len, unsigned mode, char **cause)
{
	const char *data = buf;
	char tmp[PATH_MAX];
	size_t off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.ospite-new", path) >= (int)sizeof(tmp))
		return base_cause(cause, -ENAMETOOLONG, _("The path %s is too long."), path);
	/*
	 * The temporary name is new and ours: a file or symbolic link left there
	 * (a crash, or someone else's doing) is removed, never written through.
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not write %s: %s."), path, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	/* The rename itself must reach the disk too, or a power cut may undo it. */
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
fail:;
	int err = errno;

	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return base_cause(cause, -err, _("Could not write %s: %s."), path, strerror(err));
}

int hcfg_read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	int err;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (r < 0) {
		buf[0] = '\0';
		return -err;
	}
	buf[r] = '\0';
	r = strcspn(buf, "\n");
	/* Drive models come padded with blanks. */
	while (r > 0 && (buf[r - 1] == ' ' || buf[r - 1] == '\t'))
		r--;
	buf[r] = '\0';
	return 0;
}

int hcfg_mkdirs(const char *path, char **cause)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return base_cause(cause, -ENAMETOOLONG, _("The path %s is too long."), path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return base_cause(cause, -errno, _("Could not create the directory %s: %s."),
					  buf, strerror(errno));
		*p = c;
		if (!c)
			return 0;
	}
}

int hcfg_read_file(const char *path, char **data, char **cause)
{
	size_t len;

	return hcfg_read_data(path, data, &len, cause);
}

int hcfg_read_data(const char *path, char **data, size_t *size, char **cause)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	*data = NULL;
	if (!f)
		return base_cause(cause, -errno, _("Could not read %s: %s."), path, strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return base_cause(cause, -ENOMEM, _("Out of memory."));
			}
			buf = nb;
			cap += 65536;
		}
		size_t r = fread(buf + len, 1, cap - len - 1, f);

		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int err = errno;

		free(buf);
		fclose(f);
		return base_cause(cause, -err, _("Could not read %s: %s."), path, strerror(err));
	}
	fclose(f);
	buf[len] = '\0';
	*data = buf;
	*size = len;
	return 0;
}

/* Here rather than in hcfg-nic.c, so that the answer-file parser needs no libnl. */
bool hcfg_ifname_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len >= IF_NAMESIZE || name[0] == '-' || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isascii((unsigned char)name[i]) ||
		    !(isalnum((unsigned char)name[i]) || strchr("_.-", name[i])))
			return false;
	return true;
}
