/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel model's CXL regions and PCI reset methods (see model.h). A
 * region is the set of model devices with one region id and a memdev.
 * Disabling it takes its dax devices away (kmem must have let go of their
 * memory first, as the kernel's region teardown would otherwise leak it);
 * decommitting resets its decoders; a reset by a method that clears decoders
 * while they are committed is what the kernel logs as "SBR happened without
 * memory regions removal". Enabling brings back one dax device over the
 * whole region, bound to kmem (v6.3+), as dax_cxl does: sub-devices are gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util-mem.h"

static const char *methods(const struct model *m)
{
	return m->reset_methods[0] ? m->reset_methods : "bus cxl_bus";
}

int model_get_reset_methods(void *ctx, const char *pci, char **ret)
{
	struct model *m = ctx;

	for (int i = 0; i < m->n_devices; i++)
		if (streq(m->devices[i].pci, pci)) {
			*ret = strdup(methods(m));
			return *ret ? 0 : -ENOMEM;
		}
	return -ENOENT;
}

static bool offered(const struct model *m, const char *method)
{
	char list[64], *save = NULL;

	snprintf(list, sizeof(list), "%s", methods(m));
	for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (streq(w, method))
			return true;
	return false;
}

int model_pci_reset_method(void *ctx, const char *pci, const char *method)
{
	struct model *m = ctx;

	if (!offered(m, method))
		return -EINVAL;	/* the kernel refuses a method the function does not have */
	snprintf(m->last_reset_method, sizeof(m->last_reset_method), "%s", method);
	return model_pci_reset(ctx, pci);
}

void model_cxl_reset(struct model *m, const char *pci, const char *method)
{
	char first[16] = "";
	bool wipes;

	sscanf(methods(m), "%15s", first);
	if (!method || !*method)
		method = first;
	wipes = !streq(method, "flr") && !streq(method, "af_flr");
	for (int i = 0; i < m->n_devices && wipes; i++) {
		struct model_device *d = &m->devices[i];
		if (!streq(d->pci, pci) || !d->memdev[0])
			continue;
		if (!d->cxl_decommitted) {
			if (!d->cxl_wiped)
				m->sbr_unclean++;
			d->cxl_wiped = true;
		}
	}
	m->last_reset_method[0] = '\0';
}

/* The region's first device (its seed, dax<id>.0), present or not; -1 when there is no such region. */
static int region_seed(const struct model *m, const char *region)
{
	for (int i = 0; i < m->n_devices; i++) {
		char name[32];
		snprintf(name, sizeof(name), "region%d", m->devices[i].region);
		if (m->devices[i].memdev[0] && streq(name, region))
			return i;
	}
	return -1;
}

int model_cxl_region_get(void *ctx, const char *region, struct memctl_cxl_region_config *ret)
{
	struct model *m = ctx;
	int seed = region_seed(m, region);
	const struct model_device *d;
	uint64_t end = 0;

	if (seed < 0)
		return -ENOENT;
	d = &m->devices[seed];
	*ret = (struct memctl_cxl_region_config){ .resource = d->resource, .ways = 1, .granularity = 256,
						  .committed = !d->cxl_decommitted, .enabled = !d->cxl_disabled,
						  .locked = d->region_locked ? 1 : -1 };
	for (int i = 0; i < m->n_devices; i++)
		if (m->devices[i].present && m->devices[i].region == d->region && m->devices[i].resource + m->devices[i].size > end)
			end = m->devices[i].resource + m->devices[i].size;
	ret->size = d->cxl_disabled ? d->cxl_size : end - d->resource;
	snprintf(ret->name, sizeof(ret->name), "%s", region);
	snprintf(ret->root_decoder, sizeof(ret->root_decoder), "decoder0.0");
	snprintf(ret->mode, sizeof(ret->mode), "ram");
	snprintf(ret->targets[0], sizeof(ret->targets[0]), "decoder2.0");
	return 0;
}

int model_cxl_region_teardown(void *ctx, const char *region)
{
	struct model *m = ctx;
	struct memctl_cxl_region_config c;
	int seed = region_seed(m, region), r;
	struct model_device *d;

	if (seed < 0)
		return -ENOENT;
	d = &m->devices[seed];
	if (d->region_locked)
		return -EPERM;
	r = model_cxl_region_get(ctx, region, &c);
	if (r < 0)
		return r;
	for (int i = 0; i < m->n_devices; i++) {
		struct model_device *o = &m->devices[i];
		if (o->region != d->region || !o->present)
			continue;
		for (unsigned long b = 0; b < MODEL_MAX_BLOCKS; b++)
			if (m->blocks[b].present && m->blocks[b].device == i)
				return -EBUSY;	/* memory still added: the test would have to model a leak */
		o->present = i == seed ? o->present : false;
	}
	d->present = false;
	d->cxl_size = c.size;
	d->cxl_disabled = true;
	d->cxl_decommitted = true;
	return 0;
}

int model_cxl_region_restore(void *ctx, const struct memctl_cxl_region_config *config, char **ret_name)
{
	struct model *m = ctx;
	int seed = region_seed(m, config->name);
	struct model_device *d;
	char *name;

	if (seed < 0)
		return -ENOENT;
	d = &m->devices[seed];
	d->cxl_decommitted = false;
	d->cxl_wiped = false;
	if (d->cxl_disabled) {
		d->cxl_disabled = false;
		d->present = true;
		d->size = d->cxl_size;
		d->driver = MEMCTL_DRIVER_NONE;
		/* dax_cxl's new device binds kmem at once (v6.3+) */
		if (model_ops.bind(ctx, d->name, MEMCTL_DRIVER_KMEM) < 0)
			d->driver = MEMCTL_DRIVER_DEVICE_DAX;
	}
	name = strdup(config->name);
	if (!name)
		return -ENOMEM;
	*ret_name = name;
	return 0;
}

void model_cxl_scan_down(const struct model *m, struct memctl_inventory *inv)
{
	for (int i = 0; i < m->n_devices; i++) {
		struct model_device d = m->devices[i];
		if (!d.memdev[0] || !d.cxl_disabled)
			continue;
		d.size = d.cxl_size;
		model_cxl_region_entry(inv, &d, false);
	}
}
