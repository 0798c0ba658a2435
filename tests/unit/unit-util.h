/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What unit tests share beyond building trees (tree.h) and inventories
 * (inv-builder.h): an inventory scanned from a tree, a plan's steps as text.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "inventory.h"
#include "plan.h"
#include "sysfs.h"
#include "util-mem.h"

/* The inventory of the tree at root; the test fails when it does not scan. */
static inline struct memctl_inventory *inventory_from_tree(const char *root)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	struct memctl_inventory *inv = NULL;

	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_inventory_scan(s, &inv), 0);
	return inv;
}

/* Steps as "a; b; c", in a buffer the next call reuses. */
static inline const char *plan_steps_text(const struct memctl_step *v, size_t n)
{
	static char buf[1024];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char t[128];
		memctl_step_format(&v[i], t, sizeof(t));
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "; " : "", t);
	}
	return buf;
}
