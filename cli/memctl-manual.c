/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl online and offline: a device's memory by hand, through memctld. The
 * zone words are the engine's (lib/engine/engine-manual-verb.h), checked here
 * before the call so that a typo is a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "engine-manual-verb.h"
#include "memctl.h"
#include "report-result.h"
#include "util-mem.h"

static const char online_usage[] =
	"Usage: memctl online [--zone movable|normal|auto] [--json] DEVICE\n"
	"Online a dax device's memory as system RAM through memctld (releases a hold).\n";

int cli_online(struct memctl_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *zone = NULL;
	struct json_object *p, *reply = NULL, *stuck = NULL;
	struct cli_call_error err = { 0 };
	char msg[2048];
	int c, r;

	optind = 0;	/* afresh: options may follow DEVICE */
	while ((c = getopt_long(argc, argv, "z:jh", opts, NULL)) >= 0) {
		switch (c) {
		case 'z':
			zone = optarg;
			break;
		case 'j':
			cli->json = true;
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
	if (zone && memctl_manual_zone_from_word(zone, &(enum memctl_zone_pref){ 0 }) < 0) {
		char words[64];

		memctl_manual_zone_words(words, sizeof(words));
		fprintf(stderr, "memctl online: --zone takes %s, not '%s'\n", words, zone);
		return EXIT_USAGE;
	}
	p = json_object_new_object();
	json_object_object_add(p, "device", json_object_new_string(argv[optind]));
	if (zone)
		json_object_object_add(p, "zone", json_object_new_string(zone));
	r = cli_daemon_call_error("io.memctl.Online", p, &reply, false, false, cli->json ? &err : NULL);
	if (r < 0 && !cli->json)
		return EXIT_FAILED;
	if (reply && json_object_object_get_ex(reply, "stuck", &stuck) && stuck) {
		struct json_object *fix = NULL;

		json_object_object_get_ex(reply, "stuck_fix", &fix);
		snprintf(msg, sizeof(msg), "%s: online, partly placed: these blocks would not go offline and stay where "
			 "they are: %s\n  %s.", argv[optind], json_object_get_string(stuck),
			 fix ? json_object_get_string(fix) : "");
	} else {
		snprintf(msg, sizeof(msg), "%s: online", argv[optind]);
	}
	if (cli->json)
		r = cli_print_result(&(struct memctl_result){ .verb = "online", .chardev = argv[optind], .message = msg },
				     r, &err, reply);
	else
		printf("%s\n", msg);
	json_object_put(reply);
	return cli->json ? r : EXIT_OK;
}

static const char offline_usage[] =
	"Usage: memctl offline [--json] DEVICE\n"
	"Offline all of a dax device's memory through memctld and hold it offline\n"
	"(policy does not online it again until memctl online).\n";

int cli_offline(struct memctl_cli *cli, int argc, char **argv)
{
	struct cli_call_error err = { 0 };
	struct json_object *p;
	char msg[256];
	int first, r;

	first = cli_parse_options(cli, argc, argv, offline_usage, true);
	if (first == -ECANCELED)
		return EXIT_OK;
	if (first < 0 || first + 1 != argc) {
		if (first >= 0)
			fprintf(stderr, "%s", offline_usage);
		return EXIT_USAGE;
	}
	p = json_object_new_object();
	json_object_object_add(p, "device", json_object_new_string(argv[first]));
	r = cli_daemon_call_error("io.memctl.Offline", p, NULL, false, false, cli->json ? &err : NULL);
	snprintf(msg, sizeof(msg), "%s: offline (held until memctl online)", argv[first]);
	if (cli->json)
		return cli_print_result(&(struct memctl_result){ .verb = "offline", .chardev = argv[first], .message = msg },
					r, &err, NULL);
	if (r < 0)
		return EXIT_FAILED;
	printf("%s\n", msg);
	return EXIT_OK;
}
