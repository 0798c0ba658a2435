/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * B5: a uevent storm into memctld's manager (kernel model, default settle),
 * counting the reconciles it causes. Prints one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manager.h"
#include "model.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	char dir[] = "/tmp/memctl-storm-XXXXXX", policy[64], cmd[96];
	struct manager_config cfg = { .uevent_source = "none", .ops = &model_ops };
	struct manager *m = NULL;
	static struct model model;
	unsigned before;
	double t0, t1;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	snprintf(policy, sizeof(policy), "%s/memctl.conf", dir);
	f = fopen(policy, "w");
	if (!f)
		return 1;
	fputs("rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; } );\n", f);
	fclose(f);
	model_init(&model);
	cfg.ops_ctx = &model;
	cfg.policy_path = policy;
	cfg.runtime_dir = dir;
	if (manager_new(&cfg, &m) < 0 || manager_start(m) < 0)
		return 1;
	while (sd_event_run(manager_event(m), 100000) > 0)
		;
	before = manager_reconcile_count(m);
	t0 = now();
	for (int i = 0; i < 1000; i++)
		manager_uevent(m, "memory", i % 2 ? "online" : "add");
	t1 = now();
	while (sd_event_run(manager_event(m), 1000000) > 0)
		;
	printf("{\"uevents\": 1000, \"seconds\": %.6f, \"reconciles\": %u}\n", t1 - t0,
	       manager_reconcile_count(m) - before);
	manager_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
