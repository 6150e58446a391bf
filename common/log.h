/*
 * log: logging for the daemon and the CLI (not for library code, which
 * reports through struct cx_err).  Messages go to stderr or to syslog,
 * chosen once by log_init().  Safe to call before log_init() (stderr).
 */
#ifndef CX_LOG_H
#define CX_LOG_H

void log_init(const char *ident, int to_syslog, int verbose);
/* a fatal error: the program stops (syslog LOG_ERR, "error: ") */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* appends strerror(errno) */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
