/*
 * program: a warning's play list turned into what the player plays
 * (see program.h).  The one switch over play item kinds that decides what
 * an item needs is add_item(); the player has the other one (opening an
 * item as a source).  New kinds (stream, speech: issue 6) get a case in
 * both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audio/clip.h"
#include "controller/player.h"
#include "controller/program.h"

static struct program_item *
new_item(struct program *pg, struct cx_err *e)
{
	struct program_item *pi;

	if (pg->n == PROGRAM_MAX) {
		cx_errf(e, "more than %d items to play", PROGRAM_MAX);
		return NULL;
	}
	pi = &pg->item[pg->n++];
	memset(pi, 0, sizeof(*pi));
	return pi;
}

static int
add_clip(struct program *pg, const struct play_item *it, struct cx_err *e)
{
	struct program_item *pi = new_item(pg, e);

	if (pi == NULL)
		return -1;
	pi->kind = PLAY_CLIP;
	memcpy(pi->name, it->name, sizeof(pi->name));
	memcpy(pi->sha256, it->sha256, sizeof(pi->sha256));
	return 0;
}

static int
add_siren(struct program *pg, const struct play_item *it, const struct player_cfg *cfg,
    struct cx_err *e)
{
	const struct siren_pattern *sp = siren_find(it->name, cfg->sirens, cfg->nsirens);
	struct program_item *pi;

	if (sp == NULL)
		return cx_errf(e, "unknown siren signal '%s'", it->name);
	if (pg->status == ST_EXERCISE && !cfg->drill_siren)
		return 0;                      /* drills sound no siren */
	if ((pi = new_item(pg, e)) == NULL)
		return -1;
	pi->kind = PLAY_SIREN;
	memcpy(pi->name, it->name, sizeof(pi->name));
	pi->siren = *sp;
	pi->relay = (cfg->siren_output & SIREN_OUT_RELAY) != 0;
	pi->speaker = (cfg->siren_output & SIREN_OUT_SPEAKER) != 0;
	return 0;
}

static int
add_speech(struct program *pg, const struct play_item *it, struct cx_err *e)
{
	struct program_item *pi = new_item(pg, e);

	if (pi == NULL)
		return -1;
	pi->kind = PLAY_SPEECH;
	memcpy(pi->name, it->name, sizeof(pi->name));
	return 0;
}

/* The stream item plays once (repeat repeats the rest); its fallbacks go
 * after the play list, added by add_fallbacks() once the list is built. */
static int
add_stream(struct program *pg, const struct alert *a, struct cx_err *e)
{
	struct program_item *pi;

	if (!a->has_stream || pg->has_stream)
		return cx_errf(e, "stream item without its announcement");
	if ((pi = new_item(pg, e)) == NULL)
		return -1;
	pi->kind = PLAY_STREAM;
	pi->once = 1;
	snprintf(pi->name, sizeof(pi->name), "%s", a->stream.id);
	pg->has_stream = 1;
	snprintf(pg->stream.id, sizeof(pg->stream.id), "%s", a->stream.id);
	snprintf(pg->stream.key_b64, sizeof(pg->stream.key_b64), "%s", a->stream.key_b64);
	pg->stream.delay_ms = a->stream.delay_ms;
	pg->stream.start_ms = a->stream.start_ms;
	return 0;
}

static int
add_fallbacks(struct program *pg, const struct alert *a, struct cx_err *e)
{
	int i, si, first = pg->n;

	for (si = 0; si < pg->nmain && pg->item[si].kind != PLAY_STREAM; si++)
		;
	if (si == pg->nmain || a->stream.nfallback == 0)
		return 0;
	for (i = 0; i < a->stream.nfallback && i < STREAM_FALLBACK_MAX; i++) {
		const struct play_item *it = &a->stream.fallback[i];

		if ((it->kind == PLAY_CLIP ? add_clip(pg, it, e) :
		    it->kind == PLAY_SPEECH ? add_speech(pg, it, e) :
		    cx_errf(e, "stream fallback: clips and speech only")) == -1)
			return -1;
	}
	pg->item[si].fallback_first = first;
	pg->item[si].fallback_n = pg->n - first;
	return 0;
}

/* One play item of the warning onto the program. */
static int
add_item(struct program *pg, const struct alert *a, const struct play_item *it,
    const struct player_cfg *cfg, struct cx_err *e)
{
	switch (it->kind) {
	case PLAY_CLIP:
		return add_clip(pg, it, e);
	case PLAY_SIREN:
		return add_siren(pg, it, cfg, e);
	case PLAY_STREAM:
		return add_stream(pg, a, e);
	case PLAY_SPEECH:
		return add_speech(pg, it, e);
	default:
		return cx_errf(e, "play item kind %d: not supported yet", (int)it->kind);
	}
}

int
program_add_chime(struct program *pg, struct cx_err *e)
{
	static const uint32_t hz[2] = { PROGRAM_CHIME_HZ1, PROGRAM_CHIME_HZ2 };
	int i;

	if (pg->n + 2 > PROGRAM_MAX)
		return cx_errf(e, "more than %d items to play", PROGRAM_MAX);
	memmove(&pg->item[2], &pg->item[0], sizeof(pg->item[0]) * (size_t)pg->n);
	for (i = 2; i < pg->n + 2; i++)
		if (pg->item[i].fallback_n > 0)
			pg->item[i].fallback_first += 2;
	for (i = 0; i < 2; i++) {
		struct program_item *it = &pg->item[i];

		memset(it, 0, sizeof(*it));
		it->kind = PLAY_SIREN;
		snprintf(it->name, sizeof(it->name), "chime-%d", i + 1);
		snprintf(it->siren.name, sizeof(it->siren.name), "chime-%d", i + 1);
		it->siren.on_ms = PROGRAM_CHIME_TONE_MS;
		it->siren.cycles = 1;
		it->siren.tone = TONE_STEADY;
		it->siren.freq_hz = hz[i];
		it->speaker = 1;
	}
	pg->n += 2;
	pg->nmain += 2;
	return 0;
}

