/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memctl reset-prepare, reset-done and reset: through memctld, with progress on a terminal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memctl.h"
#include "report-result.h"
#include "util-mem.h"

static int reset_call(struct memctl_cli *cli, const char *verb, const char *method, const char *usage, int argc,
		      char **argv)
{
	struct json_object *p, *reply = NULL, *msg = NULL;
	struct cli_call_error err = { 0 };
	char done[256];
	const char *target;
	int first, r;

	first = cli_parse_options(cli, argc, argv, usage, true);
	if (first == -ECANCELED)
		return EXIT_OK;
	if (first < 0 || first + 1 != argc) {
		if (first >= 0)
			fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	target = argv[first];
	p = json_object_new_object();
	json_object_object_add(p, "target", json_object_new_string(target));
	r = cli_daemon_call_error(method, p, &reply, false, true, cli->json ? &err : NULL);
	if (r < 0 && !cli->json)
		return EXIT_FAILED;
	snprintf(done, sizeof(done), "memctl %s %s: done", verb, target);
	if (json_object_object_get_ex(reply, "message", &msg) && msg)
		snprintf(done, sizeof(done), "%s", json_object_get_string(msg));
	if (cli->json)
		r = cli_print_result(&(struct memctl_result){ .verb = verb, .target = target, .message = done }, r,
				     &err, reply);
	else
		printf("%s\n", done);
	json_object_put(reply);
	return cli->json ? r : EXIT_OK;
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
	return reset_call(cli, "reset-prepare", "io.memctl.ResetPrepare", reset_prepare_usage, argc, argv);
}

static const char reset_done_usage[] =
	"Usage: memctl reset-done [--json] TARGET\n"
	"After the reset: release what reset-prepare TARGET holds, apply the policy\n"
	"again, run the post hooks.\n";

int cli_reset_done(struct memctl_cli *cli, int argc, char **argv)
{
	return reset_call(cli, "reset-done", "io.memctl.ResetDone", reset_done_usage, argc, argv);
}

static const char reset_usage[] =
	"Usage: memctl reset [--json] TARGET\n"
	"reset-prepare TARGET, reset the PCI function behind it, reset-done TARGET.\n";

int cli_reset(struct memctl_cli *cli, int argc, char **argv)
{
	return reset_call(cli, "reset", "io.memctl.Reset", reset_usage, argc, argv);
}
