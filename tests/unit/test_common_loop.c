/*
 * test_ctrl_loop: the poll() loop (common/loop.h) under the fake clock.
 *
 * Timers are driven with clock_advance() then loop_once(l, 0) (a zero
 * wait: the fake clock does not move while poll() sleeps, so a test must
 * never let the loop wait for a timer).  File descriptor watches use real
 * pipes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/loop.h"

#define T0 5000000                 /* fake monotonic start, ms */

struct fx {
	struct loop *l;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cx_err e = { "" };

	if (f == NULL)
		return -1;
	clock_fake(1, T0, 1700000000);
	if ((f->l = loop_new(&e)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	loop_free(f->l);
	free(f);
	clock_fake(0, 0, 0);
	return 0;
}

/* A record of timer firings: which timer, at what fake time. */
struct rec {
	int n;
	int who[32];
	uint64_t at[32];
};

struct probe {
	struct rec *r;
	int id;
	struct loop *l;
	struct loop_timer t;
	int rearm_left;            /* re-arm from the callback this many times */
	uint64_t rearm_ms;
	struct loop_timer *stop_other;
	int stop_loop;
};

static void probe_cb(void *arg)
{
	struct probe *p = arg;

	assert_true(p->r->n < 32);
	p->r->who[p->r->n] = p->id;
	p->r->at[p->r->n] = clock_mono_ms();
	p->r->n++;
	if (p->stop_other != NULL)
		loop_timer_stop(p->l, p->stop_other);
	if (p->rearm_left > 0) {
		p->rearm_left--;
		loop_timer_arm(p->l, &p->t, p->rearm_ms);
	}
	if (p->stop_loop)
		loop_stop(p->l);
}

static void probe_init(struct probe *p, struct fx *f, struct rec *r, int id)
{
	memset(p, 0, sizeof(*p));
	p->r = r;
	p->id = id;
	p->l = f->l;
	loop_timer_init(&p->t, probe_cb, p);
}

static void step(struct fx *f, uint64_t ms)
{
	clock_advance(ms);
	assert_int_equal(loop_once(f->l, 0), 0);
}

/* Stepping 1 ms at a time, each timer fires exactly at its due time. */
static void test_timers_fire_when_due(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a, b, c;

	probe_init(&a, f, &r, 'A');
	probe_init(&b, f, &r, 'B');
	probe_init(&c, f, &r, 'C');
	loop_timer_arm(f->l, &a.t, 30);
	loop_timer_arm(f->l, &b.t, 10);
	loop_timer_arm(f->l, &c.t, 20);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(r.n, 0);                      /* nothing due yet */
	for (int i = 0; i < 40; i++)
		step(f, 1);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.who[0], 'B');
	assert_int_equal(r.at[0], T0 + 10);
	assert_int_equal(r.who[1], 'C');
	assert_int_equal(r.at[1], T0 + 20);
	assert_int_equal(r.who[2], 'A');
	assert_int_equal(r.at[2], T0 + 30);
	assert_false(a.t.armed || b.t.armed || c.t.armed);
}

static void test_not_early(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a;

	probe_init(&a, f, &r, 'A');
	loop_timer_arm(f->l, &a.t, 100);
	step(f, 99);
	assert_int_equal(r.n, 0);
	assert_true(a.t.armed);
	step(f, 1);
	assert_int_equal(r.n, 1);
	step(f, 1000);
	assert_int_equal(r.n, 1);                      /* one shot */
}

/*
 * When the loop wakes late (a slow disk write, a suspended board) several
 * timers are due at once: they must still fire in the order they fell
 * due, whatever order they were armed in.
 */
static void test_overdue_fire_in_due_order(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a, b, c;

	probe_init(&a, f, &r, 'A');
	probe_init(&b, f, &r, 'B');
	probe_init(&c, f, &r, 'C');
	loop_timer_arm(f->l, &a.t, 30);
	loop_timer_arm(f->l, &b.t, 10);
	loop_timer_arm(f->l, &c.t, 20);
	step(f, 50);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.who[0], 'B');
	assert_int_equal(r.who[1], 'C');
	assert_int_equal(r.who[2], 'A');
}