int
program_build(struct program *pg, const struct alert *a, const struct player_cfg *cfg,
    struct cx_err *e)
{
	int i;

	memset(pg, 0, sizeof(*pg));
	snprintf(pg->id, sizeof(pg->id), "%s", a->id);
	pg->status = a->status;
	pg->repeat = a->repeat < 1 ? 1 : a->repeat;
	pg->volume = a->volume == VOLUME_KEEP ? cfg->volume : a->volume;
	if (cfg->clip_dir == NULL ||
	    (size_t)snprintf(pg->clip_dir, sizeof(pg->clip_dir), "%s", cfg->clip_dir) >=
	    sizeof(pg->clip_dir))
		return cx_errf(e, "clip directory: path too long");
	memcpy(pg->text, a->text, sizeof(pg->text));
	for (i = 0; i < a->nplay && i < ALERT_MAX_PLAY; i++)
		if (add_item(pg, a, &a->play[i], cfg, e) == -1)
			return -1;
	pg->nmain = pg->n;
	return add_fallbacks(pg, a, e);
}

static int
same_file(const struct clip_seen *c, const char *name, const struct stat *st)
{
	return strcmp(c->name, name) == 0 && c->dev == st->st_dev && c->ino == st->st_ino &&
	    c->size == st->st_size && c->mtime.tv_sec == st->st_mtim.tv_sec &&
	    c->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    c->ctime.tv_sec == st->st_ctim.tv_sec && c->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* SHA-256 of the clip file at path, from the cache if the file is the
 * same one (device, inode, size, modification and change times). */
static int
clip_sum(struct clip_cache *cc, const char *name, const char *path, uint8_t sum[32],
    struct cx_err *e)
{
	struct clip_seen *c;
	struct stat st;
	int i;

	if (stat(path, &st) == -1)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	for (i = 0; cc != NULL && i < cc->n; i++)
		if (same_file(&cc->seen[i], name, &st)) {
			memcpy(sum, cc->seen[i].sha256, 32);
			return 0;
		}
	if (file_sha256(path, sum, e) == -1)
		return -1;
	if (cc == NULL)
		return 0;
	c = &cc->seen[cc->next];
	cc->next = (cc->next + 1) % CLIP_CACHE;
	if (cc->n < CLIP_CACHE)
		cc->n++;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->size = st.st_size;
	c->mtime = st.st_mtim;
	c->ctime = st.st_ctim;
	memcpy(c->sha256, sum, 32);
	return 0;
}

static int
check_clip(const struct program *pg, const struct program_item *it, struct clip_cache *cc,
    struct cx_err *e)
{
	char path[CFG_PATH_MAX + CLIP_NAME_MAX + 2];
	uint8_t sum[32];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", pg->clip_dir, it->name) >=
	    sizeof(path))
		return cx_errf(e, "clip %s: path too long", it->name);
	if (clip_sum(cc, it->name, path, sum, e) == -1)
		return cx_err_prefix(e, "clip %s", it->name);
	if (memcmp(sum, it->sha256, sizeof(sum)) != 0)
		return cx_errf(e, "clip %s: SHA-256 mismatch", it->name);
	return 0;
}

/* Counts and fallback ranges within the program: the player indexes by them. */
static int
check_shape(const struct program *pg, struct cx_err *e)
{
	int i;

	if (pg->n < 0 || pg->n > PROGRAM_MAX || pg->nmain < 0 || pg->nmain > pg->n)
		return cx_errf(e, "program of %d items, %d in the play list: invalid", pg->n,
		    pg->nmain);
	for (i = 0; i < pg->n; i++) {
		const struct program_item *it = &pg->item[i];

		if (it->fallback_n == 0)
			continue;
		if (i >= pg->nmain || it->fallback_n < 0 || it->fallback_first < pg->nmain ||
		    it->fallback_first > pg->n - it->fallback_n)
			return cx_errf(e, "program item %d: invalid fallback", i);
	}
	return 0;
}

/* The play list only: a fallback is opened (and checked) when it is needed,
 * so a missing fallback clip cannot keep the rest of a warning silent. */
int
program_check(const struct program *pg, struct clip_cache *cache, struct cx_err *e)
{
	int i;

	if (check_shape(pg, e) == -1)
		return -1;
	for (i = 0; i < pg->nmain; i++) {
		const struct program_item *it = &pg->item[i];

		switch (it->kind) {
		case PLAY_CLIP:
			if (check_clip(pg, it, cache, e) == -1)
				return -1;
			break;
		case PLAY_SIREN:
			if (siren_duration_ms(&it->siren) == 0)
				return cx_errf(e, "unknown siren signal '%s'", it->name);
			break;
		case PLAY_SPEECH:
			if (pg->text[0] == '\0')
				return cx_errf(e, "speech item without text");
			break;
		default:
			break;     /* a stream: its opener checks it */
		}
	}
	return 0;
}
