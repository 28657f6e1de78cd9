/* hv: the hypervisor layer of ospite, a guest model and its life cycle over libvirt. */
#ifndef OSPITE_HV_H
#define OSPITE_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/*
 * Conventions as in hostcfg/hcfg.h: functions return 0 or a negative errno
 * and fill an optional @cause with a malloc'd, translated, whole sentence.
 * Guests are named by their libvirt name everywhere.
 */

/* ---- the guest model (hv-model.c, hv-xml.c) ------------------------------ */

enum hv_arch { HV_ARCH_X86_64 = 0, HV_ARCH_I686 };

enum hv_disk_kind {
	HV_DISK_NEW_RAW = 0,  /* a new sparse raw file of @size bytes, made by hv_define() */
	HV_DISK_NEW_QCOW2,    /* a new qcow2 file of @size bytes, made by hv_define() */
	HV_DISK_FILE,         /* an existing image file (format in @format) */
	HV_DISK_BLOCK,        /* a physical partition or block device */
	HV_DISK_CDROM,        /* an ISO attached as a read-only CD-ROM */
};

struct hv_disk {
	enum hv_disk_kind kind;
	char *path;           /* file or device; for a new disk the file to create */
	uint64_t size;        /* bytes, for new disks (0 otherwise, or the size read back) */
	char *format;         /* "raw", "qcow2"; NULL = from kind */
	char *target;         /* "vda", "xvda", "hdc"; NULL = next free for the bus */
	char *bus;            /* "virtio", "xen", "ide", "sata", "scsi"; NULL = virtio (cdrom: sata) */
	char *cache;          /* NULL = "none" for virtio disks */
	char *io;             /* NULL = "native" when cache is none */
	bool readonly;
};

struct hv_nic {
	char *bridge;         /* host bridge, e.g. "xenbr0" */
	char mac[18];         /* "" = generate (00:16:3e on Xen, 52:54:00 on QEMU) */
	char *model;          /* "virtio", "e1000", "rtl8139"; NULL = virtio (on Xen: Xen's default) */
};

enum hv_lifecycle {
	HV_LC_DESTROY = 0, HV_LC_RESTART, HV_LC_PRESERVE, HV_LC_RENAME_RESTART,
	HV_LC_COREDUMP_DESTROY, HV_LC_COREDUMP_RESTART,
};

enum hv_boot_dev { HV_BOOT_NONE = 0, HV_BOOT_HD, HV_BOOT_CDROM, HV_BOOT_NETWORK };

struct hv_guest {
	char *name;
	char uuid[37];        /* "" = let libvirt choose */
	enum hv_arch arch;
	bool pv;              /* Xen paravirtual (os type "xen"); false = HVM */
	uint64_t memory_kib;
	uint64_t max_memory_kib;  /* 0 = same as memory */
	unsigned vcpus;
	unsigned sockets, cores, threads;  /* all 0 = no <topology> */
	struct hv_disk *disks;
	size_t n_disks;
	struct hv_nic *nics;
	size_t n_nics;
	bool vnc;
	char *vnc_listen;     /* NULL = "127.0.0.1" */
	int vnc_port;         /* -1 = automatic */
	char *vnc_password;   /* NULL = none */
	bool serial;          /* a pty serial port and console */
	bool acpi, apic, pae;
	enum hv_lifecycle on_poweroff, on_reboot, on_crash;
	bool autostart;
	enum hv_boot_dev boot[4];   /* boot order, HV_BOOT_NONE terminates */
	char *kernel, *initrd, *cmdline;  /* direct kernel boot, NULL when unused */
	char *bootloader;     /* Xen PV: a program run on the host to find the kernel (pygrub), NULL = none */
	char *bootloader_args;  /* its arguments, NULL = none */
};

/* A guest with the defaults of a new guest: 64-bit HVM, 1 vCPU, 512 MiB, ACPI/APIC/PAE on, serial, VNC, boot from disk, restart on reboot. */
void hv_guest_init(struct hv_guest *g);
/* Free what the guest points to and zero it; hv_guest_free() also frees @g itself. */
void hv_guest_clear(struct hv_guest *g);
void hv_guest_free(struct hv_guest *g);
/* A deep copy (aborts when out of memory), for an editor to change beside the original. */
struct hv_guest *hv_guest_copy(const struct hv_guest *g);
/* Append a zeroed disk or NIC and return it (NULL when out of memory); older pointers go stale. */
struct hv_disk *hv_guest_add_disk(struct hv_guest *g);
struct hv_nic *hv_guest_add_nic(struct hv_guest *g);

