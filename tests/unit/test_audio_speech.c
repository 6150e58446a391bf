/*
 * test_audio_speech: espeak-ng as a helper process.  Real espeak-ng speaks
 * 请注意，山洪预警: the samples are 48 kHz (as many as espeak-ng's own
 * 22050 Hz file holds, scaled), last a plausible time and are mostly not
 * silent.  A missing binary (by $CUNXIANG_ESPEAK or by PATH), an unknown
 * voice and a helper writing garbage each give a clear error; the speech
 * source turns those into a failed end (the fallback plays); speech_free
 * kills and reaps a running child.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio/speech.h"
#include "common/clock.h"

#define TEXT "请注意，山洪预警"
#define MAX_SAMPLES (48000 * 20)
#define READ_TIMEOUT_MS 30000          /* a loaded machine is slow, never this slow */

/* Read everything; returns the sample count, or -1 (message in e). */
static long speak_all(const char *text, const char *voice, int16_t *buf, struct cx_err *e)
{
	struct speech *sp = speech_start(text, voice, e);
	long n = 0, r;

	if (sp == NULL)
		return -1;
	for (;;) {
		r = speech_read(sp, buf + n, MAX_SAMPLES - (size_t)n < 960 ? MAX_SAMPLES - (size_t)n : 960, e);
		if (r == SOURCE_STARVED) {
			struct pollfd p = { .fd = speech_fd(sp), .events = POLLIN };
			if (p.fd >= 0)
				assert_true(poll(&p, 1, READ_TIMEOUT_MS) > 0);
			else
				usleep(1000);      /* the pipe ended; the child is being reaped */
			continue;
		}
		if (r <= 0)
			break;
		n += r;
		assert_true(n < MAX_SAMPLES);
	}
	speech_free(sp);
	return r < 0 ? -1 : n;
}

/* espeak-ng's own WAV of the text, for its sample count at 22050 Hz. */
static long reference_frames(void)
{
	char cmd[256];
	struct stat st;

	snprintf(cmd, sizeof cmd, "espeak-ng -b 1 -v %s -w /tmp/cx-speech-ref.wav '%s'",
	    SPEECH_VOICE_DEFAULT, TEXT);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(stat("/tmp/cx-speech-ref.wav", &st), 0);
	unlink("/tmp/cx-speech-ref.wav");
	return (long)(st.st_size - 44) / 2;
}

static void test_speaks_mandarin(void **state)
{
	int16_t *buf = malloc(MAX_SAMPLES * sizeof *buf);
	struct cx_err e = { "" };
	long n, ref, i, loud = 0, windows = 0;

	assert_non_null(buf);
	n = speak_all(TEXT, SPEECH_VOICE_DEFAULT, buf, &e);
	if (n < 0)
		fail_msg("speech failed: %s", e.msg);
	ref = reference_frames();
	print_message("speech: %ld samples at 48 kHz, espeak-ng %ld at 22050 Hz\n", n, ref);
	/* 48 kHz: the 22050 Hz sample count scaled, within the filter's edges */
	assert_true(labs(n - ref * 48000 / 22050) < 200);
	/* seven syllables and a pause: 1.5 .. 4 s */
	assert_true(n > 48000 * 3 / 2 && n < 48000 * 4);
	for (i = 0; i + 960 <= n; i += 960, windows++) {
		double s = 0;
		long k;
		for (k = 0; k < 960; k++)
			s += (double)buf[i + k] * buf[i + k];
		if (sqrt(s / 960) > 300)       /* about -40 dBFS */
			loud++;
	}
	assert_true(loud * 2 > windows);   /* mostly speech, not silence */
	free(buf);
}

static void test_missing_binary_env(void **state)
{
	struct cx_err e = { "" };

	setenv(SPEECH_BIN_ENV, "/nonexistent/espeak-ng", 1);
	assert_null(speech_start(TEXT, "cmn-latn-pinyin", &e));
	unsetenv(SPEECH_BIN_ENV);
	assert_non_null(strstr(e.msg, "cannot run /nonexistent/espeak-ng"));
	assert_non_null(strstr(e.msg, "No such file"));
}

static void test_missing_binary_path(void **state)
{
	char *old = strdup(getenv("PATH"));
	struct cx_err e = { "" };

	setenv("PATH", "/nonexistent", 1);
	assert_null(speech_start(TEXT, "cmn-latn-pinyin", &e));
	setenv("PATH", old, 1);
	free(old);
	assert_non_null(strstr(e.msg, "cannot run espeak-ng"));
}

