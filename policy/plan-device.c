/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Planning one device: from its current state to what its rule wants. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "identity.h"
#include "kernel-online.h"
#include "plan.h"
#include "plan-internal.h"
#include "plan-state.h"
#include "util-mem.h"

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

int plan_warn(struct planner *pl, const char *code, const char *object, const char *fmt, ...)
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
	return plan_set_reason(dp, MEMCTL_ACTION_ERROR, "%s", pl->plan->diags.v[pl->plan->diags.n - 1].message);
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
	struct node_acct *a = plan_acct_for(pl, d->target_node);
	int r;

	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		if (b->state == MEMCTL_BLOCK_OFFLINE)
			continue;
		r = plan_block_step(dp, MEMCTL_STEP_OFFLINE, b->index, MEMCTL_ZONE_NONE, b->zone != MEMCTL_ZONE_MOVABLE);
		if (r < 0)
			return r;
		plan_acct_add(a, b->zone, -(int64_t)inv->hotplug.block_size);
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
	    (r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_UNBIND, .driver = d->driver })) < 0)
		return r;
	return plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_BIND, .driver = MEMCTL_DRIVER_FSDEV_DAX });
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
	struct node_acct *a = plan_acct_for(pl, d->target_node);
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
			return plan_set_reason(dp, MEMCTL_ACTION_SKIP, "memory%lu is %s; planning again when it settles",
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
		r = plan_warn(pl, "wrong-zone", dp->device,
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
			r = plan_block_step(dp, MEMCTL_STEP_OFFLINE, move[i], MEMCTL_ZONE_NONE,
					    b->zone != MEMCTL_ZONE_MOVABLE);
			if (r < 0)
				return r;
			plan_acct_add(a, b->zone, -(int64_t)bs);
			r = plan_block_step(dp, MEMCTL_STEP_ONLINE, move[i], target, false);
			if (r < 0)
				return r;
			plan_acct_add(a, target, bs);
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
		if (o == d || o->region != d->region || memctl_policy_match(pl->p, inv, o) != rule)
			continue;
		if (o->mode == MEMCTL_MODE_SYSTEM_RAM)
			return true;
		/* Carved, but the rest was not bound yet (memctld stopped in between): the
		 * reserve is the later sub-device of the reserve's size. */
		if (d->size == rule->reserve && strverscmp(d->name, o->name) > 0)
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
	enum memctl_zone_pref pref = plan_zone_pref(pl, rule);
	int r;

	if (d->target_node < 0)
		return fail(pl, dp, "no-target-node",
			    "target_node is -1: kmem refuses memory without a NUMA node (firmware gave none)");
	if (rule->expect_node >= 0 && d->target_node != rule->expect_node) {
		r = plan_warn(pl, "expect-node-mismatch", dp->device,
			      "target_node is %d but rule \"%s\" expects node %d: not onlining it", d->target_node,
			      rule->name, rule->expect_node);
		if (r < 0)
			return r;
		/* kernel_auto_online = "movable": the kernel onlined it, the policy does not want it online */
		if (memctl_kao_kernel_onlined(pl->p, pl->inv, d))
			return plan_offline_all(pl, d, dp);
		return plan_set_reason(dp, MEMCTL_ACTION_SKIP, "target_node %d differs from expect_node %d",
				       d->target_node, rule->expect_node);
	}
	if (rule->memmap_on_memory >= 0 && d->memmap_on_memory < 0) {
		r = plan_warn(pl, "memmap-unsupported", dp->device,
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
		/* Onlined by the kernel under kernel_auto_online = "movable": take it back and bind again. */
		if ((carve || memmap) && memctl_kao_kernel_onlined(pl->p, pl->inv, d)) {
			if ((r = plan_offline_all(pl, d, dp)) < 0)
				return r;
			return plan_to_kmem(pl, d, dp);
		}
		if (carve) {
			r = plan_warn(pl, "reserve-not-applied", dp->device,
				      "rule \"%s\" reserves memory, but the device's memory is already online; the "
				      "reserve applies after the next reset or boot", rule->name);
			if (r < 0)
				return r;
		}
		if (memmap) {
			r = plan_warn(pl, "memmap-late", dp->device,
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
	enum memctl_zone_pref pref = plan_zone_pref(pl, rule);
	unsigned long first, last_excl;
	_autofree_ unsigned long *idx = NULL;
	bool carve = rule->reserve > 0, create = carve;
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

	/*
	 * Carve at most once: a region that holds the reserve already, or has
	 * the room for it (memctld stopped after the resize), is not cut again.
	 */
	if (rule->reserve && has_reserved_sibling(pl, d, rule)) {
		carve = create = false;
	} else if (rule->reserve && d->region >= 0 && inv->regions[d->region].dynamic &&
		   inv->regions[d->region].available_size >= rule->reserve) {
		carve = false;
		create = true;
	}
	if (carve) {
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
	    (r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_UNBIND, .driver = d->driver })) < 0)
		return r;
	if (carve && (r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_RESIZE, .size = d->size - rule->reserve })) < 0)
		return r;
	if (create && (r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_CREATE_SUBDEVICE, .size = rule->reserve })) < 0)
		return r;
	if (rule->memmap_on_memory >= 0 && d->memmap_on_memory >= 0 && rule->memmap_on_memory != d->memmap_on_memory &&
	    (r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_SET_MEMMAP_ON_MEMORY,
						    .flag = rule->memmap_on_memory })) < 0)
		return r;
	if ((r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_BIND, .driver = MEMCTL_DRIVER_KMEM })) < 0)
		return r;
	/*
	 * kernel_auto_online = "movable": kmem's probe onlines every block movable
	 * (auto_online_blocks is held at online_movable), so there is nothing to
	 * write; the reconcile on kmem's bind uevent corrects what the rule wants
	 * otherwise (ZONE_NORMAL, a node it does not expect), as for a hot-add.
	 */
	if (pl->p->defaults.kernel_auto_online == MEMCTL_KAO_MOVABLE)
		return 0;
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
		r = plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_UNBIND, .driver = MEMCTL_DRIVER_KMEM });
		if (r < 0)
			return r;
		/* fall through */
	case MEMCTL_DRIVER_NONE:
		return plan_dev_step(dp, (struct memctl_step){ .op = MEMCTL_STEP_BIND, .driver = MEMCTL_DRIVER_DEVICE_DAX });
	}
	return 0;
}

