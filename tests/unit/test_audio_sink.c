/*
 * test_audio_sink: the three backends through the public sink API.
 * The paced sinks ("file:", "null:") run under the fake clock, so their
 * figures are exact.  The ALSA sink runs against real alsa-lib with a
 * generated configuration (ALSA_CONFIG_PATH) whose "file" PCM writes what
 * it is given into a raw file: no sound card needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <alsa/asoundlib.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/sink.h"
#include "common/clock.h"
#include "tests/unit/audio_util.h"

#define FPMS 48
#define CAP (SINK_BUFFER_MS * FPMS)          /* 9600 frames */

static char dir[64];

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* A recognisable signal: every sample differs from its neighbours. */
static int16_t *signal_new(size_t n, unsigned seed)
{
	int16_t *s = malloc(n * sizeof(*s));
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (int16_t)((i * 2654435761u + seed * 40503u) >> 13);
	return s;
}

static void alsa_quiet(const char *file, int line, const char *fn, int err,
    const char *fmt, ...)
{
}

static int group_setup(void **state)
{
	char conf[128], raw[128];
	FILE *f;

	strcpy(dir, "/tmp/cx-audio-sink-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	path_in(conf, sizeof(conf), "asound.conf");
	path_in(raw, sizeof(raw), "alsa.raw");
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	/* ALSA_CONFIG_PATH replaces the search path: the system config first */
	fprintf(f, "</usr/share/alsa/alsa.conf>\n"
	    "pcm.capture_file { type file slave.pcm \"null\" file \"%s\" format \"raw\" }\n",
	    raw);
	if (fclose(f) != 0)
		return -1;
	/* before alsa-lib reads its configuration; drop any cached copy */
	setenv("ALSA_CONFIG_PATH", conf, 1);
	snd_config_update_free_global();
	snd_lib_error_set_handler(alsa_quiet);
	return 0;
}

static int group_teardown(void **state)
{
	snd_config_update_free_global();
	au_rmtree(dir);
	return 0;
}

static int fake_clock(void **state)
{
	clock_fake(1, 5000, 1700000000);
	return 0;
}

static int real_clock(void **state)
{
	clock_fake(0, 0, 0);
	return 0;
}

static void test_open_errors(void **state)
{
	char p[128];
	struct cx_err e;

	assert_null(sink_open("foo:bar", &e));
	assert_non_null(strstr(e.msg, "'foo:bar': unknown kind"));
	assert_null(sink_open("default", &e));
	assert_non_null(strstr(e.msg, "unknown kind"));
	assert_null(sink_open("", &e));
	assert_null(sink_open("file:", &e));
	assert_non_null(strstr(e.msg, "path missing"));
	assert_null(sink_open("alsa:", &e));
	assert_non_null(strstr(e.msg, "name missing"));
	snprintf(p, sizeof(p), "file:%s/no/such/dir.wav", dir);
	assert_null(sink_open(p, &e));
	assert_non_null(strstr(e.msg, "No such file"));
}

static void test_write_only_while_playing(void **state)
{
	int16_t s[100] = { 0 };
	struct cx_err e;
	struct sink *k = sink_open("null:", &e);

	assert_non_null(k);
	assert_int_equal(sink_write(k, s, 100, &e), -1);   /* not started */
	assert_int_equal(sink_wait_ms(k), -1);              /* idle: no timer */
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_write(k, s, 100, &e), 100);
	assert_int_equal(sink_stop(k), 0);
	assert_int_equal(sink_write(k, s, 100, &e), -1);   /* draining */
	assert_int_equal(sink_delay(k), 100);
	assert_int_equal(sink_drop(k), 0);
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_frames(k), 100);
	assert_int_equal(sink_stop(k), 0);                  /* idle: no-op */
	sink_close(k);
}