static void test_unknown_voice(void **state)
{
	int16_t *buf = malloc(MAX_SAMPLES * sizeof *buf);
	struct cx_err e = { "" };

	assert_int_equal(speak_all(TEXT, "nosuchvoice", buf, &e), -1);
	assert_non_null(strstr(e.msg, "voice does not exist"));
	free(buf);
}

static void test_bad_args(void **state)
{
	struct cx_err e = { "" };
	char big[SPEECH_TEXT_MAX + 2];

	assert_null(speech_start(TEXT, "cmn;rm", &e));
	assert_non_null(strstr(e.msg, "voice"));
	assert_null(speech_start("", "cmn", &e));
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_null(speech_start(big, "cmn", &e));
	assert_null(source_speech_new("", "cmn", &e));
	assert_non_null(strstr(e.msg, "no text"));
}

static void test_garbage_output(void **state)
{
	const char *path = "/tmp/cx-fake-espeak.sh";
	int16_t *buf = malloc(MAX_SAMPLES * sizeof *buf);
	struct cx_err e = { "" };
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("#!/bin/sh\necho 'this is not a WAV file at all, no, not at all'\n", f);
	fclose(f);
	chmod(path, 0755);
	setenv(SPEECH_BIN_ENV, path, 1);
	assert_int_equal(speak_all(TEXT, "cmn", buf, &e), -1);
	unsetenv(SPEECH_BIN_ENV);
	unlink(path);
	assert_non_null(strstr(e.msg, "not a WAV file"));
	free(buf);
}

/* The source: a failure to speak is a failed end with the reason. */
static void test_source_fails_cleanly(void **state)
{
	struct cx_err e = { "" };
	struct source_time t = { 0 };
	struct source *s;
	int16_t pcm[960];

	setenv(SPEECH_BIN_ENV, "/nonexistent/espeak-ng", 1);
	s = source_speech_new(TEXT, "cmn", &e);
	unsetenv(SPEECH_BIN_ENV);
	assert_non_null(s);
	assert_string_equal(s->ops->name, "speech");
	assert_int_equal(s->ops->starve, STARVE_SILENCE);
	assert_int_equal(s->ops->read(s->priv, pcm, 960, &t, &e), 0);
	assert_int_equal(s->ops->end(s->priv, &e), -1);
	assert_non_null(strstr(e.msg, "cannot run /nonexistent/espeak-ng"));
	s->ops->close(s->priv);
	free(s);
}

/* The source speaks too, and ends planned. */
static void test_source_speaks(void **state)
{
	struct cx_err e = { "" };
	struct source_time t = { 0 };
	struct source *s = source_speech_new("山洪", SPEECH_VOICE_DEFAULT, &e);
	int16_t pcm[960];
	long r, total = 0;
	int i;

	assert_non_null(s);
	for (i = 0; i < 100000; i++) {
		r = s->ops->read(s->priv, pcm, 960, &t, &e);
		if (r == SOURCE_STARVED) {
			usleep(1000);
			continue;
		}
		assert_true(r >= 0);
		if (r == 0)
			break;
		total += r;
	}
	assert_true(total > 48000 / 2);
	assert_int_equal(s->ops->end(s->priv, &e), 0);
	s->ops->close(s->priv);
	free(s);
}

