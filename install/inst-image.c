/* Image mode: the disk image an install writes instead of a disk, made and attached to a loop device. */
#include "inst.h"
#include "base/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * An earlier run killed on this image left its loop device attached: detach
 * it, so that two devices never write one file. One still in use is refused.
 */
static int detach_stale(const char *path, char **cause)
{
	struct stat img, st;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (stat(path, &img) < 0)
		return 0;   /* a new image: nothing can be attached to it */
	d = opendir("/sys/block");
	if (!d)
		return 0;
	while (rc == 0 && (de = readdir(d))) {
		char file[PATH_MAX], dev[PATH_MAX];

		if (strncmp(de->d_name, "loop", 4))
			continue;
		hcfg_loop_backing_file(de->d_name, file, sizeof(file));
		if (!*file || stat(file, &st) < 0 ||
		    st.st_dev != img.st_dev || st.st_ino != img.st_ino)
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		/*
		 * A killed run's mounts go with its mount namespace, a moment after
		 * its last process is gone: give them up to ten seconds.
		 */
		for (int i = 0; i < 50 && hcfg_disk_try_claim(dev) == -EBUSY; i++) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		if (hcfg_disk_try_claim(dev) < 0) {
			rc = base_cause(cause, -EBUSY,
					_("The image %s is still attached to %s and in use, so it was left alone."),
					path, dev);
			break;
		}
		rc = hcfg_loop_detach(dev, cause);
	}
	closedir(d);
	return rc;
}

int inst_image_attach(const char *path, uint64_t size_mib, char *dev, size_t len, char **cause)
{
	int rc = detach_stale(path, cause);

	if (rc == 0)
		rc = hcfg_image_create(path, size_mib, cause);
	if (rc == 0)
		rc = hcfg_loop_attach(path, dev, len, cause);
	return rc;
}
