/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Warnings about daxctl acting on memctl's devices (see report-coexist.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report-coexist.h"

void memctl_coexist_warnings(const struct memctl_inventory *inv, struct json_object *w)
{
	for (size_t i = 0; i < inv->n_daxctl_entries; i++) {
		const struct memctl_daxctl_use *e = &inv->daxctl_entries[i];

		if (!e->uuid)
			continue;
		for (size_t j = 0; j < inv->n_devices; j++) {
			const struct memctl_dax_device *d = &inv->devices[j];
			const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
			char buf[768], how[256];

			if (!r || !r->pmem_uuid || strcasecmp(r->pmem_uuid, e->uuid) != 0)
				continue;
			if (inv->n_daxctl_rules > 0)
				snprintf(how, sizeof(how), "whenever it appears (udev rule /%s:%d starts daxctl)",
					 inv->daxctl_rules[0].file, inv->daxctl_rules[0].line);
			else
				snprintf(how, sizeof(how), "when daxctl reconfigure-device --check-config runs (no udev "
					 "rule starts it now)");
			snprintf(buf, sizeof(buf),
				 "daxctl config /%s:%d [reconfigure-device %s] names %s (nvdimm.uuid %s): daxctl "
				 "reconfigures it to %s%s %s, racing memctl's policy for it; remove the entry or leave "
				 "the device out of memctl's policy", e->file, e->line, e->name, d->name, e->uuid,
				 e->mode, strcmp(e->mode, "system-ram") == 0 && e->online ? " and onlines its memory" : "", how);
			json_object_array_add(w, json_object_new_string(buf));
		}
	}
}
