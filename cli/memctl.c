/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl: the command-line front end. main() parses global options and hands
 * over to one function per verb (cli/memctl-<verb>.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "memctl.h"
#include "sysfs.h"
#include "util-mem.h"

static const struct {
	const char *name;
	int (*run)(struct memctl_cli *cli, int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "status", cli_status, "dax devices, NUMA nodes and hotplug settings" },
	{ "blocks", cli_blocks, "memory block ranges, like lsmem" },
	{ "check", cli_check, "validate a policy file" },
	{ "plan", cli_plan, "what the policy would do (dry run)" },
	{ "metrics", cli_metrics, "status as Prometheus metrics, or NFD labels (--nfd)" },
	{ "reload", cli_reload, "make memctld re-read the policy" },
	{ "online", cli_online, "online a device's memory (through memctld)" },
	{ "offline", cli_offline, "offline a device's memory and hold it (through memctld)" },
	{ "reset-prepare", cli_reset_prepare, "take memory away before a device reset" },
	{ "reset-done", cli_reset_done, "give it back after the reset" },
	{ "reset", cli_reset, "prepare, reset the PCI function, done" },
	{ "udev-name", cli_udev_name, "udev: the reserve rule a devdax device was carved for" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: memctl [--root DIR] COMMAND [--json]\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		fprintf(f, "  %-14s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\nOptions:\n"
		   "  --root DIR   read sysfs/procfs below DIR instead of / ($MEMCTL_SYSFS_ROOT)\n"
		   "  -h, --help   show this help\n"
		   "  --version    show the version\n");
}

/* The last detail lib/ reported; it names the object a failure concerns. */
static char last_detail[1024];

static void keep_detail(int priority, const char *msg, void *userdata)
{
	(void)priority;
	(void)userdata;
	snprintf(last_detail, sizeof(last_detail), "%s", msg);
	if (getenv("MEMCTL_DEBUG"))
		fprintf(stderr, "memctl: debug: %s\n", msg);
}

int cli_error_errno(int error, const char *fmt, ...)
{
	char msg[1024];
	int saved = errno;
	va_list ap;

	/* %m reads errno (glibc's printf): the error given, not whatever errno holds now. */
	errno = error < 0 ? -error : error;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errno = saved;
	fprintf(stderr, "memctl: %s\n", msg);
	return error < 0 ? error : -error;
}

int cli_scan(const struct memctl_cli *cli, struct memctl_inventory **ret)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	const char *root = cli->root ? cli->root : getenv("MEMCTL_SYSFS_ROOT");
	int r;

	r = memctl_sysfs_new(cli->root, &s);
	if (r < 0) {
		return cli_error_errno(r, "cannot open sysfs root %s: %m", root && *root ? root : "/");
	}
	last_detail[0] = '\0';
	r = memctl_inventory_scan(s, ret);
	if (r < 0) {
		if (last_detail[0])
			fprintf(stderr, "memctl: cannot scan memory under %s: %s\n", memctl_sysfs_root(s), last_detail);
		else
			cli_error_errno(r, "cannot scan memory under %s: %m", memctl_sysfs_root(s));
	}
	return r;
}

/* --json, --help and (when ret_policy is given) --policy FILE. */
static int parse_options(struct memctl_cli *cli, int argc, char **argv, const char *usage_text, bool positional,
			 const char **ret_policy)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "policy", required_argument, NULL, 'p' },
		{},
	};
	int c;

	optind = 0;	/* 0: glibc starts afresh (main()'s "+" stops options at the verb; here they may follow arguments) */
	while ((c = getopt_long(argc, argv, ret_policy ? "jhp:" : "jh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case 'p':
			if (ret_policy) {	/* else --policy is not an option of this verb */
				*ret_policy = optarg;
				break;
			}
			fprintf(stderr, "%s", usage_text);
			return -EINVAL;
		case 'h':
			printf("%s", usage_text);
			return -ECANCELED;
		default:
			fprintf(stderr, "%s", usage_text);
			return -EINVAL;
		}
	}
	if (!positional && optind < argc) {
		fprintf(stderr, "memctl %s: unexpected argument '%s'\n%s", argv[0], argv[optind], usage_text);
		return -EINVAL;
	}
	return optind;
}

