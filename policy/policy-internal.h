/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the policy parser (policy/policy*.c only). Every group of memctl.conf
 * is a table of rows {key, parser, target, allowed}: policy-keys.c holds the
 * typed getters, the rows and the loop that runs them; policy.c the files,
 * rules and the checks across keys of one rule; policy-check.c the checks
 * across rules.
 */
#pragma once

#include <errno.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "strtab.h"

#define MAX_NODE 1023

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

/* One key of a group: its parser puts the value into the field at offset of
 * the group's struct (obj). */
struct policy_key {
	const char *key;
	int (*parse)(struct ctx *c, config_setting_t *s, const struct policy_key *k, void *obj);
	size_t offset;				/* the target field in obj */
	const struct memctl_strtab *names;	/* enum keys: the words (and the allowed text) */
	const char *allowed;			/* other keys: what the value may be, for diagnostics */
	long long min, max;			/* integers; durations in ms */
};

/* A group's rows; where names the group in "unknown key 'x' in <where>" (NULL: the top level). */
struct policy_keys {
	const char *where;
	const struct policy_key *v;		/* ends with a row whose key is NULL */
};

extern const struct policy_keys policy_top_keys;	/* obj: struct memctl_policy */
extern const struct policy_keys policy_defaults_keys;	/* obj: struct memctl_defaults */
extern const struct policy_keys policy_match_keys;	/* obj: struct memctl_match */
extern const struct policy_keys policy_rule_keys;	/* obj: struct memctl_rule */

/* Run every setting of group g through its row; an unknown key is an error
 * naming the allowed ones. -ENOMEM stops it; other errors are diagnostics. */
int policy_parse_keys(struct ctx *c, config_setting_t *g, const struct policy_keys *t, void *obj);
/* "zone, max_movable_ratio, ...": the group's keys in row order. */
void policy_keys_list(const struct policy_keys *t, char *buf, size_t len);

/* Typed getters: each reports a diagnostic naming what is allowed. */
const char *policy_type_name(int type);
int policy_want_type(struct ctx *c, config_setting_t *s, int type, const char *allowed);
int policy_get_enum(struct ctx *c, config_setting_t *s, const struct memctl_strtab *names, int *ret);
int policy_get_size(struct ctx *c, config_setting_t *s, uint64_t *ret);
int policy_get_duration(struct ctx *c, config_setting_t *s, uint64_t min_ms, uint64_t max_ms, uint64_t *ret);
int policy_get_int(struct ctx *c, config_setting_t *s, long long min, long long max, int *ret);
int policy_get_string(struct ctx *c, config_setting_t *s, const char *allowed, char **ret);

/* policy.c: the groups that hold groups. */
int policy_parse_defaults(struct ctx *c, config_setting_t *g, struct memctl_defaults *df);
int policy_parse_match(struct ctx *c, config_setting_t *g, struct memctl_match *m);
int policy_parse_rule(struct ctx *c, struct memctl_policy *p, config_setting_t *g);
