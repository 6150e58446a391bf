/*
 * test_audio_clip: clips are made at test time (sox synthesises a 1 kHz
 * second, opusenc encodes it) in a scratch directory; decoding is compared
 * with opusdec's.  Needs sox and opus-tools (make deps installs them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/clip.h"
#include "tests/unit/audio_util.h"

struct fx {
	char dir[64];
	uint8_t tone_sha[32];
	int16_t *ref;               /* opusdec's decoding of tone.opus */
	size_t ref_n;
};

static struct fx fx;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd);
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", fx.dir, name);
}

/* SHA-256 as sha256sum prints it, to check file_sha256 independently. */
static int sha256sum(const char *path, uint8_t out[32])
{
	char cmd[256], hex[65];
	FILE *p;
	int i, ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	ok = fscanf(p, "%64s", hex) == 1;
	pclose(p);
	for (i = 0; ok && i < 32; i++) {
		unsigned v;

		ok = sscanf(hex + 2 * i, "%2x", &v) == 1;
		out[i] = (uint8_t)v;
	}
	return ok ? 0 : -1;
}

static int group_setup(void **state)
{
	char wav[128], ref[128];
	uint8_t *b;
	size_t len;
	struct cx_err e;

	strcpy(fx.dir, "/tmp/cx-audio-clip-XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	if (sh("cd %s && sox -n -r 48000 -c 1 -b 16 tone.wav synth 1.0 sine 1000 vol 0.5"
	    " && sox -n -r 48000 -c 2 -b 16 stereo.wav synth 1.0 sine 1000 vol 0.5"
	    " && opusenc --quiet tone.wav tone.opus"
	    " && opusenc --quiet --max-delay 100 tone.wav paged.opus"
	    " && opusenc --quiet stereo.wav stereo.opus"
	    " && opusdec --quiet --rate 48000 --force-wav --no-dither tone.opus ref.wav",
	    fx.dir) != 0) {
		fprintf(stderr, "sox / opusenc / opusdec failed (make deps installs them)\n");
		return -1;
	}
	path_in(wav, sizeof(wav), "tone.opus");
	if (file_sha256(wav, fx.tone_sha, &e) == -1)
		return -1;
	path_in(ref, sizeof(ref), "ref.wav");
	if ((b = au_slurp(ref, &len)) == NULL)
		return -1;
	fx.ref = au_wav_samples(b, len, 1, 48000, &fx.ref_n);
	free(b);
	return fx.ref ? 0 : -1;
}

static int group_teardown(void **state)
{
	free(fx.ref);
	au_rmtree(fx.dir);
	return 0;
}

/* Decode a whole clip in odd-sized reads; caller frees. */
static int16_t *decode_all(struct clip *c, size_t *n, long *last)
{
	size_t cap = 96000, got = 0;
	int16_t *s = malloc(cap * sizeof(*s));
	struct cx_err e;
	long r;

	assert_non_null(s);
	while ((r = clip_read(c, s + got, 1234 < cap - got ? 1234 : cap - got, &e)) > 0) {
		got += (size_t)r;
		assert_true(got < cap);
	}
	*n = got;
	*last = r;
	return s;
}

static void test_sha256_matches_sha256sum(void **state)
{
	char p[128];
	uint8_t want[32], got[32];
	struct cx_err e;

	path_in(p, sizeof(p), "tone.opus");
	assert_int_equal(sha256sum(p, want), 0);
	assert_int_equal(file_sha256(p, got, &e), 0);
	assert_memory_equal(got, want, 32);
	assert_memory_equal(fx.tone_sha, want, 32);

	path_in(p, sizeof(p), "missing.opus");
	assert_int_equal(file_sha256(p, got, &e), -1);
	assert_non_null(strstr(e.msg, "No such file"));
	assert_int_equal(file_sha256(fx.dir, got, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
}

static void test_decodes_like_opusdec(void **state)
{
	struct cx_err e;
	struct clip *c = clip_open(fx.dir, "tone.opus", fx.tone_sha, &e);
	size_t n, i;
	long last, zc;
	int maxdiff = 0;
	int16_t *s;

	assert_non_null(c);
	s = decode_all(c, &n, &last);
	assert_int_equal(last, 0);
	assert_int_equal(n, 48000);         /* opusenc keeps the exact length */
	assert_int_equal(n, fx.ref_n);
	for (i = 0; i < n; i++)
		if (abs(s[i] - fx.ref[i]) > maxdiff)
			maxdiff = abs(s[i] - fx.ref[i]);
	assert_true(maxdiff <= 1);
	/* 1 kHz: 2 sign changes a millisecond (skip the codec's onset) */
	zc = au_zero_crossings(s + 4800, 38400);
	assert_in_range(zc, 1595, 1605);
	assert_int_equal(clip_read(c, s, 100, &e), 0);     /* stays at the end */
	free(s);
	clip_close(c);
}

static void test_stereo_averaged(void **state)
{
	char p[128];
	uint8_t sha[32];
	struct cx_err e;
	struct clip *c;
	size_t n;
	long last;
	int16_t *s;

	path_in(p, sizeof(p), "stereo.opus");
	assert_int_equal(file_sha256(p, sha, &e), 0);
	assert_non_null(c = clip_open(fx.dir, "stereo.opus", sha, &e));
	s = decode_all(c, &n, &last);
	assert_int_equal(last, 0);
	assert_int_equal(n, 48000);
	assert_in_range(au_zero_crossings(s + 4800, 38400), 1595, 1605);
	free(s);
	clip_close(c);
}

static void test_wrong_hash(void **state)
{
	uint8_t bad[32];
	struct cx_err e;

	memcpy(bad, fx.tone_sha, 32);
	bad[31] ^= 1;
	e.msg[0] = 0;
	assert_null(clip_open(fx.dir, "tone.opus", bad, &e));
	assert_string_equal(e.msg, "clip tone.opus: SHA-256 mismatch");
}

static void test_bad_names(void **state)
{
	static const char *bad[] = {
		"../x", ".hidden", "a/b", "", "/etc/passwd", "..", "a b", "x\n",
		"0123456789012345678901234567890123456789012345678901234567890123.opus",
	};
	struct cx_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = 0;
		assert_null(clip_open(fx.dir, bad[i], fx.tone_sha, &e));
		assert_non_null(strstr(e.msg, "invalid name"));
	}
	/* a path too long for the system is an error, not a truncation */
	{
		char dir[5000];

		memset(dir, 'd', sizeof(dir) - 1);
		dir[sizeof(dir) - 1] = 0;
		assert_null(clip_open(dir, "tone.opus", fx.tone_sha, &e));
		assert_non_null(strstr(e.msg, "path too long"));
	}
}

static void test_not_regular_or_missing(void **state)
{
	char p[128];
	struct cx_err e;

	assert_null(clip_open(fx.dir, "nothere.opus", fx.tone_sha, &e));
	assert_non_null(strstr(e.msg, "No such file"));
	path_in(p, sizeof(p), "fifo.opus");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_null(clip_open(fx.dir, "fifo.opus", fx.tone_sha, &e)); /* no hang */
	assert_non_null(strstr(e.msg, "not a regular file"));
	path_in(p, sizeof(p), "dir.opus");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_null(clip_open(fx.dir, "dir.opus", fx.tone_sha, &e));
	assert_non_null(strstr(e.msg, "not a regular file"));
}

static void test_too_big(void **state)
{
	char p[128];
	struct cx_err e;
	int fd;

	path_in(p, sizeof(p), "huge.opus");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)CLIP_MAX_BYTES + 1), 0);   /* sparse */
	close(fd);
	assert_null(clip_open(fx.dir, "huge.opus", fx.tone_sha, &e));
	assert_non_null(strstr(e.msg, "larger than"));
	unlink(p);
}

