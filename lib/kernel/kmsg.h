/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Why the kernel refused to offline a range of memory, from its log
 * (/dev/kmsg, read without blocking through the sysfs seam's root, so a test
 * root can hold a plain file with one record a line).
 */
#pragma once

#include <stdint.h>

struct memctl_sysfs;

/*
 * The kernel's last words about [start, end] (inclusive, bytes):
 * "memory offlining [mem S-E] failed due to REASON" (a pr_debug: only with
 * dynamic debug on), and the page dump it prints for a page in the range
 * ("page dumped because: unmovable page", after a line naming its pfn).
 * *ret: "REASON", "DUMP" or "REASON (DUMP)". -ENODATA when it said nothing
 * about the range; -errno when the log cannot be read (EPERM without
 * CAP_SYSLOG under kernel.dmesg_restrict).
 */
int memctl_kmsg_offline_reason(struct memctl_sysfs *s, uint64_t start, uint64_t end, char **ret);
