/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON for the CXL regions (all of them, with or without a dax device) and the
 * soft-reserved ranges as 7.x shows them. Keys in the style of report.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "identity.h"
#include "report-cxl.h"
#include "report-json.h"

struct json_object *memctl_cxl_regions_json(const struct memctl_inventory *inv)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < inv->n_cxl_regions; i++) {
		const struct memctl_cxl_region *c = &inv->cxl_regions[i];
		struct json_object *o = json_object_new_object(), *mds = json_object_new_array();

		json_object_object_add(o, "region", json_object_new_string(c->name));
		json_object_object_add(o, "mode", memctl_json_opt_str(c->mode));
		json_object_object_add(o, "target_type", memctl_json_opt_str(c->target_type));
		json_object_object_add(o, "size", c->has_size ? json_object_new_int64((int64_t)c->size) : NULL);
		json_object_object_add(o, "resource", c->has_resource ? memctl_json_hex(c->resource) : NULL);
		json_object_object_add(o, "locked", c->locked >= 0 ? json_object_new_boolean(c->locked) : NULL);
		json_object_object_add(o, "dax", json_object_new_boolean(c->has_dax));
		for (size_t k = 0; k < c->n_memdevs; k++) {
			struct json_object *m = json_object_new_object();
			json_object_object_add(m, "memdev", memctl_json_opt_str(c->memdevs[k].name));
			json_object_object_add(m, "serial", memctl_json_opt_str(c->memdevs[k].serial));
			json_object_object_add(m, "host", memctl_json_opt_str(c->memdevs[k].host));
			json_object_object_add(m, "decoder", memctl_json_opt_str(c->memdevs[k].decoder));
			json_object_array_add(mds, m);
		}
		json_object_object_add(o, "memdevs", mds);
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *memctl_soft_reserved_json(const struct memctl_inventory *inv)
{
	struct json_object *a = json_object_new_array();
	struct memctl_range *v = NULL;
	size_t n = 0;

	if (memctl_inventory_soft_reserved(inv, &v, &n) < 0)
		return a;
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "range", memctl_json_range(v[i].start, v[i].end));
		json_object_array_add(a, r);
	}
	free(v);
	return a;
}
