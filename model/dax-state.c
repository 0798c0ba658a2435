/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daxX.Y/state model: see dax-state.h. Pure: no I/O, no logging. */
#include <stdio.h>
#include <string.h>

#include "dax-state.h"
#include "util-mem.h"

/* "absent" and "unknown" are memctl's words, not the kernel's: never read from the file. */
const struct memctl_strtab memctl_hotplug_state_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_HOTPLUG_STATE_ABSENT, "absent", MEMCTL_STRTAB_NAME_ONLY },
		{ MEMCTL_HOTPLUG_STATE_UNPLUGGED, "unplugged" },
		{ MEMCTL_HOTPLUG_STATE_OFFLINE, "offline" },
		{ MEMCTL_HOTPLUG_STATE_ONLINE, "online" },
		{ MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL, "online_kernel" },
		{ MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE, "online_movable" },
		{ MEMCTL_HOTPLUG_STATE_UNKNOWN, "unknown", MEMCTL_STRTAB_NAME_ONLY },
		{},
	},
	.fallback = "unknown",
	.unknown = MEMCTL_HOTPLUG_STATE_UNKNOWN,
};

const char *memctl_hotplug_state_name(enum memctl_hotplug_state s)
{
	return memctl_strtab_name(&memctl_hotplug_state_table, s);
}

enum memctl_hotplug_state memctl_hotplug_state_from_name(const char *text)
{
	int s;

	if (!text || memctl_strtab_lookup_n(&memctl_hotplug_state_table, text, strcspn(text, "\n"), &s) < 0)
		return MEMCTL_HOTPLUG_STATE_UNKNOWN;
	return s;
}

bool memctl_hotplug_state_present(enum memctl_hotplug_state s)
{
	return s != MEMCTL_HOTPLUG_STATE_ABSENT;
}

bool memctl_hotplug_state_is_online(enum memctl_hotplug_state s)
{
	return s == MEMCTL_HOTPLUG_STATE_ONLINE || s == MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL ||
	       s == MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE;
}

enum memctl_hotplug_state memctl_hotplug_state_for_zone(enum memctl_zone zone)
{
	return zone == MEMCTL_ZONE_NORMAL ? MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL : MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE;
}

void memctl_dax_state_disagreement(const struct memctl_inventory *inv, const struct memctl_dax_device *d, char *buf,
				   size_t len)
{
	const char *name = memctl_hotplug_state_name(d->hotplug_state);
	size_t offline = d->n_blocks - d->blocks_online, elsewhere = 0;
	enum memctl_zone want = MEMCTL_ZONE_NONE;

	(void)inv;
	buf[0] = '\0';
	switch (d->hotplug_state) {
	case MEMCTL_HOTPLUG_STATE_UNPLUGGED:
		if (d->n_blocks > 0)
			snprintf(buf, len, "reads unplugged, but %zu memory block%s exist (%zu online)", d->n_blocks,
				 d->n_blocks == 1 ? "" : "s", d->blocks_online);
		return;
	case MEMCTL_HOTPLUG_STATE_OFFLINE:
		if (d->n_blocks == 0)
			snprintf(buf, len, "reads offline, but the device has no memory blocks");
		else if (d->blocks_online > 0)
			snprintf(buf, len, "reads offline, but %zu of %zu memory blocks are online", d->blocks_online,
				 d->n_blocks);
		return;
	case MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL:
		want = MEMCTL_ZONE_NORMAL;
		break;
	case MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE:
		want = MEMCTL_ZONE_MOVABLE;
		break;
	case MEMCTL_HOTPLUG_STATE_ONLINE:
		break;
	default:
		return;
	}
	if (d->n_blocks == 0) {
		snprintf(buf, len, "reads %s, but the device has no memory blocks", name);
		return;
	}
	if (want != MEMCTL_ZONE_NONE)
		elsewhere = d->blocks_online - d->online_in_zone[want];
	if (offline > 0 && elsewhere > 0)
		snprintf(buf, len, "reads %s, but %zu of %zu memory blocks are offline and %zu online outside %s", name,
			 offline, d->n_blocks, elsewhere, memctl_zone_name(want));
	else if (offline > 0)
		snprintf(buf, len, "reads %s, but %zu of %zu memory blocks are offline", name, offline, d->n_blocks);
	else if (elsewhere > 0)
		snprintf(buf, len, "reads %s, but %zu of %zu memory blocks are online outside %s", name, elsewhere,
			 d->n_blocks, memctl_zone_name(want));
}

bool memctl_dax_state_agrees(const struct memctl_inventory *inv, const struct memctl_dax_device *d)
{
	char buf[8];

	memctl_dax_state_disagreement(inv, d, buf, sizeof(buf));
	return buf[0] == '\0';
}

const char *memctl_dax_state_report(const struct memctl_inventory *inv, const struct memctl_dax_device *d)
{
	if (!memctl_hotplug_state_present(d->hotplug_state))
		return NULL;
	return memctl_dax_state_agrees(inv, d) ? memctl_hotplug_state_name(d->hotplug_state) : "inconsistent";
}

/*
 * Only memory that is all offline or in ZONE_MOVABLE is unplugged in one
 * write. Memory in ZONE_NORMAL may hold unmovable kernel pages (7.3 puts
 * them there at once), and an unplug is all or nothing with one EBUSY for
 * the device: block by block, every block is tried and each that stays is
 * named with the kernel's reason.
 */
bool memctl_dax_state_can_unplug(const struct memctl_dax_device *d)
{
	return d->driver == MEMCTL_DRIVER_KMEM && memctl_hotplug_state_present(d->hotplug_state) &&
	       d->hotplug_state != MEMCTL_HOTPLUG_STATE_UNPLUGGED && d->hotplug_state != MEMCTL_HOTPLUG_STATE_UNKNOWN &&
	       d->blocks_online == d->online_in_zone[MEMCTL_ZONE_MOVABLE];
}

enum memctl_hotplug_state memctl_dax_state_restore(const struct memctl_inventory *inv,
						   const struct memctl_dax_device *d)
{
	(void)inv;
	if (d->blocks_online == 0)
		return MEMCTL_HOTPLUG_STATE_ABSENT;
	if (d->online_in_zone[MEMCTL_ZONE_MOVABLE] == d->blocks_online)
		return MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE;
	if (d->online_in_zone[MEMCTL_ZONE_NORMAL] == d->blocks_online)
		return MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL;
	return MEMCTL_HOTPLUG_STATE_ONLINE;
}
