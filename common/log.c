/*
 * log: where the daemon's and the CLI's messages go.
 *
 * log_init() chooses once: stderr (each line stamped with local time to the
 * millisecond and the program name) or syslog (facility daemon; syslog adds
 * its own time).  Before log_init() messages go to stderr as "cunxiang".
 * log_debug() prints only when verbose.  Every function keeps errno, so a
 * caller can log and then still inspect or return it.  Library code does not
 * call this module: it reports through struct cx_err.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "common/log.h"

#define LOG_IDENT_MAX 32
#define LOG_LINE_MAX 1024          /* longer messages are cut, never overflow */

static char log_ident[LOG_IDENT_MAX] = "cunxiang";
static int log_syslog;
static int log_verbose;

void
log_init(const char *ident, int to_syslog, int verbose)
{
	if (ident != NULL && ident[0] != '\0')
		snprintf(log_ident, sizeof(log_ident), "%s", ident);
	if (log_syslog && !to_syslog)
		closelog();
	log_syslog = to_syslog;
	log_verbose = verbose;
	if (log_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_stamp(char *buf, size_t sz)
{
	struct timespec ts;
	struct tm tm;
	char day[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, sz, "%lld", (long long)ts.tv_sec);
		return;
	}
	snprintf(buf, sz, "%s.%03ld", day, ts.tv_nsec / 1000000L);
}

/* err >= 0 appends strerror(err). */
static void log_vemit(int, const char *, int, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

static void
log_vemit(int prio, const char *level, int err, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	char stamp[48];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		if (err >= 0)
			syslog(prio, "%s: %s", msg, strerror(err));
		else
			syslog(prio, "%s", msg);
	} else {
		log_stamp(stamp, sizeof(stamp));
		if (err >= 0)
			fprintf(stderr, "%s %s: %s%s: %s\n", stamp, log_ident, level, msg,
			    strerror(err));
		else
			fprintf(stderr, "%s %s: %s%s\n", stamp, log_ident, level, msg);
		fflush(stderr);
	}
	errno = saved;
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_ERR, "error: ", -1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, "warning: ", -1, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, "warning: ", err, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, "", -1, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, "debug: ", -1, fmt, ap);
	va_end(ap);
}
