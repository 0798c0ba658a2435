/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner. Walks the inventory's dax devices in order, matches each
 * against the rules (first match wins), and derives the steps from current to
 * desired state. NUMA node accounting carries over from one device to the
 * next so that zone "auto" and the MOVABLE:NORMAL ratio see the whole picture.
 */
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

/* ---- names -------------------------------------------------------------- */

const char *memctl_action_name(enum memctl_action a)
{
	switch (a) {
	case MEMCTL_ACTION_NONE: return "none";
	case MEMCTL_ACTION_APPLY: return "apply";
	case MEMCTL_ACTION_LEAVE: return "leave";
	case MEMCTL_ACTION_SKIP: return "skip";
	case MEMCTL_ACTION_ERROR: return "error";
	}
	return "?";
}

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

/* ---- zone arithmetic ---------------------------------------------------- */

size_t memctl_auto_movable_blocks(uint64_t movable, uint64_t normal, size_t n, uint64_t block_size, double ratio)
{
	/* Largest k with movable + k*bs <= ratio * (normal + (n - k)*bs). */
	long double room = (long double)ratio * ((long double)normal + (long double)n * block_size) - movable;
	long double k;

	if (room <= 0 || block_size == 0)
		return 0;
	k = room / ((long double)block_size * (1.0L + ratio));
	return k >= n ? n : (size_t)k;
}

struct node_acct {
	int node;
	uint64_t movable, normal;
};

struct planner {
	const struct memctl_inventory *inv;
	const struct memctl_policy *p;
	struct memctl_plan *plan;
	struct node_acct *acct;
	size_t n_acct;
};

static struct node_acct *acct_for(struct planner *pl, int node)
{
	struct node_acct *a;

	for (size_t i = 0; i < pl->n_acct; i++)
		if (pl->acct[i].node == node)
			return &pl->acct[i];
	a = realloc(pl->acct, (pl->n_acct + 1) * sizeof(*a));
	if (!a)
		return NULL;
	pl->acct = a;
	a = &pl->acct[pl->n_acct++];
	*a = (struct node_acct){ .node = node };
	return a;
}

static void acct_add(struct node_acct *a, enum memctl_zone z, int64_t bytes)
{
	if (!a)
		return;
	if (z == MEMCTL_ZONE_MOVABLE)
		a->movable += bytes;
	else if (z == MEMCTL_ZONE_NORMAL)
		a->normal += bytes;
}

/* ---- steps -------------------------------------------------------------- */

