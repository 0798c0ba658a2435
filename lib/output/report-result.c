/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The action verbs' result document and its error words (report-result.h). */
#include "report-contract.h"
#include "report-json.h"
#include "report-result.h"

const struct memctl_strtab memctl_error_id_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ERROR_ID_DAEMON_NOT_RUNNING, "daemon-not-running" },
		{ MEMCTL_ERROR_ID_CALL_FAILED, "call-failed" },
		{ MEMCTL_ERROR_ID_PERMISSION_DENIED, "permission-denied" },
		{ MEMCTL_ERROR_ID_POLICY_REJECTED, "policy-rejected" },
		{ MEMCTL_ERROR_ID_NO_SUCH_DEVICE, "no-such-device" },
		{ MEMCTL_ERROR_ID_OPERATION_FAILED, "operation-failed" },
		{ MEMCTL_ERROR_ID_RESET_REFUSED, "reset-refused" },
		{ MEMCTL_ERROR_ID_RESET_FAILED, "reset-failed" },
		{ MEMCTL_ERROR_ID_INVALID_PARAMETER, "invalid-parameter" },
		{ MEMCTL_ERROR_ID_INTERNAL_ERROR, "internal-error" },
		{ MEMCTL_ERROR_ID_OTHER, "other" },
		{},
	},
	.fallback = "other",
	.unknown = MEMCTL_ERROR_ID_OTHER,
};

const struct memctl_strtab memctl_varlink_error_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ERROR_ID_PERMISSION_DENIED, "io.memctl.PermissionDenied" },
		{ MEMCTL_ERROR_ID_POLICY_REJECTED, "io.memctl.PolicyRejected" },
		{ MEMCTL_ERROR_ID_NO_SUCH_DEVICE, "io.memctl.NoSuchDevice" },
		{ MEMCTL_ERROR_ID_OPERATION_FAILED, "io.memctl.OperationFailed" },
		{ MEMCTL_ERROR_ID_RESET_REFUSED, "io.memctl.ResetRefused" },
		{ MEMCTL_ERROR_ID_RESET_FAILED, "io.memctl.ResetFailed" },
		{ MEMCTL_ERROR_ID_INTERNAL_ERROR, "io.memctl.InternalError" },
		{ MEMCTL_ERROR_ID_INVALID_PARAMETER, "org.varlink.service.InvalidParameter" },
		{},
	},
	.fallback = NULL,
	.unknown = MEMCTL_ERROR_ID_OTHER,
};

struct json_object *memctl_result_json(const struct memctl_result *res, struct json_object *extra)
{
	struct json_object *o = memctl_json_document(), *err = NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "verb", json_object_new_string(res->verb));
	json_object_object_add(o, "ok", json_object_new_boolean(res->error_id < 0));
	json_object_object_add(o, "chardev", memctl_json_opt_str(res->chardev));
	json_object_object_add(o, "target", memctl_json_opt_str(res->target));
	json_object_object_add(o, "message", memctl_json_opt_str(res->message));
	if (res->error_id >= 0) {
		err = json_object_new_object();
		if (!err) {
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(err, "id",
				       json_object_new_string(memctl_strtab_name(&memctl_error_id_table, res->error_id)));
		json_object_object_add(err, "varlink_error", memctl_json_opt_str(res->varlink_error));
		json_object_object_add(err, "message", memctl_json_opt_str(res->error_message));
	}
	json_object_object_add(o, "error", err);
	/* the reply's own keys (stuck, stuck_fix...), where the document has none of that name */
	if (extra && json_object_is_type(extra, json_type_object)) {
		json_object_object_foreach(extra, key, val) {
			if (!json_object_object_get_ex(o, key, NULL))
				json_object_object_add(o, key, json_object_get(val));
		}
	}
	return o;
}
