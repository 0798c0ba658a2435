/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared pieces of the memctl CLI: the verb table, scanning, output helpers. */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

#include "inventory.h"

/* Exit codes, documented in memctl(8). */
#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

struct memctl_cli {
	const char *root;	/* --root, or NULL for $MEMCTL_SYSFS_ROOT / "/" */
	bool json;
};

int cli_status(struct memctl_cli *cli, int argc, char **argv);
int cli_blocks(struct memctl_cli *cli, int argc, char **argv);
int cli_check(struct memctl_cli *cli, int argc, char **argv);
int cli_plan(struct memctl_cli *cli, int argc, char **argv);
int cli_reload(struct memctl_cli *cli, int argc, char **argv);
int cli_online(struct memctl_cli *cli, int argc, char **argv);
int cli_offline(struct memctl_cli *cli, int argc, char **argv);
int cli_reset_prepare(struct memctl_cli *cli, int argc, char **argv);
/* reset-prepare --dry-run (memctl-forecast.c) */
int cli_reset_forecast(struct memctl_cli *cli, int argc, char **argv);
int cli_reset_done(struct memctl_cli *cli, int argc, char **argv);
int cli_reset(struct memctl_cli *cli, int argc, char **argv);
int cli_metrics(struct memctl_cli *cli, int argc, char **argv);
/* udev IMPORT{program}: MEMCTL_RESERVE=<rule> of a carved devdax device (memctl-udev.c). */
int cli_udev_name(struct memctl_cli *cli, int argc, char **argv);
/* memctl status: where memctld's metrics and NFD files go and their state (memctl-metrics.c). */
void cli_print_exports(struct json_object *daemon);

/* One Varlink call to memctld. Prints one sentence on failure (unless quiet and
 * the daemon is simply not running: -ENOTCONN). params consumed. */
int cli_daemon_call(const char *method, struct json_object *params, struct json_object **ret_params, bool quiet);
/* The same; with progress, a "more" call whose progress replies are shown on a terminal. */
int cli_daemon_call_progress(const char *method, struct json_object *params, struct json_object **ret_params,
			     bool quiet, bool progress);

/* A failed call kept for the --json result (memctl-result.c): id a word of memctl_error_id_table when
 * memctld was not reached, else empty and varlink_error the error memctld answered with. */
struct cli_call_error {
	char id[32];
	char varlink_error[128];
	char message[1024];
};
/* The same call; with ret_err nothing is printed on failure, the error is kept there. */
int cli_daemon_call_error(const char *method, struct json_object *params, struct json_object **ret_params,
			  bool quiet, bool progress, struct cli_call_error *ret_err);
/*
 * An action verb's --json result (lib/output/report-result.h) printed on stdout.
 * r: the call's result; err: what cli_daemon_call_error() kept; reply: the reply's
 * parameters (their keys added) or NULL. Returns the exit code: EXIT_OK or EXIT_FAILED.
 */
struct memctl_result;
int cli_print_result(struct memctl_result *res, int r, const struct cli_call_error *err, struct json_object *reply);

/* "memctl: " and the sentence on stderr; %m names error. Returns error (as -errno):
 *	return cli_error_errno(r, "cannot build the plan: %m"); */
int cli_error_errno(int error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Scan the inventory; on failure print one sentence naming what failed. */
int cli_scan(const struct memctl_cli *cli, struct memctl_inventory **ret);
/* Parse the verb's own options (--json, --help). Returns <0 on usage error, 1 on --help. */
int cli_parse_common(struct memctl_cli *cli, int argc, char **argv, const char *usage);
/* The same, allowing positional arguments: returns the index of the first one,
 * -ECANCELED after --help, -EINVAL on a usage error (usage printed). */
int cli_parse_options(struct memctl_cli *cli, int argc, char **argv, const char *usage, bool positional);
/* --json, --policy FILE and --help, no positional arguments (status, plan).
 * Returns 0, 1 after --help, <0 on a usage error (usage printed). */
int cli_parse_policy_options(struct memctl_cli *cli, int argc, char **argv, const char *usage,
			     const char **ret_policy);
void cli_print_json(struct json_object *o);

/* The early hook as `memctl status` shows it (memctld(8), EARLY HOOK): JSON, then one line from it. */
struct json_object *cli_early_status_json(const struct memctl_cli *cli);
void cli_print_early(struct json_object *early);

struct memctl_diags;
/* Diagnostics one per line: errors to stderr, warnings to stdout. */
void cli_print_diags(const struct memctl_diags *d);
/* The policy file: given, else $MEMCTL_POLICY, else the installed one. */
const char *cli_policy_path(const char *given);

/* A minimal column table for terminal output. */
struct table;
struct table *table_new(const char *const *headers, int ncols);
void table_add(struct table *t, const char *const *cells);
void table_print(struct table *t);
struct table *table_free(struct table *t);

void size_str(uint64_t bytes, char *buf, size_t len);
/* memctl status: the CXL regions table, nothing when there are none (memctl-status-cxl.c). */
void cli_print_cxl_regions(struct json_object *regions);
