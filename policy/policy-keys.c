/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl.conf's keys as tables of rows {key, parser, target, allowed}
 * (policy-internal.h): the typed getters, the parsers of the keys that need
 * more than one, the rows of each group and the loop that runs them. The
 * "allowed:" text of every diagnostic comes from the rows and the string
 * tables, so it cannot drift from what the parser takes.
 */
#include <ctype.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory-model.h"
#include "parse.h"
#include "policy-internal.h"
#include "util-mem.h"

/* ---- typed getters ------------------------------------------------------ */

const char *policy_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	default: return "a value";
	}
}

int policy_want_type(struct ctx *c, config_setting_t *s, int type, const char *allowed)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	return ERROR(c, s, "wrong-type", "%s must be %s, not %s; %s", config_setting_name(s), policy_type_name(type),
		     policy_type_name(t), allowed);
}

int policy_get_enum(struct ctx *c, config_setting_t *s, const struct memctl_strtab *names, int *ret)
{
	char allowed[128];
	const char *v;

	memctl_strtab_allowed(names, false, allowed, sizeof(allowed));
	if (policy_want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	if (memctl_strtab_lookup(names, v, ret) == 0)
		return 0;
	return ERROR(c, s, "bad-value", "%s = \"%s\" is not known; allowed: %s", config_setting_name(s), v, allowed);
}

int policy_get_size(struct ctx *c, config_setting_t *s, uint64_t *ret)
{
	static const char allowed[] = "a size such as \"512M\", \"16G\" (K/M/G/T, powers of two) or bytes";
	int t = config_setting_type(s);
	int r;

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(s);
		if (v < 0)
			return ERROR(c, s, "bad-value", "%s = %lld is negative; %s", config_setting_name(s), v, allowed);
		*ret = (uint64_t)v;
		return 0;
	}
	if (policy_want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	r = memctl_parse_size(config_setting_get_string(s), ret);
	if (r < 0)
		return ERROR(c, s, "bad-size", "%s = \"%s\" is not a size; %s", config_setting_name(s),
			     config_setting_get_string(s), allowed);
	return 0;
}

int policy_get_duration(struct ctx *c, config_setting_t *s, uint64_t min_ms, uint64_t max_ms, uint64_t *ret)
{
	char allowed[128];
	uint64_t v;

	snprintf(allowed, sizeof(allowed), "a duration such as \"200ms\", \"30s\", \"2m\", from %" PRIu64 "ms to %" PRIu64 "s",
		 min_ms, max_ms / 1000);
	if (policy_want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	if (memctl_parse_duration_ms(config_setting_get_string(s), &v) < 0)
		return ERROR(c, s, "bad-duration", "%s = \"%s\" is not a duration; %s", config_setting_name(s),
			     config_setting_get_string(s), allowed);
	if (v < min_ms || v > max_ms)
		return ERROR(c, s, "out-of-range", "%s = \"%s\" is out of range; %s", config_setting_name(s),
			     config_setting_get_string(s), allowed);
	*ret = v;
	return 0;
}

int policy_get_int(struct ctx *c, config_setting_t *s, long long min, long long max, int *ret)
{
	char allowed[96];
	long long v;

	snprintf(allowed, sizeof(allowed), "an integer from %lld to %lld", min, max);
	if (policy_want_type(c, s, CONFIG_TYPE_INT, allowed) < 0)
		return -EINVAL;
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return ERROR(c, s, "out-of-range", "%s = %lld is out of range; %s", config_setting_name(s), v, allowed);
	*ret = (int)v;
	return 0;
}

int policy_get_string(struct ctx *c, config_setting_t *s, const char *allowed, char **ret)
{
	const char *v;

	if (policy_want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	if (!*v)
		return ERROR(c, s, "bad-value", "%s is empty; %s", config_setting_name(s), allowed);
	free(*ret);
	*ret = strdup(v);
	return *ret ? 0 : -ENOMEM;
}

/* ---- keys that need their own parser ------------------------------------ */

static int parse_node_list(struct ctx *c, config_setting_t *s, const char *allowed, int **ret, size_t *ret_n)
{
	int t = config_setting_type(s);
	_autofree_ int *v = NULL;
	size_t n;

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		n = 1;
		v = malloc(sizeof(int));
		if (!v)
			return -ENOMEM;
		if (policy_get_int(c, s, 0, MAX_NODE, &v[0]) < 0)
			return -EINVAL;
	} else if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) {
		n = config_setting_length(s);
		if (n == 0)
			return ERROR(c, s, "bad-value", "target_node is an empty list; %s", allowed);
		v = calloc(n, sizeof(int));
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			config_setting_t *e = config_setting_get_elem(s, i);
			long long x;
			if (config_setting_type(e) != CONFIG_TYPE_INT && config_setting_type(e) != CONFIG_TYPE_INT64)
				return ERROR(c, e, "wrong-type", "target_node entries must be integers; %s", allowed);
			x = config_setting_get_int64(e);
			if (x < 0 || x > MAX_NODE)
				return ERROR(c, e, "out-of-range", "target_node %lld is out of range; nodes 0 to %d", x,
					     MAX_NODE);
			v[i] = (int)x;
		}
	} else {
		return ERROR(c, s, "wrong-type", "target_node must be an integer or a list, not %s; %s", policy_type_name(t),
			     allowed);
	}
	free(*ret);
	*ret = steal(&v);
	*ret_n = n;
	return 0;
}

