/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing and validating memctl.conf (libconfig syntax). Each group is a table
 * of key -> parser; every value is checked and every problem reported as
 * "FILE:LINE: what is wrong; what is allowed". Unknown keys are errors.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "policy.h"
#include "util-mem.h"

/* ---- names -------------------------------------------------------------- */

struct name_value {
	const char *name;
	int value;
};

static const struct name_value zone_names[] = {
	{ "movable", MEMCTL_ZONE_PREF_MOVABLE },
	{ "normal", MEMCTL_ZONE_PREF_NORMAL },
	{ "auto", MEMCTL_ZONE_PREF_AUTO },
	{},
};
static const struct name_value other_memory_names[] = {
	{ "movable", MEMCTL_ZONE_PREF_MOVABLE },
	{ "normal", MEMCTL_ZONE_PREF_NORMAL },
	{ "auto", MEMCTL_ZONE_PREF_AUTO },
	{ "offline", MEMCTL_ZONE_PREF_OFFLINE },
	{},
};
static const struct name_value mode_names[] = {
	{ "system-ram", MEMCTL_RULE_SYSTEM_RAM },
	{ "devdax", MEMCTL_RULE_DEVDAX },
	{ "ignore", MEMCTL_RULE_IGNORE },
	{ "famfs", MEMCTL_RULE_FAMFS },
	{},
};
static const struct name_value on_reset_names[] = {
	{ "offline", MEMCTL_ON_RESET_OFFLINE },
	{ "refuse", MEMCTL_ON_RESET_REFUSE },
	{},
};
static const struct name_value kao_names[] = {
	{ "takeover", MEMCTL_KAO_TAKEOVER },
	{ "leave", MEMCTL_KAO_LEAVE },
	{},
};
static const struct name_value demotion_names[] = {
	{ "enable", MEMCTL_DEMOTION_ENABLE },
	{ "leave", MEMCTL_DEMOTION_LEAVE },
	{},
};
static const struct name_value origin_names[] = {
	{ "hmem", MEMCTL_ORIGIN_HMEM },
	{ "cxl", MEMCTL_ORIGIN_CXL },
	{ "pmem", MEMCTL_ORIGIN_PMEM },
	{},
};

static const char *name_of(const struct name_value *t, int v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return "unset";
}

const char *memctl_zone_pref_name(enum memctl_zone_pref z)
{
	return name_of(other_memory_names, z);
}

const char *memctl_rule_mode_name(enum memctl_rule_mode m)
{
	return name_of(mode_names, m);
}

const char *memctl_on_reset_name(enum memctl_on_reset r)
{
	return name_of(on_reset_names, r);
}

const char *memctl_demotion_name(enum memctl_demotion d)
{
	return name_of(demotion_names, d);
}

static void allowed_list(const struct name_value *t, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; t->name && off < len; t++)
		off += snprintf(buf + off, len - off, "%s%s", off ? " | " : "", t->name);
}

/* ---- sizes and durations ------------------------------------------------ */

int memctl_parse_size(const char *text, uint64_t *ret)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end && end[1] != '\0')
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}

int memctl_parse_duration_ms(const char *text, uint64_t *ret)
{
	unsigned long long v;
	uint64_t mult;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	if (streq(end, "ms"))
		mult = 1;
	else if (streq(end, "s"))
		mult = 1000;
	else if (streq(end, "m"))
		mult = 60000;
	else
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*ret = v * mult;
	return 0;
}

/* ---- parse context and typed getters ------------------------------------ */

struct ctx {
	const char *file;
	struct memctl_diags *d;
	size_t errors;
};

#define ERROR(c, s, code, ...)                                                                             \
	({                                                                                                 \
		(c)->errors++;                                                                             \
		memctl_diag_add((c)->d, MEMCTL_ERROR, code, (c)->file, config_setting_source_line(s), NULL, \
				__VA_ARGS__);                                                              \
		-EINVAL;                                                                                   \
	})

static const char *type_name(int type)
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

static int want_type(struct ctx *c, config_setting_t *s, int type, const char *allowed)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	return ERROR(c, s, "wrong-type", "%s must be %s, not %s; %s", config_setting_name(s), type_name(type),
		     type_name(t), allowed);
}

