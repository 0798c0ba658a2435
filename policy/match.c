/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Matching a device against the policy's rules: the first rule whose match holds (plan.h). */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "identity.h"
#include "plan.h"
#include "plan-state.h"
#include "util-mem.h"

/* ---- matching ----------------------------------------------------------- */

static bool glob(const char *pattern, const char *s)
{
	return s && fnmatch(pattern, s, 0) == 0;
}

static bool serial_equal(const char *a, const char *b)
{
	char *ea, *eb;
	unsigned long long x, y;

	if (!a || !b)
		return false;
	x = strtoull(a, &ea, 0);
	y = strtoull(b, &eb, 0);
	if (*ea || *eb)
		return strcasecmp(a, b) == 0;
	return x == y;
}

static bool match_memdevs(const struct memctl_match *m, const struct memctl_dax_region *r)
{
	bool memdev_ok = !m->cxl_memdev, serial_ok = !m->cxl_serials, host_ok = !m->cxl_host;

	for (size_t i = 0; r && i < r->n_memdevs; i++) {
		const struct memctl_cxl_memdev *md = &r->memdevs[i];
		memdev_ok |= m->cxl_memdev && glob(m->cxl_memdev, md->name);
		host_ok |= m->cxl_host && glob(m->cxl_host, md->host);
		for (char **s = m->cxl_serials; s && *s; s++)
			serial_ok |= serial_equal(*s, md->serial);
	}
	return memdev_ok && serial_ok && host_ok;
}

static bool rule_matches(const struct memctl_match *m, const struct memctl_inventory *inv,
			 const struct memctl_dax_device *d)
{
	const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
	enum memctl_origin origin = r ? r->origin : MEMCTL_ORIGIN_UNKNOWN;

	if (m->device && !glob(m->device, d->name))
		return false;
	if (m->region) {
		char name[32];
		if (!r || r->id < 0)
			return false;
		snprintf(name, sizeof(name), "region%d", r->id);
		if (!glob(m->region, name))
			return false;
	}
	if (m->origin >= 0 && (int)origin != m->origin)
		return false;
	if (m->target_nodes) {
		bool found = false;
		for (size_t i = 0; i < m->n_target_nodes; i++)
			found |= m->target_nodes[i] == d->target_node;
		if (!found)
			return false;
	}
	if (m->has_size_min && d->size < m->size_min)
		return false;
	if (m->has_size_max && d->size > m->size_max)
		return false;
	if (m->has_resource) {
		/* By range, whichever way the kernel shows it: hmem or CXL, resource or mappings. */
		uint64_t start, end;
		if (memctl_device_range(d, &start, &end) < 0 || start < m->resource_start || end > m->resource_end)
			return false;
	}
	if ((m->cxl_memdev || m->cxl_serials || m->cxl_host) &&
	    (origin != MEMCTL_ORIGIN_CXL || !match_memdevs(m, r)))
		return false;
	if (m->uuid && (!r || !r->pmem_uuid || strcasecmp(m->uuid, r->pmem_uuid) != 0))
		return false;
	return true;
}

const struct memctl_rule *memctl_policy_match(const struct memctl_policy *p, const struct memctl_inventory *inv,
					      const struct memctl_dax_device *d)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (rule_matches(&p->rules[i].match, inv, d))
			return &p->rules[i];
	return NULL;
}