static int add_step(struct memctl_step **v, size_t *n, struct memctl_step s)
{
	struct memctl_step *nv;

	/* Merge a block range with the previous step when it continues it. */
	if (*n > 0 && (s.op == MEMCTL_STEP_ONLINE || s.op == MEMCTL_STEP_OFFLINE)) {
		struct memctl_step *last = &(*v)[*n - 1];
		if (last->op == s.op && last->zone == s.zone && last->may_fail == s.may_fail && last->last + 1 == s.first) {
			last->last = s.last;
			return 0;
		}
	}
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

static int dev_step(struct memctl_device_plan *dp, struct memctl_step s)
{
	return add_step(&dp->steps, &dp->n_steps, s);
}

static int block_step(struct memctl_device_plan *dp, enum memctl_step_op op, unsigned long idx, enum memctl_zone z,
		      bool may_fail)
{
	return dev_step(dp, (struct memctl_step){ .op = op, .first = idx, .last = idx, .zone = z, .may_fail = may_fail });
}

static __attribute__((format(printf, 3, 4))) int set_reason(struct memctl_device_plan *dp, enum memctl_action a,
							      const char *fmt, ...)
{
	va_list ap;
	int r;

	dp->action = a;
	free(dp->reason);
	va_start(ap, fmt);
	r = vasprintf(&dp->reason, fmt, ap);
	va_end(ap);
	if (r < 0) {
		dp->reason = NULL;
		return -ENOMEM;
	}
	return 0;
}

static enum memctl_zone_pref zone_pref(const struct planner *pl, const struct memctl_rule *rule)
{
	return rule->zone != MEMCTL_ZONE_PREF_UNSET ? rule->zone : pl->p->defaults.zone;
}

/*
 * Zones for n blocks about to be onlined on a node: fixed by the preference,
 * or for "auto" the lowest addresses to NORMAL and the rest to MOVABLE so that
 * the node's MOVABLE:NORMAL stays within the ratio.
 */
static enum memctl_zone zone_for(const struct planner *pl, enum memctl_zone_pref pref, size_t i, size_t n,
				 size_t n_movable)
{
	switch (pref) {
	case MEMCTL_ZONE_PREF_NORMAL:
		return MEMCTL_ZONE_NORMAL;
	case MEMCTL_ZONE_PREF_AUTO:
		return i < n - n_movable ? MEMCTL_ZONE_NORMAL : MEMCTL_ZONE_MOVABLE;
	default:
		return MEMCTL_ZONE_MOVABLE;
	}
}

static size_t auto_split(struct planner *pl, int node, size_t n)
{
	struct node_acct *a = acct_for(pl, node);

	return a ? memctl_auto_movable_blocks(a->movable, a->normal, n, pl->inv->hotplug.block_size,
					      pl->p->defaults.max_movable_ratio)
		 : n;
}

/* Online a list of offline block indices (ascending) with the rule's zone. */
static int plan_online(struct planner *pl, struct memctl_device_plan *dp, enum memctl_zone_pref pref, int node,
		       const unsigned long *idx, size_t n)
{
	size_t n_movable = pref == MEMCTL_ZONE_PREF_AUTO ? auto_split(pl, node, n) : 0;
	struct node_acct *a = acct_for(pl, node);

	for (size_t i = 0; i < n; i++) {
		enum memctl_zone z = zone_for(pl, pref, i, n, n_movable);
		int r = block_step(dp, MEMCTL_STEP_ONLINE, idx[i], z, false);
		if (r < 0)
			return r;
		acct_add(a, z, pl->inv->hotplug.block_size);
	}
	return 0;
}

/* ---- one device --------------------------------------------------------- */

static void current_state(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
			  struct memctl_device_plan *dp)
{
	dp->mode = d->mode;
	dp->blocks = d->n_blocks;
	dp->blocks_online = d->blocks_online;
	dp->online_movable = d->online_in_zone[MEMCTL_ZONE_MOVABLE];
	dp->online_normal = d->online_in_zone[MEMCTL_ZONE_NORMAL];
	dp->node = d->target_node;
	(void)inv;
}

/* Whole memory blocks inside [start, end]. */
static void block_span(uint64_t bs, uint64_t start, uint64_t end, unsigned long *first, unsigned long *last_excl)
{
	*first = (unsigned long)((start + bs - 1) / bs);
	*last_excl = (unsigned long)((end + 1) / bs);
}

static int warn(struct planner *pl, const char *code, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int warn(struct planner *pl, const char *code, const char *object, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = memctl_diag_addv(&pl->plan->diags, MEMCTL_WARNING, code, NULL, 0, object, fmt, ap);
	va_end(ap);
	return r;
}

/* The device cannot be planned: no steps, action error, one error diagnostic. */
static int fail(struct planner *pl, struct memctl_device_plan *dp, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct planner *pl, struct memctl_device_plan *dp, const char *code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = memctl_diag_addv(&pl->plan->diags, MEMCTL_ERROR, code, NULL, 0, dp->device, fmt, ap);
	va_end(ap);
	if (r < 0)
		return r;
	free(dp->steps);
	dp->steps = NULL;
	dp->n_steps = 0;
	return set_reason(dp, MEMCTL_ACTION_ERROR, "%s", pl->plan->diags.v[pl->plan->diags.n - 1].message);
}

/* A famfs file system may be mounted on it: memctl never takes a device from fsdev_dax. */
static int fail_famfs_bound(struct planner *pl, struct memctl_device_plan *dp)
{
	return fail(pl, dp, "famfs-bound",
		    "bound to fsdev_dax (famfs); memctl does not take a device from a famfs file system: unmount it "
		    "and unbind fsdev_dax first, or match it with a rule of mode \"famfs\" or \"ignore\"");
}

/* Offline every block of d that is not offline yet (before kmem may let go of the range). */
static int plan_offline_all(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
{
	const struct memctl_inventory *inv = pl->inv;
	struct node_acct *a = acct_for(pl, d->target_node);
	int r;

	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		if (b->state == MEMCTL_BLOCK_OFFLINE)
			continue;
		r = block_step(dp, MEMCTL_STEP_OFFLINE, b->index, MEMCTL_ZONE_NONE, b->zone != MEMCTL_ZONE_MOVABLE);
		if (r < 0)
			return r;
		acct_add(a, b->zone, -(int64_t)inv->hotplug.block_size);
	}
	return 0;
}

/*
 * mode "famfs": the device goes to fsdev_dax (Linux 7.x). Like devdax, kmem
 * only lets go once every block is offline; the driver must exist, or the
 * plan says so instead of a bind failing at every reconcile.
 */
static int plan_to_famfs(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
{
	const struct memctl_inventory *inv = pl->inv;
	int r;

	if (d->driver == MEMCTL_DRIVER_FSDEV_DAX)
		return 0;
	if (!(inv->dax_drivers & (1u << MEMCTL_DRIVER_FSDEV_DAX)))
		return fail(pl, dp, "famfs-unavailable",
			    "rule \"%s\" wants mode famfs, but this kernel has no fsdev_dax driver on the dax bus "
			    "(famfs, Linux 7.x; /sys/bus/dax/drivers/fsdev_dax is absent)",
			    dp->rule->name);
	if (d->driver == MEMCTL_DRIVER_OTHER)
		return fail(pl, dp, "foreign-driver", "bound to driver %s; memctl only moves devices between device_dax, "
			    "kmem and fsdev_dax", d->driver_name);
	if (d->driver == MEMCTL_DRIVER_KMEM && (r = plan_offline_all(pl, d, dp)) < 0)
		return r;
	if (d->driver != MEMCTL_DRIVER_NONE &&
	    (r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_UNBIND, .driver = d->driver })) < 0)
		return r;
	return dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_BIND, .driver = MEMCTL_DRIVER_FSDEV_DAX });
}

