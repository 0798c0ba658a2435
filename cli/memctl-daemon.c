/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's Varlink socket from the CLI: one call, its errors turned into one
 * sentence, reset progress on a terminal; and the reload verb. The other verbs
 * through the daemon: memctl-manual.c (online, offline), memctl-reset.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memctl.h"
#include "report-result.h"
#include "util-mem.h"
#include "varlink.h"

static void print_progress(struct json_object *p, void *userdata)
{
	struct json_object *dev = NULL, *done = NULL, *total = NULL, *ms = NULL;

	json_object_object_get_ex(p, "device", &dev);
	json_object_object_get_ex(p, "blocks_done", &done);
	json_object_object_get_ex(p, "blocks_total", &total);
	json_object_object_get_ex(p, "elapsed_ms", &ms);
	fprintf(stderr, "\r%s: %" PRId64 "/%" PRId64 " memory blocks offline, %.1f s ", json_object_get_string(dev),
		json_object_get_int64(done), json_object_get_int64(total), json_object_get_int64(ms) / 1000.0);
	*(bool *)userdata = true;
}

int cli_daemon_call(const char *method, struct json_object *params, struct json_object **ret_params, bool quiet)
{
	return cli_daemon_call_progress(method, params, ret_params, quiet, false);
}

int cli_daemon_call_progress(const char *method, struct json_object *params, struct json_object **ret_params,
			     bool quiet, bool progress)
{
	return cli_daemon_call_error(method, params, ret_params, quiet, progress, NULL);
}

/* Keep a failure for the --json result instead of printing it (ret_err set: nothing printed). */
static void keep_error(struct cli_call_error *e, const char *id, const char *varlink_error, const char *message)
{
	snprintf(e->id, sizeof(e->id), "%s", id ? id : "");
	snprintf(e->varlink_error, sizeof(e->varlink_error), "%.120s", varlink_error ? varlink_error : "");
	snprintf(e->message, sizeof(e->message), "%.1000s", message ? message : "");
}

int cli_daemon_call_error(const char *method, struct json_object *params, struct json_object **ret_params,
			  bool quiet, bool progress, struct cli_call_error *ret_err)
{
	bool printed = false;
	char path[PATH_MAX];
	_autoclose_ int fd = -1;
	struct json_object *reply = NULL, *err = NULL, *p = NULL;
	int r;

	memctl_socket_path(path, sizeof(path));
	r = memctl_varlink_connect(path, &fd);
	if (r < 0) {
		if (ret_err) {
			char msg[PATH_MAX + 64];

			snprintf(msg, sizeof(msg), "memctld is not running (cannot connect to %s: %s)", path, strerror(-r));
			keep_error(ret_err, "daemon-not-running", NULL, msg);
		} else if (!quiet)
			cli_error_errno(r, "memctld is not running (cannot connect to %s: %m)", path);
		json_object_put(params);
		return -ENOTCONN;
	}
	/* A progress line only for a person at a terminal. */
	r = memctl_varlink_call_more(fd, method, params, progress && isatty(STDERR_FILENO) ? print_progress : NULL,
				     &printed, &reply);
	if (printed)
		fprintf(stderr, "\n");
	if (r < 0 && ret_err) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s failed: %s", method, strerror(-r));
		keep_error(ret_err, "call-failed", NULL, msg);
		return r;
	}
	if (r < 0)
		return cli_error_errno(r, "%s failed: %m", method);
	json_object_object_get_ex(reply, "parameters", &p);
	if (json_object_object_get_ex(reply, "error", &err)) {
		const char *e = json_object_get_string(err);
		struct json_object *reason = NULL, *errors = NULL;

		json_object_object_get_ex(p, "reason", &reason);
		json_object_object_get_ex(p, "errors", &errors);
		if (ret_err)
			keep_error(ret_err, NULL, e, reason   ? json_object_get_string(reason)
						     : errors ? json_object_get_string(errors)
							      : json_object_to_json_string(p));
		else if (streq(e, "io.memctl.PermissionDenied"))
			/* memctld's sentence names who may (root, the policy's operator group) */
			fprintf(stderr, "memctl: permission denied: %s\n",
				reason ? json_object_get_string(reason) : method);
		else if (streq(e, "io.memctl.Busy"))
			fprintf(stderr, "memctl: memctld is busy: %s\n", reason ? json_object_get_string(reason) : "");
		else if (streq(e, "io.memctl.Stopped"))
			fprintf(stderr, "memctl: memctld was stopped during it: %s\n",
				reason ? json_object_get_string(reason) : "");
		else if (streq(e, "io.memctl.PolicyRejected"))
			fprintf(stderr, "memctl: policy rejected, the old one stays in force: %s\n",
				errors ? json_object_get_string(errors) : "");
		else
			fprintf(stderr, "memctl: %s: %s\n", e, reason ? json_object_get_string(reason)
								       : json_object_to_json_string(p));
		json_object_put(reply);
		return -EPERM;
	}
	if (ret_params)
		*ret_params = p ? json_object_get(p) : json_object_new_object();
	json_object_put(reply);
	return 0;
}

static const char reload_usage[] = "Usage: memctl reload [--json]\n"
				   "Re-read the policy in memctld (a policy with errors is rejected).\n";

int cli_reload(struct memctl_cli *cli, int argc, char **argv)
{
	struct cli_call_error err = { 0 };
	int r = cli_parse_common(cli, argc, argv, reload_usage);

	if (r != 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	r = cli_daemon_call_error("io.memctl.Reload", NULL, NULL, false, false, cli->json ? &err : NULL);
	if (cli->json)
		return cli_print_result(&(struct memctl_result){ .verb = "reload", .message = "policy reloaded" }, r,
					&err, NULL);
	if (r < 0)
		return EXIT_FAILED;
	printf("policy reloaded\n");
	return EXIT_OK;
}