static bool parse_u64_any(const char *text, uint64_t *ret)
{
	char *end;

	if (!isdigit((unsigned char)*text))
		return false;
	errno = 0;
	*ret = strtoull(text, &end, 0);
	return errno == 0 && *end == '\0';
}

static int parse_serials(struct ctx *c, config_setting_t *s, const char *allowed, char ***ret)
{
	int t = config_setting_type(s);
	size_t n = t == CONFIG_TYPE_STRING ? 1 : (size_t)config_setting_length(s);
	_autostrv_ char **v = NULL;

	if (t != CONFIG_TYPE_STRING && t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return ERROR(c, s, "wrong-type", "cxl_serial must be a string or a list, not %s; %s", policy_type_name(t),
			     allowed);
	if (n == 0)
		return ERROR(c, s, "bad-value", "cxl_serial is an empty list; %s", allowed);
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		config_setting_t *e = t == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, i);
		uint64_t x;

		if (config_setting_type(e) == CONFIG_TYPE_INT || config_setting_type(e) == CONFIG_TYPE_INT64) {
			if (asprintf(&v[i], "0x%llx", (unsigned long long)config_setting_get_int64(e)) < 0)
				return -ENOMEM;
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return ERROR(c, e, "wrong-type", "cxl_serial entries must be strings; %s", allowed);
		if (!parse_u64_any(config_setting_get_string(e), &x))
			return ERROR(c, e, "bad-value", "cxl_serial \"%s\" is not a number; %s",
				     config_setting_get_string(e), allowed);
		v[i] = strdup(config_setting_get_string(e));
		if (!v[i])
			return -ENOMEM;
	}
	strv_free(*ret);
	*ret = steal(&v);
	return 0;
}

static int parse_resource(struct ctx *c, config_setting_t *s, const char *allowed, struct memctl_match *m)
{
	_autofree_ char *v = NULL;
	uint64_t a, b;
	char *dash;

	if (policy_get_string(c, s, allowed, &v) < 0)
		return -EINVAL;
	dash = strchr(v, '-');
	if (!dash)
		return ERROR(c, s, "bad-value", "resource = \"%s\" is not a range; %s", v, allowed);
	*dash = '\0';
	if (!parse_u64_any(v, &a) || !parse_u64_any(dash + 1, &b) || b < a) {
		*dash = '-';
		return ERROR(c, s, "bad-value", "resource = \"%s\" is not a valid range; %s", v, allowed);
	}
	m->has_resource = true;
	m->resource_start = a;
	m->resource_end = b;
	return 0;
}

/* ---- row parsers -------------------------------------------------------- */

#define FIELD(obj, k, type) ((type *)((char *)(obj) + (k)->offset))

/* Enums are stored as int (policy.h: each enum field is an enum of int size). */
static int key_enum(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	int v;

	assert(k->names);	/* an enum row names its vocabulary */

	if (policy_get_enum(c, s, k->names, &v) == 0)
		*FIELD(obj, k, int) = v;
	return 0;
}

static int key_string(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	return policy_get_string(c, s, k->allowed, FIELD(obj, k, char *));
}

