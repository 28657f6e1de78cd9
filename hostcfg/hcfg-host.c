/* Files of the installed host that ospite itself provides: the status line at boot, the NIC name pins, Xen's fixed dom0 memory, and a boot menu that names file systems by UUID. */
#include "hcfg.h"
#include "hcfg-target.h"
#include "hcfg-target-int.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Printed on the host's consoles at every boot: what an operator checks first. */
static const char hoststatus_sh[] =
	"#!/bin/sh\n"
	"# Prints the host's state on its consoles once it is up: hypervisor, bridges, address.\n"
	"hv=none\n"
	"if [ \"$(cat /sys/hypervisor/type 2>/dev/null)\" = xen ]; then\n"
	"\thv=xen\n"
	"\tgrep -q control_d /proc/xen/capabilities 2>/dev/null && hv=xen-dom0\n"
	"elif [ -e /dev/kvm ]; then\n"
	"\thv=kvm\n"
	"elif command -v qemu-system-x86_64 >/dev/null; then\n"
	"\t# A KVM host on a CPU without virtualization: guests run, emulated.\n"
	"\thv=qemu-tcg\n"
	"fi\n"
	"libvirt=$(systemctl is-active libvirtd.service 2>/dev/null)\n"
	"bridges=\n"
	"for b in /sys/class/net/*/bridge; do\n"
	"\t[ -d \"$b\" ] || continue\n"
	"\tn=${b%/bridge}; n=${n##*/}\n"
	"\tports=$(ls /sys/class/net/$n/brif 2>/dev/null | tr '\\n' '+')\n"
	"\tbridges=\"$bridges $n(${ports%+})\"\n"
	"done\n"
	"addr=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $2\"=\"$4}' | tr '\\n' ' ')\n"
	"msg=\"ospite: host $(hostname) ready: hypervisor=$hv bridges=${bridges# } addresses=${addr% } libvirtd=${libvirt:-none}\"\n"
	"echo \"$msg\"\n"
	"mkdir -p /etc/issue.d && printf '%s\\n\\n' \"$msg\" > /etc/issue.d/ospite.issue\n";

static const char hoststatus_unit[] =
	"[Unit]\n"
	"Description=ospite host status on the console\n"
	"After=network-online.target xencommons.service libvirtd.service\n"
	"Wants=network-online.target\n"
	"Before=getty.target\n\n"
	"[Service]\n"
	"Type=oneshot\n"
	"ExecStart=/usr/lib/ospite/ospite-hoststatus\n"
	"StandardOutput=journal+console\n"
	"RemainAfterExit=yes\n\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

int hcfg_host_status(const char *root, char **cause)
{
	int rc = hcfg_tgt_write(root, "/usr/lib/ospite/ospite-hoststatus", hoststatus_sh, 0755, cause);

	if (!rc)
		rc = hcfg_tgt_write(root, "/etc/systemd/system/ospite-hoststatus.service",
				    hoststatus_unit, 0644, cause);
	if (!rc)
		rc = hcfg_target_enable_unit(root, "ospite-hoststatus.service", NULL, cause);
	return rc;
}

int hcfg_host_nic_pins(const char *root, const struct hcfg_nic_pin *pins, size_t n, char **cause)
{
	for (size_t i = 0; i < n; i++) {
		char rel[128], *data;
		int rc;

		if (!pins[i].mac || !*pins[i].mac)
			continue;
		if (!hcfg_ifname_ok(pins[i].nic) || !hcfg_tgt_field_ok(pins[i].mac))
			return base_cause(cause, -EINVAL, _("\"%s\" is not a network device name ospite accepts: use letters, digits, dots, - and _, not starting with - (such as eth0 or enp1s0)."),
					  pins[i].nic);
		snprintf(rel, sizeof(rel), "/etc/systemd/network/10-ospite-%s.link", pins[i].nic);
		data = hcfg_tgt_asprintf("# Keeps the name the installer showed for this NIC.\n"
					 "[Match]\nMACAddress=%s\nType=ether\n\n[Link]\nName=%s\n",
					 pins[i].mac, pins[i].nic);
		if (!data)
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		rc = hcfg_tgt_write(root, rel, data, 0644, cause);
		free(data);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int hcfg_host_xen_fixed_dom0(const char *root, char **cause)
{
	char *path = hcfg_tgt_path(root, "/etc/xen/xl.conf"), *conf = NULL, *out;
	int rc;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	/* With a fixed dom0_mem, xl must not balloon dom0 down to start guests. */
	if (hcfg_read_file(path, &conf, NULL) < 0)
		conf = strdup("");
	if (!conf || strstr(conf, "\nautoballoon=\"off\"")) {
		rc = conf ? 0 : base_cause(cause, -ENOMEM, _("Out of memory."));
		free(conf);
		free(path);
		return rc;
	}
	out = hcfg_tgt_asprintf("%s\n# Set by ospite-install: dom0 has a fixed memory size.\nautoballoon=\"off\"\n",
				conf);
	rc = out ? hcfg_write_file(path, out, 0644, cause) : base_cause(cause, -ENOMEM, _("Out of memory."));
	free(conf);
	free(out);
	free(path);
	return rc;
}

/*
 * update-grub in a chroot without udev finds no /dev/disk/by-uuid and names
 * the root by device ("root=/dev/loop0p3"), which the booted host will not
 * have: rewrite those names as UUID=.
 */
int hcfg_host_grub_by_uuid(const char *root, char *const *devs, const char (*uuids)[64], size_t n,
			   char **cause)
{
	char *path = hcfg_tgt_path(root, "/boot/grub/grub.cfg"), *cfg = NULL;
	int rc;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_read_file(path, &cfg, cause);
	if (rc < 0) {
		free(path);
		return rc;
	}
	/* One pass: each "root=/dev/X" of a partition we made becomes "root=UUID=...". */
	struct base_buf out = { 0 };
	const char *at = cfg;

	for (const char *hit; (hit = strstr(at, "root=/dev/"));) {
		const char *dev = hit + 5;
		size_t i;

		base_buf_add(&out, at, hit - at);
		at = dev;
		for (i = 0; i < n; i++) {
			size_t dl = devs[i] ? strlen(devs[i]) : 0;

			if (dl && *uuids[i] && !strncmp(dev, devs[i], dl) &&
			    strchr(" \t\n", dev[dl]) && dev[dl]) {
				base_buf_printf(&out, "root=UUID=%s", uuids[i]);
				at = dev + dl;
				break;
			}
		}
		if (i == n)
			base_buf_add(&out, hit, 5);
	}
	base_buf_str(&out, at);
	free(cfg);
	if (out.oom) {
		free(out.s);
		free(path);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	/*
	 * A logical volume stays by its /dev/mapper name: update-grub always writes it so, and
	 * lvm2's initramfs activates the volume group by that name. Any other device is one the
	 * booted host may not have.
	 */
	const char *left = out.s;

	while ((left = strstr(left, "root=/dev/")) && !strncmp(left, "root=/dev/mapper/", 17))
		left += 17;
	if (left)
		rc = base_cause(cause, -EIO, _("The boot configuration still names a device instead of a UUID."));
	else
		rc = hcfg_write_file(path, out.s, 0444, cause);
	free(out.s);
	free(path);
	return rc;
}
