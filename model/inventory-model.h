/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inventory data model: a snapshot of memory blocks, NUMA nodes, dax
 * regions and devices, and the iomem/firmware maps, as plain structs with no
 * I/O handles. Names of enums, lookups and freeing (inventory-model.c); filled by the
 * scanner (lib/kernel/inventory.c), read by the planner, reports and daemon.
 * Pure: no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "strtab.h"

enum memctl_block_state {
	MEMCTL_BLOCK_UNKNOWN,
	MEMCTL_BLOCK_OFFLINE,
	MEMCTL_BLOCK_ONLINE,
	MEMCTL_BLOCK_GOING_OFFLINE,
};

enum memctl_zone {
	MEMCTL_ZONE_NONE,	/* unknown, or an online block spanning zones */
	MEMCTL_ZONE_DMA,
	MEMCTL_ZONE_DMA32,
	MEMCTL_ZONE_NORMAL,
	MEMCTL_ZONE_MOVABLE,
	MEMCTL_ZONE_DEVICE,
	_MEMCTL_ZONE_MAX,
};

enum memctl_origin {
	MEMCTL_ORIGIN_UNKNOWN,
	MEMCTL_ORIGIN_HMEM,
	MEMCTL_ORIGIN_CXL,
	MEMCTL_ORIGIN_PMEM,
};

enum memctl_dax_driver {
	MEMCTL_DRIVER_NONE,
	MEMCTL_DRIVER_DEVICE_DAX,
	MEMCTL_DRIVER_KMEM,
	MEMCTL_DRIVER_OTHER,
	MEMCTL_DRIVER_FSDEV_DAX,	/* famfs (Linux 7.x) */
};

enum memctl_dax_mode {
	MEMCTL_MODE_DISABLED,	/* no driver */
	MEMCTL_MODE_DEVDAX,
	MEMCTL_MODE_SYSTEM_RAM,
	MEMCTL_MODE_UNKNOWN,	/* some other driver */
	MEMCTL_MODE_FAMFS,	/* fsdev_dax: a famfs file system's device */
};

/* daxX.Y/state (Linux 7.3+, kmem bound; see dax-state.h). Zero is "absent", so that a
 * device built without it (older kernels, tests) has none. */
enum memctl_hotplug_state {
	MEMCTL_HOTPLUG_STATE_ABSENT,		/* no daxX.Y/state: older kernel, or kmem not bound */
	MEMCTL_HOTPLUG_STATE_UNPLUGGED,		/* memory blocks removed */
	MEMCTL_HOTPLUG_STATE_OFFLINE,		/* blocks present, offline (read only: writing it is EINVAL) */
	MEMCTL_HOTPLUG_STATE_ONLINE,		/* online, zone chosen by the kernel */
	MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL,	/* online in ZONE_NORMAL */
	MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE,	/* online in ZONE_MOVABLE */
	MEMCTL_HOTPLUG_STATE_UNKNOWN,		/* the file exists but reads something else */
	_MEMCTL_HOTPLUG_STATE_MAX,
};

struct memctl_block {
	unsigned long index;		/* memoryN */
	uint64_t start, end;		/* physical range, end inclusive */
	enum memctl_block_state state;
	enum memctl_zone zone;		/* online: its zone; offline: the kernel's default pick */
	char *valid_zones;		/* verbatim, as lsmem shows it */
	int node;			/* -1: none */
	int removable;			/* -1: attribute absent */
	int device;			/* index into inventory devices, -1: none */
};

struct memctl_hotplug {
	uint64_t block_size;
	char *auto_online_blocks;	/* NULL when absent */
	char *online_policy;		/* memory_hotplug module parameters, NULL when absent */
	int auto_movable_ratio;		/* -1 when absent */
	int auto_movable_numa_aware;	/* -1 when absent */
	char *memmap_on_memory;
	int crash_hotplug;		/* -1 when absent */
	int demotion_enabled;		/* -1 when absent */
};

/* nodeN/distance, paired with the online node each entry is for. */
struct memctl_node_distance {
	int node;
	int distance;			/* ACPI SLIT: 10 = local */
};

/*
 * HMAT performance of a memory node as seen from its best initiators
 * (nodeN/accessK/initiators/, Documentation/admin-guide/mm/numaperf.rst):
 * access class 0 = any initiator, 1 = CPU initiators only.
 */
#define MEMCTL_ACCESS_CLASSES 2
struct memctl_node_access {
	bool present;			/* accessK/initiators exists */
	int64_t read_latency, write_latency;	/* ns; -1 when absent */
	int64_t read_bandwidth, write_bandwidth;	/* MB/s; -1 when absent */
	int *initiators;		/* node ids of the nodeM links, ascending */
	size_t n_initiators;
};

struct memctl_node {
	int id;
	char *cpulist;			/* "" for a memory-only node */
	bool has_cpu;
	bool online;
	int tier;			/* memory_tierN, -1 when unknown */
	size_t blocks, blocks_online;
	uint64_t online_bytes[_MEMCTL_ZONE_MAX];
	struct memctl_node_distance *distances;	/* NULL when absent or not matching the online nodes */
	size_t n_distances;
	struct memctl_node_access access[MEMCTL_ACCESS_CLASSES];
};

