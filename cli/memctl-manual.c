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
#include "util-mem.h"

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