/* Check a guest before it is defined: name, memory against @host_mem_kib (0 = unchecked), disks, MACs. */
int hv_guest_check(const struct hv_guest *g, uint64_t host_mem_kib, char **cause);
/* A guest name: letters, digits, '-', '_', '.', not starting with '-' or '.', at most 64 bytes. */
bool hv_name_valid(const char *name);
/* "aa:bb:cc:dd:ee:ff", unicast. */
bool hv_mac_valid(const char *mac);
/* A random MAC with the Xen (00:16:3e) or QEMU (52:54:00) prefix. */
void hv_mac_generate(bool xen, char out[18]);

/* Domain XML for @virt_type ("qemu", "kvm" or "xen"), built with libxml2. */
int hv_guest_to_xml(const struct hv_guest *g, const char *virt_type, char **xml, char **cause);
/* A guest model read back from domain XML. */
int hv_guest_from_xml(const char *xml, struct hv_guest **g, char **cause);

/* ---- connections and host facts (hv-conn.c) ------------------------------- */

struct hv_conn;

/*
 * Open @uri, or when NULL the default: $LIBVIRT_DEFAULT_URI when set,
 * xen:///system on a Xen host (dom0), qemu:///system when a libvirt daemon
 * runs, qemu:///session otherwise.
 */
int hv_open(const char *uri, struct hv_conn **conn, char **cause);
void hv_close(struct hv_conn *conn);
const char *hv_uri(const struct hv_conn *conn);
/*
 * "xen", "kvm" or "qemu": the domain type new guests get on this connection
 * (another driver's own type, e.g. "test" on test:///default). KVM only when
 * the capabilities offer it and $OSPITE_ACCEL is not "tcg".
 */
const char *hv_virt_type(const struct hv_conn *conn);
bool hv_is_xen(const struct hv_conn *conn);

struct hv_host {
	char hostname[256];
	char hypervisor[32];    /* "Xen", "QEMU", "Test" */
	char version[32];       /* "4.17.2" */
	char cpu_model[64];
	unsigned cpus;
	uint64_t memory_kib, free_kib;
	unsigned guests, running;
};
int hv_host_info(struct hv_conn *conn, struct hv_host *h, char **cause);

/* ---- guests: list, stats, life cycle (hv-dom.c) ---------------------------- */

enum hv_state {
	HV_STATE_NOSTATE = 0, HV_STATE_RUNNING, HV_STATE_BLOCKED, HV_STATE_PAUSED,
	HV_STATE_SHUTDOWN, HV_STATE_SHUTOFF, HV_STATE_CRASHED, HV_STATE_PMSUSPENDED,
};
/* Translated state name ("running", "shut off"). */
const char *hv_state_name(enum hv_state s);

struct hv_dom_stat {
	char name[128];
	char uuid[37];
	enum hv_state state;
	unsigned vcpus;
	uint64_t memory_kib;      /* current balloon, or maximum when off */
	uint64_t cpu_time_ns;     /* for CPU %: difference over wall time */
	bool autostart;
	bool persistent;
};

/*
 * Every guest, defined or running, sorted by name; a few calls that cover all guests at once (bulk
 * stats, filtered lists), never one per guest unless the driver offers nothing better.
 */
int hv_list(struct hv_conn *conn, struct hv_dom_stat **out, size_t *n, char **cause);
/* CPU use between two samples @dt_ns apart, in percent of all the guest's vCPUs (0..100). */
double hv_cpu_percent(const struct hv_dom_stat *prev, const struct hv_dom_stat *cur,
		      uint64_t dt_ns);

/* ---- where disks may live (hv-pool.c) ------------------------------------------ */

/* hv_disk_place() and hv_define_flags(): the operator is root and confirmed each host path. */
#define HV_HOST_PATHS 1u

enum hv_place {
	HV_PLACE_POOL = 0,    /* a file directly in the folder of an active dir/fs/netfs pool */
	HV_PLACE_OUTSIDE,     /* an existing file outside every pool */
	HV_PLACE_DEVICE,      /* a block device */
};

