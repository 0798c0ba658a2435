/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may call what of memctld: the decision (access.h). */
#include <stdio.h>

#include "access.h"

static bool in_group(const struct memctl_caller *c, gid_t gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->n_groups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

enum memctl_access_verdict memctl_access_decide(const struct memctl_caller *c, enum memctl_access_level need,
						 const struct memctl_operator_group *g)
{
	if (need == MEMCTL_ACCESS_READ)
		return MEMCTL_ACCESS_ALLOWED;
	if (c->uid == 0)
		return MEMCTL_ACCESS_ALLOWED_ROOT;
	if (need != MEMCTL_ACCESS_OPERATE)
		return MEMCTL_ACCESS_DENIED;
	/* No group in the policy, or one that does not exist: no one but root. */
	if (!g || !g->name || !*g->name || !g->resolved)
		return MEMCTL_ACCESS_DENIED;
	/* gid 0 as "operator group" would make root's group operators by accident: refused. */
	if (g->gid == 0)
		return MEMCTL_ACCESS_DENIED;
	return in_group(c, g->gid) ? MEMCTL_ACCESS_ALLOWED_GROUP : MEMCTL_ACCESS_DENIED;
}

bool memctl_access_sees_addresses(const struct memctl_caller *c)
{
	return c->uid == 0;
}

void memctl_access_denied_reason(const char *method, enum memctl_access_level need,
				 const struct memctl_operator_group *g, const char *policy_file, char *buf,
				 size_t len)
{
	const char *file = policy_file ? policy_file : "memctl.conf";

	if (need != MEMCTL_ACCESS_OPERATE)
		snprintf(buf, len, "%s requires root (memctld's policy and its reload are root's)", method);
	else if (!g || !g->name || !*g->name)
		snprintf(buf, len, "%s requires root (no operator group in the policy: defaults.operator_group in %s)",
			 method, file);
	else if (!g->resolved)
		snprintf(buf, len, "%s requires root or membership of group %s (policy %s, defaults.operator_group), "
			 "and there is no group %s on this system", method, g->name, file, g->name);
	else if (g->gid == 0)
		snprintf(buf, len, "%s requires root (defaults.operator_group = \"%s\" in %s is gid 0, which is not "
			 "delegated)", method, g->name, file);
	else
		snprintf(buf, len, "%s requires root or membership of group %s (policy %s, defaults.operator_group)",
			 method, g->name, file);
}
