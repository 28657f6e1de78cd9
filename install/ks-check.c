/* Checks of a parsed answer file against the machine it installs: disks, sizes, network devices, memory. */
#include "ks.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct check {
	struct inst_plan *p;
	const struct inst_ks_machine *m;
	struct base_buf errs;
};

static void err(struct check *c, struct inst_loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err(struct check *c, struct inst_loc at, const char *fmt, ...)
{
	char where[320];
	va_list ap;

	inst_plan_where(c->p, at, where, sizeof(where));
	if (*where)
		base_buf_printf(&c->errs, "%s: ", where);
	va_start(ap, fmt);
	base_buf_vprintf(&c->errs, fmt, ap);
	va_end(ap);
	base_buf_str(&c->errs, "\n");
}

/* Is the disk name @name (as the answer file wrote it) the disk @d of this machine? */
static bool names_disk(const struct check *c, const char *name, const struct hcfg_disk *d)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!strcmp(name, d->path))
		return true;
	if (!realpath(name, a))
		return false;
	if (c->m->image && realpath(c->m->image, b) && !strcmp(a, b))
		return true;
	return realpath(d->path, b) && !strcmp(a, b);
}

static bool in_names(const struct check *c, char *const *names, const struct hcfg_disk *d)
{
	for (size_t i = 0; names && names[i]; i++)
		if (names_disk(c, names[i], d))
			return true;
	return false;
}

/* The target disk: the one the file names, or the only one that can take the install. */
static const struct hcfg_disk *pick_disk(struct check *c, size_t *idx)
{
	const struct inst_plan *p = c->p;
	const struct inst_ks_machine *m = c->m;
	const struct hcfg_disk *found = NULL;
	struct inst_loc file = { 0, 0 };
	struct base_buf names = { 0 };
	size_t n = 0;

	if (*p->disk) {
		for (size_t i = 0; i < m->n_disks && !found; i++)
			if (names_disk(c, p->disk, &m->disks[i]))
				found = &m->disks[i], *idx = i;
		if (!found && m->image)
			err(c, p->src_disk, _("The answer file names the disk %s, but this install writes only the image %s."),
			    p->disk, m->image);
		else if (!found)
			err(c, p->src_disk, _("The disk %s does not exist on this machine."), p->disk);
		else if (!found->eligible)
			err(c, p->src_disk, _("The disk %s cannot be used: %s"), p->disk, found->why);
		else if (in_names(c, p->ignore_disks, found))
			err(c, p->src_disk, _("The disk %s is excluded by ignoredisk --drives."), p->disk);
		else if (p->only_use && !in_names(c, p->only_use, found))
			err(c, p->src_disk, _("The disk %s is not among those ignoredisk --only-use allows."),
			    p->disk);
		else
			return found;
		return NULL;
	}
	for (size_t i = 0; i < m->n_disks; i++) {
		const struct hcfg_disk *d = &m->disks[i];

		if (!d->eligible || in_names(c, p->ignore_disks, d) ||
		    (p->only_use && !in_names(c, p->only_use, d)))
			continue;
		base_buf_printf(&names, "%s%s", n ? ", " : "", d->path);
		found = d;
		*idx = i;
		n++;
	}
	if (n == 0) {
		/* Say why each disk is out, so that the operator knows what to change. */
		for (size_t i = 0; i < m->n_disks; i++)
			if (!m->disks[i].eligible)
				err(c, file, _("The disk %s (%llu MiB) cannot be used: %s"), m->disks[i].path,
				    (unsigned long long)(m->disks[i].size >> 20), m->disks[i].why);
		err(c, file, _("No disk of this machine can take the install: each one is in use, too small or excluded."));
	}
	else if (n > 1)
		err(c, file, _("The answer file names no disk, and %zu disks of this machine could take the install (%s): name one with ignoredisk --only-use, clearpart --drives or part --ondisk."),
		    n, names.oom ? "" : names.s);
	free(names.s);
	return n == 1 ? found : NULL;
}

