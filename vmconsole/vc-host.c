/* Host facts the console shows beside the hypervisor's: addresses per interface and the bridges guests can use. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void vc_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv || !(nv[*n] = strdup(s)))
		abort();
	*v = nv;
	(*n)++;
}

void vc_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int strv_add(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vc_bridges(const char *sysfs_net, char ***names, size_t *n, char **cause)
{
	DIR *d = opendir(sysfs_net);
	struct dirent *e;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return base_cause(cause, -errno, _("The network interfaces cannot be listed: %s."),
				  strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		/* Only a bridge has the "bridge" folder of its settings. */
		snprintf(path, sizeof(path), "%s/%s/bridge", sysfs_net, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = strv_add(names, n, strdup(e->d_name));
	}
	closedir(d);
	if (rc < 0) {
		vc_strv_free(*names, *n);
		*names = NULL;
		*n = 0;
		return base_cause(cause, rc, _("Out of memory."));
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

static unsigned prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t len;
	unsigned bits = 0;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		len = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		len = 16;
	}
	for (size_t i = 0; i < len; i++)
		bits += __builtin_popcount(b[i]);
	return bits;
}

int vc_addresses(char ***lines, size_t *n, char **cause)
{
	struct ifaddrs *ifa = NULL;
	struct base_buf *bufs = NULL;
	char **names = NULL;
	size_t nn = 0;
	int rc = 0;

	*lines = NULL;
	*n = 0;
	if (getifaddrs(&ifa) < 0)
		return base_cause(cause, -errno, _("The addresses of this host cannot be read: %s."),
				  strerror(errno));
	for (struct ifaddrs *a = ifa; a && rc == 0; a = a->ifa_next) {
		char addr[INET6_ADDRSTRLEN];
		const void *raw;
		size_t k;

		if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK))
			continue;
		if (a->ifa_addr->sa_family == AF_INET) {
			raw = &((struct sockaddr_in *)a->ifa_addr)->sin_addr;
		} else if (a->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *a6 = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;

			/* fe80:: addresses only work with the interface named: no use to an operator. */
			if (IN6_IS_ADDR_LINKLOCAL(a6))
				continue;
			raw = a6;
		} else {
			continue;
		}
		inet_ntop(a->ifa_addr->sa_family, raw, addr, sizeof(addr));
		for (k = 0; k < nn; k++)
			if (!strcmp(names[k], a->ifa_name))
				break;
		if (k == nn) {
			struct base_buf *nb = realloc(bufs, (nn + 1) * sizeof(*nb));

			if (!nb || (bufs = nb, strv_add(&names, &nn, strdup(a->ifa_name)) < 0)) {
				rc = -ENOMEM;
				break;
			}
			memset(&bufs[k], 0, sizeof(bufs[k]));
			base_buf_str(&bufs[k], a->ifa_name);
		}
		base_buf_printf(&bufs[k], " %s/%u", addr, prefix_len(a->ifa_netmask));
	}
	freeifaddrs(ifa);
	for (size_t k = 0; k < nn; k++) {
		if (rc == 0 && !bufs[k].oom)
			rc = strv_add(lines, n, bufs[k].s);
		else
			free(bufs[k].s);
	}
	free(bufs);
	vc_strv_free(names, nn);
	if (rc < 0) {
		vc_strv_free(*lines, *n);
		*lines = NULL;
		*n = 0;
		return base_cause(cause, rc, _("Out of memory."));
	}
	return 0;
}
