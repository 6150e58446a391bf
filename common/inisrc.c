/*
 * inisrc: the in-memory line source for inih (inisrc.h), shared by the
 * node's and the hub's config parsers so both read a file the same way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/inisrc.h"

int
inisrc_fail(struct inisrc *s, int line, const char *fmt, ...)
{
	char msg[CX_ERR_MAX];
	va_list ap;

	if (s->errline >= 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->errline = line;
	if (line > 0)
		cx_errf(s->e, "%s:%d: %s", s->path, line, msg);
	else
		cx_errf(s->e, "%s: %s", s->path, msg);
	return 0;
}

int
inisrc_next(struct inisrc *s, char *str, int num)
{
	const char *p, *nl;
	size_t n;

	if (s->errline >= 0 || s->pos >= s->len)
		return 0;
	p = s->buf + s->pos;
	nl = memchr(p, '\n', s->len - s->pos);
	n = nl != NULL ? (size_t)(nl - p) : s->len - s->pos;
	s->pos += n + (nl != NULL);
	s->lineno++;
	if (s->lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (memchr(p, '\0', n) != NULL) {
		inisrc_fail(s, s->lineno, "NUL byte in line");
		return -1;
	}
	if (num < 2 || n > (size_t)num - 1) {
		inisrc_fail(s, s->lineno, "line too long (at most %d bytes)", num - 1);
		return -1;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	return 1;
}

int
inisrc_section(const char *line, char *name, size_t size, const char **why)
{
	const char *end = strchr(line, ']'), *rest;
	size_t n;

	if (end == NULL)
		return 0;
	for (rest = end + 1; *rest == ' ' || *rest == '\t'; rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#' && *rest != '\r') {
		*why = "text after the section header";
		return -1;
	}
	n = (size_t)(end - line - 1);
	if (n >= size) {
		*why = "section name too long";
		return -1;
	}
	memcpy(name, line + 1, n);
	name[n] = '\0';
	return 1;
}