/* metrics_dir, nfd_dir: an absolute directory, or "" for off. */
static int key_export_dir(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	struct memctl_export_dir *x = FIELD(obj, k, struct memctl_export_dir);
	const char *v;

	if (policy_want_type(c, s, CONFIG_TYPE_STRING, k->allowed) < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	if (*v && (v[0] != '/' || strlen(v) >= sizeof(x->dir)))
		return ERROR(c, s, "bad-value", "%s = \"%s\" is not an absolute directory shorter than %zu bytes; %s",
			     config_setting_name(s), v, sizeof(x->dir), k->allowed);
	snprintf(x->dir, sizeof(x->dir), "%s", v);
	x->set = true;
	return 0;
}

/* operator_group: a group name as useradd/groupadd take it, or "" for none. */
static int key_group_name(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	struct memctl_defaults *df = obj;	/* a key of defaults only */
	char *g = FIELD(obj, k, char);
	size_t size = sizeof(df->operator_group);
	const char *v;
	size_t n;

	if (policy_want_type(c, s, CONFIG_TYPE_STRING, k->allowed) < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	n = strlen(v);
	if (n >= size || v[0] == '-' || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		return ERROR(c, s, "bad-value", "%s = \"%s\" is not a group name; %s", config_setting_name(s), v,
			     k->allowed);
	memcpy(g, v, n + 1);
	/* where, for the PermissionDenied sentence: the last file to set it wins, drop-ins included */
	snprintf(df->operator_group_at, sizeof(df->operator_group_at), "%s:%d", c->file ? c->file : "?",
		 config_setting_source_line(s));
	return 0;
}

static int key_int(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	return policy_get_int(c, s, k->min, k->max, FIELD(obj, k, int));
}

static int key_duration(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	return policy_get_duration(c, s, (uint64_t)k->min, (uint64_t)k->max, FIELD(obj, k, uint64_t));
}

static int key_bool(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	if (policy_want_type(c, s, CONFIG_TYPE_BOOL, k->allowed) == 0)
		*FIELD(obj, k, int) = config_setting_get_bool(s);
	return 0;
}

static int key_ratio(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	int t = config_setting_type(s);
	double x;

	if (t != CONFIG_TYPE_FLOAT && t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		ERROR(c, s, "wrong-type", "%s must be a number, not %s; %s", k->key, policy_type_name(t), k->allowed);
		return 0;
	}
	x = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) : (double)config_setting_get_int64(s);
	if (!(x >= 0.0 && x <= 100.0))
		ERROR(c, s, "out-of-range", "%s = %g is out of range; %s", k->key, x, k->allowed);
	else
		*FIELD(obj, k, double) = x;
	return 0;
}

static int key_size_min(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	struct memctl_match *m = obj;
	int r = policy_get_size(c, s, &m->size_min);

	m->has_size_min = r == 0;
	return r;
}

static int key_size_max(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	struct memctl_match *m = obj;
	int r = policy_get_size(c, s, &m->size_max);

	m->has_size_max = r == 0;
	return r;
}

static int key_target_node(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	struct memctl_match *m = obj;

	return parse_node_list(c, s, k->allowed, &m->target_nodes, &m->n_target_nodes);
}

static int key_serials(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	return parse_serials(c, s, k->allowed, FIELD(obj, k, char **));
}

static int key_resource(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	return parse_resource(c, s, k->allowed, obj);
}

static int key_match(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	return policy_parse_match(c, s, FIELD(obj, k, struct memctl_match));
}

static int key_reserve(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	struct memctl_rule *rule = obj;

	if (policy_get_size(c, s, &rule->reserve) == 0 && rule->reserve == 0)
		ERROR(c, s, "bad-value", "reserve = 0 keeps nothing; leave reserve out, or give a size such as \"4G\"");
	return 0;
}

static int key_version(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	int v;

	(void)policy_get_int(c, s, k->min, k->max, &v);
	return 0;
}

static int key_defaults(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	(void)policy_parse_defaults(c, s, FIELD(obj, k, struct memctl_defaults));
	return 0;
}

static int key_rules(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj)
{
	int t = config_setting_type(s);
	int r = 0;

	if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
		ERROR(c, s, "wrong-type", "rules must be a list ( { ... }, { ... } ), not %s", policy_type_name(t));
		return 0;
	}
	for (int j = 0; j < config_setting_length(s) && r != -ENOMEM; j++)
		r = policy_parse_rule(c, obj, config_setting_get_elem(s, j));
	return r;
}

/* ---- the rows ----------------------------------------------------------- */

_Static_assert(sizeof(enum memctl_zone_pref) == sizeof(int) && sizeof(enum memctl_rule_mode) == sizeof(int) &&
		       sizeof(enum memctl_on_reset) == sizeof(int) &&
		       sizeof(enum memctl_kernel_auto_online) == sizeof(int) && sizeof(enum memctl_demotion) == sizeof(int),
	       "key_enum stores enums as int");

#define D(f) offsetof(struct memctl_defaults, f)
#define M(f) offsetof(struct memctl_match, f)
#define R(f) offsetof(struct memctl_rule, f)

const struct policy_keys policy_top_keys = {
	.where = NULL,
	.v = (const struct policy_key[]){
		{ "version", key_version, .min = 1, .max = 1 },
		{ "defaults", key_defaults, offsetof(struct memctl_policy, defaults) },
		{ "rules", key_rules },
		{},
	},
};

const struct policy_keys policy_defaults_keys = {
	.where = "defaults",
	.v = (const struct policy_key[]){
		{ "zone", key_enum, D(zone), &memctl_zone_pref_table },
		{ "max_movable_ratio", key_ratio, D(max_movable_ratio),
		  .allowed = "a MOVABLE:NORMAL ratio from 0 to 100 such as 3.0" },
		{ "offline_timeout", key_duration, D(offline_timeout_ms), .min = 1, .max = 3600 * 1000 },
		{ "offline_retries", key_int, D(offline_retries), .min = 0, .max = 100 },
		{ "settle", key_duration, D(settle_ms), .min = 0, .max = 60 * 1000 },
		{ "kernel_auto_online", key_enum, D(kernel_auto_online), &memctl_kernel_auto_online_table },
		{ "other_memory", key_enum, D(other_memory), &memctl_other_memory_table },
		{ "demotion", key_enum, D(demotion), &memctl_demotion_table },
		{ "metrics_dir", key_export_dir, D(metrics_dir),
		  .allowed = "a directory such as \"/var/lib/prometheus/node-exporter\", or \"\" for off" },
		{ "nfd_dir", key_export_dir, D(nfd_dir),
		  .allowed = "a directory such as \"/etc/kubernetes/node-feature-discovery/features.d\", or \"\" for off" },
		{ "operator_group", key_group_name, D(operator_group),
		  .allowed = "a group name such as \"memops\" (its members may online, offline and reset), or \"\" for none" },
		{},
	},
};

const struct policy_keys policy_match_keys = {
	.where = "match",
	.v = (const struct policy_key[]){
		{ "device", key_string, M(device), .allowed = "a glob on the device name such as \"dax1.*\"" },
		{ "region", key_string, M(region),
		  .allowed = "a glob on the dax region as regionN, such as \"region1\" or \"region*\"" },
		{ "origin", key_enum, M(origin), &memctl_origin_table },
		{ "target_node", key_target_node, .allowed = "a node number or a list of them, such as 1 or [ 1, 2 ]" },
		{ "size_min", key_size_min },
		{ "size_max", key_size_max },
		{ "resource", key_resource, .allowed = "a physical address range \"0xSTART-0xEND\" (end inclusive)" },
		{ "cxl_memdev", key_string, M(cxl_memdev), .allowed = "a glob on the memdev name such as \"mem*\"" },
		{ "cxl_serial", key_serials, M(cxl_serials),
		  .allowed = "a list of serial numbers as strings, such as [ \"0x1234\" ]" },
		{ "cxl_host", key_string, M(cxl_host), .allowed = "a glob on the PCI address such as \"0000:35:00.0\"" },
		{ "uuid", key_string, M(uuid), .allowed = "a pmem namespace uuid" },
		{},
	},
};

const struct policy_keys policy_rule_keys = {
	.where = "rule",
	.v = (const struct policy_key[]){
		{ "name", key_string, R(name), .allowed = "a rule name of letters, digits, '-', '_' and '.'" },
		{ "match", key_match, R(match) },
		{ "mode", key_enum, R(mode), &memctl_rule_mode_table },
		{ "zone", key_enum, R(zone), &memctl_zone_pref_table },
		{ "reserve", key_reserve, R(reserve) },
		{ "memmap_on_memory", key_bool, R(memmap_on_memory), .allowed = "true or false" },
		{ "expect_node", key_int, R(expect_node), .min = 0, .max = MAX_NODE },
		{ "on_reset", key_enum, R(on_reset), &memctl_on_reset_table },
		{},
	},
};

/* ---- running them ------------------------------------------------------- */

void policy_keys_list(const struct policy_keys *t, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct policy_key *k = t->v; k->key && off < len; k++)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", k->key);
}

int policy_parse_keys(struct ctx *c, config_setting_t *g, const struct policy_keys *t, void *obj)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		const struct policy_key *k = t->v;
		char keys[256];
		int r;

		while (k->key && !streq(k->key, name))
			k++;
		if (k->key) {
			r = k->parse(c, s, k, obj);
			if (r == -ENOMEM)
				return r;
			continue;
		}
		policy_keys_list(t, keys, sizeof(keys));
		if (t->where)
			ERROR(c, s, "unknown-key", "unknown key '%s' in %s; allowed: %s", name, t->where, keys);
		else
			ERROR(c, s, "unknown-key", "unknown setting '%s'; allowed at the top level: %s", name, keys);
	}
	return 0;
}