/* A device already on kmem: online what is offline, move what is in the wrong zone. */
static int plan_kmem_zones(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp,
			   enum memctl_zone_pref pref)
{
	const struct memctl_inventory *inv = pl->inv;
	uint64_t bs = inv->hotplug.block_size;
	_autofree_ unsigned long *offline = calloc(d->n_blocks + 1, sizeof(unsigned long));
	_autofree_ unsigned long *move = calloc(d->n_blocks + 1, sizeof(unsigned long));
	size_t n_off = 0, n_move = 0;
	enum memctl_zone target = pref == MEMCTL_ZONE_PREF_NORMAL ? MEMCTL_ZONE_NORMAL : MEMCTL_ZONE_MOVABLE;
	struct node_acct *a = acct_for(pl, d->target_node);
	int r;

	if (!offline || !move)
		return -ENOMEM;
	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];

		switch (b->state) {
		case MEMCTL_BLOCK_OFFLINE:
			offline[n_off++] = b->index;
			break;
		case MEMCTL_BLOCK_ONLINE:
			if (pref != MEMCTL_ZONE_PREF_AUTO && b->zone != target)
				move[n_move++] = b->index;
			break;
		default:
			return set_reason(dp, MEMCTL_ACTION_SKIP, "memory%lu is %s; planning again when it settles",
					  b->index, memctl_block_state_name(b->state));
		}
	}

	r = plan_online(pl, dp, pref, d->target_node, offline, n_off);
	if (r < 0)
		return r;
	if (n_move > 0) {
		char first[32], last[32];
		const struct memctl_block *b0 = &inv->blocks[memctl_inventory_block_by_index(inv, move[0])];

		snprintf(first, sizeof(first), "memory%lu", move[0]);
		snprintf(last, sizeof(last), "memory%lu", move[n_move - 1]);
		r = warn(pl, "wrong-zone", dp->device,
			 "%zu block%s (%s..%s) online in %s, policy wants %s: moving them needs an offline, which %s",
			 n_move, n_move == 1 ? "" : "s", first, last, memctl_zone_name(b0->zone),
			 target == MEMCTL_ZONE_MOVABLE ? "movable" : "normal",
			 target == MEMCTL_ZONE_MOVABLE ? "may fail (unmovable pages in ZONE_NORMAL)"
						       : "should succeed");
		if (r < 0)
			return r;
		/*
		 * One block at a time (offline it, online it into the wanted zone), so
		 * that a block the kernel will not let go stays where it is and the
		 * others still move; highest address first. Any offline block may go
		 * to either zone (no zone-order rule since 4.14), so the order is not
		 * for the kernel but keeps the layout the kernel's own onlining makes:
		 * ZONE_MOVABLE grows down from the top of the node, and the block the
		 * kernel most likely filled first (the node's lowest) is tried last.
		 */
		for (size_t i = n_move; i-- > 0;) {
			const struct memctl_block *b = &inv->blocks[memctl_inventory_block_by_index(inv, move[i])];
			r = block_step(dp, MEMCTL_STEP_OFFLINE, move[i], MEMCTL_ZONE_NONE,
				       b->zone != MEMCTL_ZONE_MOVABLE);
			if (r < 0)
				return r;
			acct_add(a, b->zone, -(int64_t)bs);
			r = block_step(dp, MEMCTL_STEP_ONLINE, move[i], target, false);
			if (r < 0)
				return r;
			acct_add(a, target, bs);
		}
	}
	return 0;
}

