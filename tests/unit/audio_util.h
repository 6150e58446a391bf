/*
 * audio_util: helpers shared by the test_audio_* unit tests (header only,
 * static inline so a test that uses part of it builds without warnings).
 * Scratch directories live under /tmp and are removed by the tests.
 */
#ifndef CX_TEST_AUDIO_UTIL_H
#define CX_TEST_AUDIO_UTIL_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline int au_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* Remove a scratch directory and what it holds. */
static inline void au_rmtree(const char *dir)
{
	nftw(dir, au_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Read a whole file; caller frees.  NULL if unreadable. */
static inline uint8_t *au_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static inline int au_spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static inline uint32_t au_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t au_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Check a WAV is 16-bit PCM of the given channels and rate, with chunk
 * sizes that match the file; return its samples (malloc'd) and count.
 * NULL if anything is off.
 */
static inline int16_t *au_wav_samples(const uint8_t *b, size_t len, unsigned channels,
    unsigned rate, size_t *nsamples)
{
	size_t off = 12;
	int fmt_ok = 0;

	if (len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4) ||
	    au_le32(b + 4) != len - 8)
		return NULL;
	while (off + 8 <= len) {
		uint32_t sz = au_le32(b + off + 4);
		const uint8_t *c = b + off + 8;

		if (sz > len - off - 8)
			return NULL;
		if (!memcmp(b + off, "fmt ", 4) && sz >= 16) {
			fmt_ok = au_le16(c) == 1 && au_le16(c + 2) == channels &&
			    au_le32(c + 4) == rate && au_le32(c + 8) == rate * channels * 2 &&
			    au_le16(c + 12) == channels * 2 && au_le16(c + 14) == 16;
		} else if (!memcmp(b + off, "data", 4) && fmt_ok && off + 8 + sz == len) {
			int16_t *s = malloc(sz ? sz : 1);
			size_t i;

			if (s == NULL)
				return NULL;
			for (i = 0; i < sz / 2; i++)
				s[i] = (int16_t)au_le16(c + 2 * i);
			*nsamples = sz / 2;
			return s;
		}
		off += 8 + sz + (sz & 1);
	}
	return NULL;
}

/* Sign changes (counting a run of zeros as no sign). */
static inline long au_zero_crossings(const int16_t *s, size_t n)
{
	long count = 0;
	int prev = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int sign = s[i] > 0 ? 1 : s[i] < 0 ? -1 : 0;

		if (sign != 0) {
			if (prev != 0 && sign != prev)
				count++;
			prev = sign;
		}
	}
	return count;
}

#endif
