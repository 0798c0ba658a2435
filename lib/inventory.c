/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scanning the kernel's memory state into a struct memctl_inventory.
 * Everything is read through the sysfs seam; nothing here changes state.
 * A missing optional attribute is recorded as absent; a missing mandatory one
 * (block_size_bytes, a device's size) fails the scan with -errno.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dax-state.h"
#include "inventory.h"
#include "inventory-cxl.h"
#include "inventory-rules.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

#define MEMORY_DIR "sys/devices/system/memory"
#define NODE_DIR "sys/devices/system/node"
#define DAX_DEVICES "sys/bus/dax/devices"
#define CXL_DEVICES "sys/bus/cxl/devices"
#define ND_DEVICES "sys/bus/nd/devices"
#define TIER_DIR "sys/devices/virtual/memory_tiering"
#define FW_MEMMAP_DIR "sys/firmware/memmap"

/* ---- small helpers ------------------------------------------------------ */

/* Optional attribute: NULL when absent or unreadable. */
static __attribute__((format(printf, 2, 3))) char *read_opt(struct memctl_sysfs *s, const char *fmt, ...)
{
	char path[PATH_MAX];
	char *v = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path) || memctl_sysfs_read(s, path, &v) < 0)
		return NULL;
	return v;
}

static int read_opt_int(struct memctl_sysfs *s, const char *path, int dflt)
{
	int v;

	return memctl_sysfs_read_int(s, path, &v) < 0 ? dflt : v;
}

