/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decisions memctld's manager used to make itself, now pure and tested on
 * inventories built on the stack: the hands-off policy, which PCI function a
 * reset resets, the zone words of a manual online.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine-manual-verb.h"
#include "hands-off.h"
#include "inv-builder.h"
#include "reset-target.h"
#include "util-mem.h"

static void test_hands_off(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;

	assert_int_equal(memctl_policy_new_hands_off(&p), 0);
	assert_int_equal(p->n_rules, 0);
	assert_int_equal(p->defaults.kernel_auto_online, MEMCTL_KAO_LEAVE);
	assert_int_equal(p->defaults.other_memory, MEMCTL_ZONE_PREF_OFFLINE);
}

/* hmem dax0.0 (no PCI function behind it) and CXL dax1.0 on region 1 with memdevs. */
static struct memctl_inventory *cxl_host(int n_memdevs)
{
	struct memctl_inventory *inv = inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	int reg = inv_region(inv, 1, MEMCTL_ORIGIN_CXL, false);

	inv_cxl_memdev(inv, reg, "mem0", "0x1", "0000:0d:00.0");
	if (n_memdevs > 1)
		inv_cxl_memdev(inv, reg, "mem1", "0x2", "0000:0e:00.0");
	inv_device(inv, "dax1.0", reg, 16 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_KMEM);
	return inv;
}

static void test_reset_pci(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = cxl_host(1);
	static const char *const targets[] = { "dax1.0", "mem0", "region0", "0000:0d:00.0" };

	for (size_t i = 0; i < ELEMENTSOF(targets); i++) {
		_autofree_ char *pci = NULL;

		assert_int_equal(memctl_inventory_reset_pci(inv, targets[i], &pci), 0);
		assert_string_equal(pci, "0000:0d:00.0");
	}
}

static void test_reset_pci_none(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *one = cxl_host(1);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *two = cxl_host(2);
	char *pci = (char *)"untouched";

	/* hmem: no PCI function; an interleave of two memdevs: not one function; no device at all */
	assert_int_equal(memctl_inventory_reset_pci(one, "dax0.0", &pci), -ENXIO);
	assert_int_equal(memctl_inventory_reset_pci(two, "dax1.0", &pci), -ENXIO);
	assert_int_equal(memctl_inventory_reset_pci(one, "mem7", &pci), -ENODEV);
	assert_string_equal(pci, "untouched");
}

static void test_manual_zone_words(void **state)
{
	enum memctl_zone_pref z = MEMCTL_ZONE_PREF_UNSET;

	assert_int_equal(memctl_manual_zone_from_word("movable", &z), 0);
	assert_int_equal(z, MEMCTL_ZONE_PREF_MOVABLE);
	assert_int_equal(memctl_manual_zone_from_word("normal", &z), 0);
	assert_int_equal(z, MEMCTL_ZONE_PREF_NORMAL);
	assert_int_equal(memctl_manual_zone_from_word("auto", &z), 0);
	assert_int_equal(z, MEMCTL_ZONE_PREF_AUTO);
	/* other_memory's "offline" is no zone to online into; words are exact */
	assert_int_equal(memctl_manual_zone_from_word("offline", &z), -EINVAL);
	assert_int_equal(memctl_manual_zone_from_word("Movable", &z), -EINVAL);
	assert_int_equal(memctl_manual_zone_from_word("", &z), -EINVAL);
	assert_int_equal(memctl_manual_zone_from_word(NULL, &z), -EINVAL);
	assert_int_equal(z, MEMCTL_ZONE_PREF_AUTO);
}

static void test_manual_zone_words_text(void **state)
{
	char words[64], tiny[8];

	memctl_manual_zone_words(words, sizeof(words));
	assert_string_equal(words, "movable, normal or auto");
	memctl_manual_zone_words(tiny, sizeof(tiny));
	assert_string_equal(tiny, "movable");	/* truncated, still a string */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hands_off),
		cmocka_unit_test(test_reset_pci),
		cmocka_unit_test(test_reset_pci_none),
		cmocka_unit_test(test_manual_zone_words),
		cmocka_unit_test(test_manual_zone_words_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
