/* vmconsole: the host console's screens, its guest list model, the guest actions and the batch commands. */
#ifndef OSPITE_VC_H
#define OSPITE_VC_H

#include "hv/hv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- settings (vc-conf.c) ------------------------------------------------ */

#define VC_CONF_PATH "/etc/ospite/console.conf"
#define VC_IDLE_DEFAULT 300
#define VC_IMAGES_DIR "/var/lib/ospite/images"
/* The storage pool the console makes of its images folder. */
#define VC_POOL "ospite"

/* Another host the console manages: "name = URI" under [hosts] in the settings file. */
#define VC_MAX_HOSTS 32
struct vc_host_entry {
	char name[64];
	char uri[512];
};

struct vc_conf {
	unsigned idle_timeout;  /* seconds without a key before the console logs out; 0 = never */
	/* Memory a migration's destination keeps free for itself (migrate_reserve_mib=). */
	unsigned long long migrate_reserve_mib;
	struct vc_host_entry hosts[VC_MAX_HOSTS];
	size_t n_hosts;
	/* Seconds a guest may take to shut down before Force off is offered (shutdown_timeout=). */
	unsigned shutdown_timeout;
	/* Where new guests' VNC displays listen unless the wizard is told otherwise (vnc_listen=). */
	char vnc_listen[64];
};
#define VC_RESERVE_DEFAULT 256
#define VC_SHUTDOWN_DEFAULT 60

void vc_conf_init(struct vc_conf *c);
/* Read "key=value" lines ('#' comments); an unknown key or a bad value is an error naming its line. */
int vc_conf_parse(const char *text, struct vc_conf *c, char **cause);
/* Load @path over the defaults; a missing file leaves the defaults. */
int vc_conf_load(const char *path, struct vc_conf *c, char **cause);
/* A host entry's name (letters, digits, '-', '_', '.') and URI (scheme://..., printable, no blanks). */
int vc_check_host_entry(const char *name, const char *uri, const struct vc_conf *c, char **cause);
/* The URI of host @name, or NULL. */
const char *vc_conf_host(const struct vc_conf *c, const char *name);
/* Write @path atomically, creating its folder. */
int vc_conf_save(const char *path, const struct vc_conf *c, char **cause);
/* The idle logout typed on the Settings screen: seconds up to a week; 0 (never) for root alone. */
int vc_check_idle(const char *text, bool root, unsigned *out, char **cause);
/* A decimal number from 0 to @max with nothing after it. */
int vc_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* ---- the guest list model (vc-list.c) ------------------------------------- */

/* What the guest list shows of one guest. */
struct vc_row {
	char name[128];
	enum hv_state state;
	unsigned vcpus;
	uint64_t memory_kib;
	double cpu;             /* percent of its vCPUs; < 0 when not known yet */
	bool autostart;
};

/* The last two samples of every guest, and the rows computed from them. */
struct vc_model {
	struct hv_dom_stat *cur, *prev;
	size_t ncur, nprev;
	uint64_t t_cur, t_prev;   /* CLOCK_MONOTONIC nanoseconds of the samples */
	struct vc_row *rows;
	size_t nrows;
	unsigned running;         /* guests that are on, paused ones included */
	unsigned paused;
	unsigned generation;      /* grows with every sample */
};

/* Take a new sample (@stats becomes the model's) taken at @now_ns. */
void vc_model_update(struct vc_model *m, struct hv_dom_stat *stats, size_t n, uint64_t now_ns);
void vc_model_clear(struct vc_model *m);
const struct vc_row *vc_model_find(const struct vc_model *m, const char *name);

/* Column widths of the guest list. */
enum { VC_COL_NAME = 22, VC_COL_STATE = 14, VC_COL_VCPUS = 5, VC_COL_MEM = 10, VC_COL_CPU = 7 };
/* The host column of the all-hosts view and of `ospite list --all-hosts`. */
enum { VC_COL_HOST = 10 };
/* One row of the guest list, and its heading (malloc'd). */
char *vc_row_text(const struct vc_row *r);
char *vc_list_header(void);
/*
 * @names as the list's name column of @width columns shows them (each malloc'd, @n of them):
 * a name that fits as it is, a longer one as its start, @ell ("..." or an ellipsis) and its
 * end, split where it looks like no other name shown (vc-names.c).
 */