/*
 * Whether @d may be a guest's disk, and where it is. New disks only inside a pool (-EPERM
 * otherwise); an existing file outside every pool, or a block device, only with HV_HOST_PATHS
 * (-EPERM); a block device the host uses never (-EBUSY, see hcfg_dev_in_use()).
 */
int hv_disk_place(struct hv_conn *conn, const struct hv_disk *d, unsigned flags,
		  enum hv_place *place, char **cause);
/*
 * The pool whose folder holds @path directly (@exists: the file is there and its links are
 * resolved; else its folder is). 0 with @pool (malloc'd, may be NULL), or -ENOENT for none.
 */
int hv_path_pool(struct hv_conn *conn, const char *path, bool exists, char **pool, char **cause);
/* Make folder @dir (created when missing) an active, autostarted dir pool named @name, unless a pool already has it. */
int hv_pool_ensure(struct hv_conn *conn, const char *name, const char *dir, char **cause);
/* Tell libvirt that the pool holding @path changed. */
void hv_pool_refresh(struct hv_conn *conn, const char *path);

/*
 * Create the new disks of @g (sparse raw via ftruncate, qcow2 via qemu-img) and define it;
 * nothing is left behind on failure. Every disk must pass hv_disk_place() with @flags. A new
 * disk whose file exists is refused (-EEXIST). A guest of the same name is only replaced when
 * @g has its UUID (an edit of what hv_get() returned).
 */
int hv_define_flags(struct hv_conn *conn, const struct hv_guest *g, unsigned flags,
		    char **cause);
/* hv_define_flags() without HV_HOST_PATHS: disks in pools only. */
int hv_define(struct hv_conn *conn, const struct hv_guest *g, char **cause);
/* The model of a defined guest (its inactive XML). */
int hv_get(struct hv_conn *conn, const char *name, struct hv_guest **g, char **cause);

int hv_start(struct hv_conn *conn, const char *name, char **cause);
int hv_shutdown(struct hv_conn *conn, const char *name, char **cause);   /* ACPI, asks the guest */
int hv_reboot(struct hv_conn *conn, const char *name, char **cause);
int hv_destroy(struct hv_conn *conn, const char *name, char **cause);    /* force off */
int hv_suspend(struct hv_conn *conn, const char *name, char **cause);
int hv_resume(struct hv_conn *conn, const char *name, char **cause);
int hv_set_autostart(struct hv_conn *conn, const char *name, bool on, char **cause);

/*
 * The files a guest's disks use (not block devices, not CD-ROMs), for "delete with storage".
 * Only files inside a storage pool count; read-only disks and files another defined guest also
 * uses are left out: they are not this guest's to delete.
 */
int hv_storage_files(struct hv_conn *conn, const char *name, char ***paths, size_t *n,
		     char **cause);
/*
 * Undefine a shut-off guest; with @delete_storage also remove the files hv_storage_files() lists,
 * each checked again to be a regular file in a pool's folder just before it goes.
 */
int hv_undefine(struct hv_conn *conn, const char *name, bool delete_storage, char **cause);

/* ---- events (hv-event.c) ---------------------------------------------------- */

/*
 * Watch life-cycle events on @conn from a private event-loop thread. The
 * console polls hv_events_changed() on its refresh timer: it returns and
 * clears whether anything happened since the last call.
 */
int hv_events_start(struct hv_conn *conn, char **cause);
bool hv_events_changed(struct hv_conn *conn);

/* ---- serial console and VNC (hv-console.c) ------------------------------- */

struct hv_console;
/*
 * Attach to the guest's serial console, taking it over from another session; hv_console_fd() is a
 * socket, pollable for reading, that ends (hv_console_read() gives -EPIPE) when the guest goes away.
 */
int hv_console_open(struct hv_conn *conn, const char *name, struct hv_console **con,
		    char **cause);
int hv_console_fd(const struct hv_console *con);
/* Bytes read (0 = none now), or a negative errno; -EPIPE when the guest went away. */
ssize_t hv_console_read(struct hv_console *con, void *buf, size_t len);
ssize_t hv_console_write(struct hv_console *con, const void *buf, size_t len);
void hv_console_close(struct hv_console *con);

