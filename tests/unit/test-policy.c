/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy parser: every key, every error path, with the line it names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "inventory.h"
#include "policy.h"
#include "util-mem.h"

static const char full[] =
	"version = 1;\n"						/* 1 */
	"defaults: {\n"							/* 2 */
	"  zone = \"auto\";\n"						/* 3 */
	"  max_movable_ratio = 4.0;\n"					/* 4 */
	"  offline_timeout = \"45s\";\n"				/* 5 */
	"  offline_retries = 5;\n"					/* 6 */
	"  settle = \"300ms\";\n"					/* 7 */
	"  kernel_auto_online = \"leave\";\n"				/* 8 */
	"  other_memory = \"offline\";\n"				/* 9 */
	"};\n"								/* 10 */
	"rules = (\n"							/* 11 */
	"  { name = \"cxl-expanders\";\n"				/* 12 */
	"    match = { origin = \"cxl\"; cxl_serial = [ \"0x1234\", \"0x5678\" ]; size_min = \"16G\"; };\n"
	"    mode = \"system-ram\"; zone = \"movable\"; expect_node = 2; on_reset = \"offline\"; },\n"
	"  { name = \"accelerator-hdm\";\n"				/* 15 */
	"    match = { cxl_host = \"0000:35:00.0\"; cxl_memdev = \"mem*\"; };\n"
	"    mode = \"system-ram\"; reserve = \"4G\"; memmap_on_memory = true; },\n"
	"  { name = \"hbm\";\n"						/* 18 */
	"    match = { origin = \"hmem\"; target_node = [ 1 ]; device = \"dax*\"; region = \"region0\";\n"
	"              resource = \"0x180000000-0x1ffffffff\"; size_max = 1073741824; };\n"
	"    mode = \"devdax\"; on_reset = \"refuse\"; },\n"
	"  { name = \"pm\"; match = { uuid = \"8d3e-11\"; origin = \"pmem\"; }; mode = \"ignore\"; }\n"
	");\n";

static struct memctl_policy *parse_ok(const char *text, struct memctl_diags *d)
{
	struct memctl_policy *p = NULL;

	assert_int_equal(memctl_policy_new(&p), 0);
	assert_int_equal(memctl_policy_parse(p, "test.conf", text, d), 0);
	return p;
}

static void test_full_policy(void **state)
{
	struct memctl_diags d = { 0 };
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = parse_ok(full, &d);
	const struct memctl_rule *r;

	assert_int_equal(d.n, 0);
	assert_int_equal(p->defaults.zone, MEMCTL_ZONE_PREF_AUTO);
	assert_true(p->defaults.max_movable_ratio == 4.0);
	assert_int_equal(p->defaults.offline_timeout_ms, 45000);
	assert_int_equal(p->defaults.offline_retries, 5);
	assert_int_equal(p->defaults.settle_ms, 300);
	assert_int_equal(p->defaults.kernel_auto_online, MEMCTL_KAO_LEAVE);
	assert_int_equal(p->defaults.other_memory, MEMCTL_ZONE_PREF_OFFLINE);
	assert_int_equal(p->n_rules, 4);

	r = &p->rules[0];
	assert_string_equal(r->name, "cxl-expanders");
	assert_int_equal(r->line, 12);
	assert_int_equal(r->match.origin, MEMCTL_ORIGIN_CXL);
	assert_string_equal(r->match.cxl_serials[1], "0x5678");
	assert_null(r->match.cxl_serials[2]);
	assert_true(r->match.has_size_min);
	assert_int_equal(r->match.size_min, 16ULL << 30);
	assert_int_equal(r->mode, MEMCTL_RULE_SYSTEM_RAM);
	assert_int_equal(r->zone, MEMCTL_ZONE_PREF_MOVABLE);
	assert_int_equal(r->expect_node, 2);
	assert_int_equal(r->on_reset, MEMCTL_ON_RESET_OFFLINE);

	r = &p->rules[1];
	assert_int_equal(r->reserve, 4ULL << 30);
	assert_int_equal(r->memmap_on_memory, 1);
	assert_string_equal(r->match.cxl_host, "0000:35:00.0");
	assert_string_equal(r->match.cxl_memdev, "mem*");
	assert_int_equal(r->zone, MEMCTL_ZONE_PREF_UNSET);

	r = &p->rules[2];
	assert_int_equal(r->match.n_target_nodes, 1);
	assert_int_equal(r->match.target_nodes[0], 1);
	assert_true(r->match.has_resource);
	assert_int_equal(r->match.resource_start, 0x180000000ULL);
	assert_int_equal(r->match.resource_end, 0x1ffffffffULL);
	assert_int_equal(r->match.size_max, 1ULL << 30);
	assert_string_equal(r->match.region, "region0");
	assert_int_equal(r->on_reset, MEMCTL_ON_RESET_REFUSE);
	assert_int_equal(p->rules[3].mode, MEMCTL_RULE_IGNORE);
	assert_string_equal(p->rules[3].match.uuid, "8d3e-11");
	memctl_diags_clear(&d);
}

