// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * memctl reset-prepare --dry-run: the reset readiness forecast. Asked of
 * memctld when it runs (io.memctl.ForecastReset), else computed here from the
 * kernel's files (page flags need root). Changes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "forecast-read.h"
#include "report-forecast.h"
#include "memctl.h"
#include "policy-load.h"
#include "util-mem.h"

/* Exit codes of the forecast (memctl(8)): 0 ready, 3 at risk, 4 blocked. */
#define EXIT_AT_RISK 3
#define EXIT_BLOCKED 4

static const char forecast_usage[] =
	"Usage: memctl reset-prepare --dry-run [--json] TARGET\n"
	"Forecast, without changing anything, whether reset-prepare TARGET would succeed\n"
	"now: per dax device and memory block its zone, the pages that cannot migrate\n"
	"(from /proc/kpageflags: slab, page tables, reserved, hwpoison), hugetlb pages,\n"
	"the bytes in use to migrate, an estimate of the time, and a verdict: ready,\n"
	"at-risk or blocked. Exit status 0 ready, 3 at risk, 4 blocked.\n";

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : -1;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void print_forecast(struct json_object *f)
{
	static const char *const headers[] = { "BLOCK", "STATE", "ZONE", "VALID_ZONES", "IN_USE", "UNMOVABLE",
					       "HUGETLB", "VERDICT" };
	struct json_object *devs = NULL;

	printf("reset-prepare %s (dry run): %s\n", str(f, "target"), str(f, "verdict"));
	if (!json_object_get_boolean(json_object_object_get(f, "pages_read")))
		printf("page flags not read: %s\n", str(f, "pages_error") ?: "?");
	json_object_object_get_ex(f, "devices", &devs);
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i), *blocks = NULL, *pages = NULL;
		struct table *t = table_new(headers, 8);
		char size[32], move[32];

		size_str((uint64_t)num(d, "size"), size, sizeof(size));
		size_str((uint64_t)num(d, "bytes_to_migrate"), move, sizeof(move));
		printf("\n%s (node %" PRId64 ", %s): %s: %s\n", str(d, "chardev"), num(d, "node"), size, str(d, "verdict"),
		       str(d, "reason"));
		printf("  %" PRId64 " blocks online, %s in use to migrate, about %.1f s\n", num(d, "online_memblocks"),
		       move, num(d, "estimate_ms") / 1000.0);
		if (json_object_object_get_ex(d, "pages", &pages) && pages)
			printf("  pages: in use %" PRId64 ", free %" PRId64 ", hugetlb %" PRId64 ", slab %" PRId64
			       ", page tables %" PRId64 ", reserved %" PRId64 ", hwpoison %" PRId64
			       ", without flags %" PRId64 "\n", num(pages, "in_use"), num(pages, "free"),
			       num(pages, "hugetlb"), num(pages, "slab"), num(pages, "page_tables"),
			       num(pages, "reserved"), num(pages, "hwpoison"), num(pages, "unflagged"));
		json_object_object_get_ex(d, "blocks", &blocks);
		for (size_t k = 0; t && k < json_object_array_length(blocks); k++) {
			struct json_object *b = json_object_array_get_idx(blocks, k), *bp = NULL;
			char in_use[24] = "-", unmov[24] = "-", huge[24] = "-";

			if (json_object_object_get_ex(b, "pages", &bp) && bp) {
				snprintf(in_use, sizeof(in_use), "%" PRId64, num(bp, "in_use"));
				snprintf(unmov, sizeof(unmov), "%" PRId64,
					 num(bp, "slab") + num(bp, "page_tables") + num(bp, "reserved"));
				snprintf(huge, sizeof(huge), "%" PRId64, num(bp, "hugetlb"));
			}
			table_add(t, (const char *const[]){ str(b, "block"), str(b, "state"), str(b, "zone") ?: "-",
							    str(b, "valid_zones"), in_use, unmov, huge,
							    str(b, "verdict") });
		}
		if (t)
			table_print(t);
		table_free(t);
		for (size_t k = 0; k < json_object_array_length(blocks); k++) {
			struct json_object *b = json_object_array_get_idx(blocks, k);
			if (!streq(str(b, "verdict"), "ready"))
				printf("  %s: %s: %s\n", str(b, "block"), str(b, "verdict"), str(b, "reason"));
		}
	}
}

static int local_forecast(struct memctl_cli *cli, const char *target, struct json_object **ret)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	_cleanup_(memctl_forecast_freep) struct memctl_forecast *f = NULL;
	_autofree_ char *message = NULL;
	struct memctl_diags d = { 0 };
	int r;

	/* A rule's on_reset = "refuse" counts; a policy that does not load is left out. */
	if (memctl_policy_load(cli_policy_path(NULL), true, &p, &d) < 0)
		p = NULL;
	memctl_diags_clear(&d);
	r = memctl_sysfs_new(cli->root, &s);
	if (r < 0) {
		fprintf(stderr, "memctl: cannot open sysfs root: %s\n", strerror(-r));
		return r;
	}
	r = cli_scan(cli, &inv);
	if (r < 0)
		return r;
	r = memctl_forecast_collect(s, inv, p, target, &f, &message);
	if (r < 0) {
		fprintf(stderr, "memctl: %s\n", message ? message : strerror(-r));
		return r;
	}
	*ret = memctl_forecast_json(f);
	return 0;
}

int cli_reset_forecast(struct memctl_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct json_object *f = NULL, *p, *reply = NULL;
	const char *verdict;
	int c, r;

	optind = 0;	/* 0: GNU getopt starts afresh (memctl.c parsed with "+") */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			cli->json = true;
		else if (c == 'h') {
			printf("%s", forecast_usage);
			return EXIT_OK;
		} else if (c != 'n') {
			fprintf(stderr, "%s", forecast_usage);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s", forecast_usage);
		return EXIT_USAGE;
	}
	r = -ENOTCONN;
	if (!cli->root) {
		p = json_object_new_object();
		json_object_object_add(p, "target", json_object_new_string(argv[optind]));
		r = cli_daemon_call("io.memctl.ForecastReset", p, &reply, true);
		if (r >= 0 && json_object_object_get_ex(reply, "forecast", &f))
			f = json_object_get(f);
		json_object_put(reply);
		if (r >= 0 && !f)
			r = -EBADMSG;
		if (r < 0 && r != -ENOTCONN)
			return EXIT_FAILED;
	}
	if (r == -ENOTCONN && local_forecast(cli, argv[optind], &f) < 0)
		return EXIT_FAILED;
	if (cli->json)
		cli_print_json(f);
	else
		print_forecast(f);
	verdict = str(f, "verdict") ?: "";
	r = streq(verdict, "ready") ? EXIT_OK : streq(verdict, "blocked") ? EXIT_BLOCKED : EXIT_AT_RISK;
	json_object_put(f);
	return r;
}
