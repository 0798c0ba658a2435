/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CXL reset decisions (see cxl-reset.h). Facts behind them: a secondary bus
 * reset clears a CXL device's HDM decoders and the kernel then logs "SBR
 * happened without memory regions removal" and taints itself when decoders
 * were committed; an FLR leaves CXL.mem alone (CXL 2.0+ 9.5); the kernel's
 * "bus" method refuses a device whose port masks SBR, "cxl_bus" unmasks it
 * for the reset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxl-reset.h"
#include "util-mem.h"

static bool offers(const char *offered, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = offered; p && *p;) {
		p += strspn(p, " \t\n");
		if (strncmp(p, word, n) == 0 && (p[n] == '\0' || strchr(" \t\n", p[n])))
			return true;
		p += strcspn(p, " \t\n");
	}
	return false;
}

int memctl_reset_method_choose(const char *offered, bool cxl_memory, struct memctl_reset_choice *ret)
{
	static const struct {
		const char *method;
		bool wipes;
		const char *why;
	} cxl[] = {
		{ "cxl_bus", true, "a CXL bus reset (secondary bus reset with SBR unmasked in the port's CXL DVSEC) resets "
				   "the memory side too; it clears the HDM decoders, so the regions were decommitted first" },
		{ "bus", true, "a secondary bus reset resets the memory side too; it clears the HDM decoders, so the "
			       "regions were decommitted first" },
		{ "flr", false, "only a function level reset is offered; it leaves CXL.mem and the HDM decoders alone" },
		{ "af_flr", false, "only an advanced-features FLR is offered; it leaves CXL.mem and the HDM decoders alone" },
		{ "pm", true, "only a D3hot-D0 reset is offered; treated as clearing the HDM decoders" },
	};
	char first[16] = "";

	if (!offered || offered[strspn(offered, " \t\n")] == '\0')
		return -EOPNOTSUPP;
	if (cxl_memory)
		for (size_t i = 0; i < sizeof(cxl) / sizeof(cxl[0]); i++)
			if (offers(offered, cxl[i].method)) {
				*ret = (struct memctl_reset_choice){ .wipes_decoders = cxl[i].wipes, .why = cxl[i].why };
				snprintf(ret->method, sizeof(ret->method), "%s", cxl[i].method);
				return 0;
			}
	sscanf(offered, " %15s", first);
	*ret = (struct memctl_reset_choice){
		.wipes_decoders = cxl_memory,
		.why = cxl_memory ? "none of the CXL-aware methods is offered: the kernel's first choice, treated as "
				    "clearing the HDM decoders"
				  : "the kernel's first choice for this function",
	};
	snprintf(ret->method, sizeof(ret->method), "%s", first);
	return 0;
}

/* Whether the region has a memdev on one of the functions (space-separated list). */
static bool on_function(const struct memctl_cxl_region *c, const char *pci)
{
	for (size_t k = 0; k < c->n_memdevs; k++)
		if (c->memdevs[k].host && offers(pci, c->memdevs[k].host))
			return true;
	return false;
}

int memctl_cxl_reset_regions(const struct memctl_inventory *inv, const char *target, size_t **ret, char **ret_pci)
{
	_autofree_ char *pci = NULL;
	_autofree_ size_t *v = NULL;
	size_t len = 0;
	int n = 0;

	/* the functions behind target's regions */
	for (size_t i = 0; i < inv->n_cxl_regions; i++) {
		const struct memctl_cxl_region *c = &inv->cxl_regions[i];

		if (!memctl_cxl_region_concerns(inv, c, target))
			continue;
		for (size_t k = 0; k < c->n_memdevs; k++) {
			const char *h = c->memdevs[k].host;
			char *grown;

			if (!h || (pci && offers(pci, h)))
				continue;
			grown = realloc(pci, len + strlen(h) + 2);
			if (!grown)
				return -ENOMEM;
			pci = grown;
			len += (size_t)sprintf(pci + len, "%s%s", len ? " " : "", h);
		}
	}
	if (pci) {
		v = calloc(inv->n_cxl_regions, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < inv->n_cxl_regions; i++)
			if (on_function(&inv->cxl_regions[i], pci))
				v[n++] = i;
	}
	*ret = steal(&v);
	if (ret_pci)
		*ret_pci = steal(&pci);
	return n;
}

int memctl_cxl_teardown_refusal(const struct memctl_inventory *inv, const char *target, const size_t *regions,
				size_t n, char **ret_why)
{
	for (size_t i = 0; i < n; i++) {
		const struct memctl_cxl_region *c = &inv->cxl_regions[regions[i]];
		int r = 0;

		if (c->locked == 1)
			r = asprintf(ret_why, "%s: CXL region %s is locked (the platform fixed it; the kernel refuses to "
					      "decommit or destroy it, EPERM): a reset would wipe its decoders under it, so "
					      "memctl refuses to take it down", target, c->name);
		else if (!memctl_cxl_region_concerns(inv, c, target))
			for (size_t k = 0; k < inv->n_devices && r == 0; k++) {
				const struct memctl_dax_device *d = &inv->devices[k];
				const struct memctl_dax_region *dr = d->region >= 0 ? &inv->regions[d->region] : NULL;
				if (dr && dr->cxl_region && streq(dr->cxl_region, c->name))
					r = asprintf(ret_why, "%s: the reset would also wipe CXL region %s (%s) on the same "
							      "device: prepare the device's PCI function or memdev instead",
						     target, c->name, d->name);
			}
		if (r < 0)
			return -ENOMEM;
		if (r > 0)
			return 1;
	}
	return 0;
}

bool memctl_cxl_region_same(const struct memctl_cxl_region_config *b, const struct memctl_cxl_region_config *a,
			    char *why, size_t len)
{
	if (a->resource != b->resource || a->size != b->size)
		snprintf(why, len, "HPA range 0x%" PRIx64 "+0x%" PRIx64 ", was 0x%" PRIx64 "+0x%" PRIx64, a->resource,
			 a->size, b->resource, b->size);
	else if (a->ways != b->ways || a->granularity != b->granularity)
		snprintf(why, len, "interleave %u x %u, was %u x %u", a->ways, a->granularity, b->ways, b->granularity);
	else if (!streq(a->mode, b->mode))
		snprintf(why, len, "mode %s, was %s", a->mode, b->mode);
	else {
		for (unsigned k = 0; k < b->ways && k < MEMCTL_CXL_MAX_WAYS; k++)
			if (!streq(a->targets[k], b->targets[k])) {
				snprintf(why, len, "target%u %s, was %s", k, a->targets[k][0] ? a->targets[k] : "(none)",
					 b->targets[k]);
				return false;
			}
		return true;
	}
	return false;
}

void memctl_cxl_region_describe(const struct memctl_cxl_region_config *c, char *buf, size_t len)
{
	int off = snprintf(buf, len, "%s (HPA 0x%" PRIx64 "-0x%" PRIx64 ", %" PRIu64 " MiB, %u way%s x %u B,", c->name,
			   c->resource, c->resource + c->size - 1, c->size >> 20, c->ways, c->ways == 1 ? "" : "s",
			   c->granularity);

	for (unsigned k = 0; k < c->ways && k < MEMCTL_CXL_MAX_WAYS && off > 0 && (size_t)off < len; k++)
		off += snprintf(buf + off, len - off, " %s", c->targets[k]);
	if (off > 0 && (size_t)off < len)
		snprintf(buf + off, len - off, ")");
}