static void test_defaults_when_empty(void **state)
{
	struct memctl_diags d = { 0 };
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = parse_ok("", &d);

	assert_int_equal(p->n_rules, 0);
	assert_int_equal(p->defaults.zone, MEMCTL_ZONE_PREF_MOVABLE);
	assert_true(p->defaults.max_movable_ratio == 3.0);
	assert_int_equal(p->defaults.offline_timeout_ms, 30000);
	assert_int_equal(p->defaults.offline_retries, 3);
	assert_int_equal(p->defaults.settle_ms, 200);
	assert_int_equal(p->defaults.kernel_auto_online, MEMCTL_KAO_TAKEOVER);
	assert_int_equal(p->defaults.other_memory, MEMCTL_ZONE_PREF_MOVABLE);
	assert_int_equal(p->defaults.demotion, MEMCTL_DEMOTION_LEAVE);
}

static void test_demotion(void **state)
{
	struct memctl_diags d = { 0 };
	_cleanup_(memctl_policy_freep) struct memctl_policy *on = parse_ok("defaults: { demotion = \"enable\"; };\n", &d);
	_cleanup_(memctl_policy_freep) struct memctl_policy *off = parse_ok("defaults: { demotion = \"leave\"; };\n", &d);

	assert_int_equal(d.n, 0);
	assert_int_equal(on->defaults.demotion, MEMCTL_DEMOTION_ENABLE);
	assert_int_equal(off->defaults.demotion, MEMCTL_DEMOTION_LEAVE);
	assert_string_equal(memctl_demotion_name(on->defaults.demotion), "enable");
	assert_string_equal(memctl_demotion_name(off->defaults.demotion), "leave");
}