char **vc_names_fit(char *const *names, size_t n, int width, const char *ell);
/* A guest's addresses from hv_dom_addresses() @sources, "192.0.2.7, 2001:db8::7", or NULL (vc-addr.c). */
char *vc_guest_addr_text(struct hv_conn *conn, const char *name, unsigned sources);
/* @n addresses as "192.0.2.7, 2001:db8::7", or NULL when there are none (malloc'd). */
char *vc_addr_join(char *const *v, size_t n);
/*
 * The guest list's address column, at most @width columns: the first IPv4 address (else the
 * first), then "+N" for the N others; an address too long is cut and ends in @ell (malloc'd).
 */
char *vc_addr_cell(char *const *v, size_t n, int width, const char *ell);
/* The address column: shown when a view gives it VC_COL_IP_MIN columns (an IPv4 address and
 * " +9", never cut); never wider than VC_COL_IP_MAX (an IPv6 address and " +9"). */
enum { VC_COL_IP_MIN = 18, VC_COL_IP_MAX = 42 };
/* "512 MiB", "2.0 GiB". */
void vc_fmt_mem(uint64_t kib, char *buf, size_t len);
/* "12.5%", or "-" when not known. */
void vc_fmt_cpu(double pct, char *buf, size_t len);

/* How a list on the screen has to change to show new rows. */
enum vc_diff {
	VC_DIFF_NONE = 0,   /* nothing */
	VC_DIFF_ROWS,       /* the same guests in the same order: only rows with @changed[i] */
	VC_DIFF_ALL,        /* guests came or went: every row */
};
/* What a live list of a view shows now, to send only the rows that change. */
struct vc_shown {
	char **keys, **rows;
	size_t n;
};
struct tui_view;
/* Show @keys and @rows (taken over) in list @list of @v: only the changed rows, or all of them
 * when @force or when rows came or went. */
void vc_shown_update(struct vc_shown *sh, struct tui_view *v, int list, char **keys, char **rows,
		     size_t n, bool force);
void vc_shown_clear(struct vc_shown *sh);
enum vc_diff vc_list_diff(const char *const *old_keys, const char *const *old_rows, size_t nold,
			  const char *const *keys, const char *const *rows, size_t n,
			  bool *changed);

/* ---- host facts (vc-host.c) ------------------------------------------------- */

void vc_strv_free(char **v, size_t n);
/* Append a copy of @s (aborts when out of memory). */
void vc_strv_push(char ***v, size_t *n, const char *s);
/* The bridges under @sysfs_net (normally /sys/class/net), sorted by name. */
int vc_bridges(const char *sysfs_net, char ***names, size_t *n, char **cause);
/* One line per interface with addresses, loopback and link-local left out: "eth0 192.0.2.2/24". */
int vc_addresses(char ***lines, size_t *n, char **cause);

/* ---- the application (vc-app.c) ----------------------------------------------- */

struct vc_app {
	const char *uri;            /* --connect, or NULL for the default */
	struct hv_conn *conn;       /* NULL while the hypervisor cannot be reached */
	char *conn_error;           /* why, translated */
	const char *conf_path;
	struct vc_conf conf;
	const char *images_dir;
	struct vc_model model;
	char *list_error;           /* why the last hv_list() failed */
	struct hv_host host;
	bool host_ok;
	char user[64];
	bool logged_in;
	bool root;                  /* the operator logged in as root, not only as a member of the group */
	bool admin;                 /* root, or a member of the group ospite-admin (vc_user_is_admin) */
	struct vc_session *session; /* the PAM session of the login */
	char *conf_error;           /* why the settings file was not used: shown once at start */
	bool unwinding;             /* idle logout: every screen returns to the status screen */
	bool idle_logout;           /* the last logout was for idleness: the status screen says so */
	struct hv_remote *remotes[VC_MAX_HOSTS];  /* the watch of conf.hosts[i], or NULL */
	bool all_hosts;             /* the guest list shows every host's guests */
	/* While a guest of another host is open: that host's name and this host's URI; else NULL. */
	const char *away_host;
	char *home_uri;
	uint64_t next_refresh;      /* CLOCK_MONOTONIC ns */
	uint64_t next_connect;
	unsigned reconnect_s;       /* the pause before the next attempt, doubled up to 30 s */
	bool was_connected;         /* conn_error says the connection was lost, not never made */
	char lost_at[16];           /* when, "10:02:07" */
};