struct memctl_cxl_memdev {
	char *name;			/* mem0 */
	char *serial;			/* as the kernel prints it, "0x..." */
	char *host;			/* PCI address of the device */
	char *decoder;			/* endpoint decoder in the region */
};

struct memctl_dax_region {
	int id;
	char *path;			/* sysfs path of the region's parent device */
	enum memctl_origin origin;
	uint64_t size, available_size, align;
	bool dynamic;			/* supports sub-devices (dax_region/seed exists) */
	/* origin details */
	char *cxl_region;		/* regionN */
	struct memctl_cxl_memdev *memdevs;
	size_t n_memdevs;
	char *pmem_namespace;		/* namespaceX.Y */
	char *pmem_uuid;
	char *hmem_device;		/* hmem.N */
};

struct memctl_mapping {
	uint64_t start, end, page_offset;
};

struct memctl_dax_device {
	char *name;			/* daxX.Y */
	int region;			/* index into inventory regions, -1 when unknown */
	char *path;			/* canonical sysfs path */
	uint64_t size, align;
	uint64_t resource;
	bool has_resource;
	int target_node, numa_node;	/* -1 when absent */
	enum memctl_dax_driver driver;
	char *driver_name;		/* NULL when unbound */
	enum memctl_dax_mode mode;
	struct memctl_mapping *mappings;
	size_t n_mappings;
	int memmap_on_memory;		/* -1 when the attribute is absent */
	enum memctl_hotplug_state hotplug_state;	/* daxX.Y/state; ABSENT on kernels without it */
	/* memory blocks inside the device's ranges, in index order */
	size_t *blocks;
	size_t n_blocks;
	size_t blocks_online;
	size_t online_in_zone[_MEMCTL_ZONE_MAX];
};

/*
 * A CXL region as the cxl bus shows it (/sys/bus/cxl/devices/regionN), whether
 * or not a dax device came of it: a Type 2 accelerator's driver owns its
 * region (no dax region), and a locked region (7.1+) cannot be destroyed.
 * memctl reports these and never acts on a region without a dax device.
 */
struct memctl_cxl_region {
	char *name;			/* region0 */
	char *mode;			/* "ram", "pmem", ...; NULL when absent */
	char *target_type;		/* "expander" (Type 3) or "accelerator" (Type 2): its endpoint decoders' target_type, NULL unknown */
	uint64_t size, resource;
	bool has_size, has_resource;
	int locked;			/* regionN/locked: 1, 0, -1 absent (before 7.1) */
	struct memctl_cxl_memdev *memdevs;
	size_t n_memdevs;
	bool has_dax;			/* a dax device of the inventory lies in it */
};

struct memctl_iomem_entry {
	uint64_t start, end;
	int depth;			/* nesting level, 0 = top */
	int parent;			/* index, -1 at top */
	char *name;
};

struct memctl_fw_memmap {
	uint64_t start, end;
	char *type;
};

/* A udev rule that onlines hot-added memory by itself (distributions ship these). */
struct memctl_udev_rule {
	char *file;			/* path relative to the root */
	int line;
	char *text;
};

/* A daxctl.conf reconfigure-device section: daxctl turns the namespace nvdimm.uuid names into system-ram. */
struct memctl_daxctl_use {
	char *file;			/* path relative to the root */
	int line;			/* of the section header */
	char *name;			/* [reconfigure-device <name>] */
	char *uuid;			/* nvdimm.uuid, NULL: none given */
	char *mode;
	int online;			/* 1: daxctl onlines the memory too */
};

/*
 * What kexec and kdump make of hot-added memory. kmem memory is "driver
 * managed" (no firmware memmap entry: a kexec kernel is not handed it), and
 * kdump tools reload the crash kernel on memory hotplug events unless the
 * kernel updates it itself (crash_hotplug = 1).
 */
struct memctl_kexec {
	int crash_loaded;		/* /sys/kernel/kexec_crash_loaded: 1 = a crash kernel is loaded, -1 absent */
	struct memctl_udev_rule *kdump_rules;	/* rules files that reload kdump on memory events */
	size_t n_kdump_rules;
};

struct memctl_inventory {
	struct memctl_hotplug hotplug;
	struct memctl_block *blocks;	/* sorted by index */
	size_t n_blocks;
	struct memctl_node *nodes;	/* sorted by id */
	size_t n_nodes;
	struct memctl_dax_region *regions;
	size_t n_regions;
	struct memctl_dax_device *devices;	/* sorted by name */
	size_t n_devices;
	struct memctl_iomem_entry *iomem;
	size_t n_iomem;
	bool iomem_available;		/* false when absent or addresses hidden (not root) */
	struct memctl_fw_memmap *memmap;
	size_t n_memmap;
	bool memmap_available;
	/* Physical addresses taken out for a caller who is not root (policy/redact.h): the
	 * devices' block counts are still known although resource and mappings are not. */
	bool addresses_hidden;
	struct memctl_udev_rule *online_rules;
	size_t n_online_rules;
	/* daxctl's udev rule (starts reconfigure-device for each new dax device) and its
	 * /etc/daxctl.conf.d reconfigure-device entries (lib/inventory-rules.c) */
	struct memctl_udev_rule *daxctl_rules;
	size_t n_daxctl_rules;
	struct memctl_daxctl_use *daxctl_entries;
	size_t n_daxctl_entries;
	struct memctl_kexec kexec;
	struct memctl_cxl_region *cxl_regions;	/* every CXL region, natural name order */
	size_t n_cxl_regions;
	/* Drivers registered on the dax bus (/sys/bus/dax/drivers/): bit 1 << enum memctl_dax_driver. */
	unsigned dax_drivers;
};