struct hv_vnc_info {
	char listen[64];
	int port;             /* -1 when the guest has no running display */
	bool has_password;
};
/* A guest without a VNC display gets port -1 and an empty listen address, and no error. */
int hv_vnc_info(struct hv_conn *conn, const char *name, struct hv_vnc_info *vi, char **cause);
/*
 * Set a one-time VNC password (1 to 8 characters) on the running guest, valid until @until (0: no
 * expiry). QEMU checks VNC passwords only for a guest started with one: for a guest started without,
 * -ENOTSUP with a cause saying so.
 */
int hv_vnc_set_password(struct hv_conn *conn, const char *name, const char *password,
			time_t until, char **cause);
/* Whether this hypervisor can end a VNC password as soon as a viewer has used it. */
bool hv_vnc_expires_on_connect(struct hv_conn *conn);
/*
 * A password for one viewer: valid for @window_s seconds, and replaced by an unknown, expired one
 * as soon as a viewer authenticates with it (the viewer keeps its session). -ENOTSUP where the
 * hypervisor cannot tell (see hv_vnc_expires_on_connect()); nothing is changed then.
 */
int hv_vnc_one_time(struct hv_conn *conn, const char *name, const char *password,
		    unsigned window_s, char **cause);

/* ---- guests' network ports and guarded edits (hv-net.c) ------------------------- */

/* One network card of a running guest: the host interface (tap) it is, and its bridge. */
struct hv_port {
	char dev[16];         /* "vnet0", "vif3.0" */
	char guest[128];
	char bridge[16];      /* "" when not on a bridge */
	char mac[18];
};
int hv_guest_ports(struct hv_conn *conn, struct hv_port **ports, size_t *n, char **cause);
void hv_ports_free(struct hv_port *p);

/* SHA-256 (hex) of the guest's inactive definition: read it before an edit, give it to the save. */
int hv_digest(struct hv_conn *conn, const char *name, char out[65], char **cause);

/* ---- changing a defined guest: what changes, said before it is made (hv-edit.c) ------- */

enum hv_change_kind {
	HV_CH_MEMORY = 0, HV_CH_VCPUS, HV_CH_AUTOSTART, HV_CH_BOOT,
	HV_CH_DISK_ADD, HV_CH_DISK_REMOVE, HV_CH_DISK_RESIZE,
	HV_CH_CD_INSERT, HV_CH_CD_EJECT,
	HV_CH_NIC_ADD, HV_CH_NIC_REMOVE, HV_CH_NIC_BRIDGE,
};

/* When a change reaches the guest: at once (and kept for its next start), or at its next start. */
enum hv_when { HV_WHEN_NOW = 0, HV_WHEN_NEXT_START };

/* One change; its pointers go into the two models hv_edit_diff() compared. */
struct hv_change {
	enum hv_change_kind kind;
	enum hv_when when;
	uint64_t from, to;            /* memory KiB, vCPUs, disk bytes, autostart 0/1 */
	const struct hv_disk *disk;   /* added, resized or CD (the edited model); removed (the old) */
	const struct hv_disk *before; /* a CD drive: its medium before */
	const struct hv_nic *nic;     /* added or re-bridged (edited model); removed (the old) */
	const struct hv_nic *nic_before;
	const enum hv_boot_dev *boot, *boot_before;
};

/* What decides whether a change can reach the running guest at once. */
struct hv_edit_facts {
	bool running;
	uint64_t max_kib;             /* the running guest's memory ceiling: the balloon goes up to it */
};
int hv_edit_facts(struct hv_conn *conn, const char *name, struct hv_edit_facts *f, char **cause);

/*
 * The changes from @old (what hv_get() read) to @edited (a copy the operator changed): disks are
 * matched by target (a new disk has none), cards by MAC. A disk that would shrink or a change the
 * model cannot say (a card's model) is refused with -EINVAL. *@out is NULL when nothing changes.
 */
int hv_edit_diff(const struct hv_guest *old, const struct hv_guest *edited,
		 const struct hv_edit_facts *f, struct hv_change **out, size_t *n, char **cause);

