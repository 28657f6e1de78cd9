/* Unit tests for the editor's preview: each change of hv_edit_diff() in words, grouped by when it takes effect. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmconsole/vc.h"

static void test_rows(void **state)
{
	struct hv_disk disk = { .kind = HV_DISK_NEW_QCOW2, .path = (char *)"/p/web1-disk2.qcow2",
				.size = 1ULL << 30 };
	struct hv_disk cd = { .kind = HV_DISK_CDROM, .path = (char *)"/p/cd.iso", .target = (char *)"sda" };
	struct hv_disk old = { .kind = HV_DISK_FILE, .path = (char *)"/p/web1.img", .target = (char *)"vda" };
	struct hv_nic nic = { .bridge = (char *)"br0", .mac = "52:54:00:00:00:02" };
	struct hv_change c[] = {
		{ .kind = HV_CH_VCPUS, .when = HV_WHEN_NEXT_START, .from = 1, .to = 2 },
		{ .kind = HV_CH_MEMORY, .when = HV_WHEN_NOW, .from = 262144, .to = 524288 },
		{ .kind = HV_CH_DISK_ADD, .when = HV_WHEN_NEXT_START, .disk = &disk },
		{ .kind = HV_CH_CD_INSERT, .when = HV_WHEN_NOW, .disk = &cd },
		{ .kind = HV_CH_DISK_REMOVE, .when = HV_WHEN_NEXT_START, .disk = &old },
		{ .kind = HV_CH_NIC_ADD, .when = HV_WHEN_NEXT_START, .nic = &nic },
		{ .kind = HV_CH_AUTOSTART, .when = HV_WHEN_NOW, .from = 0, .to = 1 },
	};
	char **rows = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(vc_change_rows(c, 7, &rows, &n), 0);
	/* What happens at once first, then what waits for the next start, each under its title. */
	assert_int_equal(n, 9);
	assert_string_equal(rows[0], "At once:");
	assert_string_equal(rows[1], "  Memory: 256 MiB to 512 MiB.");
	assert_string_equal(rows[2], "  Put /p/cd.iso in the CD-ROM drive sda.");
	assert_string_equal(rows[3], "  Starts with the host: yes.");
	assert_string_equal(rows[4], "At the guest's next start:");
	assert_string_equal(rows[5], "  Virtual CPUs: 1 to 2.");
	assert_string_equal(rows[6], "  Add a disk: /p/web1-disk2.qcow2, new qcow2 file of 1.0 GiB, made now.");
	assert_string_equal(rows[7], "  Remove the disk vda (/p/web1.img); the file stays on the host.");
	assert_string_equal(rows[8], "  Add a network card 52:54:00:00:00:02 on the bridge br0, model virtio.");
	vc_strv_free(rows, n);
	/* Only one kind of change: one title. */
	assert_int_equal(vc_change_rows(c, 1, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0], "At the guest's next start:");
	vc_strv_free(rows, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