/* What a screen tells the one that opened it. */
enum vc_rc { VC_BACK = 0, VC_NEXT, VC_LOGOUT, VC_QUIT };

int vc_app_run(struct vc_app *app);
/* The tick of every form: logs out after the idle timeout (true: unwind), refreshes when due. */
bool vc_tick(void *opaque);
/* Sample the guests and the host now, or when due (every 2 s, or on a life-cycle event). */
void vc_refresh(struct vc_app *app, bool now);
uint64_t vc_now_ns(void);
/* Switch between English and Italian and redraw the frame, and the screen behind (see below). */
void vc_lang_toggle(void);
/*
 * While a screen made only of dialogs runs over a view (the wizard over the guest list), @fn
 * redraws that view in the new language; a dialog has closed its window by then, so the view is
 * newt's top window. NULL stops it.
 */
void vc_lang_behind(void (*fn)(void *), void *arg);
/* Show @cause (or a generic text) under @title, then free it. */
void vc_error(const char *title, char *cause);

/* One entry of vc_ask_entries(): its label and the buffer it edits. */
struct vc_entry {
	const char *label;
	char *value;
	size_t len;
};
enum { VC_ASK_IDLE = -1, VC_ASK_BACK = 0, VC_ASK_NEXT = 1, VC_ASK_MAX = 8 };
/*
 * A dialog of @n entries (at most VC_ASK_MAX) under @intro (a printf format), with Back and @next,
 * the cursor in entry @focus (-1: the first); Enter in the last entry goes ahead. @title, @next, the labels and @intro go through
 * gettext at each showing, so N_() texts follow a language switch (which shows the dialog again,
 * as typed); already translated texts show as they are. What was typed is in the buffers however
 * it closed. VC_ASK_NEXT, VC_ASK_BACK, or VC_ASK_IDLE for the idle logout (vc-ask.c).
 */
int vc_ask_entries(const char *title, const char *next, struct vc_entry *e, size_t n, int focus,
		   const char *intro, ...) __attribute__((format(printf, 6, 7)));
/* Whether the hypervisor is connected; if not, says why under @title (the action is not done). */
bool vc_need_conn(struct vc_app *app, const char *title);
/* Shut guest @name down, then show the time elapsed until it is off, with Force off after
 * conf.shutdown_timeout (vc-shutdown.c). */
int vc_shutdown_wait(struct vc_app *app, const char *name, char **cause);

int vc_scr_status(struct vc_app *app);
int vc_scr_login(struct vc_app *app);
int vc_scr_list(struct vc_app *app);
int vc_scr_detail(struct vc_app *app, const char *name);
int vc_scr_wizard(struct vc_app *app);
int vc_scr_settings(struct vc_app *app);
/* The Host Management screen: name, DNS, NTP, SSH, libvirtd, reboot, logs (vc-hostadm.c). */
int vc_scr_hostadm(struct vc_app *app);
/* The Hosts screen (vc-hosts.c). */
int vc_scr_hosts(struct vc_app *app);
/* Start watching the hosts of the settings that are not watched yet, stop those gone. */
void vc_hosts_sync(struct vc_app *app);
void vc_hosts_stop(struct vc_app *app);
/* Ask every other host at once, instead of after its period or its back-off. */
void vc_hosts_kick(struct vc_app *app);
/* Open guest @name of settings host @i with the console's screens, on a connection of its own. */
int vc_open_remote_guest(struct vc_app *app, size_t i, const char *name);
/* Run @fn(@arg) on a thread of its own and wait for it with a sweeping bar titled @title. */
int vc_run_bg(const char *title, const char *text, void *(*fn)(void *), void *arg);
/* Open @uri away from the screen's thread, with a moving bar meanwhile. */
int vc_open_bg(const char *title, const char *text, const char *uri, struct hv_conn **conn,
	       char **cause);
