/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The action verbs' --json result: one document on stdout, success or not (report-result.h). */
#include <stdio.h>

#include "memctl.h"
#include "report-result.h"

int cli_print_result(struct memctl_result *res, int r, const struct cli_call_error *err, struct json_object *reply)
{
	struct json_object *o;

	res->error_id = -1;
	if (r < 0) {
		/* memctld not reached: the word kept; else the id of the Varlink error it answered with */
		res->error_id = err->id[0] ? memctl_strtab_value(&memctl_error_id_table, err->id)
					   : memctl_strtab_value(&memctl_varlink_error_table, err->varlink_error);
		res->varlink_error = err->varlink_error[0] ? err->varlink_error : NULL;
		res->error_message = err->message[0] ? err->message : NULL;
		res->message = NULL;
	}
	o = memctl_result_json(res, reply);
	if (!o) {
		fprintf(stderr, "memctl: out of memory\n");
		return EXIT_FAILED;
	}
	cli_print_json(o);
	json_object_put(o);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}