static void test_null_pacing(void **state)
{
	int16_t *s = signal_new(48000, 1);
	struct pollfd pfd[4];
	struct cx_err e;
	struct sink *k = sink_open("null:", &e);
	size_t done;
	long n;

	assert_non_null(k);
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_pollfds(k, pfd, 4), 0);
	assert_int_equal(sink_wait_ms(k), 0);
	/* a device buffer of 200 ms, then nothing until time passes */
	assert_int_equal(sink_write(k, s, 48000, &e), CAP);
	assert_int_equal(sink_write(k, s, 48000, &e), 0);
	assert_int_equal(sink_delay(k), CAP);
	assert_int_equal(sink_ready(k, pfd, 0), 0);
	assert_int_equal(sink_wait_ms(k), 20);
	clock_advance(10);
	assert_int_equal(sink_delay(k), CAP - 480);
	assert_int_equal(sink_wait_ms(k), 10);
	assert_int_equal(sink_write(k, s, 48000, &e), 480);
	clock_advance(20);
	assert_int_equal(sink_ready(k, pfd, 0), 1);
	assert_int_equal(sink_wait_ms(k), 0);
	done = CAP + 480;
	/* the rest of the second, waking when the sink says */
	while (done < 48000) {
		n = sink_write(k, s + done, 48000 - done, &e);
		assert_true(n >= 0);
		done += (size_t)n;
		if (n == 0)
			clock_advance((uint64_t)sink_wait_ms(k));
	}
	assert_int_equal(sink_frames(k), 48000);
	assert_int_equal(sink_stop(k), 0);
	assert_int_equal(sink_wait_ms(k), sink_delay(k) / FPMS);
	clock_advance((uint64_t)sink_wait_ms(k) - 1);
	assert_int_equal(sink_delay(k), 48);
	assert_int_equal(sink_wait_ms(k), 1);
	clock_advance(1);
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_wait_ms(k), -1);
	clock_advance(500);                 /* emptied after stop: no underrun */
	assert_int_equal(sink_underruns(k), 0);
	free(s);
	sink_close(k);
}

static void test_null_underrun(void **state)
{
	int16_t s[960] = { 0 };
	struct cx_err e;
	struct sink *k = sink_open("null:", &e);

	assert_non_null(k);
	clock_advance(1000);                /* idle time is no underrun */
	assert_int_equal(sink_start(k, &e), 0);
	clock_advance(1000);                /* nor is a start without data */
	assert_int_equal(sink_write(k, s, 960, &e), 960);
	assert_int_equal(sink_underruns(k), 0);
	clock_advance(20);                  /* just empty, refilled in time */
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_write(k, s, 960, &e), 960);
	assert_int_equal(sink_underruns(k), 0);
	clock_advance(24);                  /* ran dry while playing ... */
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_underruns(k), 0);
	clock_advance(100);
	/* ... which was an underrun because more data came (as ALSA says it) */
	assert_int_equal(sink_write(k, s, 960, &e), 960);
	assert_int_equal(sink_underruns(k), 1);
	clock_advance(10);
	assert_int_equal(sink_delay(k), 480);
	/* the end of the data is no underrun, with or without sink_stop first */
	clock_advance(100);
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_stop(k), 0);
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_write(k, s, 960, &e), 960);
	assert_int_equal(sink_stop(k), 0);
	clock_advance(100);
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_underruns(k), 1);
	sink_close(k);
}

/* Write all of pcm, advancing the fake clock as the sink asks. */
static void play_paced(struct sink *k, const int16_t *pcm, size_t frames)
{
	struct cx_err e;
	size_t done = 0;
	long n;

	assert_int_equal(sink_start(k, &e), 0);
	while (done < frames) {
		n = sink_write(k, pcm + done, frames - done, &e);
		assert_true(n >= 0);
		done += (size_t)n;
		if (n == 0) {
			assert_true(sink_wait_ms(k) > 0);
			clock_advance((uint64_t)sink_wait_ms(k));
		}
	}
	assert_int_equal(sink_stop(k), 0);
}

/* The WAV at path is valid and holds exactly want[0..n). */
static void check_wav(const char *path, const int16_t *want, size_t n)
{
	size_t len, got;
	uint8_t *b = au_slurp(path, &len);
	int16_t *s;

	assert_non_null(b);
	assert_int_equal(len, 44 + 2 * n);          /* canonical header */
	s = au_wav_samples(b, len, 1, 48000, &got);
	assert_non_null(s);
	assert_int_equal(got, n);
	if (n)
		assert_memory_equal(s, want, n * sizeof(*s));
	free(s);
	free(b);
}

