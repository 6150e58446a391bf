/*
 * source_stream: a live stream behind the source ops (see source_stream.h).
 * The struct source is malloc()'d around the private state, as every
 * kind's is: source_free() calls close(), then frees it.
 */
#include "audio/source_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

enum stream_end { SE_NONE, SE_END, SE_TIMEOUT, SE_CUT };

struct stream_src {
	struct jitter *j;                  /* not owned */
	struct playout *pl;
	uint32_t timeout_ms;
	uint64_t created_ms;
	uint64_t silent_ms;                /* at the timeout: ms without a packet */
	uint64_t due_ms;                   /* the start on the monotonic clock, at most
	                                      SOURCE_STREAM_WAIT_MAX_MS after creation */
	enum stream_end end;
	char why[CX_ERR_MAX];
	void (*closed)(void *, const struct source_stream_stats *);
	void *closed_arg;
};

static int stream_timed_out(struct stream_src *ss)
{
	uint64_t now = clock_mono_ms(), last = jitter_last_put_ms(ss->j);

	if (jitter_end(ss->j, NULL))
		return 0;          /* the end is known: play up to it */
	if (last < ss->due_ms)
		last = ss->due_ms; /* none due before the start (bounded: see new) */
	if (now <= last || now - last <= ss->timeout_ms)
		return 0;
	ss->silent_ms = now - last;
	return 1;
}

static long stream_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	struct stream_src *ss = priv;
	int64_t next_us = t != NULL && t->next_us != 0 ? t->next_us : clock_wall_us();
	size_t k;

	if (ss->end != SE_NONE)
		return 0;
	if (stream_timed_out(ss)) {
		ss->end = SE_TIMEOUT;
		return 0;
	}
	if ((k = playout_fill(ss->pl, ss->j, pcm, n, next_us)) == 0) {
		ss->end = SE_END;
		return 0;
	}
	return (long)k;
}

static int stream_end_of(void *priv, struct cx_err *e)
{
	struct stream_src *ss = priv;

	switch (ss->end) {
	case SE_TIMEOUT:
		return cx_errf(e, "stream timed out: no packet in time for %llu ms",
		    (unsigned long long)ss->silent_ms);
	case SE_CUT:
		return cx_errf(e, "%s", ss->why);
	default:
		return 0;
	}
}

static const struct source_ops stream_ops;

static void stream_close(void *priv)
{
	struct stream_src *ss = priv;
	struct source s = { .priv = ss };
	struct source_stream_stats st;

	if (ss->closed != NULL) {
		s.ops = &stream_ops;
		source_stream_stats(&s, &st);
		ss->closed(ss->closed_arg, &st);
	}
	playout_free(ss->pl);
	free(ss);
}

static const struct source_ops stream_ops = {
	.name = "stream",
	.starve = STARVE_SILENCE,          /* never starves: silence is written by read() */
	.queue_ms = SOURCE_STREAM_QUEUE_MS,
	.read = stream_read,
	.end = stream_end_of,
	.close = stream_close,
};

struct source *source_stream_new(struct jitter *j, const struct playout_cfg *cfg,
    struct cx_err *e)
{
	struct source *s = malloc(sizeof(*s));
	struct stream_src *ss = calloc(1, sizeof(*ss));
	int64_t wait_ms;

	if (s == NULL || ss == NULL) {
		cx_errf(e, "stream: out of memory");
		goto fail;
	}
	if ((ss->pl = playout_new(cfg, e)) == NULL)
		goto fail;
	ss->j = j;
	ss->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : SOURCE_STREAM_TIMEOUT_MS;
	ss->created_ms = clock_mono_ms();
	wait_ms = (cfg->start_us - clock_wall_us()) / 1000;
	ss->due_ms = ss->created_ms + (uint64_t)(wait_ms < 0 ? 0 :
	    wait_ms > SOURCE_STREAM_WAIT_MAX_MS ? SOURCE_STREAM_WAIT_MAX_MS : wait_ms);
	s->ops = &stream_ops;
	s->priv = ss;
	return s;
fail:
	free(ss);
	free(s);
	return NULL;
}

void source_stream_cut(struct source *s, const char *why)
{
	struct stream_src *ss;

	if (s == NULL || s->ops != &stream_ops)
		return;
	ss = s->priv;
	if (ss->end != SE_NONE)
		return;
	ss->end = SE_CUT;
	snprintf(ss->why, sizeof(ss->why), "%s", why != NULL && *why ? why : "stream cut");
}

int source_stream_stats(const struct source *s, struct source_stream_stats *st)
{
	static const char *const names[] = { NULL, "end", "timeout", "cut" };
	const struct stream_src *ss;
	struct playout_stats ps;
	struct jitter_stats js;

	if (s == NULL || s->ops != &stream_ops)
		return -1;
	ss = s->priv;
	jitter_stats(ss->j, &js);
	playout_stats(ss->pl, &ps);
	memset(st, 0, sizeof(*st));
	st->received = js.packets;
	st->late = js.late;
	st->lost = js.lost;
	st->concealed = js.concealed;
	if (ps.started) {
		st->first_us = ps.first_us;
		st->last_us = ps.last_us;
	}
	st->sync_median_us = ps.sync_median_us;
	st->sync_max_us = ps.sync_max_us;
	st->resyncs = ps.resyncs;
	st->end = names[ss->end];
	return 0;
}

void source_stream_on_close(struct source *s,
    void (*cb)(void *arg, const struct source_stream_stats *st), void *arg)
{
	struct stream_src *ss;

	if (s == NULL || s->ops != &stream_ops)
		return;
	ss = s->priv;
	ss->closed = cb;
	ss->closed_arg = arg;
}
