/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl udev-name DEVICE: for udev's IMPORT{program} (udev/80-memctl.rules).
 * Prints MEMCTL_RESERVE=<rule> when DEVICE is the devdax part a rule's
 * reserve carved out, so that udev links /dev/dax/<rule> to it; prints
 * nothing otherwise. Reads the policy and sysfs, changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memctl.h"
#include "policy-load.h"
#include "reserve-name.h"
#include "util-mem.h"

static const char udev_usage[] =
	"Usage: memctl udev-name [--policy FILE] DEVICE\n"
	"Print MEMCTL_RESERVE=RULE when the dax DEVICE is the device-dax part that\n"
	"RULE's reserve carved out of its region (for udev's IMPORT{program}).\n"
	"Prints nothing otherwise. Exit 0 unless the policy or sysfs cannot be read.\n";

int cli_udev_name(struct memctl_cli *cli, int argc, char **argv)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	const struct memctl_dax_device *d;
	const struct memctl_rule *rule;
	const char *policy_file = NULL;
	struct memctl_diags diags = { 0 };
	char name[128];
	int r;

	if (argc == 4 && streq(argv[1], "--policy")) {
		policy_file = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs(udev_usage, argc == 2 && streq(argv[1], "--help") ? stdout : stderr);
		return argc == 2 && streq(argv[1], "--help") ? EXIT_OK : EXIT_USAGE;
	}
	r = memctl_policy_load(cli_policy_path(policy_file), true, &p, &diags);
	memctl_diags_clear(&diags);
	if (r < 0)
		return EXIT_FAILED;
	if (cli_scan(cli, &inv) < 0)
		return EXIT_FAILED;
	d = memctl_inventory_device(inv, argv[1]);
	rule = d ? memctl_reserve_rule(p, inv, d) : NULL;
	if (rule && memctl_reserve_link_name(rule->name, name, sizeof(name)) >= 0)
		printf("MEMCTL_RESERVE=%s\n", name);
	return EXIT_OK;
}