/* RAID 1: the second disk the file names, as the first is checked; NULL when it cannot be used. */
static const struct hcfg_disk *check_disk2(struct check *c, const struct hcfg_disk *d, size_t idx)
{
	const struct inst_plan *p = c->p;
	const struct inst_ks_machine *m = c->m;

	if (m->image) {
		err(c, p->src_disk2, _("RAID 1 needs two disks, but this install writes only the image %s."),
		    m->image);
		return NULL;
	}
	for (size_t i = 0; i < m->n_disks; i++) {
		const struct hcfg_disk *d2 = &m->disks[i];

		if (!names_disk(c, p->disk2, d2))
			continue;
		if (i == idx || d2 == d)
			err(c, p->src_disk2, _("The two disks of RAID 1 are the same disk %s."), d->path);
		else if (!d2->eligible)
			err(c, p->src_disk2, _("The disk %s cannot be used: %s"), p->disk2, d2->why);
		else if (in_names(c, p->ignore_disks, d2))
			err(c, p->src_disk2, _("The disk %s is excluded by ignoredisk --drives."), p->disk2);
		else if (p->only_use && !in_names(c, p->only_use, d2))
			err(c, p->src_disk2, _("The disk %s is not among those ignoredisk --only-use allows."),
			    p->disk2);
		else if (!p->wipe_confirmed && !(m->blank && m->blank[i]))
			err(c, p->src_clear.line ? p->src_clear : p->src_disk2,
			    _("The disk %s holds data (%s): name it in clearpart --drives, or use clearpart --all, to erase it."),
			    d2->path, d2->contents);
		else
			return d2;
		return NULL;
	}
	err(c, p->src_disk2, _("The disk %s does not exist on this machine."), p->disk2);
	return NULL;
}

static void check_sizes(struct check *c, const struct hcfg_disk *d, const struct hcfg_disk *d2)
{
	struct inst_plan *p = c->p;
	/* The arrays mirror partitions of the same sizes: the smaller disk sets them. */
	uint64_t disk_mib = (d2 && d2->size < d->size ? d2->size : d->size) >> 20;
	uint64_t avail = disk_mib > 2 ? disk_mib - 2 : 0;
	uint64_t ram = c->m->ram_mib ? c->m->ram_mib : 2048, sizes[INST_MAX_PARTS];
	bool bad = false;
	char *cause = NULL;

	if (p->autopart) {
		inst_plan_auto_parts(p, disk_mib, ram);
		inst_plan_auto_layout(p, p->layout);
		p->autopart = false;
	}
	for (size_t i = 0; i < p->n_parts; i++) {
		struct inst_part *e = &p->parts[i];

		if (e->recommended) {
			e->size_mib = inst_plan_swap_mib(disk_mib, ram);
			e->recommended = false;
		}
		if (inst_part_on_disk(e) && e->size_mib > avail) {
			err(c, e->src, _("The partition %s needs %llu MiB, but the disk %s holds only %llu MiB."),
			    e->mount, (unsigned long long)e->size_mib, d->path, (unsigned long long)avail);
			bad = true;
		}
	}
	if (!bad && inst_plan_resolve_sizes(p, disk_mib, sizes, &cause) < 0)
		err(c, (struct inst_loc){ 0, 0 }, "%s", cause);
	free(cause);
}

static const struct hcfg_nic *find_nic(const struct check *c, const char *name)
{
	for (size_t i = 0; i < c->m->n_nics; i++)
		if (!strcmp(c->m->nics[i].name, name))
			return &c->m->nics[i];
	return NULL;
}

static void check_addrs(struct check *c);
static void check_bridges(struct check *c);

