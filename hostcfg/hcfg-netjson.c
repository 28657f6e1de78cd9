/* The bridges and the live network state as JSON (json-c): what `ospite net show --json` prints and `net apply` reads, and the snapshot's contents. */
#include "hcfg.h"
#include "hcfg-net.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

static json_object *strs(const char *v, size_t n, size_t len)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v + i * len));
	return a;
}

static const char *const modes[] = { "none", "dhcp", "static" };

json_object *hcfg_bridge_json(const struct hcfg_bridge *b)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(b->name));
	json_object_object_add(o, "ports", strs(b->ports[0], b->n_ports, HCFG_NET_NAME_LEN));
	json_object_object_add(o, "addressing", json_object_new_string(modes[b->mode]));
	json_object_object_add(o, "addresses", strs(b->addrs[0], b->n_addrs, HCFG_NET_ADDR_LEN));
	json_object_object_add(o, "gateway", json_object_new_string(b->gateway));
	json_object_object_add(o, "gateway6", json_object_new_string(b->gateway6));
	json_object_object_add(o, "dns", strs(b->dns[0], b->n_dns, HCFG_NET_ADDR_LEN));
	json_object_object_add(o, "stp", json_object_new_boolean(b->stp));
	json_object_object_add(o, "forward_delay", json_object_new_int(b->fd));
	json_object_object_add(o, "mtu", json_object_new_int((int)b->mtu));
	return o;
}

/* A JSON string or a list of strings into fixed slots; false (with @cause) when it does not fit. */
static bool get_strs(json_object *o, const char *key, char *out, size_t max, size_t len,
		     size_t *n, const char *bridge, char **cause)
{
	json_object *a;

	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) || json_object_is_type(a, json_type_null))
		return true;
	if (!json_object_is_type(a, json_type_array)) {
		base_cause(cause, -EINVAL, _("In bridge %s, \"%s\" must be a list of strings."), bridge, key);
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string) || json_object_get_string_len(s) >= (int)len) {
			base_cause(cause, -EINVAL, _("In bridge %s, \"%s\" must be a list of strings."),
				   bridge, key);
			return false;
		}
		if (*n == max) {
			base_cause(cause, -E2BIG, _("In bridge %s, \"%s\" has more than %zu entries."), bridge,
				   key, max);
			return false;
		}
		snprintf(out + (*n)++ * len, len, "%s", json_object_get_string(s));
	}
	return true;
}

static bool get_str(json_object *o, const char *key, char *out, size_t len, const char *bridge,
		    char **cause)
{
	json_object *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &s) || json_object_is_type(s, json_type_null))
		return true;
	if (!json_object_is_type(s, json_type_string) || json_object_get_string_len(s) >= (int)len) {
		base_cause(cause, -EINVAL, _("In bridge %s, \"%s\" must be a short string."), bridge, key);
		return false;
	}
	snprintf(out, len, "%s", json_object_get_string(s));
	return true;
}

