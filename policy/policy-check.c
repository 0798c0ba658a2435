/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks across the rules of a whole policy, after all its files: rules that never match or are shadowed. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <fnmatch.h>

#include "inventory-model.h"
#include "policy.h"
#include "util-mem.h"

static bool nodes_subset(const int *a, size_t na, const int *b, size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t j = 0; j < nb; j++)
			found |= a[i] == b[j];
		if (!found)
			return false;
	}
	return true;
}

static bool serials_subset(char **a, char **b)
{
	for (; *a; a++) {
		bool found = false;
		for (char **x = b; *x; x++)
			found |= strcasecmp(*a, *x) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* A glob constraint of the earlier rule that covers the later rule's. */
static bool glob_covers(const char *early, const char *late)
{
	if (!early)
		return true;
	if (!late)
		return false;
	return streq(early, "*") || streq(early, late) || fnmatch(early, late, 0) == 0;
}

/* True when every device the later rule matches, the earlier rule matches too. */
static bool match_covers(const struct memctl_match *a, const struct memctl_match *b)
{
	if (!glob_covers(a->device, b->device) || !glob_covers(a->region, b->region) ||
	    !glob_covers(a->cxl_memdev, b->cxl_memdev) || !glob_covers(a->cxl_host, b->cxl_host))
		return false;
	if (a->origin >= 0 && a->origin != b->origin)
		return false;
	if (a->target_nodes && (!b->target_nodes || !nodes_subset(b->target_nodes, b->n_target_nodes, a->target_nodes,
								   a->n_target_nodes)))
		return false;
	if (a->has_size_min && (!b->has_size_min || b->size_min < a->size_min))
		return false;
	if (a->has_size_max && (!b->has_size_max || b->size_max > a->size_max))
		return false;
	if (a->has_resource && (!b->has_resource || b->resource_start < a->resource_start ||
				b->resource_end > a->resource_end))
		return false;
	if (a->cxl_serials && (!b->cxl_serials || !serials_subset(b->cxl_serials, a->cxl_serials)))
		return false;
	if (a->uuid && (!b->uuid || strcasecmp(a->uuid, b->uuid) != 0))
		return false;
	return true;
}

void memctl_policy_check(const struct memctl_policy *p, struct memctl_diags *d)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct memctl_rule *r = &p->rules[i];
		const struct memctl_match *m = &r->match;

		/* CXL-only keys cannot match a device of another origin. */
		if (m->origin >= 0 && m->origin != MEMCTL_ORIGIN_CXL && (m->cxl_memdev || m->cxl_serials || m->cxl_host))
			memctl_diag_add(d, MEMCTL_WARNING, "never-matches", r->file, r->line, r->name,
					"rule \"%s\" matches origin \"%s\" and CXL keys, so it can never match", r->name,
					memctl_strtab_name(&memctl_origin_table, m->origin));
		if (m->origin >= 0 && m->origin != MEMCTL_ORIGIN_PMEM && m->uuid)
			memctl_diag_add(d, MEMCTL_WARNING, "never-matches", r->file, r->line, r->name,
					"rule \"%s\" matches origin \"%s\" and a pmem uuid, so it can never match", r->name,
					memctl_strtab_name(&memctl_origin_table, m->origin));
		for (size_t j = 0; j < i; j++)
			if (match_covers(&p->rules[j].match, m)) {
				memctl_diag_add(d, MEMCTL_WARNING, "shadowed", r->file, r->line, r->name,
						"rule \"%s\" is shadowed by rule \"%s\" (%s:%d), which matches every device it "
						"matches; the first matching rule wins", r->name, p->rules[j].name,
						p->rules[j].file, p->rules[j].line);
				break;
			}
	}
}
