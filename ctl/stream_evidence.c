/*
 * stream_evidence: formatting of a receipt's stream evidence (see
 * stream_evidence.h).  Times are UTC (the same on every node's line).
 */
#include <stdio.h>
#include <time.h>

#include "ctl/stream_evidence.h"

static void
fmt_us(int64_t us, char *out, size_t outsz)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	char hms[16];

	if (us <= 0 || gmtime_r(&s, &tm) == NULL || strftime(hms, sizeof hms, "%H:%M:%S", &tm) == 0)
		snprintf(out, outsz, "-");
	else
		snprintf(out, outsz, "%s.%03d UTC", hms, (int)(us / 1000 % 1000));
}

void
evidence_text(const struct receipt_stream *s, char *out, size_t outsz)
{
	char first[32], played[64] = "nothing played";

	if (s->first_us > 0 && s->last_us >= s->first_us) {
		fmt_us(s->first_us, first, sizeof first);
		snprintf(played, sizeof played, "played %.3f s from %s",
		    (double)(s->last_us - s->first_us) / 1e6, first);
	}
	snprintf(out, outsz, "stream: %u received, %u late, %u lost, %u concealed, %u rejected; "
	    "%s; sync median %.2f ms, max %.2f ms; end: %s", s->received, s->late, s->lost,
	    s->concealed, s->rejected, played, (double)s->sync_median_us / 1000,
	    (double)s->sync_max_us / 1000, s->end[0] ? s->end : "(still playing)");
}

cJSON *
evidence_json(const struct receipt_stream *s)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(o, "received", s->received) == NULL ||
	    cJSON_AddNumberToObject(o, "late", s->late) == NULL ||
	    cJSON_AddNumberToObject(o, "lost", s->lost) == NULL ||
	    cJSON_AddNumberToObject(o, "concealed", s->concealed) == NULL ||
	    cJSON_AddNumberToObject(o, "rejected", s->rejected) == NULL ||
	    cJSON_AddNumberToObject(o, "first_us", (double)s->first_us) == NULL ||
	    cJSON_AddNumberToObject(o, "last_us", (double)s->last_us) == NULL ||
	    cJSON_AddNumberToObject(o, "sync_median_us", (double)s->sync_median_us) == NULL ||
	    cJSON_AddNumberToObject(o, "sync_max_us", (double)s->sync_max_us) == NULL ||
	    cJSON_AddStringToObject(o, "end", s->end) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
