/*
 * player: one warning's program through amplifier, siren relay and sound
 * device (see player.h for the sequence).
 *
 * The program is a timeline of frames written to the sink.  Each item is
 * opened as a source (audio/source.h) by open_item(), the one switch over
 * item kinds.  Siren items played on the relay are also "spans" on that
 * timeline; the relay follows the pattern at the position the device has
 * actually played (frames written minus the device delay), so relay and
 * loudspeaker stay in step.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "audio/speech.h"
#include "audio/tone.h"
#include "controller/player.h"

#define MAX_SPANS 8
#define FRAMES_PER_MS (SINK_RATE / 1000)

enum pstate { P_IDLE, P_WARMUP, P_PLAY, P_DRAIN, P_HOLD };

struct span {
	uint64_t start, end;               /* frames on the program timeline */
	struct siren_pattern p;            /* the program's copy */
};

struct player {
	struct loop *loop;
	struct gpio *gpio;
	int amp, siren;
	struct sink *sink;
	struct player_cfg cfg;
	struct player_hooks h;
	void *arg;

	enum pstate st;
	struct program prog;               /* a copy of the program playing */
	int next, rep;                     /* next play-list item, pass */
	int fb_next, fb_end;               /* fallback items still to play */
	int cur;                           /* item the source plays */
	struct source *src;                /* NULL between items */
	int starved;                       /* the source said SOURCE_STARVED last */
	char reason[PLAYER_REASON_MAX];    /* first failure whose fallback played */
	struct span spans[MAX_SPANS];
	int nspans;
	int16_t buf[PLAYER_CHUNK];
	size_t buflen, bufpos;
	uint64_t written;
	uint32_t underruns0;
	uint64_t first_ms;
	uint64_t last_ms;          /* the device played its last sample (0: not yet) */
	uint64_t progress_ms;
	long last_delay;

	int started_pending;               /* call started() once the buffer is full */
	uint32_t offretry_ms;
	struct loop_timer tick, phase, maxon, offretry;
	struct clip_cache clips;
};

