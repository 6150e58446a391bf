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
 * Every Ogg page carries a CRC-32, and libogg drops a page whose CRC is
 * wrong, so almost any mutation would only ever test "page missing".  The
 * harness therefore recomputes the CRC of every complete page it finds
 * before writing the file (deterministically: a reproducer reproduces),
 * except for one input in eight, which is written as it is.  libopus and
 * libopusfile are Debian's uninstrumented libraries: the fuzzer gets no
 * coverage feedback from inside them, only from audio/clip.c.
 *
 * Known upstream leak, suppressed: libopusfile 0.12 (and its git head) leaks
 * the OpusTags of a chained file's later link when op_open_callbacks()
 * fails after parsing them (op_bisect_forward_serialno() returns before
 * counting the link in _of->nlinks, so op_clear() never frees its tags).
 * It is not clip.c's to fix; only allocations made under opus_tags_parse
 * are suppressed, so a clip.c that forgot op_free() would still be caught.
 * The suppression needs full stacks through the frame-pointer-less library,
 * hence fast_unwind_on_malloc=0.
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

/* See the top comment: full malloc stacks, and the libopusfile leak. */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions(void)
{
	return "leak:opus_tags_parse\n";
}

static struct memfile *mf;
static int fd_mark;        /* lowest free descriptor when this input began */

/* Not a mark taken once: the sanitizers start llvm-symbolizer (two pipes)
 * the first time libFuzzer prints a NEW_FUNC line, between inputs. */
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

static uint32_t ogg_crc_table[256];

static void
ogg_crc_init(void)
{
	uint32_t r;
	int i, k;

	for (i = 0; i < 256; i++) {
		r = (uint32_t)i << 24;
		for (k = 0; k < 8; k++)
			r = r & 0x80000000u ? (r << 1) ^ 0x04c11db7u : r << 1;
		ogg_crc_table[i] = r;
	}
}

/* Recompute the CRC of each complete "OggS" page in buf. */
static void
ogg_fix_crcs(uint8_t *buf, size_t len)
{
	size_t i = 0, hdr, body, k;
	uint32_t crc;

	while (i + 27 <= len) {
		if (memcmp(buf + i, "OggS", 4) != 0) {
			i++;
			continue;
		}
		hdr = 27 + (size_t)buf[i + 26];
		if (i + hdr > len) {
			i++;
			continue;
		}
		for (body = 0, k = 0; k < buf[i + 26]; k++)
			body += buf[i + 27 + k];
		if (i + hdr + body > len) {
			i++;
			continue;
		}
		memset(buf + i + 22, 0, 4);
		for (crc = 0, k = 0; k < hdr + body; k++)
			crc = (crc << 8) ^ ogg_crc_table[(crc >> 24) ^ buf[i + k]];
		buf[i + 22] = (uint8_t)crc;
		buf[i + 23] = (uint8_t)(crc >> 8);
		buf[i + 24] = (uint8_t)(crc >> 16);
		buf[i + 25] = (uint8_t)(crc >> 24);
		i += hdr + body;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mf = memfile_init("clip.opus");
	ogg_crc_init();
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

	fd_mark = lowest_free_fd();
	if (h % 8 != 0) {
		uint8_t *fixed = malloc(size ? size : 1);
		if (fixed == NULL)
			abort();
		memcpy(fixed, data, size);
		ogg_fix_crcs(fixed, size);
		memfile_set(mf, fixed, size);
		free(fixed);
	} else {
		memfile_set(mf, data, size);
	}
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