/* A callback re-arms its own timer: a periodic tick at exact intervals. */
static void test_rearm_from_callback(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a;

	probe_init(&a, f, &r, 'A');
	a.rearm_left = 4;
	a.rearm_ms = 10;
	loop_timer_arm(f->l, &a.t, 10);
	for (int i = 0; i < 100; i++)
		step(f, 1);
	assert_int_equal(r.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r.at[i], T0 + 10 * (uint64_t)(i + 1));
	assert_false(a.t.armed);
}

static void test_stop_and_rearm(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a, b;

	probe_init(&a, f, &r, 'A');
	probe_init(&b, f, &r, 'B');
	loop_timer_stop(f->l, &a.t);                   /* never armed: harmless */
	loop_timer_arm(f->l, &a.t, 10);
	loop_timer_arm(f->l, &b.t, 20);
	loop_timer_stop(f->l, &a.t);
	assert_false(a.t.armed);
	loop_timer_stop(f->l, &a.t);                   /* twice: harmless */
	step(f, 100);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.who[0], 'B');

	/* arming an armed timer moves it, it does not add a second firing */
	loop_timer_arm(f->l, &a.t, 10);
	loop_timer_arm(f->l, &a.t, 50);
	for (int i = 0; i < 100; i++)
		step(f, 1);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.who[1], 'A');
	assert_int_equal(r.at[1], T0 + 100 + 50);
}

/* A callback stops another timer that is due in the same pass: it must not fire. */
static void test_callback_stops_other(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a, b;

	probe_init(&a, f, &r, 'A');
	probe_init(&b, f, &r, 'B');
	a.stop_other = &b.t;
	b.stop_other = &a.t;
	loop_timer_arm(f->l, &a.t, 10);
	loop_timer_arm(f->l, &b.t, 10);
	step(f, 10);
	assert_int_equal(r.n, 1);
	step(f, 100);
	assert_int_equal(r.n, 1);
	assert_false(a.t.armed || b.t.armed);
}

struct fdprobe {
	struct loop *l;
	int calls;
	short revents;
	int read_it;
	int unwatch_fd;            /* -1: none */
	int stop_loop;
};

static void fd_cb(void *arg, int fd, short revents)
{
	struct fdprobe *p = arg;
	char c;

	p->calls++;
	p->revents = revents;
	if (p->read_it)
		assert_int_equal(read(fd, &c, 1), 1);
	if (p->unwatch_fd >= 0)
		loop_unwatch(p->l, p->unwatch_fd);
	if (p->stop_loop)
		loop_stop(p->l);
}

static void test_fd_watch_pipe(void **state)
{
	struct fx *f = *state;
	struct fdprobe p = { .l = f->l, .read_it = 1, .unwatch_fd = -1 };
	int pfd[2];

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(loop_watch(f->l, pfd[0], POLLIN, fd_cb, &p), 0);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 0);                  /* nothing to read */

	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 1);
	assert_true(p.revents & POLLIN);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 1);                  /* drained */

	/* events 0: readable but not asked for */
	assert_int_equal(loop_watch_events(f->l, pfd[0], 0), 0);
	assert_int_equal(write(pfd[1], "y", 1), 1);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(loop_watch_events(f->l, pfd[0], POLLIN), 0);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 2);
	assert_int_equal(loop_watch_events(f->l, 999, POLLIN), -1);

	/* unwatched: never called again */
	loop_unwatch(f->l, pfd[0]);
	assert_int_equal(write(pfd[1], "z", 1), 1);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 2);

	/* the write end closed: POLLHUP reaches the callback */
	p.read_it = 0;
	assert_int_equal(loop_watch(f->l, pfd[0], POLLIN, fd_cb, &p), 0);
	close(pfd[1]);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 3);
	assert_true(p.revents & (POLLIN | POLLHUP));
	loop_unwatch(f->l, pfd[0]);
	close(pfd[0]);
}

