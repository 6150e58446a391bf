/*
 * fuzz_cap: cap_parse() (common/cap.c: libxml2, the CAP 1.2 schema, the
 * mapping to a warning body) on arbitrary bytes, as `warn --cap` reads a
 * file.  Half the inputs let the area through (zones given), so the
 * mapping past <area> is reached without valid GB/T 2260 codes.
 *
 * Checks, besides "no crash, no leak":
 *  - a refusal always comes with a message naming the input;
 *  - an accepted alert has the documented bounds (ids, zones, severity,
 *    expires after now and after effective, clip names, notes bounded);
 *  - out and back: with a play list added it is a valid body
 *    (alert_to_json), cap_from_alert() writes CAP that the schema accepts,
 *    and reading that back gives the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cap.h"
#include "common/zone.h"
#include "tests/fuzz/fuzz_util.h"

#define NOW 1796205900       /* 2026-12-02T10:05:00Z */

static void
check_result(const struct cap_result *r, const struct cap_opts *o)
{
	const struct alert *a = &r->a;
	char z[ZONE_MAX + 1];
	int i;

	FUZZ_CHECK(msg_id_valid(a->id) && a->sent == NOW);
	FUZZ_CHECK(a->type == AT_ALERT || msg_id_valid(a->ref));
	FUZZ_CHECK(a->severity >= 0 && a->severity <= 4);
	FUZZ_CHECK(a->expires > NOW && a->expires > a->effective);
	FUZZ_CHECK(o->zones_given || a->nzones >= 1);
	FUZZ_CHECK(a->nzones >= 0 && a->nzones <= ALERT_MAX_ZONES);
	for (i = 0; i < a->nzones; i++)
		FUZZ_CHECK(zone_parse(a->zones[i], z, NULL) == 0 && strcmp(z, a->zones[i]) == 0);
	FUZZ_CHECK(r->nclips >= 0 && r->nclips <= ALERT_MAX_PLAY);
	for (i = 0; i < r->nclips; i++)
		FUZZ_CHECK(r->clips[i].name[0] != '\0' && r->clips[i].name[0] != '.' &&
		    strchr(r->clips[i].name, '/') == NULL);
	FUZZ_CHECK(r->nnotes >= 0 && r->nnotes <= CAP_MAX_NOTES);
}

/* The body the CLI would make, written as CAP and read back. */
static void
out_and_back(const struct cap_result *r)
{
	struct cap_opts o2 = { "out", NOW, 3600, NULL, 0, 0, 0 };
	struct cap_result *r2 = malloc(sizeof *r2);
	struct alert *a = malloc(sizeof *a);
	struct cx_err e = { "" };
	char *json, *xml;

	if (a == NULL || r2 == NULL)
		abort();
	*a = r->a;
	if (a->nzones == 0) {
		a->nzones = 1;
		memcpy(a->zones[0], "43", 3);
	}
	a->nplay = a->type == AT_CANCEL ? 0 : 1;
	memset(a->play, 0, sizeof a->play);
	memcpy(a->play[0].name, "air-raid", 9);
	a->play[0].kind = PLAY_SIREN;
	if ((json = alert_to_json(a, &e)) != NULL) {   /* e.g. an event with a NUL byte */
		xml = cap_from_alert(a, "zh-CN", &e);
		FUZZ_CHECK(xml != NULL);
		FUZZ_CHECK(cap_validate((const uint8_t *)xml, strlen(xml), "out", &e) == 0);
		FUZZ_CHECK(cap_parse((const uint8_t *)xml, strlen(xml), &o2, r2, &e) == 0);
		FUZZ_CHECK(strcmp(r2->a.id, a->id) == 0 && r2->a.type == a->type);
		FUZZ_CHECK(r2->a.nzones == a->nzones && r2->a.severity == a->severity);
		FUZZ_CHECK(r2->a.expires == a->expires && strcmp(r2->a.ref, a->ref) == 0);
		FUZZ_CHECK(a->type == AT_CANCEL || strcmp(r2->a.event, a->event) == 0);
		free(xml);
		free(json);
	}
	free(a);
	free(r2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_opts o = { "fuzz", NOW, 3600, NULL, size & 1, 0, 0 };
	struct cap_result *r = malloc(sizeof *r);
	struct cx_err e = { "" };

	if (r == NULL)
		abort();
	if (cap_parse(data, size, &o, r, &e) == 0) {
		check_result(r, &o);
		out_and_back(r);
	} else {
		FUZZ_CHECK(strncmp(e.msg, "fuzz", 4) == 0 || strstr(e.msg, "schema") != NULL);
	}
	free(r);
	return 0;
}
