/* Writes how an installed host boots: GRUB, Xen and dom0 arguments, the serial getty. */
#include "hcfg.h"
#include "hcfg-target.h"
#include "hcfg-target-int.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The snippet puts these inside double quotes: nothing the shell would expand or end. */
static bool cmdline_ok(const char *s)
{
	for (; s && *s; s++) {
		if ((unsigned char)*s < ' ' || strchr("\"\\$`", *s))
			return false;
	}
	return true;
}

/*
 * Why these variables (read from Debian 12's grub-common 2.06-13 and
 * xen-hypervisor-common 4.17):
 *
 * - grub-mkconfig sources /etc/default/grub, then the .cfg files of
 *   /etc/default/grub.d in glob order, so ospite.cfg overrides
 *   /etc/default/grub and is read before xen.cfg ("o" < "x").
 * - 20_linux_xen passes "GRUB_CMDLINE_XEN GRUB_CMDLINE_XEN_DEFAULT" to Xen in
 *   normal entries but only GRUB_CMDLINE_XEN in recovery entries, and it
 *   replaces GRUB_CMDLINE_LINUX (used by every entry) with
 *   GRUB_CMDLINE_LINUX_XEN_REPLACE, while ..._REPLACE_DEFAULT only replaces
 *   GRUB_CMDLINE_LINUX_DEFAULT ("quiet"). The console must work in recovery
 *   too, and dom0 must lose console=ttyS0 (Xen owns the UART; dom0 reaches
 *   it as hvc0), so the console and memory go in GRUB_CMDLINE_XEN and the
 *   dom0 arguments in GRUB_CMDLINE_LINUX_XEN_REPLACE. The native entries
 *   keep GRUB_CMDLINE_LINUX with ttyS0.
 * - xen.cfg sets GRUB_DEFAULT itself, to the title "$GRUB_DISTRIBUTOR
 *   GNU/Linux, with Xen hypervisor" of 20_linux_xen's first entry, unless
 *   XEN_OVERRIDE_GRUB_DEFAULT is 0; left empty it does the same with a
 *   warning. A GRUB_DEFAULT set here would be overwritten by it, so this
 *   file sets XEN_OVERRIDE_GRUB_DEFAULT=1: the Xen entry is the default and
 *   update-grub stays quiet. The title lookup is language-proof there:
 *   grub-common's catalogs do not translate that title.
 */
int hcfg_target_grub(const char *root, const struct hcfg_target_grub *g, char **cause)
{
	struct hcfg_serial ser = { .unit = 0 };
	bool serial = !hcfg_tgt_empty(g->serial);
	const char *extra = hcfg_tgt_empty(g->cmdline) ? "" : g->cmdline;
	const char *sp = *extra ? " " : "";
	char *buf = NULL;
	size_t len;
	FILE *f;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	if (!cmdline_ok(g->cmdline))
		return base_cause(cause, -EINVAL,
				  _("The kernel arguments may not contain quotes, backslashes, "
				    "dollar signs, backquotes or control characters."));
	if (serial) {
		rc = hcfg_serial_parse(g->serial, &ser, cause);
		if (rc < 0)
			return rc;
		if (g->xen && ser.unit > 1)
			return base_cause(cause, -EINVAL,
					  _("Xen can use the serial ports ttyS0 and ttyS1 only, not %s."),
					  ser.tty);
	}

	f = open_memstream(&buf, &len);
	if (!f)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	fputs("# Boot settings chosen when this host was installed.\n"
	      "# update-grub reads this file after /etc/default/grub, so these values win.\n", f);
	fprintf(f, "GRUB_TIMEOUT=%u\n", g->timeout);
	if (serial) {
		/* The last console= is /dev/console: the serial line, where the operator is. */
		fprintf(f, "GRUB_CMDLINE_LINUX=\"console=tty0 console=%s,%lun8%s%s\"\n", ser.tty,
			ser.speed, sp, extra);
		fprintf(f, "GRUB_TERMINAL=\"console serial\"\n");
		fprintf(f, "GRUB_SERIAL_COMMAND=\"serial --unit=%u --speed=%lu --word=8 --parity=no --stop=1\"\n",
			ser.unit, ser.speed);
	} else {
		fprintf(f, "GRUB_CMDLINE_LINUX=\"%s\"\n", extra);
	}
	if (g->xen) {
		char xen[160] = "";

		if (g->dom0_mem_mib)
			snprintf(xen, sizeof(xen), "dom0_mem=%uM,max:%uM", g->dom0_mem_mib,
				 g->dom0_mem_mib);
		if (serial)
			snprintf(xen + strlen(xen), sizeof(xen) - strlen(xen),
				 "%scom%u=%lu,8n1 console=com%u,vga", *xen ? " " : "",
				 ser.unit + 1, ser.speed, ser.unit + 1);
		fputs("# Xen: for every Xen entry, recovery included.\n", f);
		fprintf(f, "GRUB_CMDLINE_XEN=\"%s\"\n", xen);
		if (serial) {
			fputs("# dom0 reaches the serial line through Xen's console, not ttyS.\n", f);
			fprintf(f, "GRUB_CMDLINE_LINUX_XEN_REPLACE=\"console=hvc0 earlyprintk=xen%s%s\"\n",
				sp, extra);
		}
		fputs("# Boot Xen by default; /etc/default/grub.d/xen.cfg reads this after this file.\n"
		      "XEN_OVERRIDE_GRUB_DEFAULT=1\n", f);
	}
	if (!hcfg_tgt_mem_close(f, &buf))
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_tgt_write(root, "/etc/default/grub.d/ospite.cfg", buf, 0644, cause);
	free(buf);
	return rc;
}

int hcfg_target_serial_getty(const char *root, const char *serial, bool xen, char **cause)
{
	struct hcfg_serial ser;
	char unit[64];
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0 || hcfg_tgt_empty(serial))
		return rc;
	rc = hcfg_serial_parse(serial, &ser, cause);
	if (rc < 0)
		return rc;
	snprintf(unit, sizeof(unit), "serial-getty@%s.service", xen ? "hvc0" : ser.tty);
	return hcfg_target_enable_unit(root, unit, "getty.target", cause);
}

