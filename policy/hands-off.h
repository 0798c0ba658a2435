/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What memctld applies while it has no usable policy: a policy that changes nothing. */
#pragma once

#include "policy.h"

/* No rules, auto_online_blocks left to the kernel, other memory left as it is. */
int memctl_policy_new_hands_off(struct memctl_policy **ret);
