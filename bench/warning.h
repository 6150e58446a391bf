/*
 * warning: the realistic warning the benchmarks sign, verify and publish.
 *
 * A township flood warning as a node receives it in the field: two village
 * zones, a Chinese title and text, a clip (and optionally a siren), repeat
 * and volume, about 700 bytes of JSON.  Built with the project's own
 * alert_to_json(), so the body is exactly what alert_parse() accepts.
 *
 * Header-only (static inline) because the Makefile turns every bench/NAME.c
 * into a program of its own: a shared bench/helper.c would become a program
 * without main().
 */
#ifndef CX_BENCH_WARNING_H
#define CX_BENCH_WARNING_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alert.h"

#define BENCH_NODE_ZONE "430682101201"      /* the benchmark node's village */
#define BENCH_OTHER_ZONE "430682101299"     /* a neighbour no benchmark node is in */
#define BENCH_LIFETIME_S 3600               /* expires - sent */

/*
 * Fill a with a flood warning for the village zone and a neighbour.
 * clip / sha may be NULL (no clip item); siren NULL for none.
 */
static inline void
bench_warning(struct alert *a, const char *id, int64_t now, const char *zone,
    const char *clip, const uint8_t sha[32], const char *siren)
{
	memset(a, 0, sizeof(*a));
	a->v = ALERT_VERSION;
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->sender, sizeof(a->sender), "430682101 township office");
	a->sent = now;
	a->effective = now;
	a->expires = now + BENCH_LIFETIME_S;
	a->status = ST_ACTUAL;
	a->type = AT_ALERT;
	snprintf(a->event, sizeof(a->event), "flood");
	a->severity = 2;
	a->nzones = 2;
	snprintf(a->zones[0], sizeof(a->zones[0]), "%s", zone);
	snprintf(a->zones[1], sizeof(a->zones[1]), "%s", BENCH_OTHER_ZONE);
	snprintf(a->title, sizeof(a->title), "山洪预警：白水河上游强降雨");
	snprintf(a->text, sizeof(a->text), "%s",
	    "气象台预报未来三小时白水河上游降雨量将超过80毫米，可能发生山洪。"
	    "请沿河一组、二组、三组村民立即向高处转移，不要涉水过河，"
	    "老人和儿童由村干部和网格员协助转移。转移地点：村小学、村委会。");
	if (siren != NULL) {
		a->play[a->nplay].kind = PLAY_SIREN;
		snprintf(a->play[a->nplay].name, sizeof(a->play[0].name), "%s", siren);
		a->nplay++;
	}
	if (clip != NULL) {
		a->play[a->nplay].kind = PLAY_CLIP;
		snprintf(a->play[a->nplay].name, sizeof(a->play[0].name), "%s", clip);
		memcpy(a->play[a->nplay].sha256, sha, 32);
		a->nplay++;
	}
	a->repeat = 1;
	a->volume = 90;
}

/* CLOCK_MONOTONIC in ns: the clock the sim GPIO stamps its edges with. */
static inline uint64_t
bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int
bench_cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* Nearest-rank percentile of n sorted values (p in 0..100). */
static inline double
bench_pct(const double *sorted, int n, double p)
{
	int k;

	if (n == 0)
		return 0;
	k = (int)((p / 100.0) * n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return sorted[k];
}

#endif