static int bridge_from(json_object *o, struct hcfg_bridge *b, char **cause)
{
	json_object *v;
	char mode[16];

	hcfg_bridge_init(b, "");
	b->fd = -1;
	if (!json_object_is_type(o, json_type_object))
		return base_cause(cause, -EINVAL, "%s", _("Each bridge must be a JSON object."));
	if (!get_str(o, "name", b->name, sizeof(b->name), "?", cause))
		return -EINVAL;
	if (!get_strs(o, "ports", b->ports[0], HCFG_NET_MAX_PORTS, HCFG_NET_NAME_LEN, &b->n_ports,
		      b->name, cause) ||
	    !get_strs(o, "addresses", b->addrs[0], HCFG_NET_MAX_ADDRS, HCFG_NET_ADDR_LEN, &b->n_addrs,
		      b->name, cause) ||
	    !get_strs(o, "dns", b->dns[0], HCFG_NET_MAX_DNS, HCFG_NET_ADDR_LEN, &b->n_dns, b->name,
		      cause) ||
	    !get_str(o, "gateway", b->gateway, sizeof(b->gateway), b->name, cause) ||
	    !get_str(o, "gateway6", b->gateway6, sizeof(b->gateway6), b->name, cause) ||
	    !get_str(o, "addressing", mode, sizeof(mode), b->name, cause))
		return -EINVAL;
	if (!*mode || !strcmp(mode, "none") || !strcmp(mode, "manual"))
		b->mode = HCFG_BR_MANUAL;
	else if (!strcmp(mode, "dhcp"))
		b->mode = HCFG_BR_DHCP;
	else if (!strcmp(mode, "static"))
		b->mode = HCFG_BR_STATIC;
	else
		return base_cause(cause, -EINVAL,
				  _("In bridge %s, \"addressing\" is \"static\", \"dhcp\" or \"none\", not \"%s\"."),
				  b->name, mode);
	if (json_object_object_get_ex(o, "stp", &v))
		b->stp = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "forward_delay", &v) && !json_object_is_type(v, json_type_null))
		b->fd = json_object_get_int(v);
	if (json_object_object_get_ex(o, "mtu", &v) && !json_object_is_type(v, json_type_null)) {
		int64_t m = json_object_get_int64(v);

		if (m < 0 || m > 1000000)
			return base_cause(cause, -EINVAL, _("The MTU of %s is not a number from 68 to 65535."),
					  b->name);
		b->mtu = (unsigned)m;
	}
	return 0;
}