/*
 * Make the changes: new disk files first, then one save of the definition (refused with -ESTALE
 * when it no longer has @digest), then what reaches the running guest at once (memory, CD,
 * resize) and autostart. New disk files must pass hv_disk_place() with @flags and are removed
 * again when the save fails. Removed disks keep their files.
 */
int hv_edit_apply(struct hv_conn *conn, const char *name, const char *digest, unsigned flags,
		  const struct hv_guest *edited, const struct hv_change *ch, size_t n,
		  char **cause);

/* ---- snapshots of guests whose disks are all qcow2 (hv-snap.c) ------------------------ */

struct hv_snap {
	char name[128];
	time_t created;
	bool running;                 /* taken from a running guest: reverting resumes it */
	bool current;
};
/*
 * Whether the guest's disks allow snapshots: 0, or -ENOTSUP with a cause that names the first
 * disk whose format does not (raw) and what to do instead.
 */
int hv_snap_supported(struct hv_conn *conn, const char *name, char **cause);
/* The guest's snapshots, oldest first. */
int hv_snap_list(struct hv_conn *conn, const char *name, struct hv_snap **out, size_t *n,
		 char **cause);
int hv_snap_create(struct hv_conn *conn, const char *name, const char *snap, char **cause);
int hv_snap_revert(struct hv_conn *conn, const char *name, const char *snap, char **cause);
int hv_snap_delete(struct hv_conn *conn, const char *name, const char *snap, char **cause);

/* ---- xl/xm configuration files (hv-xl.c) ------------------------------------ */

struct hv_xl_note {
	char *key;            /* "memory", "device_model" */
	bool mapped;
	char *what;           /* translated: what it became, or why it was not mapped */
};

struct hv_xl_report {
	struct hv_xl_note *notes;
	size_t n;
};
void hv_xl_report_clear(struct hv_xl_report *r);

/* Read an xm/xl config with libxlutil into a guest model, noting each key. */
int hv_xl_import(const char *path, struct hv_guest **g, struct hv_xl_report *report,
		 char **cause);
/* Write the xl config text of a guest. */
int hv_xl_export(const struct hv_guest *g, char **text, char **cause);
/*
 * Fit an imported guest's disks to the hypervisor of @virt_type: anywhere but Xen, Xen's PV disks
 * (xvda...) become virtio disks (vda...), which the guest can start with. Returns how many changed;
 * each gets a note in @report (may be NULL).
 */
size_t hv_xl_fit_disks(struct hv_guest *g, const char *virt_type, struct hv_xl_report *report);

/* ---- clones and templates (hv-clone.c) ------------------------------------------- */

/* What cloud-init in a new guest is told through a NoCloud seed (hv-seed.c). */
struct hv_seed {
	const char *hostname;
	const char *address;  /* "192.0.2.10/24"; NULL or "" = DHCP as the template does */
	const char *gateway;  /* NULL or "" = none */
	const char *dns;      /* addresses separated by blanks or commas; NULL or "" = none */
};
/* A host name, an address with its prefix, a gateway and name servers, or a sentence on the first wrong one. */
int hv_seed_check(const struct hv_seed *s, char **cause);
/*
 * A new 1 MiB FAT file @path labelled CIDATA holding meta-data (a new instance id, the host
 * name), user-data and, with an address, network-config for the card with @mac (NULL: the first
 * "e*" card). Made with mkfs.vfat and mcopy; nothing is left on failure.
 */
int hv_seed_make(const char *path, const struct hv_seed *s, const char *mac, char **cause);
enum hv_ci { HV_CI_UNKNOWN = 0, HV_CI_NO, HV_CI_YES };
/*
 * Whether the raw or qcow2 (@format) image @path has cloud-init (/etc/cloud/cloud.cfg on an
 * ext2/3/4 file system of the image or of one of its partitions), read without mounting and
 * without writing; a qcow2 image through a read-only FUSE export of qemu-storage-daemon, and
 * only one without a backing file or an external data file. HV_CI_UNKNOWN with a cause (a
 * sentence) when it cannot say.
 */
int hv_image_cloudinit(const char *path, const char *format, enum hv_ci *ci, char **cause);
/* The same for the first disk image of guest @name. */
int hv_guest_cloudinit(struct hv_conn *conn, const char *name, enum hv_ci *ci, char **cause);