static int read_opt_bool(struct memctl_sysfs *s, const char *path)
{
	_autofree_ char *v = NULL;

	if (memctl_sysfs_read(s, path, &v) < 0)
		return -1;
	return memctl_parse_bool(v) < 0 ? -1 : memctl_parse_bool(v);
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static char *dirname_dup(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? strndup(path, slash - path) : strdup("");
}

#define GROW(arr, n, cap)                                                        \
	({                                                                       \
		int _r = 0;                                                      \
		if ((n) == (cap)) {                                              \
			size_t _c = (cap) ? (cap) * 2 : 8;                       \
			void *_p = realloc((arr), _c * sizeof(*(arr)));          \
			if (_p) {                                                \
				(arr) = _p;                                      \
				(cap) = _c;                                      \
			} else                                                   \
				_r = -ENOMEM;                                    \
		}                                                                \
		_r;                                                              \
	})

/* ---- memory blocks ------------------------------------------------------ */

static int scan_hotplug(struct memctl_sysfs *s, struct memctl_hotplug *h)
{
	int r;

	r = memctl_sysfs_read_u64(s, MEMORY_DIR "/block_size_bytes", 16, &h->block_size);
	if (r < 0)
		return memctl_log_errno(r, "cannot read %s/block_size_bytes", MEMORY_DIR);
	if (h->block_size == 0)
		return -EINVAL;
	memctl_sysfs_read(s, MEMORY_DIR "/auto_online_blocks", &h->auto_online_blocks);
	memctl_sysfs_read(s, "sys/module/memory_hotplug/parameters/online_policy", &h->online_policy);
	memctl_sysfs_read(s, "sys/module/memory_hotplug/parameters/memmap_on_memory", &h->memmap_on_memory);
	h->auto_movable_ratio = read_opt_int(s, "sys/module/memory_hotplug/parameters/auto_movable_ratio", -1);
	h->auto_movable_numa_aware =
		read_opt_bool(s, "sys/module/memory_hotplug/parameters/auto_movable_numa_aware");
	h->crash_hotplug = read_opt_int(s, MEMORY_DIR "/crash_hotplug", -1);
	h->demotion_enabled = read_opt_bool(s, "sys/kernel/mm/numa/demotion_enabled");
	return 0;
}

static bool parse_indexed_name(const char *name, const char *prefix, unsigned long *ret)
{
	size_t plen = strlen(prefix);
	char *end;

	if (strncmp(name, prefix, plen) != 0 || name[plen] < '0' || name[plen] > '9')
		return false;
	*ret = strtoul(name + plen, &end, 10);
	return *end == '\0';
}

static int scan_blocks(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t cap = 0;
	int r;

	r = memctl_sysfs_list(s, MEMORY_DIR, "memory", &names);
	if (r < 0)
		return memctl_log_errno(r, "cannot list %s", MEMORY_DIR);

	for (char **n = names; *n; n++) {
		struct memctl_block *b;
		_autofree_ char *state = NULL;
		char path[PATH_MAX];
		unsigned long idx;

		if (!parse_indexed_name(*n, "memory", &idx))
			continue;
		if (GROW(inv->blocks, inv->n_blocks, cap) < 0)
			return -ENOMEM;
		b = &inv->blocks[inv->n_blocks];
		*b = (struct memctl_block){
			.index = idx,
			.start = (uint64_t)idx * inv->hotplug.block_size,
			.end = (uint64_t)(idx + 1) * inv->hotplug.block_size - 1,
			.node = -1,
			.device = -1,
		};
		inv->n_blocks++;

		snprintf(path, sizeof(path), MEMORY_DIR "/%s/state", *n);
		r = memctl_sysfs_read(s, path, &state);
		if (r == -ENOENT)
			continue;	/* removed under our feet: report what is left */
		if (r < 0)
			return memctl_log_errno(r, "cannot read %s", path);
		b->state = memctl_parse_block_state(state);

		b->valid_zones = read_opt(s, MEMORY_DIR "/%s/%s", *n, "valid_zones");
		if (b->valid_zones)
			b->zone = memctl_parse_first_zone(b->valid_zones);
		snprintf(path, sizeof(path), MEMORY_DIR "/%s/removable", *n);
		b->removable = read_opt_int(s, path, -1);
	}
	return 0;
}

/* ---- NUMA nodes and tiers ----------------------------------------------- */

/*
 * nodeN/distance has one entry per online node, in id order (the kernel
 * prints it with for_each_online_node). When the counts disagree (a node came
 * or went between the two reads) the distances are left out, not guessed.
 */
static int scan_node_distances(struct memctl_sysfs *s, struct memctl_node *node, const char *name,
			       const int *online_ids, size_t n_online)
{
	_autofree_ char *text = NULL;
	_autofree_ int *dist = NULL;
	size_t n = 0;
	int r;

	text = read_opt(s, NODE_DIR "/%s/%s", name, "distance");
	if (!text)
		return 0;
	r = memctl_parse_distance(text, &dist, &n);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		memctl_log_debug("%s/%s/distance: cannot parse \"%s\"; distances left out", NODE_DIR, name, text);
		return 0;
	}
	if (n != n_online) {
		memctl_log_debug("%s/%s/distance: %zu entries for %zu online nodes; distances left out", NODE_DIR,
				 name, n, n_online);
		return 0;
	}
	node->distances = calloc(n, sizeof(*node->distances));
	if (!node->distances)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		node->distances[i] = (struct memctl_node_distance){ .node = online_ids[i], .distance = dist[i] };
	node->n_distances = n;
	return 0;
}

static int64_t read_opt_i64(struct memctl_sysfs *s, const char *path)
{
	uint64_t v;

	return memctl_sysfs_read_u64(s, path, 10, &v) < 0 || v > INT64_MAX ? -1 : (int64_t)v;
}

