/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel model: see model.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dax-state.h"
#include "model.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->block_size = 128ULL << 20;
	snprintf(m->auto_online, sizeof(m->auto_online), "offline");
	for (int n = 0; n < 4; n++)
		m->node_tier[n] = -1;
	for (unsigned long i = 0; i < MODEL_MAX_BLOCKS; i++)
		m->blocks[i] = (struct model_block){ .index = i, .node = -1, .device = -1 };
	for (unsigned long i = 0; i < 32; i++)
		m->blocks[i] = (struct model_block){ .index = i, .present = true, .state = MEMCTL_BLOCK_ONLINE,
						     .zone = MEMCTL_ZONE_NORMAL, .node = 0, .device = -1 };
}

static void uevent(struct model *m, const char *subsystem, const char *action)
{
	m->uevents++;
	if (m->on_uevent)
		m->on_uevent(m->uevent_userdata, subsystem, action);
}

static void dev_blocks(const struct model *m, const struct model_device *d, unsigned long *first,
		       unsigned long *last_excl)
{
	*first = (d->resource + m->block_size - 1) / m->block_size;
	*last_excl = (d->resource + d->size) / m->block_size;
	if (*last_excl > MODEL_MAX_BLOCKS)
		*last_excl = MODEL_MAX_BLOCKS;
}

int model_add_device(struct model *m, const char *name, int region, enum memctl_origin origin, uint64_t resource,
		     uint64_t size, int target_node, enum memctl_dax_driver driver)
{
	struct model_device *d = &m->devices[m->n_devices];

	*d = (struct model_device){ .present = true, .region = region, .dynamic = origin != MEMCTL_ORIGIN_PMEM,
				    .origin = origin, .resource = resource, .size = size,
				    .target_node = target_node, .driver = MEMCTL_DRIVER_NONE,
				    .memmap_on_memory = 0, .region_size = size };
	snprintf(d->name, sizeof(d->name), "%s", name);
	m->n_devices++;
	if (driver == MEMCTL_DRIVER_KMEM) {
		unsigned long first, last;
		dev_blocks(m, d, &first, &last);
		for (unsigned long i = first; i < last; i++)
			m->blocks[i] = (struct model_block){ .index = i, .present = true, .state = MEMCTL_BLOCK_OFFLINE,
							     .zone = MEMCTL_ZONE_MOVABLE, .node = target_node,
							     .device = m->n_devices - 1 };
		d->state = MEMCTL_HOTPLUG_STATE_OFFLINE;	/* bound with the blocks created offline */
	}
	d->driver = driver;
	return m->n_devices - 1;
}

void model_set_device_blocks(struct model *m, int dev, enum memctl_block_state state, enum memctl_zone zone)
{
	for (unsigned long i = 0; i < MODEL_MAX_BLOCKS; i++)
		if (m->blocks[i].present && m->blocks[i].device == dev) {
			m->blocks[i].state = state;
			m->blocks[i].zone = zone;
		}
}

void model_add_fault(struct model *m, struct model_fault f)
{
	m->faults[m->n_faults++] = f;
}

/* kmem's unplug: every block of the device offlined and removed, in one go. */
static void unplug_blocks(struct model *m, int dev)
{
	for (unsigned long i = 0; i < MODEL_MAX_BLOCKS; i++) {
		struct model_block *b = &m->blocks[i];
		if (!b->present || b->device != dev)
			continue;
		if (b->state == MEMCTL_BLOCK_ONLINE)
			uevent(m, "memory", "offline");
		b->present = false;
		uevent(m, "memory", "remove");
	}
}

void model_set_device_state(struct model *m, int dev, enum memctl_hotplug_state state)
{
	if (state == MEMCTL_HOTPLUG_STATE_UNPLUGGED)
		unplug_blocks(m, dev);
	m->devices[dev].state = state;
}

unsigned model_blocks(const struct model *m, int dev, enum memctl_block_state state, enum memctl_zone zone)
{
	unsigned n = 0;

	for (unsigned long i = 0; i < MODEL_MAX_BLOCKS; i++) {
		const struct model_block *b = &m->blocks[i];
		n += b->present && b->device == dev && b->state == state &&
		     (state != MEMCTL_BLOCK_ONLINE || b->zone == zone);
	}
	return n;
}

