/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl check [FILE...]: validate a policy. Without files, the installed one
 * ($MEMCTL_POLICY or /etc/memctl/memctl.conf and its .conf.d drop-ins).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "memctl.h"
#include "policy-load.h"
#include "report-contract.h"
#include "report.h"
#include "util-mem.h"

static const char check_usage[] =
	"Usage: memctl check [--json] [FILE...]\n"
	"Validate a policy: FILEs in order as one policy, or the installed policy\n"
	"($MEMCTL_POLICY, default " MEMCTL_POLICY_DEFAULT " and its .d/*.conf).\n"
	"Exit 0 when valid (warnings allowed), 1 when it has errors.\n";

void cli_print_diags(const struct memctl_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char text[1024];
		const struct memctl_diag *g = &d->v[i];

		memctl_diag_format(g, text, sizeof(text));
		fprintf(g->severity == MEMCTL_ERROR ? stderr : stdout, "%s: %s\n",
			g->severity == MEMCTL_ERROR ? "error" : "warning", text);
	}
}

const char *cli_policy_path(const char *given)
{
	const char *env = getenv("MEMCTL_POLICY");

	if (given)
		return given;
	return env && *env ? env : MEMCTL_POLICY_DEFAULT;
}

int cli_check(struct memctl_cli *cli, int argc, char **argv)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };
	const char *main_file = NULL;
	int first, r;

	first = cli_parse_options(cli, argc, argv, check_usage, true);
	if (first == -ECANCELED)
		return EXIT_OK;
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc) {
		r = memctl_policy_load_files(argv + first, argc - first, &p, &d);
	} else {
		main_file = cli_policy_path(NULL);
		r = memctl_policy_load(main_file, true, &p, &d);
	}
	if (r == -ENOMEM) {
		fprintf(stderr, "memctl: out of memory\n");
		memctl_diags_clear(&d);
		return EXIT_FAILED;
	}

	if (cli->json) {
		struct json_object *o = memctl_json_document();
		json_object_object_add(o, "valid", json_object_new_boolean(r >= 0));
		json_object_object_add(o, "rules", p ? json_object_new_int((int)p->n_rules) : NULL);
		json_object_object_add(o, "errors", memctl_diags_json(&d, MEMCTL_ERROR));
		json_object_object_add(o, "warnings", memctl_diags_json(&d, MEMCTL_WARNING));
		cli_print_json(o);
		json_object_put(o);
	} else {
		cli_print_diags(&d);
		if (r >= 0)
			printf("%s: valid, %zu rule%s%s\n", main_file ? main_file : argv[first], p->n_rules,
			       p->n_rules == 1 ? "" : "s", first + 1 < argc ? " (all files together)" : "");
		else
			fprintf(stderr, "%s: %zu error%s\n", main_file ? main_file : argv[first], d.n_errors,
				d.n_errors == 1 ? "" : "s");
	}
	memctl_diags_clear(&d);
	return r >= 0 ? EXIT_OK : EXIT_FAILED;
}
