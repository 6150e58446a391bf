/*
 * player: one warning through amplifier, siren relay and sound device
 * (see player.h for the sequence).
 *
 * The program is a timeline of frames written to the sink.  Siren items
 * played on the relay are "spans" on that timeline; the relay follows the
 * pattern at the position the device has actually played (frames written
 * minus the device delay), so relay and loudspeaker stay in step.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clock.h"
#include "common/log.h"
#include "audio/clip.h"
#include "audio/tone.h"
#include "controller/player.h"

#define MAX_SPANS 8

enum pstate { P_IDLE, P_WARMUP, P_PLAY, P_DRAIN, P_HOLD };
enum src { SRC_NONE, SRC_CLIP, SRC_TONE, SRC_SILENCE };

struct span {
	uint64_t start, end;               /* frames on the program timeline */
	struct siren_pattern p;            /* a copy: SIGHUP may rewrite the config */
};

/* Clips whose SHA-256 was checked, by file identity: the check before a
 * relay closes must be cheap; clip_open() hashes the open file anyway. */
#define CLIP_CACHE 16
struct clip_seen {
	char name[CLIP_NAME_MAX + 1];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;             /* user space cannot set it */
	uint8_t sha256[32];
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
	struct alert a;
	int volume;
	int item, rep;                     /* next item to open */
	enum src src;
	struct clip *clip;
	struct tone_gen tone;
	struct siren_pattern tone_pat;     /* the pattern tone plays (a copy) */
	uint64_t silence_left;
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
	struct clip_seen seen[CLIP_CACHE];
	int nseen, nextseen;
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
	clip_close(p->clip);
	p->clip = NULL;
	p->src = SRC_NONE;
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

static const struct siren_pattern *
find_siren(const struct player *p, const char *name)
{
	return siren_find(name, p->cfg.sirens, p->cfg.nsirens);
}

static int
siren_skipped(const struct player *p)
{
	return p->a.status == ST_EXERCISE && !p->cfg.drill_siren;
}

/* SHA-256 of the clip file at path, from the cache if the file is the
 * same one (device, inode, size, modification time). */
static int
clip_sum(struct player *p, const char *name, const char *path, uint8_t sum[32],
    struct cx_err *e)
{
	struct clip_seen *c;
	struct stat st;
	int i;

	if (stat(path, &st) == -1)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	for (i = 0; i < p->nseen; i++) {
		c = &p->seen[i];
		if (strcmp(c->name, name) == 0 && c->dev == st.st_dev && c->ino == st.st_ino &&
		    c->size == st.st_size && c->mtime.tv_sec == st.st_mtim.tv_sec &&
		    c->mtime.tv_nsec == st.st_mtim.tv_nsec &&
		    c->ctime.tv_sec == st.st_ctim.tv_sec && c->ctime.tv_nsec == st.st_ctim.tv_nsec) {
			memcpy(sum, c->sha256, 32);
			return 0;
		}
	}
	if (file_sha256(path, sum, e) == -1)
		return -1;
	c = &p->seen[p->nextseen];
	p->nextseen = (p->nextseen + 1) % CLIP_CACHE;
	if (p->nseen < CLIP_CACHE)
		p->nseen++;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->size = st.st_size;
	c->mtime = st.st_mtim;
	c->ctime = st.st_ctim;
	memcpy(c->sha256, sum, 32);
	return 0;
}

int
player_check(struct player *p, const struct alert *a, struct cx_err *e)
{
	char path[512];
	uint8_t sum[32];
	int i;

	for (i = 0; i < a->nplay; i++) {
		const struct play_item *it = &a->play[i];

		if (it->kind != PLAY_CLIP && it->kind != PLAY_SIREN)
			return cx_errf(e, "stream/speech not supported");
		if (it->kind == PLAY_SIREN) {
			if (find_siren(p, it->name) == NULL)
				return cx_errf(e, "unknown siren signal '%s'", it->name);
			continue;
		}
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", p->cfg.clip_dir, it->name) >=
		    sizeof(path))
			return cx_errf(e, "clip %s: path too long", it->name);
		if (clip_sum(p, it->name, path, sum, e) == -1)
			return cx_err_prefix(e, "clip %s", it->name);
		if (memcmp(sum, it->sha256, sizeof(sum)) != 0)
			return cx_errf(e, "clip %s: SHA-256 mismatch", it->name);
	}
	return 0;
}

