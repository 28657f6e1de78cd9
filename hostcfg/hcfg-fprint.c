/* Disk fingerprints: what an install must leave unchanged on every disk it was not given. */
#include "hcfg.h"
#include "base/i18n.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024u * 1024u)

/* FNV-1a, 64 bits: enough to notice a change, which is all a fingerprint is for. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static int sum_range(int fd, uint64_t off, uint64_t len, uint64_t *h)
{
	char *buf = malloc(MIB);
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	*h = FNV_INIT;
	while (len > 0) {
		size_t want = len < MIB ? len : MIB;
		ssize_t got = pread(fd, buf, want, (off_t)off);

		if (got < 0) {
			rc = -errno;
			break;
		}
		if (got == 0)
			break;
		*h = fnv(*h, buf, (size_t)got);
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	free(buf);
	return rc;
}

/* The partition table, every signature libblkid finds and each partition's first MiB, as text. */
static void describe(int fd, struct base_buf *b)
{
	blkid_probe pr = blkid_new_probe();
	blkid_partlist pl;
	const char *v;

	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		base_buf_str(b, " unprobed");
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
					  BLKID_SUBLKS_LABEL);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_fullprobe(pr) == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
			base_buf_printf(b, " type=%s", v);
		if (blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0)
			base_buf_printf(b, " uuid=%s", v);
		if (blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0)
			base_buf_printf(b, " pt=%s", v);
		if (blkid_probe_lookup_value(pr, "PTUUID", &v, NULL) == 0)
			base_buf_printf(b, " ptuuid=%s", v);
	}
	pl = blkid_probe_get_partitions(pr);
	for (int i = 0; pl && i < blkid_partlist_numof_partitions(pl); i++) {
		blkid_partition par = blkid_partlist_get_partition(pl, i);
		const char *t = blkid_partition_get_type_string(par);

		uint64_t start = (uint64_t)blkid_partition_get_start(par) * 512;
		uint64_t size = (uint64_t)blkid_partition_get_size(par) * 512, h = 0;

		/* A file system made inside a partition shows in its first MiB, not the disk's. */
		if (sum_range(fd, start, size < MIB ? size : MIB, &h) < 0)
			h = 0;
		base_buf_printf(b, " p%d=%lld+%lld:%s:%016" PRIx64, blkid_partition_get_partno(par),
				(long long)blkid_partition_get_start(par),
				(long long)blkid_partition_get_size(par), t ? t : "", h);
	}
out:
	if (pr)
		blkid_free_probe(pr);
}

int hcfg_disk_fingerprint(const char *disk, char **fp, char **cause)
{
	struct base_buf b = { 0 };
	uint64_t size, head = 0, tail = 0;
	off_t end;
	int fd, rc;

	*fp = NULL;
	fd = open(disk, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), disk, strerror(errno));
	end = lseek(fd, 0, SEEK_END);
	size = end > 0 ? (uint64_t)end : 0;
	rc = sum_range(fd, 0, size < MIB ? size : MIB, &head);
	if (!rc && size > MIB)
		rc = sum_range(fd, size - MIB, MIB, &tail);
	if (rc < 0) {
		close(fd);
		return base_cause(cause, rc, _("Could not read %s: %s."), disk, strerror(-rc));
	}
	base_buf_printf(&b, "size=%" PRIu64 " head=%016" PRIx64 " tail=%016" PRIx64, size, head,
			tail);
	describe(fd, &b);
	close(fd);
	if (b.oom) {
		free(b.s);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	*fp = b.s;
	return 0;
}