/* Whether d is the devdax part a reserve rule carved out of its region. */
static bool is_reserved_part(struct planner *pl, const struct memctl_dax_device *d, const struct memctl_rule *rule)
{
	const struct memctl_inventory *inv = pl->inv;

	if (d->mode == MEMCTL_MODE_SYSTEM_RAM || d->region < 0)
		return false;
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *o = &inv->devices[i];
		if (o != d && o->region == d->region && o->mode == MEMCTL_MODE_SYSTEM_RAM &&
		    memctl_policy_match(pl->p, inv, o) == rule)
			return true;
	}
	return false;
}

static int plan_to_kmem(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp);

/* Whether the device's region already holds the devdax part of this reserve rule. */
static bool has_reserved_sibling(struct planner *pl, const struct memctl_dax_device *d, const struct memctl_rule *rule)
{
	const struct memctl_inventory *inv = pl->inv;

	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *o = &inv->devices[i];
		if (o != d && o->region == d->region && o->mode != MEMCTL_MODE_SYSTEM_RAM &&
		    memctl_policy_match(pl->p, inv, o) == rule)
			return true;
	}
	return false;
}

static int plan_to_system_ram(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
{
	const struct memctl_rule *rule = dp->rule;
	enum memctl_zone_pref pref = zone_pref(pl, rule);
	int r;

	if (d->target_node < 0)
		return fail(pl, dp, "no-target-node",
			    "target_node is -1: kmem refuses memory without a NUMA node (firmware gave none)");
	if (rule->expect_node >= 0 && d->target_node != rule->expect_node) {
		r = warn(pl, "expect-node-mismatch", dp->device,
			 "target_node is %d but rule \"%s\" expects node %d: not onlining it", d->target_node,
			 rule->name, rule->expect_node);
		return r < 0 ? r : set_reason(dp, MEMCTL_ACTION_SKIP, "target_node %d differs from expect_node %d",
					      d->target_node, rule->expect_node);
	}
	if (rule->memmap_on_memory >= 0 && d->memmap_on_memory < 0) {
		r = warn(pl, "memmap-unsupported", dp->device,
			 "the kernel has no per-device memmap_on_memory (v6.8+); rule \"%s\" asks for %s", rule->name,
			 rule->memmap_on_memory ? "true" : "false");
		if (r < 0)
			return r;
	}

	/*
	 * v6.3+ binds hmem and CXL devices to kmem at once. While none of the
	 * memory is online a reserve can still be carved and memmap_on_memory
	 * still set: unbind kmem first. Once a block is online they wait for the
	 * next reset or boot.
	 */
	if (d->driver == MEMCTL_DRIVER_KMEM) {
		bool carve = rule->reserve && !has_reserved_sibling(pl, d, rule);
		bool memmap = rule->memmap_on_memory >= 0 && d->memmap_on_memory >= 0 &&
			      rule->memmap_on_memory != d->memmap_on_memory;

		if ((carve || memmap) && d->blocks_online == 0)
			return plan_to_kmem(pl, d, dp);
		if (carve) {
			r = warn(pl, "reserve-not-applied", dp->device,
				 "rule \"%s\" reserves memory, but the device's memory is already online; the "
				 "reserve applies after the next reset or boot", rule->name);
			if (r < 0)
				return r;
		}
		if (memmap) {
			r = warn(pl, "memmap-late", dp->device,
				 "memmap_on_memory is %d but rule \"%s\" wants %d: it only takes effect when kmem binds",
				 d->memmap_on_memory, rule->name, rule->memmap_on_memory);
			if (r < 0)
				return r;
		}
		if (memctl_plan_state_unplugged(d))
			return plan_to_kmem(pl, d, dp);	/* no blocks to online: see plan-state.c */
		return plan_kmem_zones(pl, d, dp, pref);
	}
	if (d->driver == MEMCTL_DRIVER_OTHER)
		return fail(pl, dp, "foreign-driver", "bound to driver %s; memctl only moves devices between device_dax and kmem",
			    d->driver_name);
	if (d->driver == MEMCTL_DRIVER_FSDEV_DAX)
		return fail_famfs_bound(pl, dp);

	return plan_to_kmem(pl, d, dp);
}

/* An unbound device, or one on device_dax or (with nothing online) kmem: take it to kmem. */
static int plan_to_kmem(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
{
	const struct memctl_rule *rule = dp->rule;
	const struct memctl_inventory *inv = pl->inv;
	uint64_t bs = inv->hotplug.block_size, start, end;
	enum memctl_zone_pref pref = zone_pref(pl, rule);
	unsigned long first, last_excl;
	_autofree_ unsigned long *idx = NULL;
	size_t n = 0;
	int r;

	if (d->has_resource) {
		start = d->resource;
		end = d->resource + d->size - 1;
	} else if (d->n_mappings == 1) {
		start = d->mappings[0].start;
		end = d->mappings[0].end;
	} else if (d->n_mappings > 1 && !rule->reserve) {
		start = end = 0;	/* several ranges: handled below */
	} else {
		return fail(pl, dp, "no-range", "the kernel shows no physical range for it (no resource, no mappings)");
	}

	if (rule->reserve) {
		const struct memctl_dax_region *reg = d->region >= 0 ? &inv->regions[d->region] : NULL;
		if (!reg || !reg->dynamic)
			return fail(pl, dp, "reserve-unsupported",
				    "rule \"%s\" reserves memory, but region %d does not support sub-devices (static region)",
				    rule->name, reg ? reg->id : -1);
		if (rule->reserve >= d->size)
			return fail(pl, dp, "reserve-too-large", "rule \"%s\" reserves %" PRIu64 " bytes of a %" PRIu64 "-byte device",
				    rule->name, rule->reserve, d->size);
		if (reg->align && rule->reserve % reg->align)
			return fail(pl, dp, "reserve-unaligned",
				    "reserve of rule \"%s\" is not a multiple of the region's alignment (%" PRIu64 " bytes)",
				    rule->name, reg->align);
		end = start + (d->size - rule->reserve) - 1;
	}

	idx = calloc(d->size / bs + 2, sizeof(unsigned long));
	if (!idx)
		return -ENOMEM;
	if (start == 0 && end == 0) {
		for (size_t m = 0; m < d->n_mappings; m++) {
			block_span(bs, d->mappings[m].start, d->mappings[m].end, &first, &last_excl);
			for (unsigned long i = first; i < last_excl; i++)
				idx[n++] = i;
		}
	} else {
		block_span(bs, start, end, &first, &last_excl);
		for (unsigned long i = first; i < last_excl; i++)
			idx[n++] = i;
	}
	if (n == 0)
		return fail(pl, dp, "too-small", "smaller than one memory block (%" PRIu64 " bytes) once aligned", bs);

	if ((d->driver == MEMCTL_DRIVER_DEVICE_DAX || d->driver == MEMCTL_DRIVER_KMEM) &&
	    (r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_UNBIND, .driver = d->driver })) < 0)
		return r;
	if (rule->reserve) {
		if ((r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_RESIZE, .size = d->size - rule->reserve })) < 0 ||
		    (r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_CREATE_SUBDEVICE, .size = rule->reserve })) < 0)
			return r;
	}
	if (rule->memmap_on_memory >= 0 && d->memmap_on_memory >= 0 && rule->memmap_on_memory != d->memmap_on_memory &&
	    (r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_SET_MEMMAP_ON_MEMORY,
						    .flag = rule->memmap_on_memory })) < 0)
		return r;
	if ((r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_BIND, .driver = MEMCTL_DRIVER_KMEM })) < 0)
		return r;
	return plan_online(pl, dp, pref, d->target_node, idx, n);
}

