/*
 * err: fill a caller-provided struct cx_err.
 *
 * Messages are bounded by CX_ERR_MAX; a message longer than that is cut (it
 * is for humans, not parsed).  Both functions return -1 so a caller can
 * write "return cx_errf(e, ...);".  A NULL e discards the message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

int
cx_errf(struct cx_err *e, const char *fmt, ...)
{
	char msg[CX_ERR_MAX];
	va_list ap;

	if (e == NULL)
		return -1;
	/* format aside: the caller may pass e->msg among the arguments */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(e->msg, msg, strlen(msg) + 1);
	return -1;
}

/* Appends s to buf (NUL-terminated, size sz), cutting what does not fit. */
static void
append(char *buf, size_t sz, const char *s)
{
	size_t n = strlen(buf), m = strlen(s);

	if (n + 1 >= sz)
		return;
	if (m > sz - 1 - n)
		m = sz - 1 - n;
	memcpy(buf + n, s, m);
	buf[n + m] = '\0';
}

int
cx_err_prefix(struct cx_err *e, const char *fmt, ...)
{
	char msg[CX_ERR_MAX];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	append(msg, sizeof(msg), ": ");
	e->msg[sizeof(e->msg) - 1] = '\0';
	append(msg, sizeof(msg), e->msg);
	memcpy(e->msg, msg, strlen(msg) + 1);
	return -1;
}