unsigned model_device_blocks(const struct model *m, int dev)
{
	unsigned n = 0;

	for (unsigned long i = 0; i < MODEL_MAX_BLOCKS; i++)
		n += m->blocks[i].present && m->blocks[i].device == dev;
	return n;
}

/* A fault for this call, if one is armed: returns its error (0: none). */
static int fault_delay(struct model *m, enum model_op op, long target, const char *state, uint64_t *ret_delay);

static int fault(struct model *m, enum model_op op, long target, const char *state)
{
	return fault_delay(m, op, target, state, NULL);
}

static int fault_delay(struct model *m, enum model_op op, long target, const char *state, uint64_t *ret_delay)
{
	m->calls[op]++;
	/* A process killed mid-way makes no further changes: every later change fails. */
	if (op != MODEL_OP_SCAN && m->crash_after > 0 && --m->crash_after == 0)
		m->crashed = true;
	if (op != MODEL_OP_SCAN && m->crashed)
		return -ECANCELED;
	for (int i = 0; i < m->n_faults; i++) {
		struct model_fault *f = &m->faults[i];
		if (f->op != op || f->times == 0 || (f->target >= 0 && f->target != target) ||
		    (f->only_state && (!state || !streq(f->only_state, state))))
			continue;
		if (f->times > 0)
			f->times--;
		if (ret_delay)
			*ret_delay = f->delay_ms;
		if (f->leaves != MEMCTL_BLOCK_UNKNOWN && op == MODEL_OP_SET_BLOCK && target >= 0)
			m->blocks[target].state = f->leaves;
		if (f->remove_device && target >= 0) {
			int dev = op == MODEL_OP_SET_BLOCK ? m->blocks[target].device : (int)target;
			if (dev >= 0) {
				/* kmem's removal takes the offline memory with it; online memory stays, orphaned */
				m->devices[dev].present = false;
				for (unsigned long b = 0; b < MODEL_MAX_BLOCKS; b++)
					if (m->blocks[b].device == dev && m->blocks[b].state == MEMCTL_BLOCK_OFFLINE)
						m->blocks[b].present = false;
			}
			return -ENODEV;
		}
		return f->error;
	}
	return 0;
}

static int find_device(struct model *m, const char *name)
{
	for (int i = 0; i < m->n_devices; i++)
		if (m->devices[i].present && streq(m->devices[i].name, name))
			return i;
	return -1;
}

/* ---- ops ---------------------------------------------------------------- */

/* A dynamic region is as big as its first device was; what its present devices leave is available. */
static void model_region_size(const struct model *m, int region, uint64_t *ret_size, uint64_t *ret_available)
{
	uint64_t used = 0;
	int first = -1;

	for (int i = 0; i < m->n_devices; i++) {
		if (m->devices[i].region != region)
			continue;
		if (first < 0)
			first = i;
		if (m->devices[i].present)
			used += m->devices[i].size;
	}
	if (first < 0 || !m->devices[first].dynamic)
		return;
	*ret_size = m->devices[first].region_size;
	*ret_available = used < *ret_size ? *ret_size - used : 0;
}

