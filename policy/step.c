/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plan steps: their names and one line of text each (step.h). Pure. */
#include <inttypes.h>
#include <stdio.h>

#include "step.h"

/* Step names as plans show them (JSON "op"). */
const struct memctl_strtab memctl_step_op_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_STEP_SET_AUTO_ONLINE, "set-auto-online" },
		{ MEMCTL_STEP_OFFLINE, "offline" },
		{ MEMCTL_STEP_UNBIND, "unbind" },
		{ MEMCTL_STEP_SET_MEMMAP_ON_MEMORY, "set-memmap-on-memory" },
		{ MEMCTL_STEP_RESIZE, "resize" },
		{ MEMCTL_STEP_CREATE_SUBDEVICE, "create-subdevice" },
		{ MEMCTL_STEP_BIND, "bind" },
		{ MEMCTL_STEP_ONLINE, "online" },
		{ MEMCTL_STEP_ENABLE_DEMOTION, "enable-demotion" },
		{ MEMCTL_STEP_SET_DEVICE_STATE, "set-device-state" },
		{},
	},
	.fallback = "?",
};

const char *memctl_step_op_name(enum memctl_step_op op)
{
	return memctl_strtab_name(&memctl_step_op_table, op);
}

static void blocks_name(unsigned long first, unsigned long last, char *buf, size_t len)
{
	if (first == last)
		snprintf(buf, len, "memory%lu", first);
	else
		snprintf(buf, len, "memory%lu-%lu", first, last);
}

static void size_name(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (v >= 1024 && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, units[u]);
}

void memctl_step_format(const struct memctl_step *s, char *buf, size_t len)
{
	char b[64];

	switch (s->op) {
	case MEMCTL_STEP_SET_AUTO_ONLINE:
		snprintf(buf, len, "set auto_online_blocks %s", s->value);
		break;
	case MEMCTL_STEP_OFFLINE:
		blocks_name(s->first, s->last, b, sizeof(b));
		snprintf(buf, len, "offline %s%s", b, s->may_fail ? " (may fail)" : "");
		break;
	case MEMCTL_STEP_ONLINE:
		blocks_name(s->first, s->last, b, sizeof(b));
		snprintf(buf, len, "online %s %s", b, s->zone == MEMCTL_ZONE_NORMAL ? "normal" : "movable");
		break;
	case MEMCTL_STEP_UNBIND:
		snprintf(buf, len, "unbind %s", memctl_driver_name(s->driver));
		break;
	case MEMCTL_STEP_BIND:
		snprintf(buf, len, "bind %s", memctl_driver_name(s->driver));
		break;
	case MEMCTL_STEP_SET_MEMMAP_ON_MEMORY:
		snprintf(buf, len, "set memmap_on_memory %d", s->flag);
		break;
	case MEMCTL_STEP_RESIZE:
		size_name(s->size, b, sizeof(b));
		snprintf(buf, len, "resize to %s", b);
		break;
	case MEMCTL_STEP_CREATE_SUBDEVICE:
		size_name(s->size, b, sizeof(b));
		snprintf(buf, len, "create sub-device %s (devdax)", b);
		break;
	case MEMCTL_STEP_ENABLE_DEMOTION:
		snprintf(buf, len, "enable demotion (node %d is a slower tier)", s->node);
		break;
	case MEMCTL_STEP_SET_DEVICE_STATE:
		blocks_name(s->first, s->last, b, sizeof(b));
		snprintf(buf, len, "state %s (%s, whole device)%s", s->value, b, s->may_fail ? " (may fail)" : "");
		break;
	}
}
