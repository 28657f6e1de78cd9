/* hostcfg: the configuration files of an installed Debian 12 host, written into its target root. */
#ifndef OSPITE_HCFG_TARGET_H
#define OSPITE_HCFG_TARGET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Every function takes @root, the directory the target system is mounted on
 * ("/mnt/target"); paths below are inside it. @root must exist and must not
 * be "/" (that would rewrite the running system). Files are replaced
 * atomically and missing parent directories are created. Return 0 or a
 * negative errno with a translated sentence in *@cause (when not NULL).
 */

/* ---- /etc/fstab ---------------------------------------------------------- */

#define HCFG_TARGET_PASS_NONE (-1)  /* write fsck pass 0 for a filesystem */

struct hcfg_target_mount {
	const char *mount;    /* "/", "/boot", "/var/lib/ospite/images"; "swap" or "none" for swap */
	const char *uuid;     /* the filesystem UUID (never a device name) */
	const char *fstype;   /* "ext4", "xfs", "vfat", "swap"; NULL, "" or "biosboot": skipped */
	const char *options;  /* NULL or "": the usual ones for this filesystem */
	int pass;             /* 0: the usual (1 for /, 2 for others, 0 for swap);
			       * HCFG_TARGET_PASS_NONE: 0; 1 or 2: as given */
};

/* Write /etc/fstab naming every filesystem by UUID; parents are mounted before children. */
int hcfg_target_fstab(const char *root, const struct hcfg_target_mount *mounts, size_t n,
		      char **cause);

/* ---- network: interfaces, hostname, hosts, resolv.conf ------------------- */

struct hcfg_target_bridge {
	const char *name;     /* "xenbr0", "br0" */
	const char *nic;      /* the NIC it carries; NULL or "": a bridge without ports */
};

/* An address besides the management one: a storage or migration network. */
struct hcfg_target_addr {
	const char *dev;      /* a NIC (the address goes on the bridge carrying it) or a bridge */
	bool dhcp;
	const char *address;  /* static: IPv4 address */
	unsigned prefix;      /* static: prefix length, 1..32 */
	const char *gateway;  /* static: NULL or "" (only one address of the host holds one) */
	const char *ipv6;     /* NULL or "": none; "auto", "dhcp" or "ADDRESS/PREFIX" */
	bool nodefroute;      /* DHCP: take the address, not the server's default route */
};

struct hcfg_target_net {
	const char *hostname; /* short name or FQDN */
	const char *mgmt_nic; /* the NIC the host is managed through */
	bool dhcp;
	const char *address;  /* static: IPv4 address */
	unsigned prefix;      /* static: prefix length, 1..32 */
	const char *gateway;  /* static: IPv4 gateway, NULL or "" for none */
	const char *dns;      /* static: DNS servers separated by spaces or commas */
	const struct hcfg_target_bridge *bridges;
	size_t n_bridges;
	const char *ipv6;     /* the management interface: NULL or "", "auto", "dhcp", "ADDR/PREFIX" */
	const struct hcfg_target_addr *extra;
	size_t n_extra;
	bool noipv6;          /* IPv6 off on every interface (sysctl) */
	bool nodefroute;      /* DHCP: take the address, not the server's default route */
};

/*
 * The host name rule (RFC 1123): labels of letters, digits and inner
 * hyphens, at most 63 characters each and 253 in all. 0, or -EINVAL with
 * a translated sentence saying what is wrong.
 */
int hcfg_hostname_valid(const char *s, char **cause);

/* A serial console as ospite names it: "ttyS0,115200" (the speed defaults to 115200). */
struct hcfg_serial {
	char tty[16];          /* "ttyS0" */
	unsigned unit;         /* 0 for ttyS0 (at most 31) */
	unsigned long speed;   /* 300 to 4000000 */
};

/*
 * Parse @s into *@out (when not NULL): the one rule for the answer file, the
 * command line and the boot configuration. 0, or -EINVAL with a translated
 * sentence.
 */
int hcfg_serial_parse(const char *s, struct hcfg_serial *out, char **cause);