/*
 * The namespace of ospite's element in a guest's libvirt <metadata>. A URN of a UUID made once
 * for it (RFC 4122): unique without a domain name that the project would have to keep, and
 * never to change. HV_XMLNS_OLD is the placeholder earlier versions wrote: read, and replaced
 * by HV_XMLNS when the element is next written.
 */
#define HV_XMLNS "urn:uuid:69fd7813-bc5b-4482-a7f2-a04541ca6a18"
#define HV_XMLNS_OLD "https://ospite.example.org/xmlns/guest/1"

struct hv_clone_opts {
	const char *source;   /* a shut-off guest */
	const char *name;     /* the new guest's */
	bool linked;          /* a qcow2 overlay with the source's disk as its backing file */
	const struct hv_seed *seed;  /* NULL, or the identity a NoCloud seed disk gives it */
};
/* Called as the copy goes on (bytes of the disks' sizes, holes included); false stops it. */
typedef bool (*hv_clone_cb)(void *opaque, uint64_t done, uint64_t total);
/*
 * Define @o->name as a copy of @o->source with a new UUID, new MACs and a display on a free
 * port. Each writable file disk gets a new file in the same pool folder (NAME.ext, NAME-2.ext):
 * a full copy shares the extents where the file system can (FICLONE), else copies only the
 * data, leaving holes; a linked clone is a qcow2 overlay. CD-ROMs, read-only and shareable
 * disks are shared; other kinds of disk are refused. On failure or -ECANCELED nothing is left.
 */
int hv_clone(struct hv_conn *conn, const struct hv_clone_opts *o, hv_clone_cb cb, void *opaque,
	     char **cause);
/* The guests with a disk whose qcow2 backing file is one of @name's disks (sorted by name). */
int hv_clone_dependents(struct hv_conn *conn, const char *name, char ***names, size_t *n,
			char **cause);
enum hv_guard { HV_GUARD_START = 0, HV_GUARD_DELETE };
/*
 * -EPERM with a sentence when @name may not be started (a template, or the base of linked
 * clones) or deleted (the base of linked clones); hv_start() and hv_undefine() ask it.
 */
int hv_clone_guard(struct hv_conn *conn, const char *name, enum hv_guard what, char **cause);
/* Whether @name is a template; set or clear it (only a shut-off guest becomes one). */
int hv_template_get(struct hv_conn *conn, const char *name, bool *on, char **cause);
int hv_template_set(struct hv_conn *conn, const char *name, bool on, char **cause);
/* The NoCloud seed ospite made for @name (its read-only disk NAME-seed.img in a pool), appended to @paths. */
int hv_seed_files(struct hv_conn *conn, const char *name, char ***paths, size_t *n);
/* The templates, sorted by name. */
int hv_templates(struct hv_conn *conn, char ***names, size_t *n, char **cause);

/* ---- live and offline migration (hv-migrate.c) -------------------------------- */

enum hv_mig_mode {
	HV_MIG_LIVE = 0,      /* a running or paused guest moves while it runs */
	HV_MIG_OFFLINE,       /* a shut-off guest: defined there, its storage copied or moved */
};

struct hv_mig_opts {
	enum hv_mig_mode mode;
	bool copy_storage;           /* copy the disks the destination does not share (not on Xen) */
	unsigned max_downtime_ms;    /* 0 = HV_MIG_DOWNTIME_DEFAULT */
	unsigned long bandwidth_mib; /* MiB/s, 0 = unlimited */
	bool auto_converge;          /* slow the guest's vCPUs down when it does not converge */
	bool postcopy;               /* switch to post-copy when it does not converge (QEMU) */
	bool keep_source;            /* keep the definition (and, offline, the storage) on the source */
	uint64_t reserve_kib;        /* memory the destination must keep free for itself */
};
#define HV_MIG_DOWNTIME_DEFAULT 300

/* What the source's hypervisor can do (libxl: live, persistent, undefine source only). */
#define HV_MIG_CAN_COPY_STORAGE 0x01u
#define HV_MIG_CAN_DOWNTIME     0x02u
#define HV_MIG_CAN_BANDWIDTH    0x04u
#define HV_MIG_CAN_AUTOCONVERGE 0x08u
#define HV_MIG_CAN_POSTCOPY     0x10u
unsigned hv_mig_offered(bool xen);
/*
 * libvirt's migration flags for @o on a Xen (libxl) or QEMU source; @shared_checked: the disks
 * were found shared by the pre-flight, which lets libvirt's cache-mode check be skipped. -ENOTSUP
 * with a cause for an option the hypervisor lacks.
 */
