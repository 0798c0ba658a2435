/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An in-memory kernel model behind struct memctl_kernel_ops: memory blocks
 * with states and zones, dax devices with drivers and sub-devices, and the
 * kernel's rules for them (kmem adds blocks when it binds and follows
 * auto_online_blocks; unbinding kmem with blocks online leaks them; with
 * dax_state, Linux 7.3's daxX.Y/state on kmem devices). Faults
 * can be injected per operation and target. The sim suite runs the engine
 * and the daemon's manager against it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "inventory.h"
#include "kernel.h"

#define MODEL_MAX_BLOCKS 4096
#define MODEL_MAX_DEVICES 16

enum model_op {
	MODEL_OP_SET_BLOCK,	/* target: block index (or -1: any) */
	MODEL_OP_BIND,		/* target: device index (or -1) */
	MODEL_OP_UNBIND,
	MODEL_OP_RESIZE,
	MODEL_OP_CREATE,	/* create_subdevice; destroy_subdevice with only_state "destroy" */
	MODEL_OP_SET_AUTO_ONLINE,
	MODEL_OP_SCAN,
	MODEL_OP_SET_DEMOTION,
	MODEL_OP_SET_STATE,	/* daxX.Y/state; target: device index (or -1); only_state: the value written */
	_MODEL_OP_MAX,
};

struct model_fault {
	enum model_op op;
	long target;		/* block index / device index, -1 for any */
	const char *only_state;	/* SET_BLOCK: only for this requested state ("offline"); BIND: only this driver; NULL: any */
	int error;		/* -errno to return */
	int times;		/* how often it fires; -1: always */
	bool remove_device;	/* instead of failing: the device disappears (surprise removal) */
	uint64_t delay_ms;	/* SET_BLOCK offline: takes this long; past the caller's deadline -> EINTR */
	const char *reason;	/* SET_BLOCK offline: what the kernel logs ("unmovable page"), NULL: nothing */
	enum memctl_block_state leaves;	/* SET_BLOCK offline: fails, yet leaves the block in this state (0: as it was) */
};

struct model_block {
	unsigned long index;
	bool present;
	enum memctl_block_state state;
	enum memctl_zone zone;
	int node;
	int device;		/* -1: boot memory or other */
};

struct model_device {
	char name[16];
	bool present;
	int region;		/* region id */
	bool dynamic;
	enum memctl_origin origin;
	uint64_t resource, size;
	uint64_t region_size;	/* the first device of a region: the region's size (sub-devices carve it) */
	int target_node;
	enum memctl_dax_driver driver;
	int memmap_on_memory;	/* -1: attribute absent */
	char users[64];		/* processes that have /dev/<name> open, "" for none */
	char pci[16];		/* PCI address of the memdev behind it, "" for none */
	char memdev[16];	/* CXL memdev, "" for none */
	bool region_locked;	/* its CXL region reads locked = 1 (7.1+) */
	enum memctl_hotplug_state state;	/* daxX.Y/state while kmem is bound (model.dax_state) */
	/* Its CXL region (model-cxl.c): disabled (cxl_region unbound: no dax device), decommitted
	 * (HDM decoders reset), wiped (a bus reset cleared committed decoders under it). */
	bool cxl_disabled, cxl_decommitted, cxl_wiped;
	uint64_t cxl_size;	/* the region's size while it is disabled */
};

struct model {
	uint64_t block_size;
	char auto_online[32];
	struct model_block blocks[MODEL_MAX_BLOCKS];	/* indexed by block index */
	struct model_device devices[MODEL_MAX_DEVICES];
	int n_devices;
	struct model_fault faults[8];
	int n_faults;
	unsigned calls[_MODEL_OP_MAX];
	unsigned leaked_unbinds;	/* kmem unbound with blocks online: must stay 0 */
	unsigned uevents;		/* uevents the kernel would have sent */
	unsigned pci_resets;
	char reset_methods[48];		/* every function's reset_method, "" for "bus cxl_bus" (QEMU's CXL type 3) */
	char last_reset_method[16];	/* the method of the last reset, "" for the kernel's choice */
	unsigned sbr_unclean;		/* "SBR happened without memory regions removal" (and the kernel's taint) */
	int demotion_enabled;		/* -1: no memory tiering in this kernel, else 0/1 */
	bool demotion_sticks_off;	/* writes "succeed" but it still reads 0 (another writer) */
	int node_tier[4];		/* memory_tierN per node, -1: tiers unknown (the default) */
	bool has_fsdev_dax;		/* the dax bus has fsdev_dax (famfs, Linux 7.x) */
	bool dax_state;			/* Linux 7.3+: kmem devices have daxX.Y/state */
	unsigned offline_sleep_ms;	/* real time each block's offline takes (memctld's loop during a long operation) */
	int crash_after;		/* >0: the caller "dies" after this many more changes (0: never) */
	bool crashed;
	void (*on_uevent)(void *userdata, const char *subsystem, const char *action);
	void *uevent_userdata;
};

extern const struct memctl_kernel_ops model_ops;

/* 4 GiB of boot memory on node 0 (blocks 0-31 online Normal), auto_online_blocks "offline". */
void model_init(struct model *m);
/* A dax device of size at resource on target_node, on a driver; returns its index. */
int model_add_device(struct model *m, const char *name, int region, enum memctl_origin origin, uint64_t resource,
		     uint64_t size, int target_node, enum memctl_dax_driver driver);
/* Put a device's blocks into a state (as if something else had done it). */
void model_set_device_blocks(struct model *m, int dev, enum memctl_block_state state, enum memctl_zone zone);
void model_add_fault(struct model *m, struct model_fault f);
/* A kmem device's daxX.Y/state as the kernel records it, without touching the blocks (a desync),
 * except UNPLUGGED, which removes them as an unplug does. */
void model_set_device_state(struct model *m, int dev, enum memctl_hotplug_state state);

/* model-cxl.c: the CXL ops and the model's hooks into them. */
int model_get_reset_methods(void *ctx, const char *pci, char **ret);
int model_pci_reset(void *ctx, const char *pci);
int model_pci_reset_method(void *ctx, const char *pci, const char *method);
int model_cxl_region_get(void *ctx, const char *region, struct memctl_cxl_region_config *ret);
int model_cxl_region_teardown(void *ctx, const char *region);
int model_cxl_region_restore(void *ctx, const struct memctl_cxl_region_config *config, char **ret_name);
/* A reset of pci by method ("" the first offered) hits the CXL regions on it. */
void model_cxl_reset(struct model *m, const char *pci, const char *method);
/* The cxl bus's view of a device's region; scan adds the regions that are down (no dax device). */
void model_cxl_region_entry(struct memctl_inventory *inv, const struct model_device *d, bool has_dax);
void model_cxl_scan_down(const struct model *m, struct memctl_inventory *inv);

/* Counts over a device's blocks. */
unsigned model_blocks(const struct model *m, int dev, enum memctl_block_state state, enum memctl_zone zone);
unsigned model_device_blocks(const struct model *m, int dev);
