/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the policy parser (policy/policy.c). The input is one
 * or more files' text separated by NUL bytes: the first is memctl.conf, the
 * others its drop-ins, parsed into one policy in order as
 * memctl_policy_load_files() does, then checked as a whole when valid.
 * Invariants: the result matches the diagnostics (valid <=> no error), every
 * diagnostic names its file and has a code and a message, and a valid
 * policy's rules hold what the parser promises (ranges ordered, nodes in
 * range, every rule named and with a mode).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "policy.h"

#define MAX_FILES 4

static void check_diags(const struct memctl_diags *d, size_t from, char files[][40], size_t n_files)
{
	for (size_t i = from; i < d->n; i++) {
		const struct memctl_diag *g = &d->v[i];
		char buf[512];
		bool known = false;

		FUZZ_CHECK(g->code && *g->code, "diag %zu without a code", i);
		FUZZ_CHECK(g->message && *g->message, "diag %zu (%s) without a message", i, g->code);
		FUZZ_CHECK(g->file, "diag %zu (%s) names no file: %s", i, g->code, g->message);
		for (size_t f = 0; f < n_files; f++)
			known |= strcmp(g->file, files[f]) == 0;
		FUZZ_CHECK(known, "diag %zu names file \"%s\", which was not parsed", i, g->file);
		FUZZ_CHECK(g->line >= 0, "diag %zu (%s): line %d", i, g->code, g->line);
		memctl_diag_format(g, buf, sizeof(buf));
		FUZZ_CHECK(buf[0], "diag %zu formats to nothing", i);
	}
}

static void check_rules(const struct memctl_policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct memctl_rule *r = &p->rules[i];
		const struct memctl_match *m = &r->match;

		FUZZ_CHECK(r->name && *r->name, "valid policy, rule %zu has no name", i);
		FUZZ_CHECK(r->file && r->line > 0, "rule %s: no place (%s:%d)", r->name, r->file ? r->file : "?", r->line);
		FUZZ_CHECK(r->mode != MEMCTL_RULE_UNSET, "valid policy, rule %s has no mode", r->name);
		FUZZ_CHECK(!m->has_resource || m->resource_start <= m->resource_end, "rule %s: resource %#llx-%#llx",
			   r->name, (unsigned long long)m->resource_start, (unsigned long long)m->resource_end);
		FUZZ_CHECK(!(m->has_size_min && m->has_size_max) || m->size_min <= m->size_max,
			   "valid policy, rule %s: size_min > size_max", r->name);
		FUZZ_CHECK(!m->target_nodes == !m->n_target_nodes, "rule %s: %zu target nodes", r->name,
			   m->n_target_nodes);
		for (size_t j = 0; j < m->n_target_nodes; j++)
			FUZZ_CHECK(m->target_nodes[j] >= 0 && m->target_nodes[j] <= 1023, "rule %s: target node %d",
				   r->name, m->target_nodes[j]);
		FUZZ_CHECK(!m->cxl_serials || m->cxl_serials[0], "rule %s: empty cxl_serial list", r->name);
		FUZZ_CHECK(r->expect_node >= -1 && r->expect_node <= 1023, "rule %s: expect_node %d", r->name,
			   r->expect_node);
		FUZZ_CHECK(r->reserve == 0 || r->mode == MEMCTL_RULE_SYSTEM_RAM, "rule %s: reserve with mode %s",
			   r->name, memctl_rule_mode_name(r->mode));
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(p->rules[j].name, r->name) != 0, "valid policy, rule name %s twice", r->name);
	}
	FUZZ_CHECK(p->defaults.max_movable_ratio >= 0.0 && p->defaults.max_movable_ratio <= 100.0,
		   "max_movable_ratio %g", p->defaults.max_movable_ratio);
	FUZZ_CHECK(p->defaults.offline_retries >= 0 && p->defaults.offline_retries <= 100, "offline_retries %d",
		   p->defaults.offline_retries);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char files[MAX_FILES][40];
	struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };
	size_t n_files = 0, off = 0;
	bool valid = true;

	FUZZ_CHECK(memctl_policy_new(&p) == 0, "memctl_policy_new failed");
	while (off <= size && n_files < MAX_FILES) {
		const uint8_t *nul = memchr(data + off, '\0', size - off);
		size_t len = nul ? (size_t)(nul - (data + off)) : size - off;
		char *text = fuzz_strndup(data + off, len);
		size_t errors_before = d.n_errors, diags_before = d.n;
		int r;

		if (n_files == 0)
			snprintf(files[n_files], sizeof(files[0]), "memctl.conf");
		else
			snprintf(files[n_files], sizeof(files[0]), "memctl.conf.d/%02zu.conf", n_files);
		r = memctl_policy_parse(p, files[n_files], text, &d);
		n_files++;
		free(text);
		FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM, "parse returned %d", r);
		if (r == -ENOMEM)
			break;
		FUZZ_CHECK((r == 0) == (d.n_errors == errors_before), "parse returned %d with %zu new errors", r,
			   d.n_errors - errors_before);
		check_diags(&d, diags_before, files, n_files);
		valid &= r == 0;
		if (!nul)
			break;
		off += len + 1;
	}
	if (valid) {
		size_t errors_before = d.n_errors, diags_before = d.n;

		check_rules(p);
		memctl_policy_check(p, &d);
		FUZZ_CHECK(d.n_errors == errors_before, "whole-policy check of a valid policy added errors");
		check_diags(&d, diags_before, files, n_files);
	}
	memctl_diags_clear(&d);
	memctl_policy_free(p);
	return 0;
}