static void check_nics(struct check *c)
{
	struct inst_plan *p = c->p;
	const struct inst_ks_machine *m = c->m;
	const struct hcfg_nic *n = NULL;

	if (p->nic_link) {
		for (size_t i = 0; i < m->n_nics && !n; i++)
			if (m->nics[i].carrier)
				n = &m->nics[i];
		/* An image boots elsewhere: a cable missing here says nothing about there. */
		if (!n && m->image && m->n_nics)
			n = &m->nics[0];
		if (!n && !m->image)
			err(c, p->src_network, _("No network device of this machine has a link."));
	} else if (*p->nic) {
		n = find_nic(c, p->nic);
		if (!n && m->nics_must_exist)
			err(c, p->src_network, _("The network device %s does not exist on this machine."),
			    p->nic);
	} else if (*p->nic_mac) {
		for (size_t i = 0; i < m->n_nics && !n; i++)
			if (!strcasecmp(m->nics[i].mac, p->nic_mac))
				n = &m->nics[i];
		if (!n)
			err(c, p->src_network, _("No network device of this machine has the MAC address %s."),
			    p->nic_mac);
	} else if (m->n_nics) {
		n = &m->nics[0];
	}
	if (n) {
		INST_COPY(p->nic, n->name);
		INST_COPY(p->nic_mac, n->mac);
		p->nic_link = false;
	}
	if (p->n_bridges == 0)
		inst_plan_default_bridges(p, m->nics, m->n_nics);
	else
		check_bridges(c);
	check_addrs(c);
}

/* Each extra address names a bridge of the plan or a NIC here, never the management one. */
static void check_addrs(struct check *c)
{
	struct inst_plan *p = c->p;

	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct inst_addr *x = &p->addrs[i];
		bool bridge = false;

		for (size_t j = 0; j < p->n_bridges; j++)
			bridge |= !strcmp(p->bridges[j].name, x->dev);
		if (*p->nic && !strcmp(x->dev, p->nic))
			err(c, x->src, _("The device %s already has the management address."), x->dev);
		else if (!bridge && !find_nic(c, x->dev) && c->m->nics_must_exist)
			err(c, x->src, _("The network device %s does not exist on this machine."), x->dev);
	}
}

static void check_bridges(struct check *c)
{
	struct inst_plan *p = c->p;
	const struct inst_ks_machine *m = c->m;

	for (size_t i = 0; i < p->n_bridges; i++) {
		const struct hcfg_nic *bn = find_nic(c, p->bridges[i].nic);

		if (bn)
			INST_COPY(p->bridges[i].mac, bn->mac);
		else if (m->nics_must_exist)
			err(c, p->bridges[i].src, _("The network device %s does not exist on this machine."),
			    p->bridges[i].nic);
	}
}

int inst_ks_check_machine(struct inst_plan *p, const struct inst_ks_machine *m, char **errors)
{
	struct check c = { .p = p, .m = m };
	const struct hcfg_disk *d, *d2;
	struct stat st;
	size_t idx = 0;
	int rc;

	d = pick_disk(&c, &idx);
	if (d) {
		INST_COPY(p->disk, d->path);
		if (!p->wipe_confirmed && !(m->blank && m->blank[idx]))
			err(&c, p->src_clear.line ? p->src_clear : p->src_disk,
			    _("The disk %s holds data (%s): name it in clearpart --drives, or use clearpart --all, to erase it."),
			    d->path, d->contents);
		else
			p->wipe_confirmed = true;
		if (!*p->disk2)
			check_sizes(&c, d, NULL);
		else if ((d2 = check_disk2(&c, d, idx)))
			check_sizes(&c, d, d2);
	}
	if (m->check_nics)
		check_nics(&c);
	if (p->hv == INST_HV_XEN && m->ram_mib && !m->image && p->dom0_mem_mib >= m->ram_mib)
		err(&c, p->src_hv, _("Dom0 memory must be at least 512 MiB and less than the %llu MiB of this machine."),
		    (unsigned long long)m->ram_mib);
	if (p->src == INST_SRC_LOCAL && (stat(p->local_dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		err(&c, p->src_url, _("The package directory %s does not exist."), p->local_dir);
	/* What the screens check too has the last word, once nothing else is wrong. */
	if (!c.errs.s) {
		char *problems = NULL;

		if (inst_plan_validate(p, &problems) < 0) {
			char *save = NULL;

			for (char *l = strtok_r(problems, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
				err(&c, (struct inst_loc){ 0, 0 }, "%s", l);
		}
		free(problems);
	}
	if (c.errs.oom)
		abort();
	rc = c.errs.s ? -EINVAL : 0;
	if (errors)
		*errors = c.errs.s;
	else
		free(c.errs.s);
	return rc;
}
