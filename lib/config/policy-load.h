/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading policy files from disk and handing their text to the pure parser:
 * the main file, then the .conf files of FILE.d in lexical order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "policy.h"

#ifndef MEMCTL_POLICY_DEFAULT	/* set by meson from sysconfdir */
#define MEMCTL_POLICY_DEFAULT "/etc/memctl/memctl.conf"
#endif

/*
 * Load main_file and, when with_dropins, every "<main_file>.d/ *.conf".
 * Returns 0 with *ret set when the policy is valid (warnings may be in d),
 * -EINVAL when it has errors (all of them in d), -errno when main_file cannot
 * be read (also in d), -EPERM when a file or the .d directory can be changed
 * by someone other than root and the effective user (memctl_writable_by_others(),
 * also in d; the other files are still parsed for their errors). *ret is
 * untouched on failure.
 */
int memctl_policy_load(const char *main_file, bool with_dropins, struct memctl_policy **ret, struct memctl_diags *d);

/* Load exactly these files, in order, as one policy (memctl check FILE...). */
int memctl_policy_load_files(char *const *files, size_t n, struct memctl_policy **ret, struct memctl_diags *d);
