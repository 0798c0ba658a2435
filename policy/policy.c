/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing and validating memctl.conf (libconfig syntax). Each group is a table
 * of key -> parser (policy-keys.c); every value is checked and every problem
 * reported as "FILE:LINE: what is wrong; what is allowed". Unknown keys are
 * errors. This file: the vocabularies, rules and their cross-key checks, the
 * policy object and the top of a file.
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory-model.h"
#include "policy.h"
#include "policy-internal.h"
#include "util-mem.h"

/* ---- vocabularies (strtab.h) ------------------------------------------- */

const struct memctl_strtab memctl_zone_pref_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ZONE_PREF_MOVABLE, "movable" },
		{ MEMCTL_ZONE_PREF_NORMAL, "normal" },
		{ MEMCTL_ZONE_PREF_AUTO, "auto" },
		{},
	},
	.fallback = "unset",
	.unknown = MEMCTL_ZONE_PREF_UNSET,
};

/* defaults.other_memory: the zones, or leave it offline. */
const struct memctl_strtab memctl_other_memory_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ZONE_PREF_MOVABLE, "movable" },
		{ MEMCTL_ZONE_PREF_NORMAL, "normal" },
		{ MEMCTL_ZONE_PREF_AUTO, "auto" },
		{ MEMCTL_ZONE_PREF_OFFLINE, "offline" },
		{},
	},
	.fallback = "unset",
	.unknown = MEMCTL_ZONE_PREF_UNSET,
};

const struct memctl_strtab memctl_rule_mode_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_RULE_SYSTEM_RAM, "system-ram" },
		{ MEMCTL_RULE_DEVDAX, "devdax" },
		{ MEMCTL_RULE_IGNORE, "ignore" },
		{ MEMCTL_RULE_FAMFS, "famfs" },
		{},
	},
	.fallback = "unset",
	.unknown = MEMCTL_RULE_UNSET,
};

const struct memctl_strtab memctl_on_reset_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ON_RESET_OFFLINE, "offline" },
		{ MEMCTL_ON_RESET_REFUSE, "refuse" },
		{},
	},
	.fallback = "unset",
	.unknown = MEMCTL_ON_RESET_UNSET,
};

const struct memctl_strtab memctl_kernel_auto_online_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_KAO_TAKEOVER, "takeover" },
		{ MEMCTL_KAO_LEAVE, "leave" },
		{ MEMCTL_KAO_MOVABLE, "movable" },
		{},
	},
	.fallback = "unset",
	.unknown = MEMCTL_KAO_UNSET,
};

const struct memctl_strtab memctl_demotion_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_DEMOTION_ENABLE, "enable" },
		{ MEMCTL_DEMOTION_LEAVE, "leave" },
		{},
	},
	.fallback = "unset",
	.unknown = MEMCTL_DEMOTION_UNSET,
};

const char *memctl_zone_pref_name(enum memctl_zone_pref z)
{
	return memctl_strtab_name(&memctl_other_memory_table, z);
}

const char *memctl_rule_mode_name(enum memctl_rule_mode m)
{
	return memctl_strtab_name(&memctl_rule_mode_table, m);
}

const char *memctl_on_reset_name(enum memctl_on_reset r)
{
	return memctl_strtab_name(&memctl_on_reset_table, r);
}

const char *memctl_demotion_name(enum memctl_demotion d)
{
	return memctl_strtab_name(&memctl_demotion_table, d);
}

/* ---- groups ------------------------------------------------------------- */

int policy_parse_defaults(struct ctx *c, config_setting_t *g, struct memctl_defaults *df)
{
	if (policy_want_type(c, g, CONFIG_TYPE_GROUP, "defaults: { key = value; ... };") < 0)
		return -EINVAL;
	return policy_parse_keys(c, g, &policy_defaults_keys, df);
}

int policy_parse_match(struct ctx *c, config_setting_t *g, struct memctl_match *m)
{
	if (policy_want_type(c, g, CONFIG_TYPE_GROUP, "match = { key = value; ... };") < 0)
		return -EINVAL;
	/* every key counts, known or not: a match with a bad key must not match everything */
	m->n_keys += config_setting_length(g);
	return policy_parse_keys(c, g, &policy_match_keys, m);
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

int policy_parse_rule(struct ctx *c, struct memctl_policy *p, config_setting_t *g)
{
	struct memctl_rule *rule;
	config_setting_t *name_s = NULL, *mode_s = NULL, *zone_s = NULL, *reserve_s = NULL;
	char modes[128];
	int r;

	if (policy_want_type(c, g, CONFIG_TYPE_GROUP, "each rule is a group { name = ...; match = { ... }; mode = ...; }") < 0)
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

	r = policy_parse_keys(c, g, &policy_rule_keys, rule);
	if (r == -ENOMEM)
		return r;
	name_s = config_setting_get_member(g, "name");
	mode_s = config_setting_get_member(g, "mode");
	zone_s = config_setting_get_member(g, "zone");
	reserve_s = config_setting_get_member(g, "reserve");

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
	if (!mode_s) {
		memctl_strtab_allowed(&memctl_rule_mode_table, true, modes, sizeof(modes));
		ERROR(c, g, "missing-key", "rule \"%s\" has no mode; mode = %s", rule->name ? rule->name : "?", modes);
	}
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
	r = policy_parse_keys(&c, root, &policy_top_keys, p);
	config_destroy(&cfg);
	if (r == -ENOMEM)
		return r;
	return c.errors ? -EINVAL : 0;
}
