/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What unit tests share beyond building trees (tree.h) and inventories
 * (inv-builder.h): an inventory scanned from a tree, a plan's steps as text,
 * a value in a JSON document.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <json-c/json.h>

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

/* o[k1] or o[k1][k2] (k2 NULL: one level); the test fails when a key is missing. */
static inline struct json_object *json_path(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k1, &v));
	if (k2)
		assert_true(json_object_object_get_ex(v, k2, &v));
	return v;
}
