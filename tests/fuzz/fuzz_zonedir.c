/*
 * fuzz_zonedir: the zone-name directory (common/zonedir.c) on arbitrary
 * CSV contents, and name resolution over what it accepted.
 *
 * The input is the file (an exactly-sized heap copy, so a read past its
 * end is caught).  Checks:
 *  - a refusal comes with a message naming the file ("z.csv");
 *  - an accepted directory holds at most ZONEDIR_MAX_ENTRIES entries, and
 *    for every "code,name..." line of the input: the code is listed, its
 *    name is valid UTF-8 of at most ZONEDIR_NAME_MAX bytes, a parent (if
 *    any) is listed and covers the code; resolving the name gives a code
 *    with that very name, or an "ambiguous" refusal; resolving
 *    "PARENT_NAME/NAME" gives a code with that name too (or ambiguous);
 *  - zonedir_label() never writes more than its buffer and starts with
 *    the code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/zonedir.h"
#include "tests/fuzz/fuzz_util.h"

static void
check_name(const struct zonedir *d, const char *typed, const char *name)
{
	char out[ZONE_MAX + 1];
	struct cx_err e = { "" };

	if (zonedir_resolve(d, typed, out, &e) == 0) {
		FUZZ_CHECK(zonedir_name(d, out) != NULL);
		FUZZ_CHECK(strcmp(zonedir_name(d, out), name) == 0);
	} else {
		FUZZ_CHECK(strstr(e.msg, "ambiguous") != NULL);
	}
}

static void
check_line(const struct zonedir *d, const char *line)
{
	char code[ZONE_MAX + 1], tmp[32], path[2 * ZONEDIR_NAME_MAX + 2], label[24];
	const char *comma = strchr(line, ','), *name, *parent, *pname;
	size_t n = comma != NULL ? (size_t)(comma - line) : 0;

	if (n == 0 || n >= sizeof tmp || !(line[0] >= '0' && line[0] <= '9'))
		return;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	if (zone_parse(tmp, code, NULL) != 0)
		return;
	name = zonedir_name(d, code);
	FUZZ_CHECK(name != NULL);
	FUZZ_CHECK(strlen(name) >= 1 && strlen(name) <= ZONEDIR_NAME_MAX);
	if ((parent = zonedir_parent(d, code)) != NULL) {
		FUZZ_CHECK(zonedir_name(d, parent) != NULL);
		FUZZ_CHECK(zone_covers(parent, code) && strcmp(parent, code) != 0);
	}
	if (name[0] >= '0' && name[0] <= '9')
		return;   /* typed, it would be read as a code */
	check_name(d, name, name);
	if (parent != NULL && (pname = zonedir_name(d, parent)) != NULL &&
	    !(pname[0] >= '0' && pname[0] <= '9')) {
		snprintf(path, sizeof path, "%s/%s", pname, name);
		check_name(d, path, name);
	}
	zonedir_label(d, code, label, sizeof label);
	FUZZ_CHECK(strlen(label) < sizeof label);
	FUZZ_CHECK(strncmp(label, code, strlen(code)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1), *text, *line, *save = NULL;
	struct cx_err e = { "" };
	struct zonedir *d;

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	d = zonedir_parse("z.csv", buf, size, &e);
	if (d == NULL) {
		FUZZ_CHECK(strncmp(e.msg, "z.csv", 5) == 0);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(zonedir_count(d) <= ZONEDIR_MAX_ENTRIES);
	text = cstr_dup(data, size);
	/* lines as the parser splits them: at '\n', one '\r' before it dropped */
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (strchr(line, '\r') == NULL)   /* else the name holds a '\r': refused */
			check_line(d, line);
	}
	free(text);
	zonedir_free(d);
	free(buf);
	return 0;
}
