/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A policy parsed from text, for unit and sim tests alike: the test fails,
 * naming the first diagnostic, when the text does not parse.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy.h"

static inline struct memctl_policy *policy_from_text(const char *text)
{
	struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };

	assert_int_equal(memctl_policy_new(&p), 0);
	if (memctl_policy_parse(p, "test.conf", text, &d) != 0) {
		print_error("policy: %s\n", d.n ? d.v[0].message : "?");
		fail();
	}
	memctl_diags_clear(&d);
	return p;
}