static int get_enum(struct ctx *c, config_setting_t *s, const struct name_value *names, int *ret)
{
	char allowed[128];
	const char *v;

	allowed_list(names, allowed, sizeof(allowed));
	if (want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	for (const struct name_value *n = names; n->name; n++)
		if (streq(v, n->name)) {
			*ret = n->value;
			return 0;
		}
	return ERROR(c, s, "bad-value", "%s = \"%s\" is not known; allowed: %s", config_setting_name(s), v, allowed);
}

static int get_size(struct ctx *c, config_setting_t *s, uint64_t *ret)
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
	if (want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	r = memctl_parse_size(config_setting_get_string(s), ret);
	if (r < 0)
		return ERROR(c, s, "bad-size", "%s = \"%s\" is not a size; %s", config_setting_name(s),
			     config_setting_get_string(s), allowed);
	return 0;
}

static int get_duration(struct ctx *c, config_setting_t *s, uint64_t min_ms, uint64_t max_ms, uint64_t *ret)
{
	char allowed[128];
	uint64_t v;

	snprintf(allowed, sizeof(allowed), "a duration such as \"200ms\", \"30s\", \"2m\", from %" PRIu64 "ms to %" PRIu64 "s",
		 min_ms, max_ms / 1000);
	if (want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
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

static int get_int(struct ctx *c, config_setting_t *s, long long min, long long max, int *ret)
{
	char allowed[96];
	long long v;

	snprintf(allowed, sizeof(allowed), "an integer from %lld to %lld", min, max);
	if (want_type(c, s, CONFIG_TYPE_INT, allowed) < 0)
		return -EINVAL;
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return ERROR(c, s, "out-of-range", "%s = %lld is out of range; %s", config_setting_name(s), v, allowed);
	*ret = (int)v;
	return 0;
}

static int get_string(struct ctx *c, config_setting_t *s, const char *allowed, char **ret)
{
	const char *v;

	if (want_type(c, s, CONFIG_TYPE_STRING, allowed) < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	if (!*v)
		return ERROR(c, s, "bad-value", "%s is empty; %s", config_setting_name(s), allowed);
	free(*ret);
	*ret = strdup(v);
	return *ret ? 0 : -ENOMEM;
}

/* ---- defaults ----------------------------------------------------------- */

/* metrics_dir, nfd_dir: an absolute directory, or "" for off. */
static int get_export_dir(struct ctx *c, config_setting_t *s, char *buf, size_t size)
{
	const char *v;

	if (want_type(c, s, CONFIG_TYPE_STRING, "a directory such as \"/var/lib/prometheus/node-exporter\", or \"\" for off") < 0)
		return -EINVAL;
	v = config_setting_get_string(s);
	if (*v && (v[0] != '/' || strlen(v) >= size))
		return ERROR(c, s, "bad-value", "%s = \"%s\" is not an absolute directory shorter than %zu bytes; "
			     "an absolute directory, or \"\" for off", config_setting_name(s), v, size);
	snprintf(buf, size, "%s", v);
	return 0;
}

#define MAX_NODE 1023

static int parse_defaults(struct ctx *c, config_setting_t *g, struct memctl_defaults *df)
{
	static const char keys[] =
		"zone, max_movable_ratio, offline_timeout, offline_retries, settle, kernel_auto_online, other_memory, "
		"demotion, metrics_dir, nfd_dir";
	int n = config_setting_length(g);

	if (want_type(c, g, CONFIG_TYPE_GROUP, "defaults: { key = value; ... };") < 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		const char *k = config_setting_name(s);
		int v;

		if (streq(k, "zone")) {
			if (get_enum(c, s, zone_names, &v) == 0)
				df->zone = v;
		} else if (streq(k, "max_movable_ratio")) {
			int t = config_setting_type(s);
			double x;
			if (t != CONFIG_TYPE_FLOAT && t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
				ERROR(c, s, "wrong-type", "max_movable_ratio must be a number, not %s; a MOVABLE:NORMAL ratio from 0 to 100 such as 3.0",
				      type_name(t));
				continue;
			}
			x = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) : (double)config_setting_get_int64(s);
			if (!(x >= 0.0 && x <= 100.0))
				ERROR(c, s, "out-of-range", "max_movable_ratio = %g is out of range; a MOVABLE:NORMAL ratio from 0 to 100 such as 3.0", x);
			else
				df->max_movable_ratio = x;
		} else if (streq(k, "offline_timeout")) {
			(void)get_duration(c, s, 1, 3600 * 1000, &df->offline_timeout_ms);
		} else if (streq(k, "offline_retries")) {
			(void)get_int(c, s, 0, 100, &df->offline_retries);
		} else if (streq(k, "settle")) {
			(void)get_duration(c, s, 0, 60 * 1000, &df->settle_ms);
		} else if (streq(k, "kernel_auto_online")) {
			if (get_enum(c, s, kao_names, &v) == 0)
				df->kernel_auto_online = v;
		} else if (streq(k, "other_memory")) {
			if (get_enum(c, s, other_memory_names, &v) == 0)
				df->other_memory = v;
		} else if (streq(k, "demotion")) {
			if (get_enum(c, s, demotion_names, &v) == 0)
				df->demotion = v;
		} else if (streq(k, "metrics_dir")) {
			if (get_export_dir(c, s, df->metrics_dir, sizeof(df->metrics_dir)) == 0)
				df->metrics_dir_set = true;
		} else if (streq(k, "nfd_dir")) {
			if (get_export_dir(c, s, df->nfd_dir, sizeof(df->nfd_dir)) == 0)
				df->nfd_dir_set = true;
		} else {
			ERROR(c, s, "unknown-key", "unknown key '%s' in defaults; allowed: %s", k, keys);
		}
	}
	return 0;
}

/* ---- match -------------------------------------------------------------- */

static int parse_node_list(struct ctx *c, config_setting_t *s, int **ret, size_t *ret_n)
{
	static const char allowed[] = "a node number or a list of them, such as 1 or [ 1, 2 ]";
	int t = config_setting_type(s);
	_autofree_ int *v = NULL;
	size_t n;

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		n = 1;
		v = malloc(sizeof(int));
		if (!v)
			return -ENOMEM;
		if (get_int(c, s, 0, MAX_NODE, &v[0]) < 0)
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
		return ERROR(c, s, "wrong-type", "target_node must be an integer or a list, not %s; %s", type_name(t),
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

static int parse_serials(struct ctx *c, config_setting_t *s, char ***ret)
{
	static const char allowed[] = "a list of serial numbers as strings, such as [ \"0x1234\" ]";
	int t = config_setting_type(s);
	size_t n = t == CONFIG_TYPE_STRING ? 1 : (size_t)config_setting_length(s);
	_autostrv_ char **v = NULL;

	if (t != CONFIG_TYPE_STRING && t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return ERROR(c, s, "wrong-type", "cxl_serial must be a string or a list, not %s; %s", type_name(t),
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

static int parse_resource(struct ctx *c, config_setting_t *s, struct memctl_match *m)
{
	static const char allowed[] = "a physical address range \"0xSTART-0xEND\" (end inclusive)";
	_autofree_ char *v = NULL;
	uint64_t a, b;
	char *dash;

	if (get_string(c, s, allowed, &v) < 0)
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

static int parse_match(struct ctx *c, config_setting_t *g, struct memctl_match *m)
{
	static const char keys[] = "device, region, origin, target_node, size_min, size_max, resource, cxl_memdev, "
				   "cxl_serial, cxl_host, uuid";
	int n;

	if (want_type(c, g, CONFIG_TYPE_GROUP, "match = { key = value; ... };") < 0)
		return -EINVAL;
	n = config_setting_length(g);
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		const char *k = config_setting_name(s);
		int r = 0;

		m->n_keys++;
		if (streq(k, "device"))
			r = get_string(c, s, "a glob on the device name such as \"dax1.*\"", &m->device);
		else if (streq(k, "region"))
			r = get_string(c, s, "a glob on the dax region as regionN, such as \"region1\" or \"region*\"", &m->region);
		else if (streq(k, "origin"))
			r = get_enum(c, s, origin_names, &m->origin);
		else if (streq(k, "target_node"))
			r = parse_node_list(c, s, &m->target_nodes, &m->n_target_nodes);
		else if (streq(k, "size_min")) {
			r = get_size(c, s, &m->size_min);
			m->has_size_min = r == 0;
		} else if (streq(k, "size_max")) {
			r = get_size(c, s, &m->size_max);
			m->has_size_max = r == 0;
		} else if (streq(k, "resource"))
			r = parse_resource(c, s, m);
		else if (streq(k, "cxl_memdev"))
			r = get_string(c, s, "a glob on the memdev name such as \"mem*\"", &m->cxl_memdev);
		else if (streq(k, "cxl_serial"))
			r = parse_serials(c, s, &m->cxl_serials);
		else if (streq(k, "cxl_host"))
			r = get_string(c, s, "a glob on the PCI address such as \"0000:35:00.0\"", &m->cxl_host);
		else if (streq(k, "uuid"))
			r = get_string(c, s, "a pmem namespace uuid", &m->uuid);
		else
			ERROR(c, s, "unknown-key", "unknown key '%s' in match; allowed: %s", k, keys);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

/* ---- rules -------------------------------------------------------------- */

static void match_clear(struct memctl_match *m)
{
	free(m->device);
	free(m->region);
	free(m->target_nodes);
	free(m->cxl_memdev);
	strv_free(m->cxl_serials);
	free(m->cxl_host);
	free(m->uuid);
}

static void rule_clear(struct memctl_rule *r)
{
	free(r->name);
	free(r->file);
	match_clear(&r->match);
}

static bool valid_rule_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

static int parse_rule(struct ctx *c, struct memctl_policy *p, config_setting_t *g)
{
	static const char keys[] = "name, match, mode, zone, reserve, memmap_on_memory, expect_node, on_reset";
	struct memctl_rule *rule;
	config_setting_t *name_s = NULL, *mode_s = NULL, *zone_s = NULL, *reserve_s = NULL;
	int n, v;

	if (want_type(c, g, CONFIG_TYPE_GROUP, "each rule is a group { name = ...; match = { ... }; mode = ...; }") < 0)
		return -EINVAL;
	if (p->n_rules % 8 == 0) {
		struct memctl_rule *nr = realloc(p->rules, (p->n_rules + 8) * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		p->rules = nr;
	}
	rule = &p->rules[p->n_rules++];
	*rule = (struct memctl_rule){ .memmap_on_memory = -1, .expect_node = -1, .match.origin = -1,
				      .line = config_setting_source_line(g) };
	rule->file = strdup(c->file);
	if (!rule->file)
		return -ENOMEM;

	n = config_setting_length(g);
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		const char *k = config_setting_name(s);
		int r = 0;

		if (streq(k, "name")) {
			name_s = s;
			r = get_string(c, s, "a rule name of letters, digits, '-', '_' and '.'", &rule->name);
		} else if (streq(k, "match")) {
			r = parse_match(c, s, &rule->match);
		} else if (streq(k, "mode")) {
			mode_s = s;
			if (get_enum(c, s, mode_names, &v) == 0)
				rule->mode = v;
		} else if (streq(k, "zone")) {
			zone_s = s;
			if (get_enum(c, s, zone_names, &v) == 0)
				rule->zone = v;
		} else if (streq(k, "reserve")) {
			reserve_s = s;
			if (get_size(c, s, &rule->reserve) == 0 && rule->reserve == 0)
				ERROR(c, s, "bad-value", "reserve = 0 keeps nothing; leave reserve out, or give a size such as \"4G\"");
		} else if (streq(k, "memmap_on_memory")) {
			if (want_type(c, s, CONFIG_TYPE_BOOL, "true or false") == 0)
				rule->memmap_on_memory = config_setting_get_bool(s);
		} else if (streq(k, "expect_node")) {
			r = get_int(c, s, 0, MAX_NODE, &rule->expect_node);
		} else if (streq(k, "on_reset")) {
			if (get_enum(c, s, on_reset_names, &v) == 0)
				rule->on_reset = v;
		} else {
			ERROR(c, s, "unknown-key", "unknown key '%s' in rule; allowed: %s", k, keys);
		}
		if (r == -ENOMEM)
			return r;
	}

	if (!name_s)
		ERROR(c, g, "missing-key", "rule without a name; every rule needs name = \"...\"");
	else if (rule->name && !valid_rule_name(rule->name))
		ERROR(c, name_s, "bad-value", "rule name \"%s\" has odd characters; use letters, digits, '-', '_' and '.'",
		      rule->name);
	else if (rule->name)
		for (size_t i = 0; i + 1 < p->n_rules; i++)
			if (p->rules[i].name && streq(p->rules[i].name, rule->name))
				ERROR(c, name_s, "duplicate-rule", "rule \"%s\" is already defined at %s:%d; rule names must be unique",
				      rule->name, p->rules[i].file, p->rules[i].line);
	if (!config_setting_get_member(g, "match"))
		ERROR(c, g, "missing-key", "rule \"%s\" has no match; give match = { ... } (an empty group matches every device)",
		      rule->name ? rule->name : "?");
	if (!mode_s)
		ERROR(c, g, "missing-key", "rule \"%s\" has no mode; mode = \"system-ram\" | \"devdax\" | \"famfs\" | \"ignore\"",
		      rule->name ? rule->name : "?");
	if (zone_s && rule->mode != MEMCTL_RULE_SYSTEM_RAM && rule->mode != MEMCTL_RULE_UNSET)
		ERROR(c, zone_s, "conflict", "zone only applies to mode \"system-ram\"; remove it or change the mode");
	if (reserve_s && rule->mode != MEMCTL_RULE_SYSTEM_RAM && rule->mode != MEMCTL_RULE_UNSET)
		ERROR(c, reserve_s, "conflict", "reserve only applies to mode \"system-ram\"; remove it or change the mode");
	if (reserve_s && rule->match.origin == MEMCTL_ORIGIN_PMEM)
		ERROR(c, reserve_s, "reserve-unsupported",
		      "reserve needs a region that supports sub-devices; pmem namespaces are static (use hmem or cxl)");
	if (rule->match.has_size_min && rule->match.has_size_max && rule->match.size_min > rule->match.size_max)
		ERROR(c, g, "never-matches", "rule \"%s\": size_min is larger than size_max, so it can never match",
		      rule->name ? rule->name : "?");
	return 0;
}

/* ---- policy ------------------------------------------------------------- */

int memctl_policy_new(struct memctl_policy **ret)
{
	struct memctl_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->defaults = (struct memctl_defaults){
		.zone = MEMCTL_ZONE_PREF_MOVABLE,
		.max_movable_ratio = 3.0,
		.offline_timeout_ms = 30000,
		.offline_retries = 3,
		.settle_ms = 200,
		.kernel_auto_online = MEMCTL_KAO_TAKEOVER,
		.other_memory = MEMCTL_ZONE_PREF_MOVABLE,
		/* A system-wide knob that changes where every process's pages go: only when asked. */
		.demotion = MEMCTL_DEMOTION_LEAVE,
	};
	*ret = p;
	return 0;
}

struct memctl_policy *memctl_policy_free(struct memctl_policy *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_rules; i++)
		rule_clear(&p->rules[i]);
	free(p->rules);
	free(p);
	return NULL;
}

void memctl_policy_freep(struct memctl_policy **p)
{
	memctl_policy_free(*p);
}

int memctl_policy_parse(struct memctl_policy *p, const char *filename, const char *text, struct memctl_diags *d)
{
	struct ctx c = { .file = filename, .d = d };
	config_t cfg;
	config_setting_t *root;
	int r = 0;

	/* @include would make libconfig read files behind our back: policy/ does no I/O. */
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *q = line;
		int lineno = 1;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "@include", 8) != 0)
			continue;
		for (const char *x = text; x < line; x++)
			lineno += *x == '\n';
		memctl_diag_add(d, MEMCTL_ERROR, "include", filename, lineno, NULL,
				"@include is not supported; put further files in memctl.conf.d/ instead");
		return -EINVAL;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		c.errors++;
		memctl_diag_add(d, MEMCTL_ERROR, "syntax", filename, config_error_line(&cfg), NULL,
				"%s; see memctl.conf(5) for the syntax", config_error_text(&cfg));
		config_destroy(&cfg);
		return -EINVAL;
	}
	root = config_root_setting(&cfg);
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, i);
		const char *k = config_setting_name(s);

		if (streq(k, "version")) {
			int v;
			if (get_int(&c, s, 1, 1, &v) < 0)
				continue;
		} else if (streq(k, "defaults")) {
			parse_defaults(&c, s, &p->defaults);
		} else if (streq(k, "rules")) {
			int t = config_setting_type(s);
			if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
				ERROR(&c, s, "wrong-type", "rules must be a list ( { ... }, { ... } ), not %s", type_name(t));
				continue;
			}
			for (int j = 0; j < config_setting_length(s) && r != -ENOMEM; j++)
				r = parse_rule(&c, p, config_setting_get_elem(s, j));
		} else {
			ERROR(&c, s, "unknown-key", "unknown setting '%s'; allowed at the top level: version, defaults, rules",
			      k);
		}
	}
	config_destroy(&cfg);
	if (r == -ENOMEM)
		return r;
	return c.errors ? -EINVAL : 0;
}

/* ---- whole-policy checks ------------------------------------------------ */

static bool nodes_subset(const int *a, size_t na, const int *b, size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t j = 0; j < nb; j++)
			found |= a[i] == b[j];
		if (!found)
			return false;
	}
	return true;
}

static bool serials_subset(char **a, char **b)
{
	for (; *a; a++) {
		bool found = false;
		for (char **x = b; *x; x++)
			found |= strcasecmp(*a, *x) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* A glob constraint of the earlier rule that covers the later rule's. */
static bool glob_covers(const char *early, const char *late)
{
	if (!early)
		return true;
	if (!late)
		return false;
	return streq(early, "*") || streq(early, late) || fnmatch(early, late, 0) == 0;
}

/* True when every device the later rule matches, the earlier rule matches too. */
static bool match_covers(const struct memctl_match *a, const struct memctl_match *b)
{
	if (!glob_covers(a->device, b->device) || !glob_covers(a->region, b->region) ||
	    !glob_covers(a->cxl_memdev, b->cxl_memdev) || !glob_covers(a->cxl_host, b->cxl_host))
		return false;
	if (a->origin >= 0 && a->origin != b->origin)
		return false;
	if (a->target_nodes && (!b->target_nodes || !nodes_subset(b->target_nodes, b->n_target_nodes, a->target_nodes,
								   a->n_target_nodes)))
		return false;
	if (a->has_size_min && (!b->has_size_min || b->size_min < a->size_min))
		return false;
	if (a->has_size_max && (!b->has_size_max || b->size_max > a->size_max))
		return false;
	if (a->has_resource && (!b->has_resource || b->resource_start < a->resource_start ||
				b->resource_end > a->resource_end))
		return false;
	if (a->cxl_serials && (!b->cxl_serials || !serials_subset(b->cxl_serials, a->cxl_serials)))
		return false;
	if (a->uuid && (!b->uuid || strcasecmp(a->uuid, b->uuid) != 0))
		return false;
	return true;
}

void memctl_policy_check(const struct memctl_policy *p, struct memctl_diags *d)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct memctl_rule *r = &p->rules[i];
		const struct memctl_match *m = &r->match;

		/* CXL-only keys cannot match a device of another origin. */
		if (m->origin >= 0 && m->origin != MEMCTL_ORIGIN_CXL && (m->cxl_memdev || m->cxl_serials || m->cxl_host))
			memctl_diag_add(d, MEMCTL_WARNING, "never-matches", r->file, r->line, r->name,
					"rule \"%s\" matches origin \"%s\" and CXL keys, so it can never match", r->name,
					name_of(origin_names, m->origin));
		if (m->origin >= 0 && m->origin != MEMCTL_ORIGIN_PMEM && m->uuid)
			memctl_diag_add(d, MEMCTL_WARNING, "never-matches", r->file, r->line, r->name,
					"rule \"%s\" matches origin \"%s\" and a pmem uuid, so it can never match", r->name,
					name_of(origin_names, m->origin));
		for (size_t j = 0; j < i; j++)
			if (match_covers(&p->rules[j].match, m)) {
				memctl_diag_add(d, MEMCTL_WARNING, "shadowed", r->file, r->line, r->name,
						"rule \"%s\" is shadowed by rule \"%s\" (%s:%d), which matches every device it "
						"matches; the first matching rule wins", r->name, p->rules[j].name,
						p->rules[j].file, p->rules[j].line);
				break;
			}
	}
}