static int plan_to_devdax(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
{
	int r;

	switch (d->driver) {
	case MEMCTL_DRIVER_DEVICE_DAX:
		return 0;
	case MEMCTL_DRIVER_OTHER:
		return fail(pl, dp, "foreign-driver", "bound to driver %s; memctl only moves devices between device_dax and kmem",
			    d->driver_name);
	case MEMCTL_DRIVER_FSDEV_DAX:
		return fail_famfs_bound(pl, dp);
	case MEMCTL_DRIVER_KMEM:
		/* Never unbind kmem with a block online: the range would leak until reboot. */
		r = plan_offline_all(pl, d, dp);
		if (r < 0)
			return r;
		r = dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_UNBIND, .driver = MEMCTL_DRIVER_KMEM });
		if (r < 0)
			return r;
		/* fall through */
	case MEMCTL_DRIVER_NONE:
		return dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_BIND, .driver = MEMCTL_DRIVER_DEVICE_DAX });
	}
	return 0;
}

static int plan_device(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
{
	const struct memctl_rule *rule = memctl_policy_match(pl->p, pl->inv, d);
	int r;

	dp->device = strdup(d->name);
	if (!dp->device)
		return -ENOMEM;
	dp->rule = rule;
	current_state(pl->inv, d, dp);
	dp->want_mode = d->mode;
	if (!rule)
		return set_reason(dp, MEMCTL_ACTION_LEAVE, "no rule matches");
	if (rule->mode == MEMCTL_RULE_IGNORE)
		return set_reason(dp, MEMCTL_ACTION_LEAVE, "rule \"%s\" says ignore", rule->name);

	if (rule->mode == MEMCTL_RULE_SYSTEM_RAM && rule->reserve && is_reserved_part(pl, d, rule)) {
		dp->want_mode = MEMCTL_MODE_DEVDAX;
		return set_reason(dp, MEMCTL_ACTION_NONE, "kept as devdax: the reserve of rule \"%s\"", rule->name);
	}
	if (rule->mode == MEMCTL_RULE_SYSTEM_RAM) {
		dp->want_mode = MEMCTL_MODE_SYSTEM_RAM;
		dp->want_zone = zone_pref(pl, rule);
		r = plan_to_system_ram(pl, d, dp);
	} else if (rule->mode == MEMCTL_RULE_FAMFS) {
		dp->want_mode = MEMCTL_MODE_FAMFS;
		r = plan_to_famfs(pl, d, dp);
	} else {
		dp->want_mode = MEMCTL_MODE_DEVDAX;
		if (rule->expect_node >= 0 && d->target_node != rule->expect_node &&
		    (r = warn(pl, "expect-node-mismatch", dp->device, "target_node is %d but rule \"%s\" expects node %d",
			      d->target_node, rule->name, rule->expect_node)) < 0)
			return r;
		r = plan_to_devdax(pl, d, dp);
	}
	if (r < 0 || dp->action == MEMCTL_ACTION_ERROR || dp->action == MEMCTL_ACTION_SKIP)
		return r;
	if ((r = memctl_plan_state_rewrite(pl->inv, d, &dp->steps, &dp->n_steps)) < 0)
		return r;
	if (dp->n_steps > 0)
		return set_reason(dp, MEMCTL_ACTION_APPLY, "rule \"%s\"", rule->name);
	return set_reason(dp, MEMCTL_ACTION_NONE, "already as rule \"%s\" wants", rule->name);
}

/* ---- global ------------------------------------------------------------- */

static int plan_auto_online(struct planner *pl)
{
	const char *aob = pl->inv->hotplug.auto_online_blocks;

	if (!aob || streq(aob, "offline"))
		return 0;
	if (pl->p->defaults.kernel_auto_online == MEMCTL_KAO_LEAVE)
		return warn(pl, "auto-online-conflict", NULL,
			    "auto_online_blocks is \"%s\" and kernel_auto_online = \"leave\": the kernel onlines hot-added "
			    "memory into a zone of its choosing before memctl sees it",
			    aob);
	return add_step(&pl->plan->pre, &pl->plan->n_pre,
			(struct memctl_step){ .op = MEMCTL_STEP_SET_AUTO_ONLINE, .value = "offline" });
}

/* Under takeover, hot-added memory no dax device owns must not stay offline. */
static int plan_other_memory(struct planner *pl)
{
	const struct memctl_inventory *inv = pl->inv;
	enum memctl_zone_pref pref = pl->p->defaults.other_memory;

	if (pl->p->defaults.kernel_auto_online != MEMCTL_KAO_TAKEOVER || pref == MEMCTL_ZONE_PREF_OFFLINE)
		return 0;
	for (size_t i = 0; i < inv->n_blocks;) {
		const struct memctl_block *b = &inv->blocks[i];
		size_t j = i, n, n_movable;
		struct node_acct *a;

		if (b->device >= 0 || b->state != MEMCTL_BLOCK_OFFLINE) {
			i++;
			continue;
		}
		while (j + 1 < inv->n_blocks && inv->blocks[j + 1].device < 0 &&
		       inv->blocks[j + 1].state == MEMCTL_BLOCK_OFFLINE && inv->blocks[j + 1].node == b->node &&
		       inv->blocks[j + 1].index == inv->blocks[j].index + 1)
			j++;
		n = j - i + 1;
		n_movable = pref == MEMCTL_ZONE_PREF_AUTO ? auto_split(pl, b->node, n) : 0;
		a = acct_for(pl, b->node);
		for (size_t k = 0; k < n; k++) {
			enum memctl_zone z = zone_for(pl, pref, k, n, n_movable);
			int r = add_step(&pl->plan->post, &pl->plan->n_post,
					 (struct memctl_step){ .op = MEMCTL_STEP_ONLINE, .first = inv->blocks[i + k].index,
							       .last = inv->blocks[i + k].index, .zone = z });
			if (r < 0)
				return r;
			acct_add(a, z, inv->hotplug.block_size);
		}
		i = j + 1;
	}
	return 0;
}

/*
 * defaults.demotion = "enable": turn demotion on once memory of a slower tier
 * (memctl_inventory_node_is_slower_tier) is online, or will be when this
 * plan has run (the node accounting after all devices says so). Never turned
 * off: other software or the administrator may rely on it.
 */
static int plan_demotion(struct planner *pl)
{
	const struct memctl_inventory *inv = pl->inv;
	int node = -1;

	if (pl->p->defaults.demotion != MEMCTL_DEMOTION_ENABLE || inv->hotplug.demotion_enabled == 1)
		return 0;
	for (size_t i = 0; i < pl->n_acct && node < 0; i++)
		if (pl->acct[i].movable + pl->acct[i].normal > 0 && memctl_inventory_node_is_slower_tier(inv, pl->acct[i].node))
			node = pl->acct[i].node;
	if (node < 0)
		return 0;
	if (inv->hotplug.demotion_enabled < 0)
		return warn(pl, "demotion-unsupported", NULL,
			    "demotion = \"enable\" but this kernel has no /sys/kernel/mm/numa/demotion_enabled "
			    "(memory tiering, Linux 5.15+ with NUMA): memory on node %d is not a demotion target",
			    node);
	return add_step(&pl->plan->post, &pl->plan->n_post,
			(struct memctl_step){ .op = MEMCTL_STEP_ENABLE_DEMOTION, .node = node });
}

bool memctl_movable_ratio_exceeded(uint64_t movable, uint64_t normal, double ratio)
{
	return normal > 0 && (long double)movable > (long double)ratio * normal;
}

static int check_ratios(struct planner *pl)
{
	double ratio = pl->p->defaults.max_movable_ratio;

	for (size_t i = 0; i < pl->n_acct; i++) {
		const struct node_acct *a = &pl->acct[i];
		char obj[32];
		int r;

		if (!memctl_movable_ratio_exceeded(a->movable, a->normal, ratio))
			continue;
		snprintf(obj, sizeof(obj), "node %d", a->node);
		r = warn(pl, "ratio-exceeded", obj,
			 "MOVABLE:NORMAL would be %.2f, above max_movable_ratio %.2f: the kernel may run short of "
			 "memory it cannot move",
			 (double)a->movable / (double)a->normal, ratio);
		if (r < 0)
			return r;
	}
	return 0;
}

static int cmp_acct(const void *x, const void *y)
{
	const struct node_acct *a = x, *b = y;
	return (a->node > b->node) - (a->node < b->node);
}

int memctl_plan_build(const struct memctl_inventory *inv, const struct memctl_policy *p, struct memctl_plan **ret)
{
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = calloc(1, sizeof(*plan));
	struct planner pl = { .inv = inv, .p = p };
	int r = 0;

	if (!plan)
		return -ENOMEM;
	pl.plan = plan;
	for (size_t i = 0; i < inv->n_nodes; i++) {
		struct node_acct *a = acct_for(&pl, inv->nodes[i].id);
		if (!a) {
			r = -ENOMEM;
			goto out;
		}
		a->movable = inv->nodes[i].online_bytes[MEMCTL_ZONE_MOVABLE];
		a->normal = inv->nodes[i].online_bytes[MEMCTL_ZONE_NORMAL];
	}
	if ((r = plan_auto_online(&pl)) < 0)
		goto out;
	plan->devices = calloc(inv->n_devices + 1, sizeof(*plan->devices));
	if (!plan->devices) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < inv->n_devices; i++) {
		plan->n_devices++;
		if ((r = plan_device(&pl, &inv->devices[i], &plan->devices[i])) < 0)
			goto out;
	}
	if ((r = plan_other_memory(&pl)) < 0)
		goto out;
	if (pl.n_acct)
		qsort(pl.acct, pl.n_acct, sizeof(*pl.acct), cmp_acct);
	if ((r = plan_demotion(&pl)) < 0 || (r = check_ratios(&pl)) < 0)
		goto out;
	*ret = steal(&plan);
out:
	free(pl.acct);
	return r;
}

struct memctl_plan *memctl_plan_free(struct memctl_plan *plan)
{
	if (!plan)
		return NULL;
	free(plan->pre);
	for (size_t i = 0; i < plan->n_devices; i++) {
		free(plan->devices[i].device);
		free(plan->devices[i].reason);
		free(plan->devices[i].steps);
	}
	free(plan->devices);
	free(plan->post);
	memctl_diags_clear(&plan->diags);
	free(plan);
	return NULL;
}

void memctl_plan_freep(struct memctl_plan **plan)
{
	memctl_plan_free(*plan);
}
