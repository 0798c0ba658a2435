/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hands-off policy: without a policy it can read, memctld must not move
 * memory, take auto_online_blocks over or offline memory no rule names.
 */
#include "hands-off.h"

int memctl_policy_new_hands_off(struct memctl_policy **ret)
{
	struct memctl_policy *p = NULL;
	int r = memctl_policy_new(&p);

	if (r < 0)
		return r;
	p->defaults.kernel_auto_online = MEMCTL_KAO_LEAVE;
	p->defaults.other_memory = MEMCTL_ZONE_PREF_OFFLINE;
	*ret = p;
	return 0;
}