/* HMAT: nodeN/accessK/initiators/{read,write}_{latency,bandwidth} and the nodeM links beside them. */
static int scan_node_access(struct memctl_sysfs *s, struct memctl_node *node, const char *name)
{
	for (int k = 0; k < MEMCTL_ACCESS_CLASSES; k++) {
		struct memctl_node_access *a = &node->access[k];
		_autostrv_ char **links = NULL;
		char dir[PATH_MAX], path[PATH_MAX + 32];
		size_t n = 0;

		*a = (struct memctl_node_access){ .read_latency = -1, .write_latency = -1, .read_bandwidth = -1,
						  .write_bandwidth = -1 };
		snprintf(dir, sizeof(dir), NODE_DIR "/%s/access%d/initiators", name, k);
		if (memctl_sysfs_list(s, dir, "node", &links) < 0)
			continue;
		a->present = true;
		snprintf(path, sizeof(path), "%s/read_latency", dir);
		a->read_latency = read_opt_i64(s, path);
		snprintf(path, sizeof(path), "%s/write_latency", dir);
		a->write_latency = read_opt_i64(s, path);
		snprintf(path, sizeof(path), "%s/read_bandwidth", dir);
		a->read_bandwidth = read_opt_i64(s, path);
		snprintf(path, sizeof(path), "%s/write_bandwidth", dir);
		a->write_bandwidth = read_opt_i64(s, path);
		while (links[n])
			n++;
		if (n == 0)
			continue;
		a->initiators = calloc(n, sizeof(int));
		if (!a->initiators)
			return -ENOMEM;
		for (char **l = links; *l; l++) {
			unsigned long id;
			if (parse_indexed_name(*l, "node", &id) && id <= INT_MAX)
				a->initiators[a->n_initiators++] = (int)id;
		}
	}
	return 0;
}

/*
 * Block -> node comes from listing each node's directory (memoryN links): one
 * readdir per node instead of one per block, which matters at 32k blocks.
 */
static int scan_nodes(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	_autofree_ char *online = NULL;
	_autofree_ int *online_ids = NULL;
	size_t n_online = 0, cap = 0;
	int r;

	r = memctl_sysfs_list(s, NODE_DIR, "node", &names);
	if (r == -ENOENT)
		return 0;	/* !CONFIG_NUMA */
	if (r < 0)
		return memctl_log_errno(r, "cannot list %s", NODE_DIR);
	if (memctl_sysfs_read(s, NODE_DIR "/online", &online) >= 0)
		(void)memctl_parse_int_list(online, &online_ids, &n_online);

	for (char **n = names; *n; n++) {
		_autostrv_ char **entries = NULL;
		struct memctl_node *node;
		char path[PATH_MAX];
		unsigned long id;

		if (!parse_indexed_name(*n, "node", &id) || id > INT_MAX)
			continue;
		if (GROW(inv->nodes, inv->n_nodes, cap) < 0)
			return -ENOMEM;
		node = &inv->nodes[inv->n_nodes++];
		*node = (struct memctl_node){ .id = (int)id, .tier = -1 };
		node->cpulist = read_opt(s, NODE_DIR "/%s/%s", *n, "cpulist");
		if (!node->cpulist)
			node->cpulist = strdup("");
		if (!node->cpulist)
			return -ENOMEM;
		node->has_cpu = node->cpulist[0] != '\0';
		for (size_t i = 0; i < n_online; i++)
			if (online_ids[i] == (int)id)
				node->online = true;
		if ((r = scan_node_distances(s, node, *n, online_ids, n_online)) < 0 ||
		    (r = scan_node_access(s, node, *n)) < 0)
			return r;

		snprintf(path, sizeof(path), NODE_DIR "/%s", *n);
		r = memctl_sysfs_list(s, path, "memory", &entries);
		if (r < 0)
			return memctl_log_errno(r, "cannot list %s", path);
		for (char **e = entries; *e; e++) {
			unsigned long idx;
			ssize_t bi;

			if (!parse_indexed_name(*e, "memory", &idx))
				continue;
			bi = memctl_inventory_block_by_index(inv, idx);
			if (bi < 0)
				continue;
			inv->blocks[bi].node = (int)id;
			/* Keep fixtures readable by lsmem, which looks for memoryN/nodeM. */
			snprintf(path, sizeof(path), MEMORY_DIR "/%s/%s", *e, *n);
			memctl_sysfs_record_only(s, path);
		}
	}
	return 0;
}

