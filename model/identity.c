/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device identity by physical range (see identity.h), the soft-reserved
 * ranges without "Soft Reserved" in /proc/iomem, and the CXL regions memctl
 * must leave alone (locked, or without a dax device).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "identity.h"
#include "util-mem.h"

int memctl_device_range(const struct memctl_dax_device *d, uint64_t *ret_start, uint64_t *ret_end)
{
	uint64_t start = UINT64_MAX, end = 0;

	if (d->has_resource && d->size > 0) {
		*ret_start = d->resource;
		*ret_end = d->resource + d->size - 1;
		return 0;
	}
	for (size_t i = 0; i < d->n_mappings; i++) {
		if (d->mappings[i].start < start)
			start = d->mappings[i].start;
		if (d->mappings[i].end > end)
			end = d->mappings[i].end;
	}
	if (d->n_mappings == 0 || end < start)
		return -ENODATA;
	*ret_start = start;
	*ret_end = end;
	return 0;
}

void memctl_identity_clear(struct memctl_identity *id)
{
	free(id->cxl_region);
	strv_free(id->serials);
	*id = (struct memctl_identity){ 0 };
}

int memctl_identity_of(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
		       struct memctl_identity *ret)
{
	const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
	struct memctl_identity id = { 0 };
	size_t n = 0;

	id.has_range = memctl_device_range(d, &id.start, &id.end) >= 0;
	if (r && r->origin == MEMCTL_ORIGIN_CXL) {
		if (r->cxl_region && !(id.cxl_region = strdup(r->cxl_region)))
			goto oom;
		if (r->n_memdevs) {
			id.serials = calloc(r->n_memdevs + 1, sizeof(char *));
			if (!id.serials)
				goto oom;
			for (size_t i = 0; i < r->n_memdevs; i++)
				if (r->memdevs[i].serial && !(id.serials[n++] = strdup(r->memdevs[i].serial)))
					goto oom;
		}
	}
	*ret = id;
	return 0;
oom:
	memctl_identity_clear(&id);
	return -ENOMEM;
}

/* Appends to a buffer sized beforehand (the pure library does no stream I/O). */
static void append(char *buf, size_t len, const char *a, const char *b)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", a, b);
}

int memctl_identity_format(const struct memctl_identity *id, char **ret)
{
	size_t len = 64 + (id->cxl_region ? strlen(id->cxl_region) + 16 : 0);
	const char *sep = "";
	char range[64];
	char *buf;

	for (size_t i = 0; id->serials && id->serials[i]; i++)
		len += strlen(id->serials[i]) + 16;
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	if (id->has_range) {
		snprintf(range, sizeof(range), "range=0x%" PRIx64 "-0x%" PRIx64, id->start, id->end);
		append(buf, len, "", range);
		sep = " ";
	}
	if (id->cxl_region) {
		append(buf, len, sep, "cxl_region=");
		append(buf, len, "", id->cxl_region);
		sep = " ";
	}
	for (size_t i = 0; id->serials && id->serials[i]; i++) {
		if (i == 0)
			append(buf, len, sep, "serials=");
		append(buf, len, i == 0 ? "" : ",", id->serials[i]);
	}
	*ret = buf;
	return 0;
}

static int split_serials(const char *v, char ***ret)
{
	_autofree_ char *copy = strdup(v);
	char **s = NULL, *save = NULL;
	size_t n = 0;

	if (!copy)
		return -ENOMEM;
	for (const char *p = v; *p; p++)
		n += *p == ',';
	s = calloc(n + 2, sizeof(char *));
	if (!s)
		return -ENOMEM;
	n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!(s[n++] = strdup(t))) {
			strv_free(s);
			return -ENOMEM;
		}
	*ret = s;
	return 0;
}

int memctl_identity_parse(const char *text, struct memctl_identity *ret)
{
	_autofree_ char *copy = strdup(text);
	struct memctl_identity id = { 0 };
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(t, "range=", 6) == 0) {
			char *dash, *end;
			id.start = strtoull(t + 6, &dash, 0);
			if (*dash != '-')
				goto invalid;
			id.end = strtoull(dash + 1, &end, 0);
			if (*end || id.end < id.start)
				goto invalid;
			id.has_range = true;
		} else if (strncmp(t, "cxl_region=", 11) == 0) {
			free(id.cxl_region);
			if (!(id.cxl_region = strdup(t + 11)))
				goto oom;
		} else if (strncmp(t, "serials=", 8) == 0) {
			strv_free(id.serials);
			id.serials = NULL;
			if (split_serials(t + 8, &id.serials) < 0)
				goto oom;
		}
	}
	if (!id.has_range && !id.serials)
		goto invalid;
	*ret = id;
	return 0;