static int m_scan(void *ctx, struct memctl_inventory **ret)
{
	struct model *m = ctx;
	struct memctl_inventory *inv;
	int r = fault(m, MODEL_OP_SCAN, -1, NULL);
	int regions[MODEL_MAX_DEVICES];
	int n_regions = 0;

	if (r < 0)
		return r;
	inv = calloc(1, sizeof(*inv));
	inv->hotplug.block_size = m->block_size;
	inv->hotplug.auto_online_blocks = strdup(m->auto_online);
	inv->hotplug.auto_movable_ratio = inv->hotplug.auto_movable_numa_aware = -1;
	inv->hotplug.crash_hotplug = -1;
	inv->hotplug.demotion_enabled = m->demotion_enabled;
	inv->dax_drivers = 1u << MEMCTL_DRIVER_DEVICE_DAX | 1u << MEMCTL_DRIVER_KMEM |
			   (m->has_fsdev_dax ? 1u << MEMCTL_DRIVER_FSDEV_DAX : 0);
	inv->blocks = calloc(MODEL_MAX_BLOCKS, sizeof(*inv->blocks));
	inv->nodes = calloc(8, sizeof(*inv->nodes));
	inv->regions = calloc(MODEL_MAX_DEVICES, sizeof(*inv->regions));
	inv->devices = calloc(MODEL_MAX_DEVICES, sizeof(*inv->devices));
	if (!inv->blocks || !inv->nodes || !inv->regions || !inv->devices || !inv->hotplug.auto_online_blocks) {
		memctl_inventory_free(inv);
		return -ENOMEM;
	}
	for (int n = 0; n < 4; n++) {
		inv->nodes[n] = (struct memctl_node){ .id = n, .cpulist = strdup(n == 0 ? "0-1" : ""), .has_cpu = n == 0,
						      .online = true, .tier = m->node_tier[n] };
		inv->n_nodes++;
	}
	/* devices and regions first: blocks refer to device indices in the inventory */
	for (int i = 0; i < m->n_devices; i++) {
		const struct model_device *d = &m->devices[i];
		struct memctl_dax_device *v;
		int reg = -1;

		if (!d->present)
			continue;
		for (int k = 0; k < n_regions; k++)
			if (inv->regions[k].id == d->region)
				reg = k;
		if (reg < 0) {
			reg = n_regions++;
			regions[reg] = d->region;
			inv->regions[reg] = (struct memctl_dax_region){ .id = d->region, .origin = d->origin,
									.dynamic = d->dynamic, .align = 2 << 20 };
			model_region_size(m, d->region, &inv->regions[reg].size, &inv->regions[reg].available_size);
			asprintf(&inv->regions[reg].path, "sys/devices/model/region%d", d->region);
			if (d->memdev[0]) {
				struct memctl_cxl_memdev *md = calloc(1, sizeof(*md));
				md->name = strdup(d->memdev);
				md->serial = strdup("0x1");
				md->host = strdup(d->pci);
				md->decoder = strdup("decoder2.0");
				inv->regions[reg].memdevs = md;
				inv->regions[reg].n_memdevs = 1;
				asprintf(&inv->regions[reg].cxl_region, "region%d", d->region);
				model_cxl_region_entry(inv, d, true);
			}
			inv->n_regions++;
		}
		v = &inv->devices[inv->n_devices++];
		*v = (struct memctl_dax_device){ .region = reg, .size = d->size, .align = 2 << 20,
						 .resource = d->resource, .has_resource = true,
						 .target_node = d->target_node, .numa_node = 0, .driver = d->driver,
						 .memmap_on_memory = d->memmap_on_memory,
						 .hotplug_state = m->dax_state && d->driver == MEMCTL_DRIVER_KMEM
									  ? d->state : MEMCTL_HOTPLUG_STATE_ABSENT };
		v->name = strdup(d->name);
		asprintf(&v->path, "sys/devices/model/region%d/%s", d->region, d->name);
		v->driver_name = d->driver == MEMCTL_DRIVER_NONE ? NULL : strdup(memctl_driver_name(d->driver));
		v->mode = memctl_driver_mode(d->driver);
	}
	(void)regions;
	model_cxl_scan_down(m, inv);
	for (unsigned long i = 0; i < MODEL_MAX_BLOCKS; i++) {
		const struct model_block *b = &m->blocks[i];
		struct memctl_block *v;
		int dev = -1;

		if (!b->present)
			continue;
		if (b->device >= 0 && m->devices[b->device].present)
			for (size_t k = 0; k < inv->n_devices; k++)
				if (streq(inv->devices[k].name, m->devices[b->device].name))
					dev = (int)k;
		v = &inv->blocks[inv->n_blocks++];
		*v = (struct memctl_block){ .index = i, .start = i * m->block_size,
					    .end = (i + 1) * m->block_size - 1, .state = b->state,
					    .zone = b->state == MEMCTL_BLOCK_ONLINE ? b->zone : MEMCTL_ZONE_MOVABLE,
					    .node = b->node, .removable = 1, .device = dev };
		v->valid_zones = strdup(b->state == MEMCTL_BLOCK_ONLINE ? memctl_zone_name(b->zone) : "Movable Normal");
		if (dev >= 0) {
			struct memctl_dax_device *d = &inv->devices[dev];
			d->blocks = realloc(d->blocks, (d->n_blocks + 1) * sizeof(size_t));
			d->blocks[d->n_blocks++] = inv->n_blocks - 1;
			if (b->state == MEMCTL_BLOCK_ONLINE) {
				d->blocks_online++;
				d->online_in_zone[b->zone]++;
			}
		}
		if (b->node >= 0 && b->node < 4) {
			struct memctl_node *n = &inv->nodes[b->node];
			n->blocks++;
			if (b->state == MEMCTL_BLOCK_ONLINE) {
				n->blocks_online++;
				n->online_bytes[b->zone] += m->block_size;
			}
		}
	}
	*ret = inv;
	return 0;
}

