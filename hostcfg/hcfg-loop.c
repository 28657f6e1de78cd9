/* Disk images for --image: sparse files attached to loop devices, so an install never needs a real disk. */
#include "hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int hcfg_image_create(const char *path, uint64_t size_mib, char **cause)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0)
		return S_ISREG(st.st_mode) ? 0 :
			base_cause(cause, -EINVAL, _("%s exists and is not a regular file."), path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not create the disk image %s: %s."), path,
				  strerror(errno));
	if (ftruncate(fd, (off_t)size_mib << 20) < 0) {
		int err = errno;

		close(fd);
		unlink(path);
		return base_cause(cause, -err, _("Could not size the disk image %s: %s."), path,
				  strerror(err));
	}
	close(fd);
	return 0;
}

int hcfg_loop_attach(const char *path, char *dev, size_t len, char **cause)
{
	int ctl = -1, fd = -1, lfd = -1, rc = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not open the disk image %s: %s."), path,
				  strerror(errno));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		rc = base_cause(cause, -errno, _("Could not open /dev/loop-control: %s."),
				strerror(errno));
		goto out;
	}
	/* Another process may grab the free device first: retry a few times. */
	for (int tries = 0; tries < 10; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		struct loop_config cfg;

		if (n < 0) {
			rc = base_cause(cause, -errno, _("No free loop device: %s."), strerror(errno));
			goto out;
		}
		snprintf(dev, len, "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0)
			continue;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = fd;
		cfg.info.lo_flags = LO_FLAGS_PARTSCAN;
		snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", path);
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0) {
			rc = 0;
			goto out;
		}
		rc = -errno;
		close(lfd);
		lfd = -1;
		if (rc != -EBUSY)
			break;
	}
	rc = base_cause(cause, rc ? rc : -EBUSY, _("Could not attach %s to a loop device: %s."),
			path, strerror(rc ? -rc : EBUSY));
out:
	if (lfd >= 0)
		close(lfd);
	if (ctl >= 0)
		close(ctl);
	close(fd);
	return rc;
}

void hcfg_loop_backing_file(const char *name, char *buf, size_t len)
{
	char sys[PATH_MAX];

	snprintf(sys, sizeof(sys), "/sys/block/%s/loop/backing_file", name);
	if (hcfg_read_line(sys, buf, len) < 0)
		buf[0] = '\0';
}

int hcfg_loop_detach(const char *dev, char **cause)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), dev, strerror(errno));
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0)
		rc = base_cause(cause, -errno, _("Could not detach %s: %s."), dev, strerror(errno));
	close(fd);
	return rc;
}
