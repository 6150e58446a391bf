/*
 * cap_out: a warning body written as a CAP 1.2 alert (see cap.h).
 *
 * One <info>, one <area> holding every zone as a geocode of scheme
 * CAP_ZONE_SCHEME.  What CAP has no element for (the play list, repeat,
 * volume, the clips' SHA-256) travels as <parameter>s named "cunxiang:...";
 * what the body does not know is written as CAP's "Unknown" (urgency,
 * certainty) or "Other" (category), never invented.  References need the
 * replaced message's sender and sent time: the sender is taken to be this
 * one's, the sent time is read from ids made by cunxiangctl
 * ("<kid>-<UTC yyyymmddHHMMSS>-<hex>"); for any other id it is this
 * message's own sent time, and a <note> says so.  CAP's sender has no
 * spaces or commas: see cap_sender().  docs/PROTOCOL.md "CAP 1.2".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "common/cap.h"

static const char *const sev_names[] = { "Unknown", "Extreme", "Severe", "Moderate", "Minor" };
static const char *const status_names[] = { "Actual", "Exercise", "Test" };
static const char *const type_names[] = { "Alert", "Update", "Cancel" };

/* CAP wants "-00:00" for UTC, never "Z" */
static void
fmt_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%S-00:00", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00-00:00");
}

static int
add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text) ? 0 : -1;
}

static int
add_pair(xmlNodePtr parent, const char *el, const char *name, const char *value)
{
	xmlNodePtr n = xmlNewChild(parent, parent->ns, BAD_CAST el, NULL);

	return n && add(n, "valueName", name) == 0 && add(n, "value", value) == 0 ? 0 : -1;
}