int plan_device(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp)
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
		return plan_set_reason(dp, MEMCTL_ACTION_LEAVE, "no rule matches");
	if (rule->mode == MEMCTL_RULE_IGNORE)
		return plan_set_reason(dp, MEMCTL_ACTION_LEAVE, "rule \"%s\" says ignore", rule->name);

	if (rule->mode == MEMCTL_RULE_SYSTEM_RAM && rule->reserve && is_reserved_part(pl, d, rule)) {
		dp->want_mode = MEMCTL_MODE_DEVDAX;
		return plan_set_reason(dp, MEMCTL_ACTION_NONE, "kept as devdax: the reserve of rule \"%s\"", rule->name);
	}
	if (rule->mode == MEMCTL_RULE_SYSTEM_RAM) {
		dp->want_mode = MEMCTL_MODE_SYSTEM_RAM;
		dp->want_zone = plan_zone_pref(pl, rule);
		r = plan_to_system_ram(pl, d, dp);
	} else if (rule->mode == MEMCTL_RULE_FAMFS) {
		dp->want_mode = MEMCTL_MODE_FAMFS;
		r = plan_to_famfs(pl, d, dp);
	} else {
		dp->want_mode = MEMCTL_MODE_DEVDAX;
		if (rule->expect_node >= 0 && d->target_node != rule->expect_node &&
		    (r = plan_warn(pl, "expect-node-mismatch", dp->device, "target_node is %d but rule \"%s\" expects node %d",
			      d->target_node, rule->name, rule->expect_node)) < 0)
			return r;
		r = plan_to_devdax(pl, d, dp);
	}
	if (r < 0 || dp->action == MEMCTL_ACTION_ERROR || dp->action == MEMCTL_ACTION_SKIP)
		return r;
	if ((r = memctl_plan_state_rewrite(pl->inv, d, &dp->steps, &dp->n_steps)) < 0)
		return r;
	if (dp->n_steps > 0)
		return plan_set_reason(dp, MEMCTL_ACTION_APPLY, "rule \"%s\"", rule->name);
	return plan_set_reason(dp, MEMCTL_ACTION_NONE, "already as rule \"%s\" wants", rule->name);
}