/* "Lost: host2 since 10:02, host3 since 10:05", or NULL when no host is lost (malloc'd). */
char *vc_hosts_lost_line(struct vc_app *app);
/* Attach the terminal to the guest's serial console until Ctrl-]. */
int vc_serial_attach(struct vc_app *app, const char *name, char **cause);
/* The VNC screen: address, a one-time password and the SSH tunnel to type. */
int vc_vnc_show(struct vc_app *app, const char *name, char **cause);
/* Where the SSH tunnel for VNC goes (@out, at least 64 bytes): the server address of
 * $SSH_CONNECTION, else the first IPv4 (then IPv6) address of vc_addresses()'s @addr_lines, else
 * @hostname. */
void vc_tunnel_host(const char *ssh_connection, char *const *addr_lines, size_t n,
		    const char *hostname, char *out, size_t len);
/* Eight random letters and digits, none that look alike, for VNC authentication. */
int vc_random_password(char out[9]);

/* ---- the serial console's output filter (vc-vtfilter.c) ------------------------- */

/* Where the filter is inside a sequence that a read split. */
struct vc_vtf {
	int state;
	unsigned utf8_left;     /* continuation bytes still due */
	bool overflow;          /* the CSI sequence grew past @seq: it is dropped */
	size_t len;
	char seq[32];           /* a CSI sequence held until its final byte decides */
};
/* How much more than its input vc_vtf_feed() may write: a held sequence and its final byte. */
#define VC_VTF_SLACK (sizeof(((struct vc_vtf *)0)->seq) + 2)

void vc_vtf_init(struct vc_vtf *f);
/* Filter @len bytes of guest output into @out (room for @len + VC_VTF_SLACK); returns its length. */
size_t vc_vtf_feed(struct vc_vtf *f, const char *in, size_t len, char *out);
/* The bytes that undo what the filter lets through (colours, scroll region, cursor, G0). */
const char *vc_vtf_reset(void);

/* ---- login (vc-login.c) ------------------------------------------------------ */

#define VC_PAM_SERVICE "ospite"
#define VC_GROUP "ospite"
/* Its members run the host as root does in Host Management: name, DNS, NTP, SSH, libvirtd, power. */
#define VC_ADMIN_GROUP "ospite-admin"

/* What a login gives PAM. */
struct vc_login {
	const char *user, *password;
	const char *tty;        /* "tty1", "ttyS0"; NULL or "" when not known */
	const char *rhost;      /* the remote host, NULL or "" for a local console */
	const char *pam_dir;    /* where the PAM service file is; NULL = the system's */
};
struct vc_session;

/*
 * Authenticate with PAM, require root or the group ospite, then establish credentials and open a
 * PAM session (limits, lastlog) that lasts until vc_login_close().
 */
int vc_login_open(const struct vc_login *l, struct vc_session **s, char **cause);
/* Close the session and its credentials; NULL is allowed. */
void vc_login_close(struct vc_session *s);
/* The terminal of standard input as PAM names it ("tty1"), and the SSH client's address if any. */
void vc_login_tty(char *tty, size_t ttylen, char *rhost, size_t rhostlen);
bool vc_user_is_root(const char *user);
/* Root, or a member of the group ospite-admin: may change the host itself in Host Management. */
bool vc_user_is_admin(const char *user);
/*
 * An operator who is not an administrator chose @action (words for the audit log, "host name"):
 * audited as refused, and a message titled @title says why (@fmt, printf-style).
 */