/* Each case: text, the line the first error must name, its code and a fragment of its message. */
static const struct {
	const char *text;
	int line;
	const char *code;
	const char *fragment;
} bad[] = {
	{ "version = 2;\n", 1, "out-of-range", "version = 2 is out of range" },
	{ "version = 1;\nfrob = 1;\n", 2, "unknown-key", "unknown setting 'frob'; allowed at the top level: version, defaults, rules" },
	{ "defaults: {\n  zone = \"fast\";\n};\n", 2, "bad-value", "allowed: movable | normal | auto" },
	{ "defaults: {\n  zone = 3;\n};\n", 2, "wrong-type", "zone must be a string, not an integer" },
	{ "defaults: {\n\n  max_movable_ratio = -1.0;\n};\n", 3, "out-of-range", "max_movable_ratio = -1" },
	{ "defaults: { max_movable_ratio = \"3\"; };\n", 1, "wrong-type", "max_movable_ratio must be a number" },
	{ "defaults: {\n  offline_timeout = \"30 s\";\n};\n", 2, "bad-duration", "not a duration" },
	{ "defaults: {\n  offline_timeout = \"2h\";\n};\n", 2, "bad-duration", "not a duration" },
	{ "defaults: {\n  offline_timeout = \"0ms\";\n};\n", 2, "out-of-range", "from 1ms to 3600s" },
	{ "defaults: {\n  offline_retries = 1000;\n};\n", 2, "out-of-range", "from 0 to 100" },
	{ "defaults: {\n  settle = \"2m\";\n};\n", 2, "out-of-range", "out of range" },
	{ "defaults: {\n  kernel_auto_online = \"grab\";\n};\n", 2, "bad-value", "takeover | leave" },
	{ "defaults: {\n  other_memory = \"auto-movable\";\n};\n", 2, "bad-value", "movable | normal | auto | offline" },
	{ "defaults: {\n  zonee = \"movable\";\n};\n", 2, "unknown-key", "unknown key 'zonee' in defaults; allowed: zone, max_movable_ratio, offline_timeout, "
	  "offline_retries, settle, kernel_auto_online, other_memory, demotion" },
	{ "defaults: {\n  demotion = \"on\";\n};\n", 2, "bad-value", "demotion = \"on\" is not known; allowed: enable | leave" },
	{ "defaults: {\n\n  demotion = true;\n};\n", 3, "wrong-type", "demotion must be a string, not a boolean" },
	{ "defaults = 5;\n", 1, "wrong-type", "defaults must be a group" },
	{ "rules = 5;\n", 1, "wrong-type", "rules must be a list" },
	{ "rules = (\n  { match = {}; mode = \"devdax\"; }\n);\n", 2, "missing-key", "rule without a name" },
	{ "rules = (\n  { name = \"a b\"; match = {}; mode = \"devdax\"; }\n);\n", 2, "bad-value", "odd characters" },
	{ "rules = (\n  { name = \"a\"; mode = \"devdax\"; }\n);\n", 2, "missing-key", "has no match" },
	{ "rules = (\n  { name = \"a\"; match = {}; }\n);\n", 2, "missing-key", "has no mode; mode = \"system-ram\" | \"devdax\" | \"ignore\" | \"famfs\"" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"ram\"; }\n);\n", 2, "bad-value",
	  "system-ram | devdax | ignore" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"devdax\"; },\n  { name = \"a\"; match = {}; mode = \"devdax\"; }\n);\n",
	  3, "duplicate-rule", "already defined at test.conf:2" },
	{ "rules = (\n  { name = \"a\";\n    match = { colour = \"red\"; }; mode = \"devdax\"; }\n);\n", 3, "unknown-key",
	  "unknown key 'colour' in match; allowed: device, region, origin, target_node, size_min, size_max, "
	  "resource, cxl_memdev, cxl_serial, cxl_host, uuid" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"devdax\";\n    speed = 1; }\n);\n", 3, "unknown-key",
	  "unknown key 'speed' in rule; allowed: name, match, mode, zone, reserve, memmap_on_memory, expect_node, "
	  "on_reset" },
	{ "rules = (\n  { name = \"a\"; match = { origin = \"nvme\"; }; mode = \"devdax\"; }\n);\n", 2, "bad-value",
	  "hmem | cxl | pmem" },
	{ "rules = (\n  { name = \"a\"; match = { size_min = \"16Q\"; }; mode = \"devdax\"; }\n);\n", 2, "bad-size",
	  "is not a size" },
	{ "rules = (\n  { name = \"a\"; match = { size_min = -5; }; mode = \"devdax\"; }\n);\n", 2, "bad-value",
	  "is negative" },
	{ "rules = (\n  { name = \"a\"; match = { target_node = [ ]; }; mode = \"devdax\"; }\n);\n", 2, "bad-value",
	  "empty list" },
	{ "rules = (\n  { name = \"a\"; match = { target_node = 5000; }; mode = \"devdax\"; }\n);\n", 2,
	  "out-of-range", "target_node = 5000" },
	{ "rules = (\n  { name = \"a\"; match = { target_node = \"1\"; }; mode = \"devdax\"; }\n);\n", 2, "wrong-type",
	  "integer or a list" },
	{ "rules = (\n  { name = \"a\"; match = { resource = \"0x2000-0x1000\"; }; mode = \"devdax\"; }\n);\n", 2,
	  "bad-value", "not a valid range" },
	{ "rules = (\n  { name = \"a\"; match = { cxl_serial = [ \"xyz\" ]; }; mode = \"devdax\"; }\n);\n", 2,
	  "bad-value", "\"xyz\" is not a number" },
	{ "rules = (\n  { name = \"a\"; match = { device = \"\"; }; mode = \"devdax\"; }\n);\n", 2, "bad-value",
	  "device is empty" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"devdax\";\n    zone = \"movable\"; }\n);\n", 3, "conflict",
	  "zone only applies" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"ignore\";\n    reserve = \"4G\"; }\n);\n", 3, "conflict",
	  "reserve only applies" },
	{ "rules = (\n  { name = \"a\"; match = { origin = \"pmem\"; }; mode = \"system-ram\";\n    reserve = \"4G\"; }\n);\n",
	  3, "reserve-unsupported", "pmem namespaces are static" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"system-ram\";\n    reserve = 0; }\n);\n", 3, "bad-value",
	  "reserve = 0 keeps nothing" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"system-ram\";\n    memmap_on_memory = \"yes\"; }\n);\n", 3,
	  "wrong-type", "must be a boolean" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"system-ram\";\n    expect_node = -1; }\n);\n", 3,
	  "out-of-range", "expect_node = -1" },
	{ "rules = (\n  { name = \"a\"; match = {}; mode = \"system-ram\";\n    on_reset = \"reboot\"; }\n);\n", 3,
	  "bad-value", "offline | refuse" },
	{ "rules = (\n  { name = \"a\";\n    match = { size_min = \"2G\"; size_max = \"1G\"; }; mode = \"devdax\"; }\n);\n", 2,
	  "never-matches", "size_min is larger than size_max" },
	{ "version = 1;\ndefaults: {\n  zone = ;\n};\n", 3, "syntax", "syntax error" },
	{ "# comment\n@include \"other.conf\"\n", 2, "include", "@include is not supported" },
};