/* /proc/iomem entries (memctl_parse_iomem()). */
void memctl_iomem_free(struct memctl_iomem_entry *e, size_t n);

struct memctl_inventory *memctl_inventory_free(struct memctl_inventory *inv);
void memctl_dax_device_clear(struct memctl_dax_device *d);
void memctl_inventory_freep(struct memctl_inventory **inv);

/* Lookups; NULL / -1 when not found. */
struct memctl_dax_device *memctl_inventory_device(const struct memctl_inventory *inv, const char *name);
struct memctl_node *memctl_inventory_node(const struct memctl_inventory *inv, int id);
ssize_t memctl_inventory_block_by_index(const struct memctl_inventory *inv, unsigned long index);

/*
 * Whether memory on node id is on a slower tier than the CPUs' own memory
 * (so that demotion has somewhere to go). When the kernel shows tiers for the
 * node and for a node with CPUs: its memory_tier is higher (larger abstract
 * distance) than the lowest tier of any node with CPUs. Otherwise (no tiering
 * in the kernel, or the node gets its tier only once its memory is online):
 * it is a node without CPUs, which includes a node not in the inventory yet
 * (memory-only nodes appear when their first memory comes online).
 */
bool memctl_inventory_node_is_slower_tier(const struct memctl_inventory *inv, int id);
/* The first slower-tier node with memory online, -1 when there is none. */
int memctl_inventory_slower_tier_online(const struct memctl_inventory *inv);

/* The iomem entry of "System RAM (kmem)" under a dax device's resource, -1 if none.
 * Also tells whether the same range is in the firmware memmap (a kexec kernel would get it). */
/* The dax devices a reset target concerns: a dax device (dax0.0), a CXL memdev
 * (mem0), a CXL region (region0) or a PCI address (0000:0d:00.0). Returns the
 * number found (indices into inv->devices, ascending) or -ENOMEM. */
int memctl_inventory_resolve_target(const struct memctl_inventory *inv, const char *target, size_t **ret);

bool memctl_inventory_range_in_fw_memmap(const struct memctl_inventory *inv, uint64_t start, uint64_t end);

/* The vocabularies (strtab.h): enum <-> word, both ways, and the allowed text. */
extern const struct memctl_strtab memctl_zone_table;		/* enum memctl_zone: "Normal", "Movable" */
extern const struct memctl_strtab memctl_block_state_table;	/* enum memctl_block_state */
extern const struct memctl_strtab memctl_origin_table;		/* enum memctl_origin: hmem, cxl, pmem */
extern const struct memctl_strtab memctl_driver_table;		/* enum memctl_dax_driver: kernel driver names */
extern const struct memctl_strtab memctl_mode_table;		/* enum memctl_dax_mode: devdax, system-ram, ... */

const char *memctl_block_state_name(enum memctl_block_state s);
const char *memctl_zone_name(enum memctl_zone z);	/* "Normal", "Movable" as sysfs spells them */
enum memctl_zone memctl_zone_from_name(const char *name);
const char *memctl_origin_name(enum memctl_origin o);
const char *memctl_driver_name(enum memctl_dax_driver d);
const char *memctl_mode_name(enum memctl_dax_mode m);
/* The driver a dax bus driver name stands for ("kmem", "fsdev_dax", ...), OTHER when unknown. */
enum memctl_dax_driver memctl_driver_from_name(const char *name);
/* The mode a driver gives its device. */
enum memctl_dax_mode memctl_driver_mode(enum memctl_dax_driver d);

/* Lookups for CXL regions (model/identity.c); NULL when not found. */
const struct memctl_cxl_region *memctl_inventory_cxl_region(const struct memctl_inventory *inv, const char *name);
/* Whether a reset target (the region, one of its memdevs or their PCI functions,
 * or a dax device in it) names the CXL region c. */
bool memctl_cxl_region_concerns(const struct memctl_inventory *inv, const struct memctl_cxl_region *c,
				const char *target);
/* The CXL region a reset target (region, memdev, PCI address, dax device) concerns
 * and that memctl must not act on (locked, or without a dax device): one sentence
 * saying why in *ret (caller frees). 0: nothing refused, 1: refused, -ENOMEM. */
int memctl_inventory_cxl_refusal(const struct memctl_inventory *inv, const char *target, char **ret);