void vc_admin_refused(const struct vc_app *app, const char *title, const char *action,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Root, or a member of the group ospite. */
int vc_login_allowed(const char *user, char **cause);

/* ---- guest actions (vc-actions.c) ---------------------------------------------- */

#define VC_STATE_BIT(s) (1u << (s))
#define VC_ON (VC_STATE_BIT(HV_STATE_RUNNING) | VC_STATE_BIT(HV_STATE_BLOCKED) | \
	       VC_STATE_BIT(HV_STATE_PAUSED) | VC_STATE_BIT(HV_STATE_SHUTDOWN) | \
	       VC_STATE_BIT(HV_STATE_PMSUSPENDED))
#define VC_OFF (VC_STATE_BIT(HV_STATE_SHUTOFF) | VC_STATE_BIT(HV_STATE_CRASHED) | \
		VC_STATE_BIT(HV_STATE_NOSTATE))

struct vc_action {
	char key;               /* the hotkey on the detail screen */
	const char *label;      /* N_() */
	/* N_() question naming what will be lost, with one %s for the guest; NULL = none. */
	const char *confirm;
	unsigned states;        /* VC_STATE_BIT()s where it is offered */
	int autostart;          /* offered only when autostart is off (0), on (1), or always (-1) */
	int (*run)(struct vc_app *app, const char *name, char **cause);
};

extern const struct vc_action vc_actions[];
extern const size_t vc_n_actions;

/* The actions offered for a guest in @state, in table order; returns how many. */
size_t vc_actions_offered(enum hv_state state, bool autostart, const struct vc_action **out,
			  size_t max);
/* The offered action with hotkey @key, or NULL. */
const struct vc_action *vc_action_for_key(int key, enum hv_state state, bool autostart);
/* The confirmation question of @a about guest @name (malloc'd). */
char *vc_action_question(const struct vc_action *a, const char *name);
/* The question before deleting @name whose disks use @files (malloc'd). */
char *vc_delete_question(const char *name, char *const *files, size_t n);

/* ---- the create-guest wizard's checks and summary (vc-check.c) ------------------ */

/* A new guest's name: valid for libvirt and not already taken. */
int vc_check_name(const char *name, char *const *taken, size_t n, char **cause);
/* Memory in MiB ("512", or with a unit: "2G", "512M"), at most the host's @host_kib (0 = any). */
int vc_check_memory(const char *text, uint64_t host_kib, uint64_t *kib, char **cause);
/* vCPUs and an optional topology (all empty or 0 = none); at most @host_cpus (0 = any). */
int vc_check_cpus(const char *vcpus, const char *sockets, const char *cores,
		  const char *threads, unsigned host_cpus, unsigned out[4], char **cause);
/* A disk size: "20G", "512M", a bare number is GiB. */
int vc_check_size(const char *text, uint64_t *bytes, char **cause);
/* A MAC address: well formed and not used by another guest's @used (case-insensitive). */
int vc_check_mac(const char *mac, char *const *used, size_t n, char **cause);
/* A VNC port: empty or "auto" for automatic (-1), or 5900..65535. */
int vc_check_port(const char *text, int *port, char **cause);
/* A VNC listen address: an IPv4 or IPv6 address. */
int vc_check_listen(const char *text, char **cause);
/* Whether a VNC listen address is this host's loopback (127.0.0.0/8, ::1, or none given). */
bool vc_listen_is_loopback(const char *text);
/* One disk the way hv_define() will see it. */
int vc_check_disk(const struct hv_disk *d, char **cause);

/* What the running guests of @m use, @except (may be NULL) left out (vc-memfit.c). */
uint64_t vc_running_kib(const struct vc_model *m, const char *except);
/* -ENOMEM with a sentence when @want_kib does not fit in @host_kib beside @used_kib (0 = any). */
int vc_check_memory_fit(const char *name, uint64_t want_kib, uint64_t used_kib,
			uint64_t host_kib, char **cause);
struct vc_app;
/* The same on a screen: true when it fits, or root confirmed; otherwise said under @title. */
bool vc_memory_fits(struct vc_app *app, const char *name, uint64_t want_kib, const char *title);