static int scan_tiers(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **tiers = NULL;

	if (memctl_sysfs_list(s, TIER_DIR, "memory_tier", &tiers) < 0)
		return 0;	/* before v6.1, or no tiering */
	for (char **t = tiers; *t; t++) {
		_autofree_ char *list = NULL;
		_autofree_ int *ids = NULL;
		size_t n = 0;
		unsigned long tier;

		if (!parse_indexed_name(*t, "memory_tier", &tier))
			continue;
		list = read_opt(s, TIER_DIR "/%s/%s", *t, "nodelist");
		if (!list || memctl_parse_int_list(list, &ids, &n) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			struct memctl_node *node = memctl_inventory_node(inv, ids[i]);
			if (node)
				node->tier = (int)tier;
		}
	}
	return 0;
}

static void account_nodes(struct memctl_inventory *inv)
{
	for (size_t i = 0; i < inv->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[i];
		struct memctl_node *node = memctl_inventory_node(inv, b->node);

		if (!node)
			continue;
		node->blocks++;
		if (b->state != MEMCTL_BLOCK_ONLINE)
			continue;
		node->blocks_online++;
		node->online_bytes[b->zone] += inv->hotplug.block_size;
	}
}

/* ---- dax regions and devices -------------------------------------------- */

static int scan_cxl_region(struct memctl_sysfs *s, struct memctl_dax_region *r, const char *cxl_region)
{
	char path[PATH_MAX];
	int ways;

	r->cxl_region = strdup(cxl_region);
	if (!r->cxl_region)
		return -ENOMEM;
	snprintf(path, sizeof(path), CXL_DEVICES "/%s/interleave_ways", cxl_region);
	ways = read_opt_int(s, path, 0);
	if (ways <= 0 || ways > 16)
		return 0;
	r->memdevs = calloc(ways, sizeof(*r->memdevs));
	if (!r->memdevs)
		return -ENOMEM;

	for (int i = 0; i < ways; i++) {
		struct memctl_cxl_memdev *m = &r->memdevs[r->n_memdevs];
		_autofree_ char *decoder = NULL, *dec_path = NULL, *memdev = NULL;
		char t[32];

		snprintf(t, sizeof(t), "target%d", i);
		decoder = read_opt(s, CXL_DEVICES "/%s/%s", cxl_region, t);
		if (!decoder || !*decoder)
			continue;
		/* The endpoint decoder sits under endpointN, whose uport is the memdev. */
		snprintf(path, sizeof(path), CXL_DEVICES "/%s", decoder);
		if (memctl_sysfs_realpath(s, path, &dec_path) < 0)
			continue;
		snprintf(path, sizeof(path), "%.*s/uport", (int)(strrchr(dec_path, '/') - dec_path), dec_path);
		if (memctl_sysfs_realpath(s, path, &memdev) < 0)
			continue;
		m->decoder = steal(&decoder);
		m->name = strdup(basename_of(memdev));
		m->serial = read_opt(s, "%s/%s", memdev, "serial");
		{
			_autofree_ char *parent = dirname_dup(memdev);
			m->host = parent ? strdup(basename_of(parent)) : NULL;
		}
		r->n_memdevs++;
		if (!m->name)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The dax device's parent is the region device: hmem.N (platform), dax_regionN
 * (cxl bus, child of regionN) or an nd device (pmem). The kernel exports
 * the region's attributes in a "dax_region" group on that parent.
 */
static int scan_region(struct memctl_sysfs *s, const char *parent, struct memctl_dax_region *r)
{
	_autofree_ char *subsystem = NULL;
	char path[PATH_MAX];
	const char *base = basename_of(parent);

	*r = (struct memctl_dax_region){ .id = -1 };
	r->path = strdup(parent);
	if (!r->path)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/dax_region/id", parent);
	r->id = read_opt_int(s, path, -1);
	snprintf(path, sizeof(path), "%s/dax_region/size", parent);
	(void)memctl_sysfs_read_u64(s, path, 0, &r->size);
	snprintf(path, sizeof(path), "%s/dax_region/available_size", parent);
	(void)memctl_sysfs_read_u64(s, path, 0, &r->available_size);
	snprintf(path, sizeof(path), "%s/dax_region/align", parent);
	(void)memctl_sysfs_read_u64(s, path, 0, &r->align);

	/* Static regions (pmem) hide create/delete/seed: no sub-devices there. */
	{
		_autofree_ char *seed = NULL;
		snprintf(path, sizeof(path), "%s/dax_region/seed", parent);
		r->dynamic = memctl_sysfs_read(s, path, &seed) >= 0;
	}

	snprintf(path, sizeof(path), "%s/subsystem", parent);
	(void)memctl_sysfs_link_name(s, path, &subsystem);

	if (subsystem && streq(subsystem, "cxl")) {
		_autofree_ char *up = dirname_dup(parent);
		r->origin = MEMCTL_ORIGIN_CXL;
		return up ? scan_cxl_region(s, r, basename_of(up)) : -ENOMEM;
	}
	if (subsystem && streq(subsystem, "nd")) {
		r->origin = MEMCTL_ORIGIN_PMEM;
		/* The parent is the nd_dax claim device (it names its namespace) or the namespace. */
		r->pmem_namespace = read_opt(s, "%s/%s", parent, "namespace");
		if (!r->pmem_namespace && strncmp(base, "namespace", 9) == 0)
			r->pmem_namespace = strdup(base);
		/* ndctl reports a devdax namespace by the uuid of its dax info block
		 * (the claim device); a labelled namespace has its own. */
		r->pmem_uuid = read_opt(s, "%s/%s", parent, "uuid");
		if (!r->pmem_uuid && r->pmem_namespace)
			r->pmem_uuid = read_opt(s, ND_DEVICES "/%s/%s", r->pmem_namespace, "uuid");
		return 0;
	}
	if (strncmp(base, "hmem", 4) == 0) {
		r->origin = MEMCTL_ORIGIN_HMEM;
		r->hmem_device = strdup(base);
		return r->hmem_device ? 0 : -ENOMEM;
	}
	r->origin = MEMCTL_ORIGIN_UNKNOWN;
	return 0;
}

static int find_or_add_region(struct memctl_sysfs *s, struct memctl_inventory *inv, const char *parent,
			      size_t *cap)
{
	int r;

	for (size_t i = 0; i < inv->n_regions; i++)
		if (streq(inv->regions[i].path, parent))
			return (int)i;
	if (GROW(inv->regions, inv->n_regions, *cap) < 0)
		return -ENOMEM;
	r = scan_region(s, parent, &inv->regions[inv->n_regions]);
	inv->n_regions++;	/* counted even on failure so that it is freed */
	return r < 0 ? r : (int)inv->n_regions - 1;
}

static int scan_mappings(struct memctl_sysfs *s, struct memctl_dax_device *d)
{
	_autostrv_ char **names = NULL;
	size_t cap = 0;

	if (memctl_sysfs_list(s, d->path, "mapping", &names) < 0)
		return 0;
	for (char **n = names; *n; n++) {
		struct memctl_mapping m = { 0 };
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s/start", d->path, *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.start) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/end", d->path, *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.end) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/page_offset", d->path, *n);
		(void)memctl_sysfs_read_u64(s, path, 0, &m.page_offset);
		if (GROW(d->mappings, d->n_mappings, cap) < 0)
			return -ENOMEM;
		d->mappings[d->n_mappings++] = m;
	}
	return 0;
}

/* The blocks kmem can have added for [start, end]: those it covers whole. */
static int attach_blocks(struct memctl_inventory *inv, int devidx, uint64_t start, uint64_t end, size_t *cap)
{
	struct memctl_dax_device *d = &inv->devices[devidx];
	uint64_t bs = inv->hotplug.block_size;
	uint64_t first = (start + bs - 1) / bs, last_excl = (end + 1) / bs;

	for (uint64_t idx = first; idx < last_excl; idx++) {
		ssize_t bi = memctl_inventory_block_by_index(inv, idx);
		struct memctl_block *b;

		if (bi < 0)
			continue;
		b = &inv->blocks[bi];
		if (b->device >= 0)
			continue;
		if (GROW(d->blocks, d->n_blocks, *cap) < 0)
			return -ENOMEM;
		b->device = devidx;
		d->blocks[d->n_blocks++] = (size_t)bi;
		if (b->state == MEMCTL_BLOCK_ONLINE) {
			d->blocks_online++;
			d->online_in_zone[b->zone]++;
		}
	}
	return 0;
}

static int scan_device(struct memctl_sysfs *s, struct memctl_inventory *inv, const char *name, size_t *region_cap)
{
	struct memctl_dax_device *d = &inv->devices[inv->n_devices];
	_autofree_ char *parent = NULL;
	char path[PATH_MAX];
	size_t blocks_cap = 0;
	int r;

	*d = (struct memctl_dax_device){ .region = -1, .target_node = -1, .numa_node = -1,
					 .memmap_on_memory = -1 };
	inv->n_devices++;
	d->name = strdup(name);
	if (!d->name)
		return -ENOMEM;
	snprintf(path, sizeof(path), DAX_DEVICES "/%s", name);
	r = memctl_sysfs_realpath(s, path, &d->path);
	if (r < 0)
		return memctl_log_errno(r, "%s: cannot resolve %s", name, path);

	snprintf(path, sizeof(path), "%s/size", d->path);
	r = memctl_sysfs_read_u64(s, path, 0, &d->size);
	if (r < 0)
		return memctl_log_errno(r, "%s: cannot read size", name);
	snprintf(path, sizeof(path), "%s/align", d->path);
	(void)memctl_sysfs_read_u64(s, path, 0, &d->align);
	snprintf(path, sizeof(path), "%s/resource", d->path);
	d->has_resource = memctl_sysfs_read_u64(s, path, 0, &d->resource) >= 0;
	snprintf(path, sizeof(path), "%s/target_node", d->path);
	d->target_node = read_opt_int(s, path, -1);
	snprintf(path, sizeof(path), "%s/numa_node", d->path);
	d->numa_node = read_opt_int(s, path, -1);
	snprintf(path, sizeof(path), "%s/memmap_on_memory", d->path);
	d->memmap_on_memory = read_opt_bool(s, path);
	/* Linux 7.3+ with kmem bound; absent stays absent (never guessed from the version). */
	snprintf(path, sizeof(path), "%s/state", d->path);
	{
		_autofree_ char *state = NULL;
		if (memctl_sysfs_read(s, path, &state) >= 0)
			d->hotplug_state = memctl_hotplug_state_from_name(state);
	}

	snprintf(path, sizeof(path), "%s/driver", d->path);
	if (memctl_sysfs_link_name(s, path, &d->driver_name) >= 0) {
		d->driver = memctl_driver_from_name(d->driver_name);
		d->mode = memctl_driver_mode(d->driver);
	}

	r = scan_mappings(s, d);
	if (r < 0)
		return r;

	parent = dirname_dup(d->path);
	if (!parent)
		return -ENOMEM;
	r = find_or_add_region(s, inv, parent, region_cap);
	if (r < 0)
		return memctl_log_errno(r, "%s: cannot read its region %s", name, parent);
	/* inv->devices may not move here: the caller reserved room beforehand. */
	d->region = r;

	if (d->n_mappings > 0) {
		for (size_t i = 0; i < d->n_mappings; i++) {
			r = attach_blocks(inv, (int)(d - inv->devices), d->mappings[i].start, d->mappings[i].end,
					  &blocks_cap);
			if (r < 0)
				return r;
		}
	} else if (d->has_resource && d->size > 0) {
		r = attach_blocks(inv, (int)(d - inv->devices), d->resource, d->resource + d->size - 1,
				  &blocks_cap);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_dax(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t n = 0, region_cap = 0;
	int r;

	r = memctl_sysfs_list(s, DAX_DEVICES, "dax", &names);
	if (r == -ENOENT)
		return 0;	/* dax bus not loaded: no devices */
	if (r < 0)
		return memctl_log_errno(r, "cannot list %s", DAX_DEVICES);
	while (names[n])
		n++;
	if (n == 0)
		return 0;
	inv->devices = calloc(n, sizeof(*inv->devices));
	if (!inv->devices)
		return -ENOMEM;
	for (char **name = names; *name; name++) {
		r = scan_device(s, inv, *name, &region_cap);
		if (r == -ENOENT) {
			/* The device went away between listing and reading it. */
			memctl_dax_device_clear(&inv->devices[--inv->n_devices]);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- iomem and the firmware memmap -------------------------------------- */

static int scan_iomem(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autofree_ char *text = NULL;
	int r;

	if (memctl_sysfs_read(s, "proc/iomem", &text) < 0)
		return 0;
	r = memctl_parse_iomem(text, &inv->iomem, &inv->n_iomem);
	if (r < 0)
		return memctl_log_errno(r, "cannot parse /proc/iomem");
	/* Without CAP_SYS_ADMIN the kernel prints every address as zero. */
	for (size_t i = 0; i < inv->n_iomem; i++)
		if (inv->iomem[i].end != 0)
			inv->iomem_available = true;
	return 0;
}

static int scan_fw_memmap(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t cap = 0;

	if (memctl_sysfs_list(s, FW_MEMMAP_DIR, NULL, &names) < 0)
		return 0;
	inv->memmap_available = true;
	for (char **n = names; *n; n++) {
		struct memctl_fw_memmap m = { 0 };
		char path[PATH_MAX];

		snprintf(path, sizeof(path), FW_MEMMAP_DIR "/%s/start", *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.start) < 0)
			continue;
		snprintf(path, sizeof(path), FW_MEMMAP_DIR "/%s/end", *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.end) < 0)
			continue;
		m.type = read_opt(s, FW_MEMMAP_DIR "/%s/%s", *n, "type");
		if (GROW(inv->memmap, inv->n_memmap, cap) < 0) {
			free(m.type);
			return -ENOMEM;
		}
		inv->memmap[inv->n_memmap++] = m;
	}
	return 0;
}

/* udev rules and daxctl.conf.d: lib/inventory-rules.c */

static void scan_kexec(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	inv->kexec.crash_loaded = read_opt_int(s, "sys/kernel/kexec_crash_loaded", -1);
}

int memctl_inventory_scan(struct memctl_sysfs *s, struct memctl_inventory **ret)
{
	return memctl_inventory_scan_flags(s, 0, ret);
}

int memctl_inventory_scan_flags(struct memctl_sysfs *s, unsigned flags, struct memctl_inventory **ret)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	int r;

	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return -ENOMEM;
	if ((r = scan_hotplug(s, &inv->hotplug)) < 0 || (r = scan_blocks(s, inv)) < 0 ||
	    (r = scan_nodes(s, inv)) < 0 || (r = scan_tiers(s, inv)) < 0 || (r = scan_dax(s, inv)) < 0 ||
	    (r = scan_iomem(s, inv)) < 0 || (r = scan_fw_memmap(s, inv)) < 0 ||
	    (!(flags & MEMCTL_SCAN_NO_UDEV_RULES) && (r = memctl_inventory_scan_rules(s, inv)) < 0) ||
	    (r = memctl_inventory_scan_cxl(s, inv)) < 0)
		return r;
	scan_kexec(s, inv);
	account_nodes(inv);
	*ret = steal(&inv);
	return 0;
}
