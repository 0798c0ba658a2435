/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading daxctl's reconfigure-device sections (see daxctl-conf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daxctl-conf.h"
#include "util-mem.h"

static void entry_clear(struct memctl_daxctl_entry *e)
{
	free(e->name);
	free(e->uuid);
	free(e->mode);
}

void memctl_daxctl_conf_clear(struct memctl_daxctl_conf *c)
{
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->v[i]);
	free(c->v);
	*c = (struct memctl_daxctl_conf){ 0 };
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int parse_bool(const char *v, int dflt)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || streq(v, "1"))
		return 1;
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || streq(v, "0"))
		return 0;
	return dflt;
}

int memctl_daxctl_conf_add(struct memctl_daxctl_conf *c, size_t file, const char *text)
{
	_autofree_ char *copy = strdup(text);
	struct memctl_daxctl_entry *cur = NULL;
	int lineno = 0;

	if (!copy)
		return -ENOMEM;
	for (char *line = copy, *next; line; line = next) {
		char *s, *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']'), *name;
			struct memctl_daxctl_entry *v;

			cur = NULL;
			if (!end)
				continue;
			*end = '\0';
			s = trim(s + 1);
			if (strncmp(s, "reconfigure-device", 18) != 0 || (s[18] != ' ' && s[18] != '\t'))
				continue;
			name = trim(s + 18);
			v = realloc(c->v, (c->n + 1) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			c->v = v;
			cur = &c->v[c->n];
			*cur = (struct memctl_daxctl_entry){ .file = file, .line = lineno, .name = strdup(name),
							     .mode = strdup("system-ram"), .online = 1,
							     .movable = 1 };
			if (!cur->name || !cur->mode) {
				entry_clear(cur);
				return -ENOMEM;
			}
			c->n++;
			continue;
		}
		eq = strchr(s, '=');
		if (!cur || !eq)
			continue;
		*eq = '\0';
		s = trim(s);
		eq = trim(eq + 1);
		if (streq(s, "nvdimm.uuid")) {
			free(cur->uuid);
			if (!(cur->uuid = strdup(eq)))
				return -ENOMEM;
		} else if (streq(s, "mode")) {
			free(cur->mode);
			if (!(cur->mode = strdup(eq)))
				return -ENOMEM;
		} else if (streq(s, "online")) {
			cur->online = parse_bool(eq, cur->online);
		} else if (streq(s, "movable")) {
			cur->movable = parse_bool(eq, cur->movable);
		}
	}
	return 0;
}