/* Watching an fd again replaces its watch; the table is bounded. */
static void test_watch_replace_and_limit(void **state)
{
	struct fx *f = *state;
	struct fdprobe p1 = { .l = f->l, .unwatch_fd = -1 }, p2 = { .l = f->l, .unwatch_fd = -1 };
	int pfd[2], i;

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(loop_watch(f->l, pfd[0], POLLIN, fd_cb, &p1), 0);
	assert_int_equal(loop_watch(f->l, pfd[0], POLLIN, fd_cb, &p2), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p1.calls, 0);
	assert_int_equal(p2.calls, 1);

	/* one used; 15 more fit, the 17th is refused */
	for (i = 1; i < LOOP_MAX_FDS; i++)
		assert_int_equal(loop_watch(f->l, 1000 + i, POLLIN, fd_cb, &p1), 0);
	assert_int_equal(loop_watch(f->l, 2000, POLLIN, fd_cb, &p1), -1);
	for (i = 1; i < LOOP_MAX_FDS; i++)
		loop_unwatch(f->l, 1000 + i);
	loop_unwatch(f->l, pfd[0]);
	close(pfd[0]);
	close(pfd[1]);
}

/* A callback removes another watch that is ready in the same poll: not called. */
static void test_unwatch_from_callback(void **state)
{
	struct fx *f = *state;
	struct fdprobe p1 = { .l = f->l, .read_it = 1 }, p2 = { .l = f->l, .read_it = 1 };
	int a[2], b[2];

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	p1.unwatch_fd = b[0];
	p2.unwatch_fd = a[0];
	assert_int_equal(loop_watch(f->l, a[0], POLLIN, fd_cb, &p1), 0);
	assert_int_equal(loop_watch(f->l, b[0], POLLIN, fd_cb, &p2), 0);
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p1.calls + p2.calls, 1);
	loop_unwatch(f->l, a[0]);
	loop_unwatch(f->l, b[0]);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
}

struct prep {
	int calls;
	int fd;
	struct loop *l;
};

static void prepare_cb(void *arg)
{
	struct prep *p = arg;

	p->calls++;
	loop_watch_events(p->l, p->fd, POLLOUT);       /* "want write" */
}

/* prepare runs before every poll, and what it changes applies to that poll. */
static void test_prepare(void **state)
{
	struct fx *f = *state;
	struct fdprobe p = { .l = f->l, .unwatch_fd = -1 };
	struct prep pr = { .l = f->l };
	int pfd[2];

	assert_int_equal(pipe(pfd), 0);
	pr.fd = pfd[1];
	assert_int_equal(loop_watch(f->l, pfd[1], 0, fd_cb, &p), 0);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(p.calls, 0);
	loop_set_prepare(f->l, prepare_cb, &pr);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(pr.calls, 1);
	assert_int_equal(p.calls, 1);
	assert_true(p.revents & POLLOUT);
	assert_int_equal(loop_once(f->l, 0), 0);
	assert_int_equal(pr.calls, 2);
	loop_set_prepare(f->l, NULL, NULL);
	loop_unwatch(f->l, pfd[1]);
	close(pfd[0]);
	close(pfd[1]);
}

/* loop_run returns once a callback calls loop_stop (here: an fd callback). */
static void test_run_stop_from_fd(void **state)
{
	struct fx *f = *state;
	struct fdprobe p = { .l = f->l, .read_it = 1, .unwatch_fd = -1, .stop_loop = 1 };
	int pfd[2];

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(loop_watch(f->l, pfd[0], POLLIN, fd_cb, &p), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(loop_run(f->l), 0);
	assert_int_equal(p.calls, 1);
	loop_unwatch(f->l, pfd[0]);
	close(pfd[0]);
	close(pfd[1]);
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	alarmed = 1;
}

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * loop_stop from a timer callback: loop_run must return at once, not
 * after sleeping in poll() until the next event.  An alarm after 1 s
 * interrupts poll() (EINTR), so a loop that does sleep is caught without
 * hanging the suite.
 */
static void test_run_stop_from_timer(void **state)
{
	struct fx *f = *state;
	struct rec r = { 0 };
	struct probe a;
	struct sigaction sa, old;
	uint64_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	probe_init(&a, f, &r, 'A');
	a.stop_loop = 1;
	loop_timer_arm(f->l, &a.t, 0);
	alarmed = 0;
	alarm(1);
	t = real_ms();
	assert_int_equal(loop_run(f->l), 0);
	t = real_ms() - t;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(r.n, 1);
	assert_false(alarmed);
	assert_true(t < 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timers_fire_when_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_early, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue_fire_in_due_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_rearm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_stops_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_watch_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_replace_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatch_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_stop_from_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_stop_from_timer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