/* The cxl bus's view of a CXL device's region (one memdev, as above). */
void model_cxl_region_entry(struct memctl_inventory *inv, const struct model_device *d, bool has_dax)
{
	struct memctl_cxl_region *c;

	if (!inv->cxl_regions)
		inv->cxl_regions = calloc(MODEL_MAX_DEVICES, sizeof(*inv->cxl_regions));
	c = &inv->cxl_regions[inv->n_cxl_regions++];
	*c = (struct memctl_cxl_region){ .mode = strdup("ram"), .size = d->size, .has_size = true,
					 .resource = d->resource, .has_resource = true,
					 .locked = d->region_locked ? 1 : -1, .has_dax = has_dax };
	asprintf(&c->name, "region%d", d->region);
	c->memdevs = calloc(1, sizeof(*c->memdevs));
	c->memdevs[0] = (struct memctl_cxl_memdev){ .name = strdup(d->memdev), .serial = strdup("0x1"),
						    .host = strdup(d->pci), .decoder = strdup("decoder2.0") };
	c->n_memdevs = 1;
}

static int m_get_auto_online(void *ctx, char **ret)
{
	struct model *m = ctx;

	*ret = strdup(m->auto_online);
	return *ret ? 0 : -ENOMEM;
}

static int m_set_auto_online(void *ctx, const char *value)
{
	struct model *m = ctx;
	int r = fault(m, MODEL_OP_SET_AUTO_ONLINE, -1, value);

	if (r < 0)
		return r;
	if (!streq(value, "offline") && !streq(value, "online") && !streq(value, "online_movable") &&
	    !streq(value, "online_kernel"))
		return -EINVAL;
	snprintf(m->auto_online, sizeof(m->auto_online), "%s", value);
	return 0;
}

static int m_set_block_state(void *ctx, unsigned long index, const char *state)
{
	struct model *m = ctx;
	struct model_block *b;
	int r;

	if (index >= MODEL_MAX_BLOCKS || !m->blocks[index].present)
		return -ENOENT;
	b = &m->blocks[index];
	if (b->device >= 0 && !m->devices[b->device].present)
		return -ENODEV;
	r = fault(m, MODEL_OP_SET_BLOCK, (long)index, state);
	if (r < 0)
		return r;
	if (streq(state, "offline")) {
		if (b->state == MEMCTL_BLOCK_OFFLINE)
			return 0;
		b->state = MEMCTL_BLOCK_OFFLINE;
		uevent(m, "memory", "offline");
		return 0;
	}
	if (b->state == MEMCTL_BLOCK_ONLINE)
		return -EINVAL;	/* the kernel refuses to online an online block */
	if (streq(state, "online_movable"))
		b->zone = MEMCTL_ZONE_MOVABLE;
	else if (streq(state, "online_kernel") || streq(state, "online"))
		b->zone = MEMCTL_ZONE_NORMAL;
	else
		return -EINVAL;
	b->state = MEMCTL_BLOCK_ONLINE;
	uevent(m, "memory", "online");
	return 0;
}

static int m_get_block(void *ctx, unsigned long index, enum memctl_block_state *ret_state, enum memctl_zone *ret_zone)
{
	struct model *m = ctx;

	if (index >= MODEL_MAX_BLOCKS || !m->blocks[index].present)
		return -ENOENT;
	*ret_state = m->blocks[index].state;
	*ret_zone = m->blocks[index].zone;
	return 0;
}

static int m_get_driver(void *ctx, const char *device, enum memctl_dax_driver *ret)
{
	struct model *m = ctx;
	int i = find_device(m, device);

	if (i < 0)
		return -ENODEV;
	*ret = m->devices[i].driver;
	return 0;
}