/* speech_free() on a child still speaking: killed and reaped. */
static void test_free_running(void **state)
{
	struct cx_err e = { "" };
	struct speech *sp = speech_start(TEXT TEXT TEXT TEXT, SPEECH_VOICE_DEFAULT, &e);

	assert_non_null(sp);
	speech_free(sp);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* A fake espeak-ng: a shell script at path with body after the #! line. */
static void fake_espeak(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	setenv(SPEECH_BIN_ENV, path, 1);
}

/* A helper that hangs (writes nothing, never exits): after SPEECH_STALL_MS
 * without a sample (fake clock) the speech fails with the reason, and the
 * source ends failed, so the fallback plays. */
static void test_hung_helper(void **state)
{
	const char *path = "/tmp/cx-fake-espeak-hang.sh";
	struct cx_err e = { "" };
	struct source_time t = { 0 };
	struct speech *sp;
	struct source *s;
	int16_t pcm[960];

	clock_fake(1, 1000, 1700000000);
	fake_espeak(path, "exec sleep 60");
	sp = speech_start(TEXT, "cmn", &e);
	assert_non_null(sp);
	assert_int_equal(speech_read(sp, pcm, 960, &e), SOURCE_STARVED);
	clock_advance(SPEECH_STALL_MS - 1);
	assert_int_equal(speech_read(sp, pcm, 960, &e), SOURCE_STARVED);
	clock_advance(1);
	assert_int_equal(speech_read(sp, pcm, 960, &e), -1);
	assert_string_equal(e.msg, "speech: cx-fake-espeak-hang.sh gave no audio for 5000 ms");
	speech_free(sp);
	/* the source: a failed end with the reason */
	s = source_speech_new(TEXT, "cmn", &e);
	assert_non_null(s);
	assert_int_equal(s->ops->read(s->priv, pcm, 960, &t, &e), SOURCE_STARVED);
	clock_advance(SPEECH_STALL_MS);
	assert_int_equal(s->ops->read(s->priv, pcm, 960, &t, &e), 0);
	assert_int_equal(s->ops->end(s->priv, &e), -1);
	assert_non_null(strstr(e.msg, "gave no audio for 5000 ms"));
	s->ops->close(s->priv);
	free(s);
	unsetenv(SPEECH_BIN_ENV);
	unlink(path);
	clock_fake(0, 0, 0);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);   /* every child reaped */
	assert_int_equal(errno, ECHILD);
}

/* A helper that wrote its audio and closed stdout but never exits: once
 * SPEECH_EXIT_GRACE_MS has passed after the end of its output it is killed
 * and the speech ends normally, with every sample it wrote. */
static void test_lingering_helper(void **state)
{
	const char *path = "/tmp/cx-fake-espeak-linger.sh", *wav = "/tmp/cx-fake-espeak.wav";
	static const uint8_t hdr[44] = { 'R', 'I', 'F', 'F', 36 + 3200 % 256, 3236 / 256, 0, 0,
		'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,
		0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0,
		'd', 'a', 't', 'a', 3200 % 256, 3200 / 256, 0, 0 };
	int16_t data[1600], pcm[960];
	struct cx_err e = { "" };
	struct speech *sp;
	long r, n = 0;
	FILE *f;
	int i;

	for (i = 0; i < 1600; i++)                 /* 0.1 s at 16 kHz */
		data[i] = (int16_t)(8000 * sin(2 * M_PI * 440 * i / 16000.0));
	assert_non_null(f = fopen(wav, "wb"));
	assert_int_equal(fwrite(hdr, 1, sizeof hdr, f), sizeof hdr);
	assert_int_equal(fwrite(data, 2, 1600, f), 1600);
	fclose(f);
	clock_fake(1, 1000, 1700000000);
	fake_espeak(path, "cat /tmp/cx-fake-espeak.wav\nexec >&- 2>&- sleep 60");
	assert_non_null(sp = speech_start(TEXT, "cmn", &e));
	for (;;) {                                 /* to the end of its stdout */
		r = speech_read(sp, pcm, 960, &e);
		if (r > 0) {
			n += r;
			continue;
		}
		assert_int_equal(r, SOURCE_STARVED);
		if (speech_fd(sp) < 0)
			break;
		struct pollfd p = { .fd = speech_fd(sp), .events = POLLIN };
		assert_true(poll(&p, 1, READ_TIMEOUT_MS) > 0);
	}
	assert_true(n > 4700 && n < 4900);         /* 0.1 s at 48 kHz */
	clock_advance(SPEECH_EXIT_GRACE_MS - 1);
	assert_int_equal(speech_read(sp, pcm, 960, &e), SOURCE_STARVED);
	clock_advance(1);
	assert_int_equal(speech_read(sp, pcm, 960, &e), 0);    /* ended, not failed */
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);       /* killed and reaped */
	assert_int_equal(errno, ECHILD);
	speech_free(sp);
	unsetenv(SPEECH_BIN_ENV);
	unlink(path);
	unlink(wav);
	clock_fake(0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speaks_mandarin),
		cmocka_unit_test(test_missing_binary_env),
		cmocka_unit_test(test_missing_binary_path),
		cmocka_unit_test(test_unknown_voice),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_garbage_output),
		cmocka_unit_test(test_source_fails_cleanly),
		cmocka_unit_test(test_source_speaks),
		cmocka_unit_test(test_free_running),
		cmocka_unit_test(test_hung_helper),
		cmocka_unit_test(test_lingering_helper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
