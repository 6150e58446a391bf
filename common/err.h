/*
 * err: the one error idiom of the shared library.
 *
 * Functions return 0 / -1 (or NULL) and, on failure, leave a human-readable
 * message in a caller-provided struct cx_err.  The library never logs, never
 * exits: the daemon logs the message, the CLI prints it and exits non-zero.
 * Passing a NULL struct cx_err is allowed and discards the message.
 */
#ifndef CX_ERR_H
#define CX_ERR_H

#define CX_ERR_MAX 256

struct cx_err {
	char msg[CX_ERR_MAX];
};

/* Format a message into e (if not NULL); always returns -1. */
int cx_errf(struct cx_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the existing message: "prefix: old message". Returns -1. */
int cx_err_prefix(struct cx_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