/* "<kid>-<yyyymmddHHMMSS>-<hex>": the time, or -1 */
static int64_t
id_time(const char *id)
{
	const char *p = strrchr(id, '-');
	struct tm tm;
	char d[15];

	if (p == NULL || p - id < 16 || p[-15] != '-')
		return -1;
	memcpy(d, p - 14, 14);
	d[14] = '\0';
	if (strspn(d, "0123456789") != 14)
		return -1;
	memset(&tm, 0, sizeof tm);
	if (sscanf(d, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	    &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* CAP's sender has no spaces, commas, '<' or '&': those (and control
 * bytes) become '_'; the body's own sender goes to <senderName> then. */
static int
cap_sender(const char *s, char out[ALERT_SENDER_MAX + 1])
{
	size_t i, n = strlen(s);
	int changed = 0;

	for (i = 0; i < n && i < ALERT_SENDER_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[i] = ch <= ' ' || ch == ',' || ch == '<' || ch == '&' || ch == 0x7f ? '_' : (char)ch;
		changed |= out[i] != s[i];
	}
	out[i] = '\0';
	return changed;
}

static int
add_header(xmlNodePtr root, const struct alert *a, char sender[ALERT_SENDER_MAX + 1])
{
	char t[32], buf[ALERT_SENDER_MAX + ALERT_ID_MAX + 48];
	int64_t rt;

	fmt_time(a->sent, t);
	if (add(root, "identifier", a->id) || add(root, "sender", sender) ||
	    add(root, "sent", t) || add(root, "status", status_names[a->status]) ||
	    add(root, "msgType", type_names[a->type]) || add(root, "scope", "Public"))
		return -1;
	if (a->type == AT_ALERT)
		return 0;
	if ((rt = id_time(a->ref)) < 0 &&
	    add(root, "note", "the sent time in references is this message's own: the "
	    "replaced message's is not in the warning") != 0)
		return -1;
	fmt_time(rt < 0 ? a->sent : rt, t);
	snprintf(buf, sizeof buf, "%s,%s,%s", sender, a->ref, t);
	return add(root, "references", buf);
}

static int
add_play(xmlNodePtr info, const struct alert *a)
{
	static const char *const kinds[] = { "cunxiang:clip", "cunxiang:siren", "cunxiang:stream",
	    "cunxiang:speech" };
	char v[CLIP_NAME_MAX + 80];
	int i, j;

	for (i = 0; i < a->nplay; i++) {
		const struct play_item *p = &a->play[i];
		if (p->kind == PLAY_CLIP) {
			int n = snprintf(v, sizeof v, "%s sha256:", p->name);
			for (j = 0; j < 32; j++)
				n += snprintf(v + n, sizeof v - (size_t)n, "%02x", p->sha256[j]);
		} else {
			snprintf(v, sizeof v, "%s", p->name);
		}
		if (add_pair(info, "parameter", kinds[p->kind], v) != 0)
			return -1;
	}
	snprintf(v, sizeof v, "%d", a->repeat);
	if (add_pair(info, "parameter", "cunxiang:repeat", v) != 0)
		return -1;
	snprintf(v, sizeof v, "%d", a->volume);
	return add_pair(info, "parameter", "cunxiang:volume", v);
}

static int
add_resources(xmlNodePtr info, const struct alert *a)
{
	char desc[CLIP_NAME_MAX + 16];
	xmlNodePtr r;
	int i;

	for (i = 0; i < a->nplay; i++) {
		if (a->play[i].kind != PLAY_CLIP)
			continue;
		snprintf(desc, sizeof desc, "clip %s", a->play[i].name);
		if ((r = xmlNewChild(info, info->ns, BAD_CAST "resource", NULL)) == NULL ||
		    add(r, "resourceDesc", desc) || add(r, "mimeType", "audio/ogg") ||
		    add(r, "uri", a->play[i].name))
			return -1;
	}
	return 0;
}

static int
add_area(xmlNodePtr info, const struct alert *a)
{
	char desc[ALERT_MAX_ZONES * (ZONE_MAX + 1) + 8] = "zones";
	xmlNodePtr ar;
	int i;

	for (i = 0; i < a->nzones; i++)
		snprintf(desc + strlen(desc), sizeof desc - strlen(desc), " %s", a->zones[i]);
	if ((ar = xmlNewChild(info, info->ns, BAD_CAST "area", NULL)) == NULL ||
	    add(ar, "areaDesc", desc) != 0)
		return -1;
	for (i = 0; i < a->nzones; i++)
		if (add_pair(ar, "geocode", CAP_ZONE_SCHEME, a->zones[i]) != 0)
			return -1;
	return 0;
}

static int
add_info(xmlNodePtr root, const struct alert *a, const char *lang, int sender_changed)
{
	xmlNodePtr info = xmlNewChild(root, root->ns, BAD_CAST "info", NULL);
	char t[32];

	if (info == NULL || (lang && add(info, "language", lang)) ||
	    add(info, "category", "Other") ||
	    add(info, "event", a->type == AT_CANCEL ? "cancel" : a->event) ||
	    add(info, "urgency", "Unknown") ||
	    add(info, "severity", sev_names[a->severity >= 0 && a->severity <= 4 ? a->severity : 0]) ||
	    add(info, "certainty", "Unknown"))
		return -1;
	fmt_time(a->effective, t);
	if (add(info, "effective", t))
		return -1;
	fmt_time(a->expires, t);
	if (add(info, "expires", t) || (sender_changed && add(info, "senderName", a->sender)) ||
	    (a->title[0] && add(info, "headline", a->title)) ||
	    (a->text[0] && add(info, "description", a->text)) ||
	    (a->type != AT_CANCEL && add_play(info, a)) || add_resources(info, a))
		return -1;
	return add_area(info, a);
}

char *
cap_from_alert(const struct alert *a, const char *lang, struct cx_err *e)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = NULL;
	xmlChar *mem = NULL;
	char *out = NULL, sender[ALERT_SENDER_MAX + 1];
	int n = 0, changed;

	if ((unsigned)a->status > 2 || (unsigned)a->type > 2) {
		cx_errf(e, "bad status or type");
		goto out;
	}
	if (doc == NULL || (root = xmlNewNode(NULL, BAD_CAST "alert")) == NULL) {
		cx_errf(e, "out of memory");
		goto out;
	}
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST CAP_NS, NULL));
	changed = cap_sender(a->sender, sender);
	if (add_header(root, a, sender) != 0 || add_info(root, a, lang, changed) != 0) {
		cx_errf(e, "out of memory");
		goto out;
	}
	xmlDocDumpFormatMemoryEnc(doc, &mem, &n, "UTF-8", 1);
	if (mem == NULL || (out = malloc((size_t)n + 1)) == NULL) {
		cx_errf(e, "out of memory");
		goto out;
	}
	memcpy(out, mem, (size_t)n);
	out[n] = '\0';
out:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return out;
}