static void test_errors_name_file_and_line(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
		struct memctl_diags d = { 0 };
		char where[64];

		assert_int_equal(memctl_policy_new(&p), 0);
		if (memctl_policy_parse(p, "test.conf", bad[i].text, &d) != -EINVAL || d.n == 0 ||
		    d.v[0].line != bad[i].line || strcmp(d.v[0].code, bad[i].code) != 0 ||
		    !strstr(d.v[0].message, bad[i].fragment)) {
			print_error("case %zu: %s\n  got: %s:%d [%s] %s\n", i, bad[i].text, d.n ? d.v[0].file : "-",
				    d.n ? d.v[0].line : -1, d.n ? d.v[0].code : "-", d.n ? d.v[0].message : "(none)");
			fail();
		}
		assert_int_equal(d.v[0].severity, MEMCTL_ERROR);
		assert_string_equal(d.v[0].file, "test.conf");
		snprintf(where, sizeof(where), "test.conf:%d: ", bad[i].line);
		{
			char text[1024];
			memctl_diag_format(&d.v[0], text, sizeof(text));
			assert_memory_equal(text, where, strlen(where));
		}
		memctl_diags_clear(&d);
	}
}

static void test_dropin_merging(void **state)
{
	struct memctl_diags d = { 0 };
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;

	assert_int_equal(memctl_policy_new(&p), 0);
	assert_int_equal(memctl_policy_parse(p, "main.conf",
					     "defaults: { zone = \"normal\"; offline_retries = 7; };\n"
					     "rules = ( { name = \"a\"; match = { origin = \"hmem\"; }; mode = \"devdax\"; } );\n",
					     &d), 0);
	assert_int_equal(memctl_policy_parse(p, "10-more.conf",
					     "defaults: { zone = \"auto\"; };\n"
					     "rules = ( { name = \"b\"; match = { origin = \"cxl\"; }; mode = \"devdax\"; } );\n",
					     &d), 0);
	/* a later file overrides the keys it gives, keeps the others, and appends rules */
	assert_int_equal(p->defaults.zone, MEMCTL_ZONE_PREF_AUTO);
	assert_int_equal(p->defaults.offline_retries, 7);
	assert_int_equal(p->n_rules, 2);
	assert_string_equal(p->rules[1].file, "10-more.conf");
	/* a rule name reused in a drop-in is an error naming both places */
	assert_int_equal(memctl_policy_parse(p, "20-dup.conf",
					     "rules = ( { name = \"a\"; match = {}; mode = \"devdax\"; } );\n", &d),
			 -EINVAL);
	assert_string_equal(d.v[0].file, "20-dup.conf");
	assert_non_null(strstr(d.v[0].message, "already defined at main.conf:2"));
	memctl_diags_clear(&d);
}

