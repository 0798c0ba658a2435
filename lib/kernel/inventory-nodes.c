/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scanning NUMA nodes (distances, HMAT access classes) and memory tiers. */
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
#include "inventory-internal.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

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

	text = inventory_read_opt(s, NODE_DIR "/%s/%s", name, "distance");
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
			if (inventory_parse_indexed_name(*l, "node", &id) && id <= INT_MAX)
				a->initiators[a->n_initiators++] = (int)id;
		}
	}
	return 0;
}

/*
 * Block -> node comes from listing each node's directory (memoryN links): one
 * readdir per node instead of one per block, which matters at 32k blocks.
 */
int inventory_scan_nodes(struct memctl_sysfs *s, struct memctl_inventory *inv)
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

		if (!inventory_parse_indexed_name(*n, "node", &id) || id > INT_MAX)
			continue;
		if (GROW(inv->nodes, inv->n_nodes, cap) < 0)
			return -ENOMEM;
		node = &inv->nodes[inv->n_nodes++];
		*node = (struct memctl_node){ .id = (int)id, .tier = -1 };
		node->cpulist = inventory_read_opt(s, NODE_DIR "/%s/%s", *n, "cpulist");
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

			if (!inventory_parse_indexed_name(*e, "memory", &idx))
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

int inventory_scan_tiers(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **tiers = NULL;

	if (memctl_sysfs_list(s, TIER_DIR, "memory_tier", &tiers) < 0)
		return 0;	/* before v6.1, or no tiering */
	for (char **t = tiers; *t; t++) {
		_autofree_ char *list = NULL;
		_autofree_ int *ids = NULL;
		size_t n = 0;
		unsigned long tier;

		if (!inventory_parse_indexed_name(*t, "memory_tier", &tier))
			continue;
		list = inventory_read_opt(s, TIER_DIR "/%s/%s", *t, "nodelist");
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

void inventory_account_nodes(struct memctl_inventory *inv)
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