static int m_unbind(void *ctx, const char *device, enum memctl_dax_driver driver)
{
	struct model *m = ctx;
	int i = find_device(m, device), r;
	struct model_device *d;

	if (i < 0)
		return -ENODEV;
	d = &m->devices[i];
	r = fault(m, MODEL_OP_UNBIND, i, NULL);
	if (r < 0)
		return r;
	if (d->driver == MEMCTL_DRIVER_NONE)
		return 0;
	if (d->driver == MEMCTL_DRIVER_KMEM) {
		/* kmem cannot remove online memory: the range leaks until reboot */
		bool leaked = false;
		for (unsigned long b = 0; b < MODEL_MAX_BLOCKS; b++) {
			struct model_block *blk = &m->blocks[b];
			if (!blk->present || blk->device != i)
				continue;
			if (blk->state == MEMCTL_BLOCK_ONLINE)
				leaked = true;
			else
				blk->present = false;
			uevent(m, "memory", "remove");
		}
		m->leaked_unbinds += leaked;
		d->state = MEMCTL_HOTPLUG_STATE_ABSENT;	/* the attribute goes with the driver */
	}
	d->driver = MEMCTL_DRIVER_NONE;
	uevent(m, "dax", "unbind");
	return 0;
}

static int m_bind(void *ctx, const char *device, enum memctl_dax_driver driver)
{
	struct model *m = ctx;
	int i = find_device(m, device), r;
	struct model_device *d;

	if (i < 0)
		return -ENODEV;
	d = &m->devices[i];
	r = fault(m, MODEL_OP_BIND, i, memctl_driver_name(driver));
	if (r < 0)
		return r;
	if (d->driver != MEMCTL_DRIVER_NONE)
		return -EBUSY;
	if (driver == MEMCTL_DRIVER_FSDEV_DAX && !m->has_fsdev_dax)
		return -ENODEV;	/* no such driver on the bus: its bind file is absent */
	if (driver == MEMCTL_DRIVER_FSDEV_DAX) {
		/* fsdev_dax takes the device's memory as its own: none may be in the page allocator */
		unsigned long first, last;
		dev_blocks(m, d, &first, &last);
		for (unsigned long b = first; b < last; b++)
			if (m->blocks[b].present)
				return -EBUSY;
	}
	if (driver == MEMCTL_DRIVER_KMEM) {
		unsigned long first, last;
		if (d->target_node < 0)
			return -EINVAL;
		dev_blocks(m, d, &first, &last);
		for (unsigned long b = first; b < last; b++) {
			if (m->blocks[b].present)
				return -EBUSY;	/* a leaked range cannot be added again */
		}
		for (unsigned long b = first; b < last; b++) {
			m->blocks[b] = (struct model_block){ .index = b, .present = true, .state = MEMCTL_BLOCK_OFFLINE,
							     .zone = MEMCTL_ZONE_MOVABLE, .node = d->target_node,
							     .device = i };
			uevent(m, "memory", "add");
			/* kmem follows auto_online_blocks, as the kernel does */
			if (!streq(m->auto_online, "offline")) {
				m->blocks[b].state = MEMCTL_BLOCK_ONLINE;
				m->blocks[b].zone = streq(m->auto_online, "online_movable") ? MEMCTL_ZONE_MOVABLE
											    : MEMCTL_ZONE_NORMAL;
				uevent(m, "memory", "online");
			}
		}
		/* 7.3 resolves auto_online_blocks at probe and reports it in daxX.Y/state */
		d->state = streq(m->auto_online, "offline") ? MEMCTL_HOTPLUG_STATE_OFFLINE
							    : memctl_hotplug_state_from_name(m->auto_online);
	}
	d->driver = driver;
	uevent(m, "dax", "bind");
	return 0;
}

static int m_resize(void *ctx, const char *device, uint64_t size)
{
	struct model *m = ctx;
	int i = find_device(m, device), r;

	if (i < 0)
		return -ENODEV;
	r = fault(m, MODEL_OP_RESIZE, i, NULL);
	if (r < 0)
		return r;
	if (!m->devices[i].dynamic)
		return -EOPNOTSUPP;
	if (m->devices[i].driver != MEMCTL_DRIVER_NONE)
		return -EBUSY;
	m->devices[i].size = size;
	return 0;
}