static void test_shadowed_and_never_matching(void **state)
{
	struct memctl_diags d = { 0 };
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = parse_ok(
		"rules = (\n"
		"  { name = \"all-cxl\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; },\n"
		"  { name = \"big-cxl\"; match = { origin = \"cxl\"; size_min = \"16G\"; }; mode = \"devdax\"; },\n"
		"  { name = \"hmem-serial\"; match = { origin = \"hmem\"; cxl_serial = \"0x1\"; }; mode = \"devdax\"; },\n"
		"  { name = \"node1\"; match = { target_node = 1; }; mode = \"devdax\"; },\n"
		"  { name = \"node1-2\"; match = { target_node = [ 1, 2 ]; }; mode = \"devdax\"; }\n"
		");\n", &d);

	memctl_policy_check(p, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].code, "shadowed");
	assert_string_equal(d.v[0].object, "big-cxl");
	assert_int_equal(d.v[0].line, 3);
	assert_non_null(strstr(d.v[0].message, "shadowed by rule \"all-cxl\" (test.conf:2)"));
	assert_string_equal(d.v[1].code, "never-matches");
	assert_string_equal(d.v[1].object, "hmem-serial");
	/* node1-2 is wider than node1, so it is not shadowed */
	memctl_diags_clear(&d);
}

static void test_sizes_and_durations(void **state)
{
	uint64_t v = 7;

	assert_int_equal(memctl_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(memctl_parse_size("512M", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(memctl_parse_size("2T", &v), 0);
	assert_int_equal(v, 2ULL << 40);
	v = 7;
	assert_int_equal(memctl_parse_size("2GB", &v), -EINVAL);
	assert_int_equal(memctl_parse_size("G", &v), -EINVAL);
	assert_int_equal(memctl_parse_size("99999999999T", &v), -ERANGE);
	assert_int_equal(v, 7);
	assert_int_equal(memctl_parse_duration_ms("200ms", &v), 0);
	assert_int_equal(v, 200);
	assert_int_equal(memctl_parse_duration_ms("30s", &v), 0);
	assert_int_equal(v, 30000);
	assert_int_equal(memctl_parse_duration_ms("2m", &v), 0);
	assert_int_equal(v, 120000);
	assert_int_equal(memctl_parse_duration_ms("5", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_policy),
		cmocka_unit_test(test_defaults_when_empty),
		cmocka_unit_test(test_demotion),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_dropin_merging),
		cmocka_unit_test(test_shadowed_and_never_matching),
		cmocka_unit_test(test_sizes_and_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
