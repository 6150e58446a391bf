/*
 * fuzz_clip: the Ogg Opus decode path of audio/clip.c (clip_open,
 * clip_read, clip_close over libopusfile) on arbitrary file contents.
 *
 * The hash check in clip_open() passes only when the warning names the
 * file's own SHA-256, so each input is written to an in-memory file
 * (memfd; clip_open gets dir "/proc/self/fd" and the descriptor number as
 * the clip name), hashed with file_sha256(), then opened with that hash
 * and decoded to the end with read sizes that vary per input (1 frame,
 * odd sizes, exactly the 5760-frame internal buffer, more than it).
 * Once in a while (decided by the input's hash) a wrong hash is given:
 * clip_open must then refuse without decoding.
 *
 * Checks: no crash, leak or hang; clip_read never returns more frames than
 * asked, returns -1 with a message on a decode error, and keeps returning
 * that error (or 0 at the end); no file descriptor is leaked (LeakSanitizer
 * does not see descriptors, so the lowest free one is compared).
 * Decoding stops after MAX_FRAMES (a tiny file can claim a long stream of
 * empty packets; the harness is about parsing, not duration).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/clip.h"
#include "tests/fuzz/fuzz_util.h"

#define MAX_FRAMES (48000 * 20)    /* 20 s of decoded audio per input */

static struct memfile *mf;
static int fd_mark;

static void
check_fds(void)
{
	int now = lowest_free_fd();

	if (now != fd_mark) {
		fprintf(stderr, "lowest free descriptor was %d, now %d:\n", fd_mark, now);
		dump_fds();
	}
	FUZZ_CHECK(now == fd_mark);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mf = memfile_init("clip.opus");
	fd_mark = lowest_free_fd();
	return 0;
}

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 7, 960, 5760, 5761, 12000 };
	struct cx_err e = { "" };
	uint8_t sha[32];
	struct clip *c;
	int16_t *pcm;
	uint32_t h = fnv1a(data, size);
	size_t total = 0, want;
	long n;
	int i, wrong = h % 64 == 0;

	memfile_set(mf, data, size);
	FUZZ_CHECK(file_sha256(mf->path, sha, &e) == 0);
	if (wrong)
		sha[h % 32] ^= 0x01;
	c = clip_open(mf->dir, mf->name, sha, &e);
	if (wrong)
		FUZZ_CHECK(c == NULL && strstr(e.msg, "SHA-256 mismatch") != NULL);
	if (c == NULL) {
		FUZZ_CHECK(e.msg[0] != '\0');
		check_fds();
		return 0;
	}
	pcm = malloc(sizeof(*pcm) * 12000);
	if (pcm == NULL)
		abort();
	for (i = 0; total < MAX_FRAMES; i++) {
		want = sizes[(h >> 8) % 6 == 0 ? (size_t)i % 6 : (h >> 8) % 6];
		e.msg[0] = '\0';
		n = clip_read(c, pcm, want, &e);
		FUZZ_CHECK(n >= -1 && n <= (long)want);
		if (n == 0)
			break;
		if (n < 0) {
			FUZZ_CHECK(e.msg[0] != '\0');
			/* an error stays an error */
			FUZZ_CHECK(clip_read(c, pcm, want, NULL) == -1);
			break;
		}
		total += (size_t)n;
	}
	clip_close(c);
	free(pcm);
	check_fds();
	return 0;
}