/* Each card of @g on a bridge of @sysfs_net (normally /sys/class/net); -ENOENT naming the first that is not. */
int vc_check_bridges(const struct hv_guest *g, const char *sysfs_net, char **cause);
/* The boot orders the wizard and the editor offer (HV_BOOT_NONE ends each), their names (N_()). */
#define VC_N_BOOT_ORDERS 4
extern const enum hv_boot_dev vc_boot_orders[VC_N_BOOT_ORDERS][3];
extern const char *const vc_boot_order_names[VC_N_BOOT_ORDERS];
/* The index of @boot among them; 0 (disk) for an order they do not name. */
int vc_boot_order_index(const enum hv_boot_dev *boot);

/* The guest in words, one line each, as the wizard's summary shows it. */
int vc_guest_describe(const struct hv_guest *g, char ***lines, size_t *n);
/* The same for a host whose guests get domain type @virt_type (hv_virt_type()): "qemu" is TCG. */
int vc_guest_describe_on(const struct hv_guest *g, const char *virt_type, char ***lines,
			 size_t *n);
/* "new sparse raw file", "ISO image as CD-ROM" (translated). */
const char *vc_disk_kind_name(enum hv_disk_kind k);

/* ---- batch commands (vc-batch.c) ------------------------------------------------ */

/* @s as a JSON string, quotes included (malloc'd). */
char *vc_json_string(const char *s);
/* Untranslated state names for scripts: "running", "shutoff". */
const char *vc_state_key(enum hv_state s);
int vc_batch_list(struct hv_conn *conn, bool json, FILE *out, char **cause);
/* One host's guests as the lists print them; @name is the host's. */
struct vc_host_guests {
	const char *name;
	struct hv_dom_stat *st;
	size_t n;
};
/*
 * The text of `ospite list`, and with @host_col the host column of `--all-hosts`: names too
 * long shortened around an ellipsis and unique among all the hosts' guests (vc_names_fit()), so
 * that every row fits 80 columns. JSON keeps the whole names.
 */
void vc_list_rows(const struct vc_host_guests *hl, size_t nh, bool host_col, FILE *out);
/*
 * What was mapped and what not goes to @report, the XML (with @print_xml) to @out. Disks outside
 * the storage pools and block devices are defined only with @host_paths, and only for root.
 */
int vc_batch_import(struct hv_conn *conn, const char *path, bool print_xml, bool host_paths,
		    FILE *out, FILE *report, char **cause);
/* The xl config of a guest, without its VNC password. */
int vc_batch_export(struct hv_conn *conn, const char *name, FILE *out, char **cause);

/* ---- the audit log (vc-audit.c) ---------------------------------------------------- */

