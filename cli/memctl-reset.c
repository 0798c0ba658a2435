/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memctl reset-prepare, reset-done and reset: through memctld, with progress on a terminal. */
#include <stdio.h>
#include <string.h>

#include "memctl.h"
#include "util-mem.h"

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
	if (cli_daemon_call_progress(method, p, &reply, false, true) < 0)
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
