/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl plan: what the policy would do to the current inventory, step by
 * step, without changing anything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memctl.h"
#include "plan.h"
#include "policy-load.h"
#include "report.h"
#include "util-mem.h"

static const char plan_usage[] =
	"Usage: memctl plan [--policy FILE] [--json]\n"
	"Show what the policy would do to the memory of this machine (or --root DIR),\n"
	"without changing anything. Exit 0 when the plan has no errors, 1 otherwise.\n";

static void print_steps(const char *title, const struct memctl_step *v, size_t n)
{
	char text[128];

	if (n == 0)
		return;
	if (*title)
		printf("%s\n", title);
	for (size_t i = 0; i < n; i++) {
		memctl_step_format(&v[i], text, sizeof(text));
		printf("    %zu. %s\n", i + 1, text);
	}
}

static void print_plan(const struct memctl_plan *plan, const struct memctl_inventory *inv, const char *policy_file,
		       size_t n_rules)
{
	size_t changing = 0, steps = plan->n_pre + plan->n_post;

	printf("Policy: %s (%zu rule%s)\n\n", policy_file, n_rules, n_rules == 1 ? "" : "s");
	print_steps("Before the devices:", plan->pre, plan->n_pre);
	if (plan->n_devices == 0)
		printf("No dax devices.\n");
	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		const struct memctl_dax_device *d = memctl_inventory_device(inv, dp->device);
		const struct memctl_dax_region *r = d && d->region >= 0 ? &inv->regions[d->region] : NULL;
		char size[16], head[160];

		size_str(d ? d->size : 0, size, sizeof(size));
		snprintf(head, sizeof(head), "%s (%s, %s, node %d, %s)", dp->device,
			 memctl_origin_name(r ? r->origin : MEMCTL_ORIGIN_UNKNOWN), size, dp->node,
			 memctl_mode_name(dp->mode));
		switch (dp->action) {
		case MEMCTL_ACTION_APPLY:
			printf("%s -> %s%s%s [rule %s]\n", head, memctl_mode_name(dp->want_mode),
			       dp->want_mode == MEMCTL_MODE_SYSTEM_RAM ? " " : "",
			       dp->want_mode == MEMCTL_MODE_SYSTEM_RAM ? memctl_zone_pref_name(dp->want_zone) : "",
			       dp->rule->name);
			print_steps("", dp->steps, dp->n_steps);
			changing++;
			steps += dp->n_steps;
			break;
		default:
			printf("%s: %s: %s\n", head, memctl_action_name(dp->action), dp->reason ? dp->reason : "");
			break;
		}
	}
	/* post: memory no dax device owns, then global knobs (demotion) */
	print_steps("\nAfter the devices:", plan->post, plan->n_post);
	printf("\n");
	cli_print_diags(&plan->diags);
	if (plan->diags.n_errors)
		printf("%zu error%s: the devices named are left as they are.\n", plan->diags.n_errors,
		       plan->diags.n_errors == 1 ? "" : "s");
	if (steps == 0)
		printf("Nothing to do.\n");
	else
		printf("%zu device%s to change, %zu step%s in all.\n", changing, changing == 1 ? "" : "s", steps,
		       steps == 1 ? "" : "s");
}

int cli_plan(struct memctl_cli *cli, int argc, char **argv)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	struct memctl_diags d = { 0 };
	const char *policy_file = NULL;
	int r;

	r = cli_parse_policy_options(cli, argc, argv, plan_usage, &policy_file);
	if (r != 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	policy_file = cli_policy_path(policy_file);
	r = memctl_policy_load(policy_file, true, &p, &d);
	if (r < 0) {
		if (cli->json) {
			/* the plan document, empty, with the policy's errors (file:line each) */
			struct memctl_plan none = { .diags = d };
			struct json_object *o = memctl_plan_json(&none);

			json_object_object_add(o, "policy", json_object_new_string(policy_file));
			cli_print_json(o);
			json_object_put(o);
		} else {
			cli_print_diags(&d);
		}
		fprintf(stderr, "memctl: policy %s is not valid; nothing planned\n", policy_file);
		memctl_diags_clear(&d);
		return EXIT_FAILED;
	}
	if (cli_scan(cli, &inv) < 0) {
		memctl_diags_clear(&d);
		return EXIT_FAILED;
	}
	r = memctl_plan_build(inv, p, &plan);
	if (r < 0) {
		cli_error_errno(r, "cannot build the plan: %m");
		memctl_diags_clear(&d);
		return EXIT_FAILED;
	}
	/* Policy warnings (shadowed rules...) belong with the plan's. */
	for (size_t i = 0; i < d.n; i++)
		memctl_diag_add(&plan->diags, d.v[i].severity, d.v[i].code, d.v[i].file, d.v[i].line, d.v[i].object,
				"%s", d.v[i].message);
	memctl_diags_clear(&d);

	if (cli->json) {
		struct json_object *o = memctl_plan_json(plan);
		json_object_object_add(o, "policy", json_object_new_string(policy_file));
		cli_print_json(o);
		json_object_put(o);
	} else {
		print_plan(plan, inv, policy_file, p->n_rules);
	}
	return plan->diags.n_errors ? EXIT_FAILED : EXIT_OK;
}