/*
 * Write /etc/network/interfaces (ifupdown with bridge-utils), /etc/hostname,
 * /etc/hosts and, for a static address, /etc/resolv.conf. The management
 * address goes on the bridge that carries the management NIC, or on the NIC
 * itself when no bridge carries it; each extra address the same way; other
 * bridges come up without an address. With noipv6, a sysctl file turns IPv6 off.
 * DHCP addresses with nodefroute are listed in a dhclient hook that drops the
 * server's routers for them, so that the host keeps one default route.
 */
int hcfg_target_network(const char *root, const struct hcfg_target_net *net, char **cause);

/* ---- firewall ------------------------------------------------------------ */

/*
 * Write /etc/nftables.conf: a table "ospite" that drops what comes to the
 * host itself unless it answers the host's own traffic, comes on loopback or
 * a trusted interface, is ICMP or the DHCP client's, or goes to one of
 * @ports ("22/tcp", "53/udp"). Forwarded traffic (the guests' bridges) is
 * left alone. The caller installs nftables and enables nftables.service.
 */
int hcfg_target_firewall(const char *root, char *const *ports, char *const *trusted,
			 char **cause);

/* ---- apt sources --------------------------------------------------------- */

/*
 * The keyring the installed host checks its installation source with when
 * that mirror is signed by the install medium's key as well as Debian's.
 */
#define HCFG_TARGET_MIRROR_KEYRING "/etc/apt/keyrings/ospite-mirror.gpg"

/*
 * Copy the file @from (a keyring: binary) to @rel inside @root with @mode,
 * atomically: a temporary file in the same folder, fsync, rename, so that
 * an install cut off half-way never leaves half a key for apt to read.
 */
int hcfg_target_copy(const char *root, const char *rel, const char *from, unsigned mode,
		     char **cause);

/*
 * Is @name taken by the host's own package source, so that an extra source
 * of that name (its NAME.sources, its keyring NAME.gpg) would overwrite it
 * or be overwritten: "debian" (sources.list.d/debian.sources, the
 * installation source, kept switched off when it was a local medium) and
 * "ospite-mirror" (HCFG_TARGET_MIRROR_KEYRING).
 */
bool hcfg_target_apt_name_reserved(const char *name);

struct hcfg_target_apt {
	const char *mirror;     /* "http://mirror.example.org/debian", "file:/srv/debian" */
	const char *suite;      /* "bookworm" */
	const char *components; /* NULL or "": "main non-free-firmware" */
	bool updates;           /* also SUITE-updates from the mirror */
	const char *security;   /* security archive URL (suite SUITE-security), NULL or "": none */
	const char *signed_by;  /* NULL: Debian's archive keyring; "": no Signed-By field */
	bool trusted;           /* add "Trusted: yes" (an unsigned local repository) */
	/*
	 * A local source that only the install could read: debian.sources
	 * says the host has no package source yet instead of naming it, and
	 * sources.list lines naming it are removed.
	 */
	bool disabled;
};

/*
 * Write /etc/apt/sources.list.d/debian.sources (deb822) and remove
 * /etc/apt/sources.list when all it holds are entries that file covers
 * (what debootstrap writes); any other sources.list is left alone.
 */
int hcfg_target_apt_sources(const char *root, const struct hcfg_target_apt *apt, char **cause);

/*
 * Write /etc/apt/sources.list.d/@name.sources (deb822) for one more source:
 * @apt's mirror, suite (one ending in "/" is a flat repository, without
 * components), components ("main" when empty), signed_by (NULL: Debian's
 * keyring, "": none) and trusted; updates, security and disabled are not used.
 * A name hcfg_target_apt_name_reserved() refuses is -EINVAL.
 */
int hcfg_target_apt_repo(const char *root, const char *name, const struct hcfg_target_apt *apt,
			 char **cause);

/* ---- locale, keyboard, time zone ----------------------------------------- */

/*
 * Write /etc/default/locale with LANG=@locale ("it_IT.UTF-8", or "sr_RS" when
 * the target's SUPPORTED lists that name as UTF-8) and enable it in
 * /etc/locale.gen; the caller runs locale-gen in the target afterwards.
 */