static void player_fail(struct player *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
relay(struct player *p, int idx, const char *role, int v)
{
	struct cx_err e;

	if (idx < 0 || gpio_value(p->gpio, idx) == v)
		return 0;
	if (gpio_set(p->gpio, idx, v, &e) == -1) {
		log_warnx("%s relay: %s", role, e.msg);
		return -1;
	}
	if (p->h.edge)
		p->h.edge(p->arg, role, v, clock_mono_ms());
	return 0;
}

static void
close_source(struct player *p)
{
	source_free(p->src);
	p->src = NULL;
	p->starved = 0;
}

/* 1 if every relay is off (as far as the lines report). */
static int
relays_off(const struct player *p)
{
	return gpio_value(p->gpio, p->amp) <= 0 &&
	    (p->siren < 0 || gpio_value(p->gpio, p->siren) <= 0);
}

/* A relay that would not switch off is tried again, backing off to 1 s,
 * until it does: the amplifier must not stay on. */
static void
offretry_cb(void *arg)
{
	struct player *p = arg;

	if (p->st != P_IDLE)
		return;            /* a new warning owns the relays now */
	relay(p, p->siren, "siren", 0);
	relay(p, p->amp, "amp", 0);
	if (relays_off(p)) {
		log_info("relays off after %u ms of retries", p->offretry_ms);
		return;
	}
	p->offretry_ms = p->offretry_ms < 1000 ? p->offretry_ms * 2 : 1000;
	loop_timer_arm(p->loop, &p->offretry, p->offretry_ms);
}

/* Everything off, timers stopped, back to idle.  Returns -1 if a relay
 * did not switch off (a retry timer keeps trying). */
static int
all_off(struct player *p)
{
	loop_timer_stop(p->loop, &p->tick);
	loop_timer_stop(p->loop, &p->phase);
	loop_timer_stop(p->loop, &p->maxon);
	if (p->st == P_PLAY || p->st == P_DRAIN) {
		sink_drop(p->sink);
		if (p->first_ms != 0)
			p->last_ms = clock_mono_ms();  /* the sound stops now */
	}
	close_source(p);
	relay(p, p->siren, "siren", 0);
	relay(p, p->amp, "amp", 0);
	p->st = P_IDLE;
	p->started_pending = 0;
	if (relays_off(p))
		return 0;
	log_warnx("a relay did not switch off; retrying");
	p->offretry_ms = 100;
	loop_timer_arm(p->loop, &p->offretry, p->offretry_ms);
	return -1;
}

static void
player_fail(struct player *p, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (all_off(p) == -1)
		strncat(reason, "; relay stuck on", sizeof(reason) - strlen(reason) - 1);
	if (p->h.finished)
		p->h.finished(p->arg, 0, reason);
}

int
player_check(struct player *p, const struct program *pg, struct cx_err *e)
{
	return program_check(pg, &p->clips, e);
}

/* The item that plays next, -1 at the end of the program; moves past
 * items that play in the first pass only, nothing else. */
static int
peek_next(struct player *p)
{
	for (;;) {
		if (p->fb_next < p->fb_end)
			return p->fb_next;
		if (p->next >= p->prog.nmain) {
			if (p->prog.nmain == 0 || p->rep + 1 >= p->prog.repeat)
				return -1;
			p->next = 0;
			p->rep++;
		}
		if (p->rep > 0 && p->prog.item[p->next].once) {
			p->next++;
			continue;
		}
		return p->next;
	}
}

static void
advance(struct player *p)
{
	if (p->fb_next < p->fb_end)
		p->fb_next++;
	else
		p->next++;
}

/* A siren: its pattern synthesised (speaker) or its length in silence,
 * and a span on the timeline for the relay.  2: no room for a span yet. */
static int
open_siren(struct player *p, const struct program_item *it, struct cx_err *e)
{
	uint64_t frames = siren_duration_ms(&it->siren) * FRAMES_PER_MS;
	struct span *sp;

	if (it->relay && p->nspans == MAX_SPANS)
		return 2;
	p->src = it->speaker ? source_tone_new(&it->siren, e) : source_silence_new(frames, e);
	if (p->src == NULL)
		return -1;
	if (it->relay) {
		sp = &p->spans[p->nspans++];
		sp->start = p->written;
		sp->end = p->written + frames;
		sp->p = it->siren;
	}
	return 0;
}

/* The one switch over item kinds: 0 p->src open, 2 wait, -1 failed (e). */
static int
open_item(struct player *p, const struct program_item *it, struct cx_err *e)
{
	switch (it->kind) {
	case PLAY_CLIP:
		p->src = source_clip_new(p->prog.clip_dir, it->name, it->sha256, e);
		return p->src != NULL ? 0 : -1;
	case PLAY_SIREN:
		return open_siren(p, it, e);
	case PLAY_SPEECH:
		p->src = source_speech_new(p->prog.text, it->name, e);
		return p->src != NULL ? 0 : -1;
	default:           /* a stream: the node feeds it (h.open) */
		if (p->h.open == NULL)
			return cx_errf(e, "play item kind %d: not supported yet", (int)it->kind);
		p->src = p->h.open(p->arg, it, e);
		return p->src != NULL ? 0 : -1;
	}
}

/* Item idx failed, for `why`: its fallbacks play next (0), or the warning
 * fails (-1, player_fail called). */
static int
item_failed(struct player *p, int idx, const char *why)
{
	const struct program_item *it = &p->prog.item[idx];

	if (it->fallback_n > 0) {
		log_warnx("warning %s: %s; playing its fallback", p->prog.id, why);
		if (p->reason[0] == '\0')
			snprintf(p->reason, sizeof(p->reason), "%s", why);
		p->fb_next = it->fallback_first;
		p->fb_end = it->fallback_first + it->fallback_n;
		return 0;
	}
	if (p->reason[0] != '\0')
		player_fail(p, "%s; then %s", p->reason, why);
	else
		player_fail(p, "%s", why);
	return -1;
}

/* Open the next item; 0 opened, 1 nothing left, -1 failed, 2 wait. */
static int
open_next(struct player *p)
{
	struct cx_err e;
	int idx, rc;

	for (;;) {
		if ((idx = peek_next(p)) == -1)
			return 1;
		if ((rc = open_item(p, &p->prog.item[idx], &e)) == 2)
			return 2;
		advance(p);
		if (rc == 0) {
			p->cur = idx;
			return 0;
		}
		if (item_failed(p, idx, e.msg) == -1)
			return -1;
	}
}

/* When the next sample read will sound: where the device really is
 * (sink_timing), plus what is still in buf, plus the output offset.  A
 * device that cannot say (not started yet) is taken to start now. */
static void
source_time_now(const struct player *p, struct source_time *t)
{
	uint64_t ahead = p->buflen - p->bufpos;
	struct sink_timing st;

	if (sink_timing(p->sink, &st) == 0) {
		t->next_us = sink_timing_next_us(&st, p->cfg.output_offset_us);
	} else {
		long d = sink_delay(p->sink);

		ahead += (uint64_t)(d > 0 ? d : 0);
		t->next_us = clock_wall_us() + p->cfg.output_offset_us;
	}
	t->next_us += (int64_t)(ahead * 1000000 / SINK_RATE);
}

/* The source has nothing now: silence for a STARVE_SILENCE source while
 * the device runs low (0), else wait for the next tick (2). */
static int
starved(struct player *p)
{
	const size_t chunk = PLAYER_TICK_MS * FRAMES_PER_MS;

	p->starved = 1;
	if (source_starve(p->src) != STARVE_SILENCE ||
	    sink_delay(p->sink) >= PLAYER_STARVE_FILL_MS * FRAMES_PER_MS)
		return 2;
	memset(p->buf, 0, chunk * sizeof(p->buf[0]));
	p->buflen = chunk;
	p->bufpos = 0;
	return 0;
}

/* Fill buf from the current source; 0 ok, 1 program ended, -1 failed, 2 wait. */
static int
refill(struct player *p)
{
	struct source_time t;
	struct cx_err e;
	long n = 0;
	int rc;

	while (n == 0) {
		if (p->src == NULL && (rc = open_next(p)) != 0)
			return rc;
		source_time_now(p, &t);
		n = source_read(p->src, p->buf, PLAYER_CHUNK, &t, &e);
		if (n == SOURCE_STARVED)
			return starved(p);
		p->starved = 0;
		if (n > 0 && p->prog.skip_frames > 0) {     /* resuming: played before */
			uint64_t d = (uint64_t)n < p->prog.skip_frames ? (uint64_t)n :
			    p->prog.skip_frames;
			p->prog.skip_frames -= d;
			n -= (long)d;
			if (n == 0)
				continue;
			memmove(p->buf, p->buf + d, (size_t)n * sizeof(p->buf[0]));
		}
		if (n > 0)
			break;
		rc = n < 0 ? -1 : source_end(p->src, &e);
		close_source(p);
		if (rc == -1 && item_failed(p, p->cur, e.msg) == -1)
			return -1;
		n = 0;
	}
	pcm_gain(p->buf, (size_t)n, p->prog.volume);
	p->buflen = (size_t)n;
	p->bufpos = 0;
	return 0;
}

static void
follow_siren_relay(struct player *p)
{
	long d = sink_delay(p->sink);
	uint64_t played = p->written > (uint64_t)(d > 0 ? d : 0) ? p->written - (uint64_t)d : 0;
	int on = 0, i = 0;

	while (i < p->nspans) {
		struct span *s = &p->spans[i];

		if (played >= s->end) {
			memmove(s, s + 1, sizeof(*s) * (size_t)(p->nspans - i - 1));
			p->nspans--;
			continue;
		}
		if (played >= s->start &&
		    siren_on_at(&s->p, (played - s->start) * 1000 / SINK_RATE))
			on = 1;
		i++;
	}
	if (relay(p, p->siren, "siren", on) == -1 && on)
		player_fail(p, "siren relay failed");
}

static void
begin_drain_or_hold(struct player *p)
{
	if (sink_delay(p->sink) > 0 || p->nspans > 0)
		return;
	relay(p, p->siren, "siren", 0);
	p->last_ms = clock_mono_ms();
	p->st = P_HOLD;
	loop_timer_stop(p->loop, &p->tick);
	loop_timer_arm(p->loop, &p->phase, p->cfg.hold_ms);
}

/* A source read close to when it sounds (a live stream) keeps only its
 * queue_ms on the device, not the whole device buffer. */
static int
queue_full(struct player *p)
{
	uint32_t q;

	if (p->src == NULL || (q = source_queue_ms(p->src)) == 0)
		return 0;
	if (p->cfg.stream_queue_ms != 0)   /* the node's own setting */
		q = p->cfg.stream_queue_ms;
	return sink_delay(p->sink) >= (long)(q * FRAMES_PER_MS);
}

static void
feed(struct player *p)
{
	struct cx_err e;
	long n;
	int rc;

	while (p->st == P_PLAY) {
		if (p->bufpos == p->buflen) {
			if (queue_full(p))
				break;
			if ((rc = refill(p)) == -1)
				return;
			if (rc == 1) {
				sink_stop(p->sink);        /* the rest plays out */
				p->st = P_DRAIN;
				break;
			}
			if (rc == 2)
				break;
		}
		n = sink_write(p->sink, p->buf + p->bufpos, p->buflen - p->bufpos, &e);
		if (n < 0) {
			player_fail(p, "audio device: %s", e.msg);
			return;
		}
		if (n == 0)
			break;
		if (p->first_ms == 0) {
			p->first_ms = clock_mono_ms();
			p->started_pending = 1;
		}
		p->bufpos += (size_t)n;
		p->written += (uint64_t)n;
		p->progress_ms = clock_mono_ms();
	}
	/* Only now, with the device buffer full: what started() does (a
	 * receipt, fsync'd) must not starve the first samples. */
	if (p->started_pending) {
		p->started_pending = 0;
		if (p->h.started)
			p->h.started(p->arg);
	}
}

static void
tick_cb(void *arg)
{
	struct player *p = arg;
	long d;

	feed(p);
	if (p->st != P_PLAY && p->st != P_DRAIN)
		return;
	follow_siren_relay(p);
	if (p->st == P_IDLE)
		return;
	d = sink_delay(p->sink);
	if (d != p->last_delay) {
		if (d < p->last_delay)
			p->progress_ms = clock_mono_ms();
		p->last_delay = d;
	}
	if (clock_mono_ms() - p->progress_ms > PLAYER_STALL_MS) {
		if (p->starved && p->src != NULL)
			player_fail(p, "audio stalled: the %s gave nothing for %d ms",
			    source_name(p->src), PLAYER_STALL_MS);
		else
			player_fail(p, "audio device stalled");
		return;
	}
	if (p->st == P_DRAIN) {
		begin_drain_or_hold(p);
		if (p->st == P_HOLD)
			return;
	}
	loop_timer_arm(p->loop, &p->tick, PLAYER_TICK_MS);
}

static void
phase_cb(void *arg)
{
	struct player *p = arg;
	struct cx_err e;

	if (p->st == P_WARMUP) {
		if (sink_start(p->sink, &e) == -1) {
			player_fail(p, "audio device: %s", e.msg);
			return;
		}
		p->st = P_PLAY;
		p->progress_ms = clock_mono_ms();
		p->last_delay = 0;
		tick_cb(p);
		return;
	}
	if (p->st == P_HOLD) {
		int stuck = all_off(p) == -1;

		if (p->h.finished)
			p->h.finished(p->arg, !stuck,
			    stuck ? "amplifier relay would not switch off" : p->reason);
	}
}

static void
maxon_cb(void *arg)
{
	struct player *p = arg;

	log_warnx("player: maximum on-time (%u ms) reached, switching off", p->cfg.max_on_ms);
	player_fail(p, "maximum on-time reached");
}

int
player_start(struct player *p, const struct program *pg, struct cx_err *e)
{
	if (p->st != P_IDLE)
		return cx_errf(e, "player busy");
	p->written = 0;
	p->first_ms = 0;
	p->last_ms = 0;
	p->reason[0] = '\0';
	p->underruns0 = sink_underruns(p->sink);
	if (player_check(p, pg, e) == -1)
		return -1;
	p->prog = *pg;
	if (p->prog.repeat < 1)
		p->prog.repeat = 1;
	p->next = p->rep = 0;
	p->fb_next = p->fb_end = 0;
	p->cur = -1;
	p->nspans = 0;
	p->buflen = p->bufpos = 0;
	close_source(p);
	if (relay(p, p->amp, "amp", 1) == -1) {
		all_off(p);
		return cx_errf(e, "amplifier relay failed");
	}
	p->st = P_WARMUP;
	loop_timer_arm(p->loop, &p->maxon, p->cfg.max_on_ms);
	loop_timer_arm(p->loop, &p->phase, p->cfg.warmup_ms);
	return 0;
}

int
player_abort(struct player *p)
{
	if (p->st != P_IDLE)
		return all_off(p);
	return 0;
}

int
player_busy(const struct player *p)
{
	return p->st != P_IDLE;
}

void
player_get_stats(const struct player *p, struct player_stats *st)
{
	st->frames = p->written;
	st->underruns = sink_underruns(p->sink) - p->underruns0;
	st->first_sample_mono_ms = p->first_ms;
	st->last_sample_mono_ms = p->last_ms;
	memcpy(st->reason, p->reason, sizeof(st->reason));
}

void
player_set_cfg(struct player *p, const struct player_cfg *cfg)
{
	p->cfg = *cfg;
}

struct player *
player_new(struct loop *l, struct gpio *g, int amp_idx, int siren_idx, struct sink *s,
    const struct player_cfg *cfg, const struct player_hooks *h, void *arg)
{
	struct player *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->loop = l;
	p->gpio = g;
	p->amp = amp_idx;
	p->siren = siren_idx;
	p->sink = s;
	p->cfg = *cfg;
	p->h = *h;
	p->arg = arg;
	loop_timer_init(&p->tick, tick_cb, p);
	loop_timer_init(&p->phase, phase_cb, p);
	loop_timer_init(&p->maxon, maxon_cb, p);
	loop_timer_init(&p->offretry, offretry_cb, p);
	return p;
}

void
player_free(struct player *p)
{
	if (p == NULL)
		return;
	player_abort(p);
	loop_timer_stop(p->loop, &p->offretry);
	free(p);
}
