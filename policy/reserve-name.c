/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reserve names (see reserve-name.h). The decision does not wait for the
 * online part to be system-ram: udev asks at the sub-device's bind event,
 * while memctld is still between creating it and binding kmem to the rest.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "reserve-name.h"
#include "util-mem.h"

const struct memctl_rule *memctl_reserve_rule(const struct memctl_policy *p, const struct memctl_inventory *inv,
					      const struct memctl_dax_device *d)
{
	const struct memctl_rule *rule;

	if (!p || !d || d->mode == MEMCTL_MODE_SYSTEM_RAM || d->region < 0)
		return NULL;
	rule = memctl_policy_match(p, inv, d);
	if (!rule || !rule->reserve || d->size != rule->reserve)
		return NULL;
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *o = &inv->devices[i];
		if (o != d && o->region == d->region && o->size > 0 && memctl_policy_match(p, inv, o) == rule)
			return rule;
	}
	return NULL;
}

int memctl_reserve_link_name(const char *rule, char *buf, size_t len)
{
	size_t n = 0;

	if (!rule || !*rule || len < 2)
		return -EINVAL;
	for (const char *c = rule; *c && n + 1 < len; c++)
		buf[n++] = isalnum((unsigned char)*c) || strchr("._-", *c) ? *c : '_';
	buf[n] = '\0';
	if (streq(buf, ".") || streq(buf, ".."))
		buf[0] = '_';
	return 0;
}
