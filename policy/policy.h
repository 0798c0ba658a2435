/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy: what memctl should do with each dax device. Parsed from
 * libconfig text (memctl.conf(5)); the parser is handed text, never opens a
 * file, and reports problems as diagnostics with file and line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "parse.h"
#include "strtab.h"

enum memctl_zone_pref {
	MEMCTL_ZONE_PREF_UNSET = 0,
	MEMCTL_ZONE_PREF_MOVABLE,
	MEMCTL_ZONE_PREF_NORMAL,
	MEMCTL_ZONE_PREF_AUTO,
	MEMCTL_ZONE_PREF_OFFLINE,	/* other_memory only */
};

enum memctl_rule_mode {
	MEMCTL_RULE_UNSET = 0,
	MEMCTL_RULE_SYSTEM_RAM,
	MEMCTL_RULE_DEVDAX,
	MEMCTL_RULE_IGNORE,
	MEMCTL_RULE_FAMFS,	/* bound to fsdev_dax for a famfs file system (Linux 7.x) */
};

enum memctl_on_reset {
	MEMCTL_ON_RESET_UNSET = 0,
	MEMCTL_ON_RESET_OFFLINE,
	MEMCTL_ON_RESET_REFUSE,
};

enum memctl_kernel_auto_online {
	MEMCTL_KAO_UNSET = 0,
	MEMCTL_KAO_TAKEOVER,
	MEMCTL_KAO_LEAVE,
	MEMCTL_KAO_MOVABLE,	/* takeover with online_movable: the kernel onlines in kmem's probe (policy/kernel-online.h) */
};

/* defaults.demotion: whether memctl turns on /sys/kernel/mm/numa/demotion_enabled. */
enum memctl_demotion {
	MEMCTL_DEMOTION_UNSET = 0,
	MEMCTL_DEMOTION_LEAVE,		/* never touch the global knob (the default) */
	MEMCTL_DEMOTION_ENABLE,		/* enable it once memory of a slower tier is online */
};

/* A directory memctld writes into: set = given in the policy ("" there: off); unset: the
 * built-in one. An array, not a pointer: defaults are copied whole. */
struct memctl_export_dir {
	bool set;
	char dir[256];
};

struct memctl_defaults {
	enum memctl_zone_pref zone;
	double max_movable_ratio;
	uint64_t offline_timeout_ms;
	int offline_retries;
	uint64_t settle_ms;
	enum memctl_kernel_auto_online kernel_auto_online;
	enum memctl_zone_pref other_memory;
	enum memctl_demotion demotion;
	/* memctld's exports (daemon/export.c): metrics_dir, nfd_dir. */
	struct memctl_export_dir metrics_dir, nfd_dir;
	/* Members may online, offline and reset through memctld (policy/access.h); "": none. */
	char operator_group[64];
	char operator_group_at[320];	/* "FILE:LINE" that set it (a drop-in may), "": not set */
};

struct memctl_match {
	char *device;		/* globs */
	char *region;
	int origin;		/* enum memctl_origin, -1: any */
	int *target_nodes;
	size_t n_target_nodes;
	bool has_size_min, has_size_max;
	uint64_t size_min, size_max;
	bool has_resource;
	uint64_t resource_start, resource_end;	/* end inclusive */
	char *cxl_memdev;
	char **cxl_serials;	/* NULL-terminated */
	char *cxl_host;
	char *uuid;
	int n_keys;		/* how many keys were given (0: matches everything) */
};

struct memctl_rule {
	char *name;
	char *file;
	int line;
	struct memctl_match match;
	enum memctl_rule_mode mode;
	enum memctl_zone_pref zone;	/* UNSET: defaults.zone */
	uint64_t reserve;		/* 0: none */
	int memmap_on_memory;		/* -1 unset */
	int expect_node;		/* -1 unset */
	enum memctl_on_reset on_reset;
};

struct memctl_policy {
	struct memctl_defaults defaults;
	struct memctl_rule *rules;
	size_t n_rules;
};

/* A policy with the built-in defaults and no rules. */
int memctl_policy_new(struct memctl_policy **ret);
struct memctl_policy *memctl_policy_free(struct memctl_policy *p);
void memctl_policy_freep(struct memctl_policy **p);

/*
 * Parse one file's text into p: its rules are appended, its defaults override.
 * Every problem becomes a diagnostic "FILE:LINE: what; what is allowed".
 * Returns 0 when the text was valid, -EINVAL when it had errors (p may then hold
 * part of it: callers discard p), -ENOMEM.
 */
int memctl_policy_parse(struct memctl_policy *p, const char *filename, const char *text, struct memctl_diags *d);

/* Whole-policy checks after all files: rules that never match or are shadowed. */
void memctl_policy_check(const struct memctl_policy *p, struct memctl_diags *d);

/* memctl_parse_size(), memctl_parse_duration_ms(): model/parse.h. */

/* The policy's vocabularies (strtab.h): enum <-> word both ways, and the allowed text. */
extern const struct memctl_strtab memctl_zone_pref_table;	/* zone: movable, normal, auto */
extern const struct memctl_strtab memctl_other_memory_table;	/* other_memory: the zones and offline */
extern const struct memctl_strtab memctl_rule_mode_table;	/* mode: system-ram, devdax, ignore, famfs */
extern const struct memctl_strtab memctl_on_reset_table;	/* on_reset: offline, refuse */
extern const struct memctl_strtab memctl_kernel_auto_online_table;	/* kernel_auto_online: takeover, leave, movable */
extern const struct memctl_strtab memctl_demotion_table;	/* demotion: enable, leave */

const char *memctl_zone_pref_name(enum memctl_zone_pref z);
const char *memctl_rule_mode_name(enum memctl_rule_mode m);
const char *memctl_on_reset_name(enum memctl_on_reset r);
const char *memctl_demotion_name(enum memctl_demotion d);