/* Open the next play item; 0 opened, 1 nothing left, -1 failed, 2 wait. */
static int
open_next(struct player *p)
{
	const struct play_item *it;
	const struct siren_pattern *sp;
	struct cx_err e;

	for (;;) {
		if (p->item == p->a.nplay) {
			p->item = 0;
			if (++p->rep >= p->a.repeat)
				return 1;
		}
		it = &p->a.play[p->item];
		if (it->kind == PLAY_CLIP) {
			if ((p->clip = clip_open(p->cfg.clip_dir, it->name, it->sha256, &e)) == NULL) {
				player_fail(p, "%s", e.msg);
				return -1;
			}
			p->src = SRC_CLIP;
			p->item++;
			return 0;
		}
		sp = find_siren(p, it->name);
		if (sp == NULL || siren_skipped(p)) {
			p->item++;
			continue;
		}
		if (p->cfg.siren_output & SIREN_OUT_RELAY) {
			if (p->nspans == MAX_SPANS)
				return 2;
			p->spans[p->nspans].start = p->written;
			p->spans[p->nspans].end = p->written + siren_duration_ms(sp) * (SINK_RATE / 1000);
			p->spans[p->nspans].p = *sp;
			p->nspans++;
		}
		if (p->cfg.siren_output & SIREN_OUT_SPEAKER) {
			p->tone_pat = *sp;
			tone_init(&p->tone, &p->tone_pat);
			p->src = SRC_TONE;
		} else {
			p->silence_left = siren_duration_ms(sp) * (SINK_RATE / 1000);
			p->src = SRC_SILENCE;
		}
		p->item++;
		return 0;
	}
}

/* Fill buf from the current source; 0 ok, 1 program ended, -1 failed, 2 wait. */
static int
refill(struct player *p)
{
	struct cx_err e;
	long n = 0;
	int rc;

	while (n == 0) {
		if (p->src == SRC_NONE && (rc = open_next(p)) != 0)
			return rc;
		switch (p->src) {
		case SRC_CLIP:
			if ((n = clip_read(p->clip, p->buf, PLAYER_CHUNK, &e)) < 0) {
				player_fail(p, "%s", e.msg);
				return -1;
			}
			break;
		case SRC_TONE:
			n = tone_read(&p->tone, p->buf, PLAYER_CHUNK);
			break;
		case SRC_SILENCE:
			n = p->silence_left < PLAYER_CHUNK ? (long)p->silence_left : PLAYER_CHUNK;
			memset(p->buf, 0, sizeof(p->buf));
			p->silence_left -= (uint64_t)n;
			break;
		case SRC_NONE:
			break;
		}
		if (n == 0)
			close_source(p);
	}
	pcm_gain(p->buf, (size_t)n, p->volume);
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

static void
feed(struct player *p)
{
	struct cx_err e;
	long n;
	int rc;

	while (p->st == P_PLAY) {
		if (p->bufpos == p->buflen) {
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
			p->h.finished(p->arg, !stuck, stuck ? "amplifier relay would not switch off" : "");
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
player_start(struct player *p, const struct alert *a, struct cx_err *e)
{
	if (p->st != P_IDLE)
		return cx_errf(e, "player busy");
	p->written = 0;
	p->first_ms = 0;
	p->last_ms = 0;
	p->underruns0 = sink_underruns(p->sink);
	if (player_check(p, a, e) == -1)
		return -1;
	p->a = *a;
	if (p->a.repeat < 1)
		p->a.repeat = 1;
	p->volume = a->volume == VOLUME_KEEP ? p->cfg.volume : a->volume;
	p->item = p->rep = 0;
	p->nspans = 0;
	p->buflen = p->bufpos = 0;
	p->src = SRC_NONE;
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

int
player_playable(const struct player *p, const struct alert *a)
{
	int i, n = 0;

	for (i = 0; i < a->nplay; i++)
		if (a->play[i].kind == PLAY_CLIP ||
		    !(a->status == ST_EXERCISE && !p->cfg.drill_siren))
			n++;
	return n;
}