static int m_create_subdevice(void *ctx, const char *device, uint64_t size, char **ret_name)
{
	struct model *m = ctx;
	int i = find_device(m, device), r, n;
	struct model_device *d;
	char name[16];

	if (i < 0)
		return -ENODEV;
	r = fault(m, MODEL_OP_CREATE, i, NULL);
	if (r < 0)
		return r;
	d = &m->devices[i];
	if (!d->dynamic)
		return -EOPNOTSUPP;
	n = 0;
	for (int k = 0; k < m->n_devices; k++)
		n += m->devices[k].region == d->region;
	snprintf(name, sizeof(name), "dax%d.%d", d->region, n);
	model_add_device(m, name, d->region, d->origin, d->resource + d->size, size, d->target_node,
			 MEMCTL_DRIVER_DEVICE_DAX);
	uevent(m, "dax", "add");
	*ret_name = strdup(name);
	return *ret_name ? 0 : -ENOMEM;
}

static int m_destroy_subdevice(void *ctx, const char *device)
{
	struct model *m = ctx;
	int i = find_device(m, device), r;

	if (i < 0)
		return -ENODEV;
	r = fault(m, MODEL_OP_CREATE, i, "destroy");
	if (r < 0)
		return r;
	if (m->devices[i].driver == MEMCTL_DRIVER_KMEM || !m->devices[i].dynamic)
		return -EBUSY;
	m->devices[i].driver = MEMCTL_DRIVER_NONE;
	m->devices[i].present = false;
	uevent(m, "dax", "remove");
	return 0;
}

static int m_set_memmap_on_memory(void *ctx, const char *device, bool on)
{
	struct model *m = ctx;
	int i = find_device(m, device);

	if (i < 0)
		return -ENODEV;
	if (m->devices[i].memmap_on_memory < 0)
		return -ENOENT;
	if (m->devices[i].driver == MEMCTL_DRIVER_KMEM)
		return -EBUSY;
	m->devices[i].memmap_on_memory = on;
	return 0;
}

static int m_offline_block(void *ctx, unsigned long index, uint64_t timeout_ms)
{
	struct model *m = ctx;
	uint64_t delay = 0;
	int r;

	if (index >= MODEL_MAX_BLOCKS || !m->blocks[index].present)
		return -ENOENT;
	if (m->blocks[index].device >= 0 && !m->devices[m->blocks[index].device].present)
		return -ENODEV;
	r = fault_delay(m, MODEL_OP_SET_BLOCK, (long)index, "offline", &delay);
	/* A migration slower than the deadline is cut short by the timer signal. */
	if (timeout_ms && delay > timeout_ms)
		return -EINTR;
	if (r < 0)
		return r;
	if (m->offline_sleep_ms)
		usleep(m->offline_sleep_ms * 1000);	/* a migration that takes its time, for real */
	if (m->blocks[index].state != MEMCTL_BLOCK_OFFLINE) {
		m->blocks[index].state = MEMCTL_BLOCK_OFFLINE;
		uevent(m, "memory", "offline");
	}
	return 0;
}

/* The kernel's words for a block's failed offline: from the fault that refused it. */
static int m_offline_reason(void *ctx, unsigned long index, char **ret_reason)
{
	struct model *m = ctx;

	for (int i = 0; i < m->n_faults; i++) {
		const struct model_fault *f = &m->faults[i];
		if (f->op == MODEL_OP_SET_BLOCK && f->target == (long)index && f->reason) {
			*ret_reason = strdup(f->reason);
			return *ret_reason ? 0 : -ENOMEM;
		}
	}
	return -ENODATA;
}

static int m_device_users(void *ctx, const char *device, char **ret_users)
{
	struct model *m = ctx;
	int i = find_device(m, device);

	if (i < 0)
		return -ENODEV;
	*ret_users = m->devices[i].users[0] ? strdup(m->devices[i].users) : NULL;
	return 0;
}

int model_pci_reset(void *ctx, const char *pci)
{
	struct model *m = ctx;

	/* The kernel refuses nothing here: losing online memory is the caller's problem. */
	for (int i = 0; i < m->n_devices; i++)
		if (streq(m->devices[i].pci, pci))
			for (unsigned long b = 0; b < MODEL_MAX_BLOCKS; b++)
				if (m->blocks[b].present && m->blocks[b].device == i &&
				    m->blocks[b].state == MEMCTL_BLOCK_ONLINE)
					return -EBUSY;
	m->pci_resets++;
	model_cxl_reset(m, pci, m->last_reset_method);
	return 0;
}

static int m_set_demotion(void *ctx, bool on)
{
	struct model *m = ctx;
	int r = fault(m, MODEL_OP_SET_DEMOTION, -1, on ? "1" : "0");

	if (r < 0)
		return r;
	if (m->demotion_enabled < 0)
		return -ENOENT;
	if (!m->demotion_sticks_off)
		m->demotion_enabled = on;
	return 0;
}