int hcfg_netconf_from_json(const char *text, struct hcfg_netconf *c, char **cause)
{
	enum json_tokener_error jerr;
	json_object *root = NULL, *list;
	int rc = 0;

	c->br = NULL;
	c->n = 0;
	root = json_tokener_parse_verbose(text, &jerr);
	if (!root)
		return base_cause(cause, -EINVAL, _("The file is not valid JSON: %s."),
				  json_tokener_error_desc(jerr));
	if (!json_object_object_get_ex(root, "bridges", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		rc = base_cause(cause, -EINVAL, "%s",
				_("The file must hold an object with a list \"bridges\", as \"ospite net show --json\" prints."));
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < json_object_array_length(list); i++) {
		struct hcfg_bridge b;

		rc = bridge_from(json_object_array_get_idx(list, i), &b, cause);
		if (rc == 0 && !hcfg_netconf_add(c, &b))
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	}
out:
	if (rc < 0)
		hcfg_netconf_clear(c);
	json_object_put(root);
	return rc;
}

/* ---- live state ------------------------------------------------------------------------- */

json_object *hcfg_netlive_json(const struct hcfg_netlive *l)
{
	json_object *o = json_object_new_object(), *links = json_object_new_array(),
		    *ips = json_object_new_array(), *routes = json_object_new_array();

	for (size_t i = 0; i < l->n_ifs; i++) {
		const struct hcfg_iface *f = &l->ifs[i];
		json_object *k = json_object_new_object();

		json_object_object_add(k, "name", json_object_new_string(f->name));
		json_object_object_add(k, "kind", json_object_new_string(f->kind));
		json_object_object_add(k, "master", json_object_new_string(f->master));
		json_object_object_add(k, "mac", json_object_new_string(f->mac));
		json_object_object_add(k, "mtu", json_object_new_int((int)f->mtu));
		json_object_object_add(k, "up", json_object_new_boolean(f->up));
		json_object_object_add(k, "carrier", json_object_new_boolean(f->carrier));
		json_object_object_add(k, "stp", json_object_new_boolean(f->stp));
		json_object_object_add(k, "forward_delay", json_object_new_int(f->fd));
		json_object_object_add(k, "parent", json_object_new_string(f->parent));
		json_object_object_add(k, "vlan_id", json_object_new_int((int)f->vlan_id));
		json_object_object_add(k, "speed_mbps", json_object_new_int((int)f->speed_mbps));
		json_object_object_add(k, "driver", json_object_new_string(f->driver));
		json_object_object_add(k, "nic", json_object_new_boolean(f->nic));
		json_object_array_add(links, k);
	}
	for (size_t i = 0; i < l->n_ips; i++) {
		json_object *a = json_object_new_object();

		json_object_object_add(a, "dev", json_object_new_string(l->ips[i].dev));
		json_object_object_add(a, "address", json_object_new_string(l->ips[i].addr));
		json_object_array_add(ips, a);
	}
	for (size_t i = 0; i < l->n_routes; i++) {
		const struct hcfg_iproute *r = &l->routes[i];
		json_object *a = json_object_new_object();

		json_object_object_add(a, "dev", json_object_new_string(r->dev));
		json_object_object_add(a, "family", json_object_new_int(r->family));
		json_object_object_add(a, "dst", json_object_new_string(r->dst));
		json_object_object_add(a, "gateway", json_object_new_string(r->gw));
		json_object_object_add(a, "metric", json_object_new_int64(r->metric));
		json_object_object_add(a, "proto", json_object_new_int((int)r->proto));
		json_object_array_add(routes, a);
	}
	json_object_object_add(o, "links", links);
	json_object_object_add(o, "addresses", ips);
	json_object_object_add(o, "routes", routes);
	return o;
}

static void str_of(json_object *o, const char *key, char *out, size_t len)
{
	json_object *v;

	out[0] = '\0';
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(out, len, "%s", json_object_get_string(v));
}

static int64_t int_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static bool bool_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static size_t arr(json_object *o, const char *key, json_object **a)
{
	if (!json_object_object_get_ex(o, key, a) || !json_object_is_type(*a, json_type_array))
		return 0;
	return json_object_array_length(*a);
}

int hcfg_netlive_from_json(json_object *o, struct hcfg_netlive *l)
{
	json_object *a;
	size_t n;

	memset(l, 0, sizeof(*l));
	n = arr(o, "links", &a);
	l->ifs = calloc(n ? n : 1, sizeof(*l->ifs));
	for (size_t i = 0; l->ifs && i < n; i++) {
		json_object *k = json_object_array_get_idx(a, i);
		struct hcfg_iface *f = &l->ifs[l->n_ifs++];

		str_of(k, "name", f->name, sizeof(f->name));
		str_of(k, "kind", f->kind, sizeof(f->kind));
		str_of(k, "master", f->master, sizeof(f->master));
		str_of(k, "mac", f->mac, sizeof(f->mac));
		str_of(k, "parent", f->parent, sizeof(f->parent));
		str_of(k, "driver", f->driver, sizeof(f->driver));
		f->mtu = (unsigned)int_of(k, "mtu");
		f->up = bool_of(k, "up");
		f->carrier = bool_of(k, "carrier");
		f->stp = bool_of(k, "stp");
		f->fd = (int)int_of(k, "forward_delay");
		f->vlan_id = (unsigned)int_of(k, "vlan_id");
		f->speed_mbps = (unsigned)int_of(k, "speed_mbps");
		f->nic = bool_of(k, "nic");
	}
	n = arr(o, "addresses", &a);
	l->ips = calloc(n ? n : 1, sizeof(*l->ips));
	for (size_t i = 0; l->ips && i < n; i++) {
		json_object *k = json_object_array_get_idx(a, i);

		str_of(k, "dev", l->ips[i].dev, sizeof(l->ips[i].dev));
		str_of(k, "address", l->ips[i].addr, sizeof(l->ips[i].addr));
		l->n_ips++;
	}
	n = arr(o, "routes", &a);
	l->routes = calloc(n ? n : 1, sizeof(*l->routes));
	for (size_t i = 0; l->routes && i < n; i++) {
		json_object *k = json_object_array_get_idx(a, i);
		struct hcfg_iproute *r = &l->routes[l->n_routes++];

		str_of(k, "dev", r->dev, sizeof(r->dev));
		str_of(k, "dst", r->dst, sizeof(r->dst));
		str_of(k, "gateway", r->gw, sizeof(r->gw));
		r->family = (int)int_of(k, "family");
		r->metric = (unsigned)int_of(k, "metric");
		r->proto = (unsigned)int_of(k, "proto");
	}
	if (!l->ifs || !l->ips || !l->routes) {
		hcfg_netlive_clear(l);
		return -ENOMEM;
	}
	return 0;
}