int cli_parse_options(struct memctl_cli *cli, int argc, char **argv, const char *usage_text, bool positional)
{
	return parse_options(cli, argc, argv, usage_text, positional, NULL);
}

int cli_parse_policy_options(struct memctl_cli *cli, int argc, char **argv, const char *usage_text,
			     const char **ret_policy)
{
	int r = parse_options(cli, argc, argv, usage_text, false, ret_policy);

	return r == -ECANCELED ? 1 : r < 0 ? r : 0;
}

int cli_parse_common(struct memctl_cli *cli, int argc, char **argv, const char *usage_text)
{
	int r = cli_parse_options(cli, argc, argv, usage_text, false);

	return r == -ECANCELED ? 1 : r < 0 ? r : 0;
}

void cli_print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Print NAME once: the lists below are short, a linear look-back is enough. */
static void print_unique(const char **seen, size_t *n_seen, const char *name)
{
	if (!name)
		return;
	for (size_t i = 0; i < *n_seen; i++)
		if (streq(seen[i], name))
			return;
	seen[(*n_seen)++] = name;
	printf("%s\n", name);
}

/*
 * Hidden, for completion/memctl.bash: one name per line, so the completion
 * never drifts from the verb table or the inventory.
 *   __complete verbs     the verbs
 *   __complete devices   dax devices (what online and offline take)
 *   __complete targets   dax devices, CXL regions, CXL memdevs, PCI addresses
 *                        (what the reset verbs take; see memctl_inventory_resolve_target)
 */
static int cli_complete(struct memctl_cli *cli, int argc, char **argv)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ const char **seen = NULL;
	size_t n_seen = 0, n_max;
	bool targets;

	if (argc != 2)
		return EXIT_USAGE;
	if (streq(argv[1], "verbs")) {
		for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
			printf("%s\n", verbs[i].name);
		return EXIT_OK;
	}
	targets = streq(argv[1], "targets");
	if (!targets && !streq(argv[1], "devices"))
		return EXIT_USAGE;
	if (cli_scan(cli, &inv) < 0)
		return EXIT_FAILED;
	n_max = inv->n_devices;
	for (size_t i = 0; i < inv->n_regions; i++)
		n_max += 1 + 2 * inv->regions[i].n_memdevs;
	seen = calloc(n_max ? n_max : 1, sizeof(*seen));
	if (!seen)
		return EXIT_FAILED;
	for (size_t i = 0; i < inv->n_devices; i++)
		print_unique(seen, &n_seen, inv->devices[i].name);
	for (size_t i = 0; targets && i < inv->n_regions; i++) {
		const struct memctl_dax_region *r = &inv->regions[i];

		print_unique(seen, &n_seen, r->cxl_region);
		for (size_t m = 0; m < r->n_memdevs; m++) {
			print_unique(seen, &n_seen, r->memdevs[m].name);
			print_unique(seen, &n_seen, r->memdevs[m].host);
		}
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct memctl_cli cli = { 0 };
	int c;

	memctl_set_log_fn(keep_detail, NULL);
	/* '+' stops at the verb so each verb parses its own options. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) >= 0) {
		switch (c) {
		case 'r':
			cli.root = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("memctl %s\n", MEMCTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(argv[optind], verbs[i].name))
			return verbs[i].run(&cli, argc - optind, argv + optind);
	if (streq(argv[optind], "__complete"))
		return cli_complete(&cli, argc - optind, argv + optind);
	fprintf(stderr, "memctl: unknown command '%s' (try 'memctl --help')\n", argv[optind]);
	return EXIT_USAGE;
}
