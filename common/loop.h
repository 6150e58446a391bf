/*
 * loop: the daemon's one poll() loop.
 *
 * Everything the daemon does happens in callbacks from loop_run(): file
 * descriptor readiness (MQTT socket, signalfd) and timers on the monotonic
 * clock (common/clock.h, so a fake clock drives them in tests).  Timers
 * are caller-owned structs, armed and stopped any number of times; a timer
 * callback may re-arm its own timer.  Watches and timers may be changed
 * from inside callbacks.
 */
#ifndef CX_LOOP_H
#define CX_LOOP_H

#include <stdint.h>
#include "common/err.h"

#define LOOP_MAX_FDS 16

struct loop;

typedef void (*loop_fd_cb)(void *arg, int fd, short revents);
typedef void (*loop_timer_cb)(void *arg);

struct loop_timer {
	uint64_t due_ms;                   /* monotonic */
	loop_timer_cb cb;
	void *arg;
	int armed;
	uint64_t pass;                     /* loop pass it was armed in */
	struct loop_timer *next;           /* the loop's list of armed timers */
};

struct loop *loop_new(struct cx_err *e);
void loop_free(struct loop *l);

int loop_watch(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg);
int loop_watch_events(struct loop *l, int fd, short events);
void loop_unwatch(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms);
void loop_timer_stop(struct loop *l, struct loop_timer *t);

/* Called before every poll(), e.g. to ask libmosquitto whether it wants to write. */
void loop_set_prepare(struct loop *l, void (*cb)(void *arg), void *arg);

/* One iteration: fire due timers, poll at most max_wait_ms (-1: until the
 * next timer), dispatch.  Returns -1 on a poll error other than EINTR. */
int loop_once(struct loop *l, int max_wait_ms);
int loop_run(struct loop *l);          /* until loop_stop() */
void loop_stop(struct loop *l);

#endif