/* A file whose hash is right but whose content is not a clip. */
static void open_broken(const char *name, const void *data, size_t len,
    size_t *frames, long *last, int *opened)
{
	char p[128];
	uint8_t sha[32];
	struct cx_err e;
	struct clip *c;
	int16_t *s;

	path_in(p, sizeof(p), name);
	assert_int_equal(au_spit(p, data, len), 0);
	assert_int_equal(file_sha256(p, sha, &e), 0);
	e.msg[0] = 0;
	c = clip_open(fx.dir, name, sha, &e);
	*opened = c != NULL;
	*frames = 0;
	*last = 0;
	if (c == NULL) {
		assert_true(strncmp(e.msg, "clip ", 5) == 0);
		return;
	}
	s = decode_all(c, frames, last);
	free(s);
	clip_close(c);
}

/* Offset of the first Ogg page that starts at or after from, 0 if none. */
static size_t page_start_after(const uint8_t *b, size_t len, size_t from)
{
	size_t i;

	for (i = from; i + 4 <= len; i++)
		if (memcmp(b + i, "OggS", 4) == 0)
			return i;
	return 0;
}

static void test_garbage_and_truncated(void **state)
{
	char p[128];
	uint8_t *opus, *copy, junk[5000];
	size_t len = 0, frames, i, cut;
	long last;
	int opened;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7919 >> 3);
	open_broken("junk.opus", junk, sizeof(junk), &frames, &last, &opened);
	assert_false(opened);
	open_broken("empty.opus", junk, 0, &frames, &last, &opened);
	assert_false(opened);

	/* a clip in pages of 100 ms, to cut and damage */
	path_in(p, sizeof(p), "paged.opus");
	assert_non_null(opus = au_slurp(p, &len));
	/* cut inside the headers: no clip */
	open_broken("head.opus", opus, 60, &frames, &last, &opened);
	assert_false(opened);
	/* cut mid-page: the end does not match, the clip is refused */
	open_broken("half.opus", opus, len / 2, &frames, &last, &opened);
	if (opened) {
		assert_true(frames < 48000);
		assert_true(last == 0 || last == -1);
	}
	/* cut at a page boundary: a shorter, valid clip plays to its end */
	cut = page_start_after(opus, len, len / 2);
	assert_true(cut > 0);
	open_broken("short.opus", opus, cut, &frames, &last, &opened);
	assert_true(opened);
	assert_int_equal(last, 0);
	assert_in_range(frames, 4800, 47000);
	/* a page in the middle scrambled: skipped as a hole, the rest plays */
	assert_non_null(copy = malloc(len));
	memcpy(copy, opus, len);
	cut = page_start_after(opus, len, len / 2);
	for (i = cut + 60; i < cut + 160 && i < len; i++)
		copy[i] ^= 0x5a;
	open_broken("scrambled.opus", copy, len, &frames, &last, &opened);
	assert_true(opened);
	assert_int_equal(last, 0);
	assert_in_range(frames, 24000, 48000);
	free(copy);
	free(opus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_matches_sha256sum),
		cmocka_unit_test(test_decodes_like_opusdec),
		cmocka_unit_test(test_stereo_averaged),
		cmocka_unit_test(test_wrong_hash),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_not_regular_or_missing),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_garbage_and_truncated),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