int hv_mig_flags(bool xen, const struct hv_mig_opts *o, bool shared_checked, unsigned long *flags,
		 char **cause);

enum hv_check_level { HV_CHECK_OK = 0, HV_CHECK_WARN, HV_CHECK_REFUSE };
struct hv_check {
	enum hv_check_level level;
	char *text;             /* translated, one line */
};
struct hv_mig_disk {
	char *target;           /* "vda" */
	char *path;
	uint64_t capacity, allocation;
	bool shared;            /* the destination has the same volume */
	bool copy;              /* to be copied */
	bool keep_here;         /* read-only or shareable: an offline move never removes it here */
	char *format;           /* "raw", "qcow2" */
};
struct hv_preflight {
	struct hv_check *items;
	size_t n;
	bool refused;           /* at least one HV_CHECK_REFUSE */
	struct hv_mig_disk *disks;
	size_t n_disks;
	uint64_t memory_kib;    /* what the guest needs on the destination */
};
/*
 * Everything checked before a migration changes anything: the destination's connection and
 * hypervisor, the guest's state for the mode, its name and UUID there, its bridges, its storage
 * (shared, or copied into an existing pool with room), memory and CPU. Returns 0 with @pf filled
 * (refused or not); a negative errno only when the checks themselves could not run.
 */
int hv_mig_preflight(struct hv_conn *src, struct hv_conn *dst, const char *name,
		     const struct hv_mig_opts *o, struct hv_preflight *pf, char **cause);
void hv_preflight_clear(struct hv_preflight *pf);

struct hv_mig_progress {
	uint64_t elapsed_ms;
	uint64_t mem_total, mem_done, mem_left;   /* bytes */
	uint64_t disk_total, disk_done, disk_left;
	uint64_t rate_bps;                        /* transfer rate, bytes per second */
	uint64_t dirty_bps;                       /* memory dirtied, bytes per second */
	uint64_t iteration;
	uint64_t expected_downtime_ms;
	uint64_t eta_ms;                          /* 0 when not known */
	double fraction;                          /* 0..1 */
	bool postcopy;                            /* switched to post-copy */
};
struct hv_mig_result {
	bool refused;           /* stopped before anything changed (pre-flight, or a change since) */
	uint64_t total_ms;
	uint64_t downtime_ms;
	bool downtime_known;
};
/* Called about once a second with the job's statistics; return false to abort the migration. */
typedef bool (*hv_mig_cb)(void *opaque, const struct hv_mig_progress *p);
/*
 * Move @name from @src to @dst. @pf is the pre-flight the operator saw (NULL: run it here).
 * @res->refused says that it stopped before changing anything: the pre-flight refused (-EPERM),
 * or the destination or the guest changed since (-EEXIST, -EBUSY).
 * On failure or abort the guest runs (or stays defined) on the source as before, and what the
 * migration created on the destination (the domain, copied volumes) is removed.
 */
int hv_migrate(struct hv_conn *src, struct hv_conn *dst, const char *name,
	       const struct hv_mig_opts *o, const struct hv_preflight *pf, hv_mig_cb cb, void *opaque,
	       struct hv_mig_result *res, char **cause);
/* Whether the connection still answers (keep-alive). */
bool hv_alive(struct hv_conn *conn);

/* ---- other hosts, each watched by a thread of its own (hv-remote.c) ------------- */

enum hv_remote_state { HV_REMOTE_CONNECTING = 0, HV_REMOTE_CONNECTED, HV_REMOTE_LOST };

/* A running guest's addresses as its own host's libvirt gave them (leases, ARP): @n may be 0. */
struct hv_remote_addrs {
	char uuid[37];
	char **v;
	size_t n;
};

