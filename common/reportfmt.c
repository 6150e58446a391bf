/*
 * reportfmt: the hub's report (docs/PROTOCOL.md section 13) as CSV and as a
 * short text, made from its signed JSON body alone (see reportfmt.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "common/reportfmt.h"

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap : 1024) * 2 + (size_t)n;
		char *g = realloc(b->s, cap);

		if (g == NULL) {
			b->oom = 1;
			return;
		}
		b->s = g;
		b->cap = cap;
	}
}

static char *
sb_done(struct sbuf *b, struct cx_err *e)
{
	if (b->oom || b->s == NULL) {
		free(b->s);
		cx_errf(e, "out of memory");
		return NULL;
	}
	return b->s;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static long long
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static cJSON *
parse_report(const uint8_t *json, size_t n, struct cx_err *e)
{
	cJSON *root = cJSON_ParseWithLength((const char *)json, n);

	if (root == NULL || strcmp(str(root, "kind"), "report") != 0
	    || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "nodes"))) {
		cJSON_Delete(root);
		cx_errf(e, "not a report body");
		return NULL;
	}
	return root;
}

/* RFC 4180: quoted when it holds a comma, quote or line break */
static void
csv_field(struct sbuf *b, const char *s, int last)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		sb_printf(b, "%s%s", s, last ? "\r\n" : ",");
		return;
	}
	sb_printf(b, "\"");
	for (p = s; *p; p++)
		sb_printf(b, *p == '"' ? "\"\"" : "%c", *p);
	sb_printf(b, "\"%s", last ? "\r\n" : ",");
}

char *
report_csv(const uint8_t *json, size_t n, struct cx_err *e)
{
	cJSON *root = parse_report(json, n, e), *w;
	struct sbuf b = { 0 };
	char t[24], ack[8];

	if (root == NULL)
		return NULL;
	sb_printf(&b, "warning,at,node,zone,class,state,reason,time_ms,acknowledged\r\n");
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(root, "nodes")) {
		csv_field(&b, str(root, "ref"), 0);
		csv_field(&b, str(root, "at"), 0);
		csv_field(&b, str(w, "node"), 0);
		csv_field(&b, str(w, "zone"), 0);
		csv_field(&b, str(w, "class"), 0);
		csv_field(&b, str(w, "state"), 0);
		csv_field(&b, str(w, "reason"), 0);
		snprintf(t, sizeof(t), "%lld", num(w, "time"));
		csv_field(&b, t, 0);
		snprintf(ack, sizeof(ack), "%s",
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w, "acknowledged")) ? "yes" : "no");
		csv_field(&b, ack, 1);
	}
	cJSON_Delete(root);
	return sb_done(&b, e);
}

static void
utc(long long ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, size, "%lld ms", ms);
}

static void
text_counts(struct sbuf *b, const cJSON *c)
{
	sb_printf(b, "expected %lld: done %lld, failed %lld, rejected %lld, silent %lld, "
	    "offline %lld, pending %lld; acknowledged by a person %lld",
	    num(c, "expected"), num(c, "done"), num(c, "failed"), num(c, "rejected"),
	    num(c, "silent"), num(c, "offline"), num(c, "pending"), num(c, "acknowledged"));
	if (num(c, "cancelled") + num(c, "superseded") > 0)   /* reports before these classes lack them */
		sb_printf(b, "; cancelled %lld, superseded by an update %lld", num(c, "cancelled"),
		    num(c, "superseded"));
}

char *
report_text(const uint8_t *json, size_t n, struct cx_err *e)
{
	return report_text_named(json, n, NULL, e);
}

char *
report_text_named(const uint8_t *json, size_t n, const struct zonedir *zones,
    struct cx_err *e)
{
	cJSON *root = parse_report(json, n, e), *z, *w;
	struct sbuf b = { 0 };
	char when[40], zl[160];

	if (root == NULL)
		return NULL;
	utc(num(root, "time"), when, sizeof(when));
	sb_printf(&b, "Report %s of warning %s (%s), hub %s, %s\n", str(root, "at"),
	    str(root, "ref"), str(root, "status"), str(root, "hub"), when);
	sb_printf(&b, "Verdict: %s%s; ", str(root, "verdict"),
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "complete")) ? "" : " (incomplete)");
	text_counts(&b, cJSON_GetObjectItemCaseSensitive(root, "counts"));
	sb_printf(&b, "\n");
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(root, "zones")) {
		sb_printf(&b, "Zone %s: %s; ", zonedir_label(zones, str(z, "zone"), zl, sizeof(zl)),
		    str(z, "verdict"));
		text_counts(&b, z);
		sb_printf(&b, "\n");
	}
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(root, "nodes")) {
		if (strcmp(str(w, "class"), "done") == 0 && !cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(w, "acknowledged")))
			continue;              /* the text lists what needs attention */
		sb_printf(&b, "  %-8s %s (%s)%s%s%s\n", str(w, "class"), str(w, "node"),
		    zonedir_label(zones, str(w, "zone"), zl, sizeof(zl)),
		    str(w, "reason")[0] ? ": " : "", str(w, "reason"),
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w, "acknowledged"))
		    ? ", acknowledged by a person" : "");
	}
	cJSON_Delete(root);
	return sb_done(&b, e);
}
