/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink framing and the blocking client. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util-mem.h"
#include "varlink.h"

const char *memctl_socket_path(char *buf, size_t len)
{
	const char *env = getenv("MEMCTL_SOCKET"), *rt = getenv("RUNTIME_DIRECTORY");

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (rt && *rt)
		snprintf(buf, len, "%s/io.memctl", rt);
	else
		snprintf(buf, len, "%s", MEMCTL_SOCKET_DEFAULT);
	return buf;
}

int memctl_varlink_buffer_append(struct memctl_varlink_buffer *b, const char *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *n;
		while (cap < b->len + len + 1)
			cap *= 2;
		if (cap > MEMCTL_VARLINK_MAX_MESSAGE + 4096)
			return -EMSGSIZE;
		n = realloc(b->data, cap);
		if (!n)
			return -ENOMEM;
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int memctl_varlink_buffer_take(struct memctl_varlink_buffer *b, struct json_object **ret)
{
	char *nul = b->len ? memchr(b->data, '\0', b->len) : NULL;
	struct json_object *o;
	struct json_tokener *tok;
	size_t n;

	if (!nul)
		return b->len > MEMCTL_VARLINK_MAX_MESSAGE ? -EMSGSIZE : 0;
	n = nul - b->data;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, b->data, (int)n);
	/* The whole message must be one JSON object, nothing after it. */
	if (o && (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != n ||
		  !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	memmove(b->data, nul + 1, b->len - n - 1);
	b->len -= n + 1;
	if (!o)
		return -EBADMSG;
	*ret = o;
	return 1;
}

void memctl_varlink_buffer_free(struct memctl_varlink_buffer *b)
{
	free(b->data);
	*b = (struct memctl_varlink_buffer){ 0 };
}

int memctl_varlink_connect(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_autoclose_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = steal_fd(&fd);
	return 0;
}

int memctl_varlink_call_more(int fd, const char *method, struct json_object *params,
			     memctl_varlink_progress_fn on_progress, void *userdata, struct json_object **ret_reply)
{
	struct memctl_varlink_buffer in = { 0 };
	struct json_object *req = json_object_new_object();
	const char *text;
	size_t len, off = 0;
	int r;

	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "parameters", params ? params : json_object_new_object());
	if (on_progress)
		json_object_object_add(req, "more", json_object_new_boolean(true));
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	len = strlen(text) + 1;	/* with the terminating NUL */
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			json_object_put(req);
			return r;
		}
		off += n;
	}
	json_object_put(req);

	for (;;) {
		struct json_object *reply = NULL, *cont = NULL, *p = NULL;
		char buf[65536];
		ssize_t n;

		r = memctl_varlink_buffer_take(&in, &reply);
		if (r < 0)
			break;
		if (r > 0) {
			if (on_progress && json_object_object_get_ex(reply, "continues", &cont) &&
			    json_object_get_boolean(cont)) {
				json_object_object_get_ex(reply, "parameters", &p);
				on_progress(p, userdata);
				json_object_put(reply);
				continue;
			}
			*ret_reply = reply;
			break;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -ECONNRESET;
			break;
		}
		r = memctl_varlink_buffer_append(&in, buf, n);
		if (r < 0)
			break;
	}
	memctl_varlink_buffer_free(&in);
	return r < 0 ? r : 0;
}

int memctl_varlink_call(int fd, const char *method, struct json_object *params, struct json_object **ret_reply)
{
	return memctl_varlink_call_more(fd, method, params, NULL, NULL, ret_reply);
}
