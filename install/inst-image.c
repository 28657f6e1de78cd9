/* Image mode: the disk image an install writes instead of a disk, made and attached to a loop device. */
#include "inst.h"

int inst_image_attach(const char *path, uint64_t size_mib, char *dev, size_t len, char **cause)
{
	int rc = hcfg_image_create(path, size_mib, cause);

	if (rc == 0)
		rc = hcfg_loop_attach(path, dev, len, cause);
	return rc;
}
