/*
 * sdnotify: readiness, status and watchdog for the service manager.
 *
 * Thin over libsystemd's sd_notify()/sd_watchdog_enabled(): they do the
 * socket (abstract or path, $NOTIFY_SOCKET) and check $WATCHDOG_PID.
 * The watchdog ping is a loop timer, not a thread or a signal: it proves
 * the loop turns, which is what the service manager must know.  Before
 * READY=1 the manager watches the start timeout, not the watchdog: each
 * ping then also extends that timeout by one watchdog period
 * (EXTEND_TIMEOUT_USEC), so a daemon whose broker is unreachable keeps
 * running (a node still answers its local button) instead of being killed
 * at TimeoutStartSec, while a loop stuck before READY still times out.  A status
 * line is cut at SDNOTIFY_STATUS_MAX, never overflows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "common/sdnotify.h"

#define SDNOTIFY_STATUS_MAX 200          /* bytes of a STATUS= line */

struct sdnotify {
	struct loop *loop;
	struct loop_timer wd;
	uint64_t wd_usec;                  /* WATCHDOG_USEC */
	uint64_t wd_ms;                    /* ping period: half of WATCHDOG_USEC */
	int ready;                         /* READY=1 sent */
	int stopping;                      /* STOPPING=1 sent */
};

static void
watchdog_ping(void *arg)
{
	struct sdnotify *s = arg;

	if (s->ready || s->stopping)
		(void)sd_notify(0, "WATCHDOG=1");
	else
		(void)sd_notifyf(0, "WATCHDOG=1\nEXTEND_TIMEOUT_USEC=%llu",
		    (unsigned long long)s->wd_usec);
	loop_timer_arm(s->loop, &s->wd, s->wd_ms);
}

struct sdnotify *
sdnotify_new(struct loop *l)
{
	struct sdnotify *s = calloc(1, sizeof(*s));
	uint64_t usec = 0;

	if (s == NULL)
		return NULL;
	s->loop = l;
	loop_timer_init(&s->wd, watchdog_ping, s);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		s->wd_usec = usec;
		s->wd_ms = usec / 2000;
		if (s->wd_ms == 0)
			s->wd_ms = 1;
		watchdog_ping(s);
	}
	return s;
}

void
sdnotify_free(struct sdnotify *s)
{
	if (s == NULL)
		return;
	loop_timer_stop(s->loop, &s->wd);
	free(s);
}

uint64_t
sdnotify_watchdog_ms(const struct sdnotify *s)
{
	return s ? s->wd_ms : 0;
}

static void sdnotify_vsend(const char *head, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* "HEAD" then "STATUS=..." (fmt may be NULL: no status) in one datagram */
static void
sdnotify_vsend(const char *head, const char *fmt, va_list ap)
{
	char status[SDNOTIFY_STATUS_MAX];

	if (fmt == NULL) {
		(void)sd_notify(0, head);
		return;
	}
	vsnprintf(status, sizeof(status), fmt, ap);
	(void)sd_notifyf(0, "%s%sSTATUS=%s", head, head[0] ? "\n" : "", status);
}

int
sdnotify_ready(struct sdnotify *s, const char *fmt, ...)
{
	va_list ap;
	int first = s != NULL && !s->ready;

	if (s == NULL || s->stopping)
		return 0;
	s->ready = 1;
	va_start(ap, fmt);
	sdnotify_vsend(first ? "READY=1" : "", fmt, ap);
	va_end(ap);
	return first;
}

void
sdnotify_status(struct sdnotify *s, const char *fmt, ...)
{
	va_list ap;

	if (s == NULL || s->stopping)
		return;
	va_start(ap, fmt);
	sdnotify_vsend("", fmt, ap);
	va_end(ap);
}

void
sdnotify_reloading(struct sdnotify *s)
{
	if (s != NULL && s->ready && !s->stopping)
		(void)sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
}

/* RELOADING=1 and READY=1 again only once ready: a reload before the
 * first CONNACK must not announce a readiness the daemon does not have */
void
sdnotify_reloaded(struct sdnotify *s)
{
	if (s != NULL && s->ready && !s->stopping)
		(void)sd_notify(0, "READY=1\nSTATUS=configuration reloaded");
}

void
sdnotify_stopping(struct sdnotify *s)
{
	if (s == NULL || s->stopping)
		return;
	s->stopping = 1;
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
