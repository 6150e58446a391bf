/*
 * fuzz_schedule: the schedule body (common/schedule.c).
 *
 * The input is a body (JSON).  Checks:
 *  - schedule_parse() either fails with a message or gives a schedule that
 *    schedule_check() accepts;
 *  - round trip: schedule_to_json() of it is accepted and parses back to
 *    the same struct;
 *  - for each programme, from a few moments of the validity period,
 *    schedule_next_due() answers a time at or after the moment, inside the
 *    period, at the programme's minute of the day (TZ is UTC here) on one
 *    of its days, within 8 days; its ref is at most ALERT_ID_MAX bytes of
 *    [A-Za-z0-9._:-]; schedule_judge() of it against itself is SAME.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/schedule.h"
#include "tests/fuzz/fuzz_util.h"

static void
check_due(const struct schedule *s, const struct sched_prog *p, int64_t from)
{
	char ref[SCHED_REF_MAX + 1];
	struct tm tm;
	time_t t;
	int64_t due;
	int iso;

	if (schedule_next_due(s, p, from, &due) < 0) {
		/* none: the period ends within 8 days of the moment */
		FUZZ_CHECK(s->valid_until - (from > s->valid_from ? from : s->valid_from)
		    <= 8 * 86400);
		return;
	}
	FUZZ_CHECK(due >= from && due >= s->valid_from && due < s->valid_until);
	FUZZ_CHECK(due - (from > s->valid_from ? from : s->valid_from) <= 8 * 86400);
	t = (time_t)due;
	FUZZ_CHECK(gmtime_r(&t, &tm) != NULL);
	FUZZ_CHECK(tm.tm_hour * 60 + tm.tm_min == p->at_min && tm.tm_sec == 0);
	iso = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	FUZZ_CHECK(p->days & (1u << (iso - 1)));
	FUZZ_CHECK(schedule_ref(s, p, due, ref, sizeof(ref)) == 0);
	FUZZ_CHECK(strlen(ref) <= ALERT_ID_MAX && msg_id_valid(ref));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct schedule s, s2;
	struct cx_err e = { "" };
	char *out;
	int i;

	if (schedule_parse(data, size, &s, &e) < 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(schedule_check(&s, &e) == 0);
	out = schedule_to_json(&s, &e);
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(schedule_parse((const uint8_t *)out, strlen(out), &s2, &e) == 0);
	FUZZ_CHECK(memcmp(&s, &s2, sizeof(s)) == 0);
	free(out);
	FUZZ_CHECK(schedule_judge(&s, "k", &s2, "k") == SCHED_SAME);
	for (i = 0; i < s.nprog; i++) {
		check_due(&s, &s.prog[i], s.valid_from);
		check_due(&s, &s.prog[i], s.valid_from + (s.valid_until - s.valid_from) / 2);
		check_due(&s, &s.prog[i], s.valid_until - 1);
	}
	return 0;
}