int hcfg_target_locale(const char *root, const char *locale, char **cause);

/* Write /etc/default/keyboard: model pc105, @layout ("it"), @variant (NULL or "" for none). */
int hcfg_target_keyboard(const char *root, const char *layout, const char *variant,
			 char **cause);

/*
 * Write /etc/timezone, point /etc/localtime at /usr/share/zoneinfo/@zone
 * (which must exist in the target: -ENOENT naming the zone otherwise) and
 * record in /etc/adjtime whether the hardware clock keeps UTC or local time.
 */
int hcfg_target_timezone(const char *root, const char *zone, bool utc, char **cause);

/* ---- boot loader and console --------------------------------------------- */

struct hcfg_target_grub {
	unsigned timeout;       /* seconds the menu waits */
	const char *cmdline;    /* extra Linux arguments, NULL or "" for none */
	const char *serial;     /* "ttyS0,115200" for a serial console, NULL or "" for none */
	bool xen;               /* the host boots Xen with a Linux dom0 */
	unsigned dom0_mem_mib;  /* Xen: fixed dom0 memory, 0 for Xen's default */
};

/*
 * Write /etc/default/grub.d/ospite.cfg, which update-grub sources after
 * /etc/default/grub: timeout, console on the serial line for GRUB, Linux, Xen
 * and dom0, dom0 memory, and the Xen entry as the default one.
 */
int hcfg_target_grub(const char *root, const struct hcfg_target_grub *g, char **cause);

/*
 * Enable a getty on the serial console: serial-getty@hvc0 under Xen (dom0
 * reaches the line through Xen's console), serial-getty@ttySN otherwise.
 * Nothing to do when @serial is NULL or "".
 */
int hcfg_target_serial_getty(const char *root, const char *serial, bool xen, char **cause);

/*
 * Run "systemctl --root=ROOT enable UNIT": link the unit file into the
 * .wants/ and .requires/ directories its [Install] section names, and make
 * its aliases. With @wantedby (blank-separated targets, which must exist in
 * the target) it is "systemctl --root=ROOT add-wants TARGET UNIT" instead,
 * whatever [Install] says. Instances of templates
 * ("serial-getty@ttyS0.service") link to the template file. A link to
 * something else is replaced; a file in the way is -EEXIST. A missing unit
 * is -ENOENT, a masked one -EPERM, one without [Install] (and no @wantedby)
 * -EINVAL.
 */
int hcfg_target_enable_unit(const char *root, const char *unit, const char *wantedby,
			    char **cause);

/*
 * Run "systemctl --root=ROOT disable UNIT": remove its .wants/.requires links
 * and aliases (every instance's, for a bare template). A masked unit stays
 * masked; a unit that does not exist is not an error.
 */
int hcfg_target_disable_unit(const char *root, const char *unit, char **cause);

/*
 * Write (@block true) or remove /usr/sbin/policy-rc.d answering 101, so
 * that packages installed in the target do not start their daemons on the
 * installing machine.
 */
int hcfg_target_block_daemons(const char *root, bool block, char **cause);

/* ---- files ospite itself provides on the host (hcfg-host.c) ---------------- */

/* The boot-time status line on the consoles ("ospite: host NAME ready: ..."), enabled. */
int hcfg_host_status(const char *root, char **cause);
/* A NIC's name pinned to its MAC with a systemd .link file. */
struct hcfg_nic_pin {
	const char *nic;
	const char *mac;         /* NULL or "": no pin */
};
int hcfg_host_nic_pins(const char *root, const struct hcfg_nic_pin *pins, size_t n, char **cause);
/* xl.conf: dom0 has a fixed memory size, so xl must not balloon it down (autoballoon="off"). */
int hcfg_host_xen_fixed_dom0(const char *root, char **cause);
/*
 * Rewrite "root=/dev/X" in /boot/grub/grub.cfg as "root=UUID=..." for each
 * of the @n partitions @devs whose file system has the UUID @uuids[i]; a
 * device name left over is an error.
 */
int hcfg_host_grub_by_uuid(const char *root, char *const *devs, const char (*uuids)[64], size_t n,
			   char **cause);

#endif