static int m_get_demotion(void *ctx, bool *ret)
{
	struct model *m = ctx;

	if (m->demotion_enabled < 0)
		return -ENOENT;
	*ret = m->demotion_enabled == 1;
	return 0;
}

/*
 * daxX.Y/state as Linux 7.3's kmem has it: there only while kmem is bound;
 * "offline" and unknown words are EINVAL; writing the recorded state is a
 * no-op; "unplugged" offlines and removes every block of the device at once
 * (a fault leaves them all as they were: the kernel rolls back); onlining
 * only from "unplugged" (anything else EBUSY), which adds the blocks online
 * in the zone. It records only its own writes: per-block writes do not
 * change it. No uevent for the state itself, memory block uevents as usual.
 */
static int m_set_device_state(void *ctx, const char *device, const char *state, uint64_t timeout_ms)
{
	struct model *m = ctx;
	int i = find_device(m, device), r;
	enum memctl_hotplug_state want = memctl_hotplug_state_from_name(state);
	struct model_device *d;
	unsigned long first, last;
	uint64_t delay = 0;

	if (i < 0)
		return -ENODEV;
	d = &m->devices[i];
	if (!m->dax_state || d->driver != MEMCTL_DRIVER_KMEM)
		return -ENOENT;
	if (want == MEMCTL_HOTPLUG_STATE_OFFLINE || want == MEMCTL_HOTPLUG_STATE_UNKNOWN)
		return -EINVAL;
	r = fault_delay(m, MODEL_OP_SET_STATE, i, state, &delay);
	if (timeout_ms && delay > timeout_ms)
		return -EINTR;
	if (r < 0)
		return r;
	if (d->state == want)
		return 0;
	if (want == MEMCTL_HOTPLUG_STATE_UNPLUGGED) {
		unplug_blocks(m, i);
		d->state = want;
		return 0;
	}
	if (d->state != MEMCTL_HOTPLUG_STATE_UNPLUGGED)
		return -EBUSY;
	dev_blocks(m, d, &first, &last);
	for (unsigned long b = first; b < last; b++)
		if (m->blocks[b].present)
			return -EBUSY;
	for (unsigned long b = first; b < last; b++) {
		m->blocks[b] = (struct model_block){ .index = b, .present = true, .state = MEMCTL_BLOCK_ONLINE,
						     .zone = want == MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE ? MEMCTL_ZONE_MOVABLE
													  : MEMCTL_ZONE_NORMAL,
						     .node = d->target_node, .device = i };
		uevent(m, "memory", "add");
		uevent(m, "memory", "online");
	}
	d->state = want;
	return 0;
}

static int m_get_device_state(void *ctx, const char *device, enum memctl_hotplug_state *ret)
{
	struct model *m = ctx;
	int i = find_device(m, device);

	if (i < 0)
		return -ENODEV;
	if (!m->dax_state || m->devices[i].driver != MEMCTL_DRIVER_KMEM)
		return -ENOENT;
	*ret = m->devices[i].state;
	return 0;
}

const struct memctl_kernel_ops model_ops = {
	.scan = m_scan,
	.get_auto_online = m_get_auto_online,
	.set_auto_online = m_set_auto_online,
	.set_block_state = m_set_block_state,
	.get_block = m_get_block,
	.unbind = m_unbind,
	.bind = m_bind,
	.get_driver = m_get_driver,
	.resize = m_resize,
	.create_subdevice = m_create_subdevice,
	.set_memmap_on_memory = m_set_memmap_on_memory,
	.destroy_subdevice = m_destroy_subdevice,
	.offline_block = m_offline_block,
	.offline_reason = m_offline_reason,
	.device_users = m_device_users,
	.pci_reset = model_pci_reset,
	.set_demotion = m_set_demotion,
	.get_demotion = m_get_demotion,
	.set_device_state = m_set_device_state,
	.get_device_state = m_get_device_state,
	.get_reset_methods = model_get_reset_methods,
	.pci_reset_method = model_pci_reset_method,
	.cxl_region_get = model_cxl_region_get,
	.cxl_region_teardown = model_cxl_region_teardown,
	.cxl_region_restore = model_cxl_region_restore,
};
