/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verbs that go through memctld's Varlink socket: reload, online,
 * offline; and the daemon half of status.
 */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memctl.h"
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

static int daemon_call(const char *method, struct json_object *params, struct json_object **ret_params, bool quiet,
		       bool progress);

int cli_daemon_call(const char *method, struct json_object *params, struct json_object **ret_params, bool quiet)
{
	return daemon_call(method, params, ret_params, quiet, false);
}

static int daemon_call(const char *method, struct json_object *params, struct json_object **ret_params, bool quiet,
		       bool progress)
{
	bool printed = false;
	char path[PATH_MAX];
	_autoclose_ int fd = -1;
	struct json_object *reply = NULL, *err = NULL, *p = NULL;
	int r;

	memctl_socket_path(path, sizeof(path));
	r = memctl_varlink_connect(path, &fd);
	if (r < 0) {
		if (!quiet)
			fprintf(stderr, "memctl: memctld is not running (cannot connect to %s: %s)\n", path, strerror(-r));
		json_object_put(params);
		return -ENOTCONN;
	}
	/* A progress line only for a person at a terminal. */
	r = memctl_varlink_call_more(fd, method, params, progress && isatty(STDERR_FILENO) ? print_progress : NULL,
				     &printed, &reply);
	if (printed)
		fprintf(stderr, "\n");
	if (r < 0) {
		fprintf(stderr, "memctl: %s failed: %s\n", method, strerror(-r));
		return r;
	}
	json_object_object_get_ex(reply, "parameters", &p);
	if (json_object_object_get_ex(reply, "error", &err)) {
		const char *e = json_object_get_string(err);
		struct json_object *reason = NULL, *errors = NULL;

		json_object_object_get_ex(p, "reason", &reason);
		json_object_object_get_ex(p, "errors", &errors);
		if (streq(e, "io.memctl.PermissionDenied"))
			fprintf(stderr, "memctl: permission denied: %s needs root (%s)\n", method,
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

static const char reload_usage[] = "Usage: memctl reload\nRe-read the policy in memctld (a policy with errors is rejected).\n";

int cli_reload(struct memctl_cli *cli, int argc, char **argv)
{
	int r = cli_parse_common(cli, argc, argv, reload_usage);

	if (r != 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	if (cli_daemon_call("io.memctl.Reload", NULL, NULL, false) < 0)
		return EXIT_FAILED;
	printf("policy reloaded\n");
	return EXIT_OK;
}

static const char online_usage[] =
	"Usage: memctl online [--zone movable|normal|auto] DEVICE\n"
	"Online a dax device's memory as system RAM through memctld (releases a hold).\n";

int cli_online(struct memctl_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *zone = NULL;
	struct json_object *p, *reply = NULL, *stuck = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "z:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'z':
			zone = optarg;
			break;
		case 'h':
			printf("%s", online_usage);
			return EXIT_OK;
		default:
			fprintf(stderr, "%s", online_usage);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s", online_usage);
		return EXIT_USAGE;
	}
	if (zone && !streq(zone, "movable") && !streq(zone, "normal") && !streq(zone, "auto")) {
		fprintf(stderr, "memctl online: --zone takes movable, normal or auto, not '%s'\n", zone);
		return EXIT_USAGE;
	}
	p = json_object_new_object();
	json_object_object_add(p, "device", json_object_new_string(argv[optind]));
	if (zone)
		json_object_object_add(p, "zone", json_object_new_string(zone));
	if (cli_daemon_call("io.memctl.Online", p, &reply, false) < 0)
		return EXIT_FAILED;
	if (reply && json_object_object_get_ex(reply, "stuck", &stuck) && stuck) {
		struct json_object *fix = NULL;

		json_object_object_get_ex(reply, "stuck_fix", &fix);
		printf("%s: online, partly placed: these blocks would not go offline and stay where they are: %s\n"
		       "  %s.\n", argv[optind], json_object_get_string(stuck), fix ? json_object_get_string(fix) : "");
	} else {
		printf("%s: online\n", argv[optind]);
	}
	json_object_put(reply);
	return EXIT_OK;
}

static const char offline_usage[] =
	"Usage: memctl offline DEVICE\n"
	"Offline all of a dax device's memory through memctld and hold it offline\n"
	"(policy does not online it again until memctl online).\n";

int cli_offline(struct memctl_cli *cli, int argc, char **argv)
{
	struct json_object *p;

	if (argc == 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		printf("%s", offline_usage);
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "%s", offline_usage);
		return EXIT_USAGE;
	}
	p = json_object_new_object();
	json_object_object_add(p, "device", json_object_new_string(argv[1]));
	if (cli_daemon_call("io.memctl.Offline", p, NULL, false) < 0)
		return EXIT_FAILED;
	printf("%s: offline (held until memctl online)\n", argv[1]);
	return EXIT_OK;
}

static int reset_call(const char *verb, const char *method, const char *usage, int argc, char **argv)
{
	struct json_object *p, *reply = NULL, *msg = NULL;

	if (argc == 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		printf("%s", usage);
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	p = json_object_new_object();
	json_object_object_add(p, "target", json_object_new_string(argv[1]));
	if (daemon_call(method, p, &reply, false, true) < 0)
		return EXIT_FAILED;
	if (json_object_object_get_ex(reply, "message", &msg))
		printf("%s\n", json_object_get_string(msg));
	else
		printf("memctl %s %s: done\n", verb, argv[1]);
	json_object_put(reply);
	return EXIT_OK;
}

static const char reset_prepare_usage[] =
	"Usage: memctl reset-prepare [--dry-run] [--json] TARGET\n"
	"Before resetting a device: offline and remove the memory of every dax device\n"
	"backed by TARGET (a dax device, a CXL memdev such as mem0, a CXL region, or a\n"
	"PCI address) and hold it until reset-done. Runs the check and pre hooks.\n"
	"--dry-run: only forecast whether it would succeed now (memctl(8), RESET FORECAST).\n";

int cli_reset_prepare(struct memctl_cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (streq(argv[i], "--dry-run") || streq(argv[i], "-n"))
			return cli_reset_forecast(cli, argc, argv);
	return reset_call("reset-prepare", "io.memctl.ResetPrepare", reset_prepare_usage, argc, argv);
}

static const char reset_done_usage[] =
	"Usage: memctl reset-done TARGET\n"
	"After the reset: release what reset-prepare TARGET holds, apply the policy\n"
	"again, run the post hooks.\n";

int cli_reset_done(struct memctl_cli *cli, int argc, char **argv)
{
	return reset_call("reset-done", "io.memctl.ResetDone", reset_done_usage, argc, argv);
}

static const char reset_usage[] =
	"Usage: memctl reset TARGET\n"
	"reset-prepare TARGET, reset the PCI function behind it, reset-done TARGET.\n";

int cli_reset(struct memctl_cli *cli, int argc, char **argv)
{
	return reset_call("reset", "io.memctl.Reset", reset_usage, argc, argv);
}
