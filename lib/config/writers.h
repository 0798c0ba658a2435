/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who besides root may change a file memctl trusts (the policy and its
 * drop-ins, hook executables and their directories). One rule for all of them,
 * so the policy loader and the hook runner refuse the same things.
 */
#pragma once

#include <stddef.h>
#include <sys/stat.h>

/*
 * 0 when only root and the effective user can change st's file or directory.
 * -EPERM when someone else can, with the reason in reason[len]:
 *   "owned by uid 1000"          (an owner can always chmod and then write)
 *   "group-writable (gid 100)"   (the group write bit with a group other than root's)
 *   "world-writable"             (directories with the sticky bit included)
 */
int memctl_writable_by_others(const struct stat *st, char *reason, size_t len);