/* base_audit() (base/audit.h) with this process's terminal and the SSH client's address. */
int vc_audit(const char *user, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- clones and templates (vc-clone.c, vc-clone-scr.c) ------------------------------ */

/* "45%  1.2 GiB of 2.0 GiB  120.0 MiB/s  ~8 s left" (malloc'd). */
char *vc_clone_progress_text(uint64_t done, uint64_t total, uint64_t elapsed_ns);
/* A batch command's exit status for an hv/ result: 0 done, 1 refused (nothing changed), 2 failed. */
int vc_clone_exit(int rc);
/* Who runs a batch command, for the audit log. */
void vc_batch_user(char *buf, size_t len);
int vc_batch_clone(struct hv_conn *conn, const struct hv_clone_opts *o, bool json,
		   const char *user, FILE *out, FILE *err);
/* @what: "on", "off" or "show". */
int vc_batch_template(struct hv_conn *conn, const char *name, const char *what,
		      const char *user, FILE *out, FILE *err);
int vc_batch_start(struct hv_conn *conn, const char *name, const char *user, FILE *out, FILE *err);
int vc_batch_delete(struct hv_conn *conn, const char *name, bool storage, const char *user,
		    FILE *out, FILE *err);
struct vc_clone_flags {
	bool json, linked, storage;
	struct hv_seed seed;    /* hostname set: clone gives the new guest a NoCloud seed */
};
/* Whether @cmd is one of clone, template, start, delete. */
bool vc_clone_cmd(const char *cmd);
/* Run one of them (@argv[0] is the command); the exit status, or -1 for a usage error. */
int vc_clone_main(const char *uri, int argc, char **argv, const struct vc_clone_flags *f);
/* The Clone action of a guest: name and kind, progress with Abort, then an offer to start it. */
int vc_clone_screen(struct vc_app *app, const char *name, char **cause);
/* The Template action: make a guest a template, or turn a template back into a guest. */
int vc_template_action(struct vc_app *app, const char *name, char **cause);
/* New guest's first question when there are templates: VC_NEXT goes on with the empty wizard. */
int vc_wizard_template(struct vc_app *app);
/* "[#####.....]" filling @width columns for @fraction (0..1). */
void vc_bar_text(double fraction, int width, char *out, size_t len);

/* ---- hosts and migration (vc-migrate.c, vc-hosts.c) --------------------------------- */

/* A migration's progress as one line of text (translated), for a terminal or a screen. */
char *vc_mig_progress_text(const struct hv_mig_progress *p);
/* The same as one JSON object, without a newline. */
char *vc_mig_progress_json(const struct hv_mig_progress *p);
/* "[####....]": @fraction of a bar @width columns inside its brackets. */
void vc_bar_text(double fraction, int width, char *out, size_t len);
/* "1.5 GiB", "12 MiB", "900 KiB" from bytes. */
void vc_fmt_bytes(uint64_t b, char *buf, size_t len);
/* "3.5" (Italian "3,5") seconds from milliseconds, into @buf; returns @buf. */
const char *vc_fmt_secs(uint64_t ms, char buf[static 24]);

struct vc_migrate_args {
	const char *guest, *dest;    /* dest: a host of the settings file, or a libvirt URI */
	struct hv_mig_opts opts;
	bool json;
	const char *user;            /* for the audit log */
};
/* `ospite migrate`: 0 done, 1 refused by the pre-flight, 2 failed or aborted (SIGINT, SIGTERM). */
int vc_batch_migrate(struct hv_conn *src, const struct vc_conf *conf,
		     const struct vc_migrate_args *a, FILE *out, FILE *err);
/* The Migrate action of a guest: options, pre-flight, progress with Abort, result (vc-migrate-scr.c). */
int vc_migrate_screen(struct vc_app *app, const char *name, char **cause);
/* `ospite list --all-hosts`: this host and every host of the settings file, with a host column. */
int vc_batch_list_hosts(struct hv_conn *local, const struct vc_conf *conf, bool json, FILE *out,
			FILE *err);
/* ---- host networking (vc-net*.c; the model is in vc-net.h) -------------------------- */

/* `ospite net ...`: @argv[0] is "net". Returns the exit status. */
int vc_net_main(int argc, char **argv);
/* The Network screen: bridges, their ports, edits that revert unless kept. */
int vc_scr_net(struct vc_app *app);
/*
 * Edit a guest: memory, vCPUs, autostart, boot order, disks, CDs and network cards, each change
 * listed (at once or at the next start) before it is made; saved only over the definition it
 * read (vc-edit.c).
 */
int vc_guest_edit(struct vc_app *app, const char *name);
/* One change of hv_edit_diff() in words (malloc'd, translated). */
char *vc_change_text(const struct hv_change *c);
/* The preview of @n changes: section titles ("At once:") and indented changes (malloc'd rows). */
int vc_change_rows(const struct hv_change *c, size_t n, char ***rows, size_t *nrows);
/*
 * Whether the operator may give the guest disk @d: in a pool, or (root only) elsewhere on the host
 * once confirmed by name. False with @cause when refused, without when not confirmed.
 */
bool vc_place_ok(struct vc_app *app, const struct hv_disk *d, char **cause);
/*
 * Add a disk to @g (guest @name) from the storage pools: a new file in a pool chosen from a list
 * with free space, or a volume chosen from a list with sizes (root may type a path). True when one
 * was added.
 */
int vc_disk_pick(struct vc_app *app, const char *title, struct hv_guest *g, const char *name);
/* The Snapshots screen of a guest: list, take, go back to, delete (vc-snap.c). */
int vc_snap_screen(struct vc_app *app, const char *name, char **cause);

#endif
