/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld: applies the memctl policy to device-dax memory as it appears,
 * and answers the memctl CLI on a Varlink socket. See memctld(8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "log.h"
#include "manager.h"
#include "policy-load.h"
#include "util-mem.h"

static void lib_debug(int priority, const char *msg, void *userdata)
{
	if (getenv("MEMCTL_DEBUG"))
		journal_log(priority, NULL, "%s", msg);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: memctld [OPTIONS]\n"
		   "Apply the memctl policy to device-dax memory (CXL, soft-reserved, pmem).\n\n"
		   "  --policy FILE          policy file (default " MEMCTL_POLICY_DEFAULT ", and FILE.d/*.conf)\n"
		   "  --root DIR             read sysfs below DIR ($MEMCTL_SYSFS_ROOT)\n"
		   "  --runtime-dir DIR      socket and state ($RUNTIME_DIRECTORY, default /run/memctl)\n"
		   "  --uevent-source SRC    udev | kernel | none (default: udev when udevd runs)\n"
		   "  --hooks-dir DIR        reset hooks ($MEMCTL_HOOKS_DIR, default /etc/memctl/hooks.d)\n"
		   "  -h, --help             this help\n"
		   "  --version              the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "runtime-dir", required_argument, NULL, 'd' },
		{ "uevent-source", required_argument, NULL, 'u' },
		{ "hooks-dir", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct manager_config cfg = { .policy_path = getenv("MEMCTL_POLICY") };
	_cleanup_(manager_freep) struct manager *m = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case 'p':
			cfg.policy_path = optarg;
			break;
		case 'r':
			cfg.root = optarg;
			break;
		case 'd':
			cfg.runtime_dir = optarg;
			break;
		case 'u':
			cfg.uevent_source = optarg;
			break;
		case 'k':
			cfg.hooks_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("memctld %s\n", MEMCTL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	journal_init();
	memctl_set_log_fn(lib_debug, NULL);

	r = manager_new(&cfg, &m);
	if (r < 0) {
		log_error_errno(r, "cannot start: %m");
		return 1;
	}
	r = manager_start(m);
	if (r >= 0)
		r = manager_run(m);
	if (r < 0) {
		log_error_errno(r, "exiting on error: %m");
		return 1;
	}
	return 0;
}
