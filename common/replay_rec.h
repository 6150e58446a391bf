/*
 * replay_rec: the record format of the replay file (replay.c's private
 * part).  Fixed REPLAY_REC-byte records, text so that `cat` shows them:
 *   header  "CXREPLAY2 <floor_exercise> <floor_test>"
 *   entry   "<keep_until> <a|e|t> <id>[ <digest>]"   (digest: 16 hex digits)
 * each padded with spaces to REPLAY_SUM_AT, then " <fnv-1a hex>\n": a record
 * whose checksum or syntax is wrong (torn by a power cut) does not parse.
 */
#ifndef CX_REPLAY_REC_H
#define CX_REPLAY_REC_H

#include <stdint.h>
#include <stddef.h>
#include "common/replay.h"

#define REPLAY_ID_MAX 64               /* message ids: [A-Za-z0-9._:-]{1,64} */
#define REPLAY_REC 128                 /* bytes per record: four to a 512-byte sector */
#define REPLAY_SUM_AT 118              /* " xxxxxxxx\n" after the padded text */
#define REPLAY_MAGIC "CXREPLAY2"

struct replay_rec {
	int64_t keep_until;
	int st;                            /* ST_ACTUAL, ST_EXERCISE, ST_TEST */
	int has_md;
	uint8_t md[REPLAY_MD];
	char id[REPLAY_ID_MAX + 1];
};

void replay_rec_entry(const struct replay_rec *en, char rec[REPLAY_REC]);
int replay_rec_parse_entry(const char rec[REPLAY_REC], struct replay_rec *en);
void replay_rec_header(int64_t floor_exercise, int64_t floor_test, char rec[REPLAY_REC]);
int replay_rec_parse_header(const char rec[REPLAY_REC], int64_t *floor_exercise,
    int64_t *floor_test);
/* A non-negative decimal of 1-19 digits: 0, or -1. */
int replay_rec_num(const char *s, size_t n, int64_t *out);

#endif
