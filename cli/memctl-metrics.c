/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl metrics: the status in Prometheus text format (what memctld writes
 * for node_exporter's textfile collector), or with --nfd the Node Feature
 * Discovery feature file. From memctld when it runs, else from a local scan,
 * or from a saved `memctl status --json` (--from-json).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memctl.h"
#include "metrics.h"
#include "policy-load.h"
#include "report.h"
#include "util-mem.h"

static const char metrics_usage[] =
	"Usage: memctl metrics [--nfd] [--policy FILE] [--from-json FILE]\n"
	"Print the status as Prometheus metrics (text format), as memctld writes them for\n"
	"node_exporter's textfile collector.\n"
	"  --nfd             print the Node Feature Discovery feature file instead\n"
	"  --policy FILE     scan here and compare node ratios with this policy\n"
	"  --from-json FILE  format a saved `memctl status --json` (- for stdin)\n";

static struct json_object *read_json(const char *file)
{
	struct json_object *o;

	if (streq(file, "-")) {
		_autofree_ char *buf = NULL;
		size_t n = 0, cap = 0;
		for (;;) {
			char *p;
			if (n + 4096 + 1 > cap) {
				cap = (n + 4096 + 1) * 2;
				p = realloc(buf, cap);
				if (!p)
					return NULL;
				buf = p;
			}
			size_t got = fread(buf + n, 1, cap - n - 1, stdin);
			n += got;
			if (got == 0)
				break;
		}
		buf[n] = '\0';
		return json_tokener_parse(buf);
	}
	o = json_object_from_file(file);
	return o;
}

static int local_status(struct memctl_cli *cli, const char *policy_given, struct json_object **ret)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };
	const char *file = NULL;

	/* As status: an explicit policy must load; else the installed one when readable, none under --root. */
	if (policy_given || !(cli->root || getenv("MEMCTL_SYSFS_ROOT"))) {
		file = cli_policy_path(policy_given);
		if (memctl_policy_load(file, true, &p, &d) < 0 && policy_given) {
			cli_print_diags(&d);
			fprintf(stderr, "memctl: policy %s is not valid\n", file);
			memctl_diags_clear(&d);
			return -EINVAL;
		}
		memctl_diags_clear(&d);
	}
	if (cli_scan(cli, &inv) < 0)
		return -EIO;
	*ret = memctl_status_json_with_policy(inv, p, p ? file : NULL);
	return *ret ? 0 : -ENOMEM;
}

int cli_metrics(struct memctl_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nfd", no_argument, NULL, 'n' },
		{ "policy", required_argument, NULL, 'p' },
		{ "from-json", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *policy_given = NULL, *from = NULL;
	bool local = cli->root || getenv("MEMCTL_SYSFS_ROOT"), nfd = false;
	struct json_object *status = NULL;
	_autofree_ char *text = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "np:f:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'n':
			nfd = true;
			break;
		case 'p':
			policy_given = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'h':
			printf("%s", metrics_usage);
			return EXIT_OK;
		default:
			fprintf(stderr, "%s", metrics_usage);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "memctl metrics: unexpected argument '%s'\n%s", argv[optind], metrics_usage);
		return EXIT_USAGE;
	}
	if (from) {
		status = read_json(from);
		if (!status) {
			fprintf(stderr, "memctl: %s: not a JSON document\n", from);
			return EXIT_FAILED;
		}
	} else if (local || policy_given || cli_daemon_call("io.memctl.GetStatus", NULL, &status, true) < 0) {
		status = NULL;
		if (local_status(cli, policy_given, &status) < 0)
			return EXIT_FAILED;
	}
	r = nfd ? memctl_nfd_format(status, &text) : memctl_metrics_format(status, &text);
	json_object_put(status);
	if (r < 0) {
		fprintf(stderr, "memctl: cannot format the status: %s\n",
			r == -EINVAL ? "it has no inventory (not `memctl status --json` output?)" : strerror(-r));
		return EXIT_FAILED;
	}
	fputs(text, stdout);
	return EXIT_OK;
}

/* memctl status, after the memctld line: where the metrics and NFD files go, and whether they are written. */
void cli_print_exports(struct json_object *daemon)
{
	static const struct {
		const char *key, *label;
	} files[] = {
		{ "metrics_textfile", "metrics (node_exporter textfile)" },
		{ "nfd_features", "NFD feature file" },
	};

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		struct json_object *x = NULL, *file = NULL, *state = NULL;

		if (!json_object_object_get_ex(daemon, files[i].key, &x) || !x)
			continue;
		json_object_object_get_ex(x, "file", &file);
		json_object_object_get_ex(x, "state", &state);
		printf("%s: %s%s%s\n", files[i].label, file ? json_object_get_string(file) : "",
		       file ? ": " : "", state ? json_object_get_string(state) : "?");
	}
}