invalid:
	memctl_identity_clear(&id);
	return -EINVAL;
oom:
	memctl_identity_clear(&id);
	return -ENOMEM;
}

static bool serial_same(const char *a, const char *b)
{
	char *ea, *eb;
	unsigned long long x = strtoull(a, &ea, 0), y = strtoull(b, &eb, 0);

	return *ea || *eb ? strcasecmp(a, b) == 0 : x == y;
}

bool memctl_identity_matches(const struct memctl_identity *id, const struct memctl_inventory *inv,
			     const struct memctl_dax_device *d)
{
	const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
	uint64_t start, end;

	if (id->has_range && memctl_device_range(d, &start, &end) >= 0)
		return start <= id->end && id->start <= end;
	if (!id->serials || !r || r->origin != MEMCTL_ORIGIN_CXL)
		return false;
	for (size_t i = 0; i < r->n_memdevs; i++)
		for (char **s = id->serials; r->memdevs[i].serial && *s; s++)
			if (serial_same(*s, r->memdevs[i].serial))
				return true;
	return false;
}

ssize_t memctl_identity_find(const struct memctl_identity *id, const struct memctl_inventory *inv, const char *name)
{
	ssize_t first = -1;

	for (size_t i = 0; i < inv->n_devices; i++) {
		if (!memctl_identity_matches(id, inv, &inv->devices[i]))
			continue;
		if (name && streq(inv->devices[i].name, name))
			return (ssize_t)i;
		if (first < 0)
			first = (ssize_t)i;
	}
	return first;
}

/* ---- soft-reserved ranges ----------------------------------------------- */

static int range_add(struct memctl_range **v, size_t *n, uint64_t start, uint64_t end)
{
	struct memctl_range *nv;

	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].start <= start && end <= (*v)[i].end)
			return 0;	/* already covered */
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = (struct memctl_range){ .start = start, .end = end };
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct memctl_range *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

int memctl_inventory_soft_reserved(const struct memctl_inventory *inv, struct memctl_range **ret, size_t *ret_n)
{
	struct memctl_range *v = NULL;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; inv->iomem_available && i < inv->n_iomem && r >= 0; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		if (streq(e->name, "Soft Reserved"))
			r = range_add(&v, &n, e->start, e->end);
	}
	for (size_t i = 0; i < inv->n_devices && r >= 0; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		uint64_t start, end;

		if (d->region < 0 || inv->regions[d->region].origin != MEMCTL_ORIGIN_HMEM ||
		    memctl_device_range(d, &start, &end) < 0)
			continue;
		r = range_add(&v, &n, start, end);
	}
	if (r < 0) {
		free(v);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_range);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- CXL regions memctl leaves alone ------------------------------------ */

const struct memctl_cxl_region *memctl_inventory_cxl_region(const struct memctl_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_cxl_regions; i++)
		if (streq(inv->cxl_regions[i].name, name))
			return &inv->cxl_regions[i];
	return NULL;
}

bool memctl_cxl_region_concerns(const struct memctl_inventory *inv, const struct memctl_cxl_region *c, const char *target)
{
	if (streq(c->name, target))
		return true;
	for (size_t k = 0; k < c->n_memdevs; k++)
		if ((c->memdevs[k].name && streq(c->memdevs[k].name, target)) ||
		    (c->memdevs[k].host && streq(c->memdevs[k].host, target)))
			return true;
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
		if (streq(d->name, target) && r && r->cxl_region && streq(r->cxl_region, c->name))
			return true;
	}
	return false;
}

int memctl_inventory_cxl_refusal(const struct memctl_inventory *inv, const char *target, char **ret)
{
	for (size_t i = 0; i < inv->n_cxl_regions; i++) {
		const struct memctl_cxl_region *c = &inv->cxl_regions[i];
		int r;

		if (!memctl_cxl_region_concerns(inv, c, target))
			continue;
		if (c->locked == 1)
			r = asprintf(ret, "%s: CXL region %s is locked (the platform fixed it; the kernel refuses "
					  "to destroy it, EPERM): memctl does not act on it", target, c->name);
		else if (!c->has_dax)
			r = asprintf(ret, "%s: CXL region %s has no dax device (its driver owns it, e.g. a Type 2 "
					  "accelerator): memctl does not act on it", target, c->name);
		else
			continue;
		return r < 0 ? -ENOMEM : 1;
	}
	return 0;
}
