/*
 * loop: one poll() loop with fd watches and monotonic timers.
 *
 * Timers live in an unsorted singly linked list: the daemon has a handful
 * (player tick, warm-up, hold, max-on, reconnect, mqtt housekeeping), so a
 * scan per iteration is cheaper than a heap and has no allocation.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/loop.h"

struct watch {
	int fd;
	short events;
	loop_fd_cb cb;
	void *arg;
};

struct loop {
	struct watch w[LOOP_MAX_FDS];
	int nw;
	uint64_t pass;                     /* fire_timers() passes */
	struct loop_timer *timers;
	void (*prepare)(void *);
	void *prepare_arg;
	int stop;
};

struct loop *
loop_new(struct cx_err *e)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		cx_errf(e, "loop: out of memory");
	return l;
}

void
loop_free(struct loop *l)
{
	free(l);
}

int
loop_watch(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	int i;

	for (i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd)
			break;
	if (i == l->nw) {
		if (l->nw == LOOP_MAX_FDS)
			return -1;
		l->nw++;
	}
	l->w[i].fd = fd;
	l->w[i].events = events;
	l->w[i].cb = cb;
	l->w[i].arg = arg;
	return 0;
}

int
loop_watch_events(struct loop *l, int fd, short events)
{
	int i;

	for (i = 0; i < l->nw; i++) {
		if (l->w[i].fd == fd) {
			l->w[i].events = events;
			return 0;
		}
	}
	return -1;
}

void
loop_unwatch(struct loop *l, int fd)
{
	int i;

	for (i = 0; i < l->nw; i++) {
		if (l->w[i].fd == fd) {
			l->w[i] = l->w[l->nw - 1];
			l->nw--;
			return;
		}
	}
}

void
loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

void
loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	struct loop_timer **pp;

	if (!t->armed)
		return;
	for (pp = &l->timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = 0;
	t->next = NULL;
}

void
loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms)
{
	loop_timer_stop(l, t);
	t->due_ms = clock_mono_ms() + delay_ms;
	t->pass = l->pass;
	t->armed = 1;
	t->next = l->timers;
	l->timers = t;
}

void
loop_set_prepare(struct loop *l, void (*cb)(void *arg), void *arg)
{
	l->prepare = cb;
	l->prepare_arg = arg;
}

/* Fire the timers due now, earliest first.  A callback may arm or stop
 * any timer, so the scan restarts after each one; a timer armed during
 * this pass waits for the next one (a 0 ms re-arm cannot spin). */
static void
fire_timers(struct loop *l)
{
	struct loop_timer *t, *best;
	uint64_t now;

	l->pass++;
	for (;;) {
		now = clock_mono_ms();
		best = NULL;
		for (t = l->timers; t != NULL; t = t->next)
			if (t->due_ms <= now && t->pass != l->pass &&
			    (best == NULL || t->due_ms < best->due_ms))
				best = t;
		if (best == NULL)
			return;
		loop_timer_stop(l, best);
		best->cb(best->arg);
	}
}

static int
next_timeout(struct loop *l, int max_wait_ms)
{
	struct loop_timer *t;
	uint64_t now = clock_mono_ms(), wait = UINT64_MAX;

	for (t = l->timers; t != NULL; t = t->next) {
		uint64_t d = t->due_ms > now ? t->due_ms - now : 0;
		if (d < wait)
			wait = d;
	}
	if (max_wait_ms >= 0 && (uint64_t)max_wait_ms < wait)
		wait = (uint64_t)max_wait_ms;
	if (wait == UINT64_MAX)
		return -1;
	return wait > 60000 ? 60000 : (int)wait;
}

int
loop_once(struct loop *l, int max_wait_ms)
{
	struct pollfd pfd[LOOP_MAX_FDS];
	struct watch snap[LOOP_MAX_FDS];
	int i, n, rc;

	fire_timers(l);
	if (l->prepare != NULL)
		l->prepare(l->prepare_arg);
	n = l->nw;
	memcpy(snap, l->w, sizeof(snap[0]) * (size_t)n);
	for (i = 0; i < n; i++) {
		pfd[i].fd = snap[i].fd;
		pfd[i].events = snap[i].events;
		pfd[i].revents = 0;
	}
	rc = poll(pfd, (nfds_t)n, l->stop ? 0 : next_timeout(l, max_wait_ms));
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n && rc > 0; i++) {
		if (pfd[i].revents == 0)
			continue;
		rc--;
		/* the watch may have been removed by an earlier callback */
		for (int j = 0; j < l->nw; j++) {
			if (l->w[j].fd == snap[i].fd && l->w[j].cb == snap[i].cb) {
				snap[i].cb(snap[i].arg, snap[i].fd, pfd[i].revents);
				break;
			}
		}
	}
	fire_timers(l);
	return 0;
}

int
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop)
		if (loop_once(l, -1) == -1)
			return -1;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}
