/*
 * replay_rec: the replay file's records (replay_rec.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/replay_rec.h"
#include "common/zone.h"

static const char st_char[3] = { 'a', 'e', 't' };

static uint32_t
sum(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

/* text (at most REPLAY_SUM_AT bytes) padded, then the checksum */
static void
rec_seal(char rec[REPLAY_REC], int len)
{
	char tail[REPLAY_REC - REPLAY_SUM_AT + 1];

	memset(rec + len, ' ', (size_t)(REPLAY_SUM_AT - len));
	snprintf(tail, sizeof(tail), " %08" PRIx32 "\n", sum(rec, REPLAY_SUM_AT));
	memcpy(rec + REPLAY_SUM_AT, tail, REPLAY_REC - REPLAY_SUM_AT);
}

/* The text of a sealed record, NUL-terminated with its padding cut; -1 if torn. */
static int
rec_open(const char rec[REPLAY_REC], char text[REPLAY_SUM_AT + 1])
{
	char want[REPLAY_REC - REPLAY_SUM_AT + 1];
	size_t n = REPLAY_SUM_AT;

	snprintf(want, sizeof(want), " %08" PRIx32 "\n", sum(rec, REPLAY_SUM_AT));
	if (memcmp(rec + REPLAY_SUM_AT, want, REPLAY_REC - REPLAY_SUM_AT) != 0)
		return -1;
	memcpy(text, rec, n);
	while (n > 0 && text[n - 1] == ' ')
		n--;
	text[n] = '\0';
	return 0;
}

void
replay_rec_entry(const struct replay_rec *en, char rec[REPLAY_REC])
{
	char text[REPLAY_SUM_AT + 1];
	int i, n = snprintf(text, sizeof(text), "%019" PRId64 " %c %s", en->keep_until,
	    st_char[en->st], en->id);

	if (en->has_md) {
		text[n++] = ' ';
		for (i = 0; i < REPLAY_MD; i++, n += 2)
			snprintf(text + n, 3, "%02x", en->md[i]);
	}

	memcpy(rec, text, (size_t)n);
	rec_seal(rec, n);
}

void
replay_rec_header(int64_t floor_exercise, int64_t floor_test, char rec[REPLAY_REC])
{
	char text[REPLAY_SUM_AT + 1];
	int n = snprintf(text, sizeof(text), REPLAY_MAGIC " %019" PRId64 " %019" PRId64,
	    floor_exercise, floor_test);

	memcpy(rec, text, (size_t)n);
	rec_seal(rec, n);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
replay_rec_num(const char *s, size_t n, int64_t *out)
{
	char num[20], *end;

	if (n == 0 || n > 19 || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	*out = strtoll(num, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* Exactly 2 * REPLAY_MD lowercase hex digits. */
static int
md_parse(const char *hex, uint8_t md[REPLAY_MD])
{
	int i, hi, lo;

	if (strlen(hex) != 2 * REPLAY_MD)
		return -1;
	for (i = 0; i < REPLAY_MD; i++) {
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		md[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* "<keep_until> <a|e|t> <id>[ <digest>]" */
int
replay_rec_parse_entry(const char rec[REPLAY_REC], struct replay_rec *en)
{
	char text[REPLAY_SUM_AT + 1], *p, *md;
	const char *c;

	memset(en, 0, sizeof(*en));
	if (rec_open(rec, text) == -1 || (p = strchr(text, ' ')) == NULL ||
	    replay_rec_num(text, (size_t)(p - text), &en->keep_until) == -1 ||
	    p[1] == '\0' || (c = memchr(st_char, p[1], sizeof(st_char))) == NULL || p[2] != ' ')
		return -1;
	if ((md = strchr(p + 3, ' ')) != NULL) {      /* "<id> <digest>" */
		*md++ = '\0';
		if (md_parse(md, en->md) == -1)
			return -1;
		en->has_md = 1;
	}
	if (strlen(p + 3) > REPLAY_ID_MAX || !msg_id_valid(p + 3))
		return -1;
	en->st = (int)(c - st_char);
	snprintf(en->id, sizeof(en->id), "%s", p + 3);
	return 0;
}

int
replay_rec_parse_header(const char rec[REPLAY_REC], int64_t *floor_exercise,
    int64_t *floor_test)
{
	char text[REPLAY_SUM_AT + 1];
	size_t m = strlen(REPLAY_MAGIC);

	if (rec_open(rec, text) == -1 || strlen(text) != m + 40 ||
	    memcmp(text, REPLAY_MAGIC " ", m + 1) != 0 || text[m + 20] != ' ' ||
	    replay_rec_num(text + m + 1, 19, floor_exercise) == -1 ||
	    replay_rec_num(text + m + 21, 19, floor_test) == -1)
		return -1;
	return 0;
}