static void test_file_wav(void **state)
{
	const size_t na = 48000, nb = 14400, nc = CAP;
	int16_t *all = malloc((na + nb + nc) * sizeof(*all));
	int16_t *a = signal_new(na, 1), *b = signal_new(nb, 2), *c = signal_new(nc, 3);
	char path[128], dev[140];
	struct cx_err e;
	struct sink *k;

	assert_non_null(all);
	memcpy(all, a, na * sizeof(*a));
	memcpy(all + na, b, nb * sizeof(*b));
	memcpy(all + na + nb, c, nc * sizeof(*c));
	path_in(path, sizeof(path), "out.wav");
	snprintf(dev, sizeof(dev), "file:%s", path);
	assert_non_null(k = sink_open(dev, &e));
	check_wav(path, NULL, 0);

	/* after each playback the file is a valid WAV of all played so far */
	play_paced(k, a, na);
	check_wav(path, all, na);
	clock_advance((uint64_t)sink_wait_ms(k));
	assert_int_equal(sink_delay(k), 0);
	play_paced(k, b, nb);
	clock_advance(SINK_BUFFER_MS);
	assert_int_equal(sink_delay(k), 0);
	check_wav(path, all, na + nb);

	/* cut off after 50 ms: only what played stays in the file */
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_write(k, c, nc, &e), CAP);
	clock_advance(50);
	assert_int_equal(sink_drop(k), 0);
	assert_int_equal(sink_delay(k), 0);
	check_wav(path, all, na + nb + 50 * FPMS);
	assert_int_equal(sink_underruns(k), 0);
	assert_int_equal(sink_frames(k), na + nb + nc);

	/* closing while audio is queued: the unplayed part is not kept */
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_write(k, c, nc, &e), CAP);
	assert_int_equal(sink_stop(k), 0);
	clock_advance(100);
	sink_close(k);
	memcpy(all + na + nb + 50 * FPMS, c, 100 * FPMS * sizeof(*c));
	check_wav(path, all, na + nb + 150 * FPMS);
	free(a);
	free(b);
	free(c);
	free(all);
}

/* A new playback while one drains cuts the old one off, in the file too. */
static void test_file_restart_cuts(void **state)
{
	int16_t *a = signal_new(CAP, 8), *b = signal_new(960, 9);
	int16_t *want = malloc((2400 + 960) * sizeof(*want));
	char path[128], dev[140];
	struct cx_err e;
	struct sink *k;

	assert_non_null(want);
	path_in(path, sizeof(path), "restart.wav");
	snprintf(dev, sizeof(dev), "file:%s", path);
	assert_non_null(k = sink_open(dev, &e));
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_write(k, a, CAP, &e), CAP);
	assert_int_equal(sink_stop(k), 0);
	clock_advance(50);
	assert_int_equal(sink_start(k, &e), 0);    /* 2400 frames were heard */
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_write(k, b, 960, &e), 960);
	assert_int_equal(sink_stop(k), 0);
	clock_advance(20);
	assert_int_equal(sink_delay(k), 0);
	memcpy(want, a, 2400 * sizeof(*a));
	memcpy(want + 2400, b, 960 * sizeof(*b));
	check_wav(path, want, 2400 + 960);
	assert_int_equal(sink_underruns(k), 0);
	sink_close(k);
	check_wav(path, want, 2400 + 960);
	free(a);
	free(b);
	free(want);
}

/* Real clock: the sink keeps to real time within scheduling noise. */
static void test_null_real_time(void **state)
{
	int16_t s[960] = { 0 };
	struct cx_err e;
	struct sink *k = sink_open("null:", &e);
	struct timespec t0, t1;
	size_t done = 0;
	long n;
	double ms;

	assert_non_null(k);
	assert_int_equal(sink_start(k, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < 48000 / 2) {
		int w = sink_wait_ms(k);

		if (w > 0)
			poll(NULL, 0, w);
		n = sink_write(k, s, 960 < 24000 - done ? 960 : 24000 - done, &e);
		assert_true(n >= 0);
		done += (size_t)n;
	}
	sink_stop(k);
	while (sink_wait_ms(k) > 0)
		poll(NULL, 0, sink_wait_ms(k));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms >= 499 && ms < 700);     /* 500 ms of audio */
	assert_int_equal(sink_delay(k), 0);
	sink_close(k);
}