/* What the screens read of another host: a copy, never a live connection. */
struct hv_remote_view {
	enum hv_remote_state state;
	time_t lost_since;           /* wall clock, when state is HV_REMOTE_LOST */
	char error[256];             /* why it is lost */
	bool host_ok;
	struct hv_host host;
	struct hv_dom_stat *doms;    /* malloc'd; hv_remote_view_clear() frees it */
	size_t n;
	/* The guests that run there and could be asked, by UUID; a guest missing here is off, or
	 * its host could not tell. Asked again every HV_REMOTE_ADDR_MS, a new guest at once. */
	struct hv_remote_addrs *addrs;
	size_t naddrs;
	unsigned generation;         /* grows with every new sample */
};
#define HV_REMOTE_ADDR_MS 10000

struct hv_remote;
/*
 * Watch the host at @uri from a thread that connects (again, with a growing pause, after a loss),
 * keeps the connection alive, learns of its loss at once through libvirt's close callback, and
 * samples the host and its guests every @period_ms. No call here waits for the host.
 */
int hv_remote_start(const char *uri, unsigned period_ms, struct hv_remote **r, char **cause);
/* Stop watching; returns at once, the thread ends on its own (after a connection attempt). */
void hv_remote_stop(struct hv_remote *r);
/* Try to connect now instead of after the pause. */
void hv_remote_kick(struct hv_remote *r);
void hv_remote_get(struct hv_remote *r, struct hv_remote_view *v);
/* Only the state, and since when it is lost: for a status line refreshed every second. */
enum hv_remote_state hv_remote_state(struct hv_remote *r, time_t *lost_since);
void hv_remote_view_clear(struct hv_remote_view *v);
/* The addresses of the guest of @uuid in @v, or NULL when its host could not tell. */
const struct hv_remote_addrs *hv_remote_addrs_of(const struct hv_remote_view *v, const char *uuid);
const char *hv_remote_uri(const struct hv_remote *r);
/* ---- the storage editor's view of libvirt (hv-stor.c) ------------------------------- */

struct hv_vol_info {
	char *name, *path;
	uint64_t capacity, allocation;   /* bytes */
};

struct hv_pool_info {
	char *name;
	char *type;           /* "dir", "fs", "logical", ... */
	bool active;
	char *target;         /* the folder, or /dev/VG for a logical pool; NULL when none */
	char *source_dev;     /* the first source device, NULL when none */
	char *source_name;    /* a logical pool's volume group, NULL when none */
	uint64_t capacity, allocation, available;   /* bytes */
	struct hv_vol_info *vols;   /* of an active pool */
	size_t n_vols;
};
/* Every storage pool, active or not, with the volumes of the active ones. */
int hv_pools(struct hv_conn *conn, struct hv_pool_info **out, size_t *n, char **cause);
void hv_pools_free(struct hv_pool_info *p, size_t n);

struct hv_guest_disks {
	char name[128];
	enum hv_state state;
	char **paths;         /* the files and devices of its disks and CD-ROMs */
	bool *block;          /* paths[i] is a block device disk */
	size_t n;
};
/* Every guest with the paths of its disks: from the live XML while it runs, its definition otherwise; volumes resolved. */
int hv_guests_disks(struct hv_conn *conn, struct hv_guest_disks **out, size_t *n, char **cause);
void hv_guest_disks_free(struct hv_guest_disks *g, size_t n);
/* Stop and undefine the pool @name; with @delete_volumes its volumes are deleted first. */
int hv_pool_remove(struct hv_conn *conn, const char *name, bool delete_volumes, char **cause);
/* A new LVM pool @name: a volume group of that name made on @device, started and autostarted. */
int hv_pool_logical(struct hv_conn *conn, const char *name, const char *device, char **cause);

/* ---- guests' addresses (hv-addr.c) ---------------------------------------- */

/* Where hv_dom_addresses() looks: the guest agent, libvirt's DHCP leases, the host's ARP table. */
enum { HV_ADDR_AGENT = 1, HV_ADDR_LEASE = 2, HV_ADDR_ARP = 4 };
/*
 * The IPv4 and IPv6 addresses of guest @name's cards from each source of @sources (agent
 * first), without duplicates, loopback or link-local ones; none when no source knows any. The
 * agent is asked only when told: a guest without one makes libvirt wait for it.
 */
int hv_dom_addresses(struct hv_conn *conn, const char *name, unsigned sources, char ***out,
		     size_t *n, char **cause);
void hv_addrs_free(char **v, size_t n);

#endif
