/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The write side of the kernel seam: every change memctl makes to kernel
 * state is one of these operations. The daemon engine calls them through this
 * table, so it runs unchanged against the real kernel (kernel.c) or against
 * the in-memory kernel model the sim tests use (with fault injection).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cxl-reset.h"
#include "inventory.h"

struct memctl_kernel_ops {
	/* A fresh snapshot of the whole inventory. */
	int (*scan)(void *ctx, struct memctl_inventory **ret);
	/* auto_online_blocks: read and write. */
	int (*get_auto_online)(void *ctx, char **ret);
	int (*set_auto_online)(void *ctx, const char *value);
	/* One memory block: state "online_movable" | "online_kernel" | "offline". */
	int (*set_block_state)(void *ctx, unsigned long index, const char *state);
	/* Read back one block: its state and (when online) zone. */
	int (*get_block)(void *ctx, unsigned long index, enum memctl_block_state *ret_state,
			 enum memctl_zone *ret_zone);
	/* dax device drivers: device_dax <-> kmem. */
	int (*unbind)(void *ctx, const char *device, enum memctl_dax_driver driver);
	int (*bind)(void *ctx, const char *device, enum memctl_dax_driver driver);
	int (*get_driver)(void *ctx, const char *device, enum memctl_dax_driver *ret);
	/* Sub-devices of a dynamic region; create returns the new device's name. */
	int (*resize)(void *ctx, const char *device, uint64_t size);
	int (*create_subdevice)(void *ctx, const char *device, uint64_t size, char **ret_name);
	int (*set_memmap_on_memory)(void *ctx, const char *device, bool on);
	/* Take a sub-device (off its driver, size 0) back into its region: the undo of
	 * create_subdevice. May be NULL. */
	int (*destroy_subdevice)(void *ctx, const char *device);
	/* Offline one block, cut short after timeout_ms (0: no limit) with -EINTR:
	 * the kernel keeps migrating until a signal arrives. */
	int (*offline_block)(void *ctx, unsigned long index, uint64_t timeout_ms);
	/* Why the kernel refused the last offline of a block, in its own words
	 * ("unmovable page"); -ENODATA when it said nothing. May be NULL. */
	int (*offline_reason)(void *ctx, unsigned long index, char **ret_reason);
	/* Who has /dev/<device> open or mapped: "1234 (qemu), 99 (app)", NULL when nobody. */
	int (*device_users)(void *ctx, const char *device, char **ret_users);
	/* Reset a PCI function (sysfs reset attribute). */
	int (*pci_reset)(void *ctx, const char *pci_address);
	/* /sys/kernel/mm/numa/demotion_enabled: write, and read back (1/0). */
	int (*set_demotion)(void *ctx, bool on);
	int (*get_demotion)(void *ctx, bool *ret);
	/*
	 * daxX.Y/state (Linux 7.3+, only while kmem is bound): write "unplugged",
	 * "online", "online_kernel" or "online_movable" (cut short after
	 * timeout_ms like offline_block, 0: no limit), and read it back. -ENOENT
	 * when the kernel shows no such attribute. NULL in an ops table that
	 * cannot do it: the engine then takes the per-block path.
	 */
	int (*set_device_state)(void *ctx, const char *device, const char *state, uint64_t timeout_ms);
	int (*get_device_state)(void *ctx, const char *device, enum memctl_hotplug_state *ret);
	/*
	 * CXL resets (cxl-region.c). What the PCI function's reset_method offers
	 * ("bus cxl_bus"), and its reset by one method. A CXL region: read its
	 * configuration (-ENOENT: gone); take it down for a reset (cxl_region
	 * driver unbound, so its dax devices go, then decommitted: its HDM
	 * decoders reset, HPA range and targets kept); bring it back (re-created
	 * from the configuration with the same window, interleave and targets if
	 * the region is gone, committed, driver bound); *ret_name: its name now.
	 * NULL in an ops table that cannot: CXL regions stay as they are.
	 */
	int (*get_reset_methods)(void *ctx, const char *pci_address, char **ret);
	int (*pci_reset_method)(void *ctx, const char *pci_address, const char *method);
	int (*cxl_region_get)(void *ctx, const char *region, struct memctl_cxl_region_config *ret);
	int (*cxl_region_teardown)(void *ctx, const char *region);
	int (*cxl_region_restore)(void *ctx, const struct memctl_cxl_region_config *config, char **ret_name);
};

/* The real kernel: sysfs through the seam plus libdaxctl for driver changes. */
struct memctl_sysfs;
extern const struct memctl_kernel_ops memctl_kernel_real_ops;
/* Processes holding /dev/<device> open or mapped ("PID (comm), ..."), NULL: none. */
int memctl_real_device_users(void *ctx, const char *device, char **ret_users);
/* cxl-region.c: the CXL ops of the real table. */
int memctl_real_get_reset_methods(void *ctx, const char *pci_address, char **ret);
int memctl_real_pci_reset_method(void *ctx, const char *pci_address, const char *method);
int memctl_real_cxl_region_get(void *ctx, const char *region, struct memctl_cxl_region_config *ret);
int memctl_real_cxl_region_teardown(void *ctx, const char *region);
int memctl_real_cxl_region_restore(void *ctx, const struct memctl_cxl_region_config *config, char **ret_name);
/* ctx for the real ops is a struct memctl_sysfs *. */