/* Play pcm through an fd-driven sink as the daemon's loop would. */
static void play_polled(struct sink *k, const int16_t *pcm, size_t frames)
{
	struct pollfd pfd[8];
	struct cx_err e;
	size_t done = 0;
	int nfd, spins = 0, waits = 0;
	long n;

	assert_int_equal(sink_start(k, &e), 0);
	while (done < frames) {
		assert_true(++spins < 100000);
		assert_int_equal(sink_wait_ms(k), -1);   /* fd-driven */
		nfd = sink_pollfds(k, pfd, 8);
		assert_true(nfd > 0);
		assert_true(poll(pfd, (nfds_t)nfd, 1000) > 0);
		if (!sink_ready(k, pfd, nfd))
			continue;
		n = sink_write(k, pcm + done, frames - done, &e);
		if (n < 0)
			fail_msg("%s", e.msg);
		done += (size_t)n;
	}
	assert_int_equal(sink_stop(k), 0);
	/* draining: no fds to wait on; the sink gives the timeout */
	assert_int_equal(sink_pollfds(k, pfd, 8), 0);
	while (sink_delay(k) > 0) {
		int w = sink_wait_ms(k);

		assert_true(w > 0);
		assert_true(++waits < 200);
		poll(NULL, 0, w);
	}
	assert_int_equal(sink_wait_ms(k), -1);
}

static void test_alsa_file_pcm(void **state)
{
	const size_t na = 48000, nb = 12000, nc = 100;   /* nc < one period */
	int16_t *a = signal_new(na, 4), *b = signal_new(nb, 5), *c = signal_new(nc, 6);
	char raw[128];
	struct cx_err e;
	struct sink *k;
	uint8_t *bytes;
	size_t len, i;

	path_in(raw, sizeof(raw), "alsa.raw");
	k = sink_open("alsa:capture_file", &e);
	if (k == NULL)
		fail_msg("%s", e.msg);
	play_polled(k, a, na);
	play_polled(k, b, nb);
	play_polled(k, c, nc);
	assert_int_equal(sink_frames(k), na + nb + nc);
	sink_close(k);              /* the file PCM flushes on close */

	assert_non_null(bytes = au_slurp(raw, &len));
	assert_int_equal(len, 2 * (na + nb + nc));
	for (i = 0; i < na + nb + nc; i++) {
		int16_t want = i < na ? a[i] : i < na + nb ? b[i - na] : c[i - na - nb];

		if ((int16_t)au_le16(bytes + 2 * i) != want)
			fail_msg("sample %zu: %d, want %d", i, (int16_t)au_le16(bytes + 2 * i), want);
	}
	free(bytes);
	free(a);
	free(b);
	free(c);
}

static void test_alsa_cut_off(void **state)
{
	int16_t *a = signal_new(48000, 7);
	struct pollfd pfd[8];
	struct cx_err e;
	struct sink *k = sink_open("alsa:capture_file", &e);
	int nfd;

	assert_non_null(k);
	assert_int_equal(sink_start(k, &e), 0);
	nfd = sink_pollfds(k, pfd, 8);
	assert_true(nfd > 0);
	assert_int_equal(sink_pollfds(k, pfd, 0), -1);     /* no room: refused */
	assert_true(sink_write(k, a, 4800, &e) > 0);
	assert_int_equal(sink_drop(k), 0);
	assert_int_equal(sink_delay(k), 0);
	assert_int_equal(sink_write(k, a, 4800, &e), -1);  /* not playing */
	/* start after a drop works */
	assert_int_equal(sink_start(k, &e), 0);
	assert_true(sink_write(k, a, 4800, &e) > 0);
	/* start while playing cuts off and starts afresh */
	assert_int_equal(sink_start(k, &e), 0);
	assert_true(sink_write(k, a, 4800, &e) > 0);
	sink_close(k);
	free(a);
}

