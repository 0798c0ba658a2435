/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kexec state (udev rules that online memory or reload kdump: inventory-rules.c). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dax-state.h"
#include "inventory.h"
#include "inventory-cxl.h"
#include "inventory-internal.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

/* udev rules and daxctl.conf.d: inventory-rules.c */

void inventory_scan_kexec(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	inv->kexec.crash_loaded = inventory_read_opt_int(s, "sys/kernel/kexec_crash_loaded", -1);
}