/* The paced sinks say where their model is: exact on the fake clock. */
static void paced_timing(const char *device)
{
	int16_t *a = signal_new(4800, 8);
	struct sink_timing t;
	struct cx_err e;
	struct sink *k;
	int64_t wall0;
	uint64_t ms0;

	if (clock_mono_ns() % 1000000)     /* start on a whole ms, as the model plays */
		clock_advance_us(1000 - clock_mono_ns() / 1000 % 1000);
	k = sink_open(device, &e);
	wall0 = clock_wall_us();
	ms0 = clock_mono_ms();

	assert_non_null(k);
	assert_int_equal(sink_timing(k, &t), -1);           /* idle: cannot say */
	assert_int_equal(sink_start(k, &e), 0);
	assert_int_equal(sink_timing(k, &t), 0);
	assert_int_equal(t.mono_ns, ms0 * 1000000);
	assert_int_equal(t.delay, 0);
	/* nothing queued: the next frame sounds now, plus the output offset */
	assert_int_equal(sink_timing_next_us(&t, 1500), wall0 + 1500);
	assert_int_equal(sink_write(k, a, 4800, &e), 4800);
	clock_advance(30);
	assert_int_equal(sink_timing(k, &t), 0);
	assert_int_equal(t.mono_ns, (ms0 + 30) * 1000000);
	assert_int_equal(t.delay, 4800 - 30 * FPMS);
	/* the model plays whole ms: half a ms later it says the same */
	clock_advance_us(500);
	assert_int_equal(sink_timing(k, &t), 0);
	assert_int_equal(t.mono_ns, (ms0 + 30) * 1000000);
	assert_int_equal(t.delay, 4800 - 30 * FPMS);
	/* 30 ms played of 100 ms queued: the next frame sounds at +100 ms */
	assert_int_equal(sink_timing_next_us(&t, 0), wall0 + 100000);
	assert_int_equal(sink_timing_next_us(&t, -2250), wall0 + 100000 - 2250);
	assert_int_equal(sink_stop(k), 0);
	assert_int_equal(sink_timing(k, &t), 0);            /* draining */
	assert_int_equal(t.delay, 4800 - 30 * FPMS);
	clock_advance(100);
	assert_int_equal(sink_delay(k), 0);                 /* played out: idle */
	assert_int_equal(sink_timing(k, &t), -1);
	sink_close(k);
	free(a);
}

static void test_paced_timing(void **state)
{
	char p[128];

	paced_timing("null:");
	snprintf(p, sizeof(p), "file:%s/timing.wav", dir);
	paced_timing(p);
}

/* Real alsa-lib: status timestamp (or the clock) and delay. */
static void test_alsa_timing(void **state)
{
	int16_t *a = signal_new(4800, 9);
	struct sink_timing t;
	struct cx_err e;
	struct sink *k = sink_open("alsa:capture_file", &e);
	uint64_t before, after;

	assert_non_null(k);
	assert_int_equal(sink_timing(k, &t), -1);           /* idle */
	assert_int_equal(sink_start(k, &e), 0);
	before = clock_mono_ns();
	assert_int_equal(sink_timing(k, &t), 0);
	after = clock_mono_ns();
	assert_true(t.mono_ns >= before && t.mono_ns <= after);   /* prepared: now */
	assert_int_equal(t.delay, 0);
	assert_true(sink_write(k, a, 4800, &e) > 0);
	before = clock_mono_ns();
	assert_int_equal(sink_timing(k, &t), 0);
	after = clock_mono_ns();
	/* a monotonic timestamp of this moment (the file PCM does not pace) */
	assert_true(t.mono_ns + 1000000000ull >= before && t.mono_ns <= after);
	assert_true(t.delay >= 0 && t.delay <= 4800);
	assert_int_equal(sink_drop(k), 0);
	assert_int_equal(sink_timing(k, &t), -1);
	sink_close(k);
	free(a);
}

static void test_alsa_unknown_device(void **state)
{
	struct cx_err e;

	assert_null(sink_open("alsa:nosuchpcm", &e));
	assert_non_null(strstr(e.msg, "alsa:nosuchpcm: cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_write_only_while_playing, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_null_pacing, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_null_underrun, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_file_wav, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_file_restart_cuts, fake_clock, real_clock),
		cmocka_unit_test(test_null_real_time),
		cmocka_unit_test(test_alsa_file_pcm),
		cmocka_unit_test(test_alsa_cut_off),
		cmocka_unit_test(test_alsa_unknown_device),
		cmocka_unit_test_setup_teardown(test_paced_timing, fake_clock, real_clock),
		cmocka_unit_test(test_alsa_timing),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
