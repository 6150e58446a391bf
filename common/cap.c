/*
 * cap: a CAP 1.2 alert read into a warning body's fields (see cap.h).
 *
 * Order: size bound, XML parse (libxml2: no network, no DTD allowed, no
 * entity substitution), root element and namespace, schema validation
 * against the embedded OASIS XSD, then the mapping, which refuses what it
 * cannot carry rather than guess (docs/PROTOCOL.md "CAP 1.2").  The first
 * error wins and names FILE:LINE and the element.  libxml2's error hooks
 * are process-wide: this module sets them around each call and restores
 * them, which is fine for the single-threaded CLI (and the fuzzer).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "common/cap.h"
#include "common/zone.h"

#define VAL_MAX 4096               /* a CAP string we read: more is refused */

/* the geocode schemes whose values are China's administrative codes */
static const char *const zone_schemes[] = { CAP_ZONE_SCHEME, "GB2260", "ADCODE", "CN-ADCODE" };

struct capctx {
	const struct cap_opts *o;
	struct cap_result *r;
	struct cx_err *e;
	int failed;                /* an error is in e already */
};

/* ---- libxml2 errors ----------------------------------------------------- */

struct xerr {
	const char *file;
	struct cx_err *e;
	int have;
};

static void
xerr_hook(void *arg, xmlErrorPtr err)
{
	struct xerr *x = arg;
	char msg[CX_ERR_MAX];
	size_t n;

	if (x->have || err == NULL || err->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof msg, "%s", err->message ? err->message : "XML error");
	n = strlen(msg);
	while (n > 0 && isspace((unsigned char)msg[n - 1]))
		msg[--n] = '\0';
	cx_errf(x->e, "%s:%d: %s", x->file, err->line, msg);
	x->have = 1;
}

static void
xerr_quiet(void *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
}

static xmlSchemaPtr
schema_get(struct cx_err *e)
{
	static xmlSchemaPtr schema;
	xmlSchemaParserCtxtPtr pc;

	if (schema != NULL)
		return schema;
	if ((pc = xmlSchemaNewMemParserCtxt(cap_xsd, (int)cap_xsd_len)) == NULL) {
		cx_errf(e, "the CAP 1.2 schema: out of memory");
		return NULL;
	}
	xmlSchemaSetParserErrors(pc, xerr_quiet, xerr_quiet, NULL);
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (schema == NULL)
		cx_errf(e, "the embedded CAP 1.2 schema does not parse");
	return schema;
}

/* the line of the first occurrence of what in xml (1 if none) */
static int
line_of(const uint8_t *xml, size_t len, const char *what)
{
	size_t i, n = strlen(what);
	int line = 1;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(xml + i, what, n) == 0)
			return line;
		line += xml[i] == '\n';
	}
	return 1;
}

/* The document, or NULL with e set. Caller frees with xmlFreeDoc(). */
static xmlDocPtr
doc_read(const uint8_t *xml, size_t len, const char *file, struct cx_err *e)
{
	struct xerr x = { file, e, 0 };
	xmlParserCtxtPtr pc;
	xmlDocPtr doc = NULL;

	if (len > CAP_MAX_BYTES) {
		cx_errf(e, "%s: %zu bytes, at most %u", file, len, CAP_MAX_BYTES);
		return NULL;
	}
	if ((pc = xmlNewParserCtxt()) == NULL) {
		cx_errf(e, "%s: out of memory", file);
		return NULL;
	}
	xmlSetStructuredErrorFunc(&x, xerr_hook);
	doc = xmlCtxtReadMemory(pc, (const char *)xml, (int)len, file, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlFreeParserCtxt(pc);
	if (doc == NULL) {
		if (!x.have)
			cx_errf(e, "%s: not XML", file);
		return NULL;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		cx_errf(e, "%s:%d: a DOCTYPE is not allowed in a CAP alert", file,
		    line_of(xml, len, "<!DOCTYPE"));
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static int
root_check(xmlDocPtr doc, const char *file, struct cx_err *e)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *ns;

	if (root == NULL)
		return cx_errf(e, "%s: no root element", file);
	ns = root->ns && root->ns->href ? (const char *)root->ns->href : "";
	if (strcmp((const char *)root->name, "alert") != 0 || strcmp(ns, CAP_NS) != 0)
		return cx_errf(e, "%s:%ld: element <%s> in namespace '%s': not a CAP 1.2 alert "
		    "(want <alert xmlns=\"%s\">)", file, xmlGetLineNo(root),
		    (const char *)root->name, ns, CAP_NS);
	return 0;
}

static int
doc_validate(xmlDocPtr doc, const char *file, struct cx_err *e)
{
	struct xerr x = { file, e, 0 };
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr schema;
	int rc;

	if ((schema = schema_get(e)) == NULL)
		return -1;
	if ((vc = xmlSchemaNewValidCtxt(schema)) == NULL)
		return cx_errf(e, "%s: out of memory", file);
	xmlSchemaSetValidStructuredErrors(vc, xerr_hook, &x);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	if (rc != 0) {
		if (!x.have)
			cx_errf(e, "%s: does not validate against the CAP 1.2 schema", file);
		return -1;
	}
	return 0;
}

int
cap_validate(const uint8_t *xml, size_t len, const char *file, struct cx_err *e)
{
	xmlDocPtr doc;
	int rc;

	if ((doc = doc_read(xml, len, file, e)) == NULL)
		return -1;
	rc = root_check(doc, file, e) == 0 && doc_validate(doc, file, e) == 0 ? 0 : -1;
	xmlFreeDoc(doc);
	return rc;
}

/* ---- reading the validated tree ---------------------------------------- */

static int
fail(struct capctx *c, xmlNodePtr n, const char *fmt, ...)
{
	char msg[CX_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->failed = 1;
	return cx_errf(c->e, "%s:%ld: <%s>: %s", c->o->file, n ? xmlGetLineNo(n) : 0L,
	    n ? (const char *)n->name : "alert", msg);
}

static void
note(struct capctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->r->nnotes >= CAP_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->r->notes[c->r->nnotes++], CAP_NOTE_MAX, fmt, ap);
	va_end(ap);
}

static int
is_el(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, CAP_NS) == 0 &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next)
		if (is_el(n, name))
			return n;
	return NULL;
}

static int
count(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;
	int k = 0;

	for (n = parent->children; n != NULL; n = n->next)
		k += is_el(n, name);
	return k;
}

/* The element's text, surrounding white space trimmed, into out (outsz
 * bytes with the NUL): 0, or -1 (too long: error naming the element). */
static int
text_of(struct capctx *c, xmlNodePtr n, char *out, size_t outsz)
{
	xmlChar *s = xmlNodeGetContent(n);
	const char *p = s ? (const char *)s : "";
	size_t len;

	while (isspace((unsigned char)*p))
		p++;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	if (len >= outsz) {
		xmlFree(s);
		return fail(c, n, "%zu bytes, at most %zu", len, outsz - 1);
	}
	memcpy(out, p, len);
	out[len] = '\0';
	xmlFree(s);
	return 0;
}

/* child's text: 1 present, 0 absent (out ""), -1 error */
static int
child_text(struct capctx *c, xmlNodePtr parent, const char *name, char *out, size_t outsz)
{
	xmlNodePtr n = child(parent, name);

	out[0] = '\0';
	if (n == NULL)
		return 0;
	return text_of(c, n, out, outsz) == 0 ? 1 : -1;
}

/* CAP's dateTime (the schema checked the shape): Unix seconds. */
static int
cap_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh, om;
	char sign;
	struct tm tm;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &y, &mo, &d, &h, &mi, &sec, &sign,
	    &oh, &om) != 9 || (sign != '+' && sign != '-') || mo < 1 || mo > 12 || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - (sign == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
	return 0;
}

static int
time_of(struct capctx *c, xmlNodePtr parent, const char *name, int64_t *out)
{
	char s[64];
	int rc = child_text(c, parent, name, s, sizeof s);

	if (rc == 1 && cap_time(s, out) != 0)
		return fail(c, child(parent, name), "'%s' is not a date and time", s);
	return rc;
}

/* ---- the <alert> block -------------------------------------------------- */

static int
map_status(struct capctx *c, xmlNodePtr root)
{
	static const char *const st[] = { "Actual", "Exercise", "Test" };
	static const char *const mt[] = { "Alert", "Update", "Cancel" };
	char s[16], m[16], scope[16];
	int i;

	if (child_text(c, root, "status", s, sizeof s) < 0 ||
	    child_text(c, root, "msgType", m, sizeof m) < 0 ||
	    child_text(c, root, "scope", scope, sizeof scope) < 0)
		return -1;
	for (i = 0; i < 3 && strcmp(s, st[i]) != 0; i++)
		;
	if (i == 3)
		return fail(c, child(root, "status"), "%s: not for broadcast (only Actual, Exercise "
		    "and Test are sent to nodes)", s);
	c->r->a.status = (enum alert_status)i;
	for (i = 0; i < 3 && strcmp(m, mt[i]) != 0; i++)
		;
	if (i == 3)
		return fail(c, child(root, "msgType"), "%s: an acknowledgement or error between "
		    "systems, not a warning (only Alert, Update and Cancel)", m);
	c->r->a.type = (enum alert_type)i;
	if (strcmp(scope, "Public") != 0)
		return fail(c, child(root, "scope"), "%s: loudspeakers are public; only Public "
		    "alerts are broadcast", scope);
	return 0;
}

/* references: "sender,identifier,sent" triples separated by white space;
 * the last one is the message updated or cancelled. */
static int
map_references(struct capctx *c, xmlNodePtr root)
{
	char refs[VAL_MAX], *tok, *save = NULL, *last = NULL, *id, *comma;
	xmlNodePtr n = child(root, "references");
	int k = 0, rc = child_text(c, root, "references", refs, sizeof refs);

	if (rc < 0)
		return -1;
	if (c->r->a.type == AT_ALERT) {
		if (rc == 1)
			note(c, "references dropped (an Alert replaces nothing)");
		return 0;
	}
	if (rc == 0)
		return fail(c, root, "an %s needs <references> (the message it replaces)",
		    c->r->a.type == AT_UPDATE ? "Update" : "Cancel");
	for (tok = strtok_r(refs, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		last = tok;
		k++;
	}
	if (last == NULL || (comma = strchr(last, ',')) == NULL ||
	    strchr(comma + 1, ',') == NULL)
		return fail(c, n, "not \"sender,identifier,sent\"");
	id = comma + 1;
	*strchr(id, ',') = '\0';
	if (!msg_id_valid(id))
		return fail(c, n, "identifier '%.64s' is not 1-64 of [A-Za-z0-9._:-]", id);
	memcpy(c->r->a.ref, id, strlen(id) + 1);
	if (k > 1)
		note(c, "references lists %d messages: the last, %s, is the one replaced", k, id);
	return 0;
}

static int
map_header(struct capctx *c, xmlNodePtr root)
{
	struct alert *a = &c->r->a;
	char id[VAL_MAX];
	xmlNodePtr n;

	if (child_text(c, root, "identifier", id, sizeof id) < 0)
		return -1;
	if (!c->o->id_given) {
		if (!msg_id_valid(id))
			return fail(c, child(root, "identifier"), "'%.80s' is not 1-64 of "
			    "[A-Za-z0-9._:-]: give --id", id);
		memcpy(a->id, id, strlen(id) + 1);
	}
	if (child_text(c, root, "sender", a->sender, sizeof a->sender) < 0)
		return -1;
	if (a->sender[0] == '\0' || strpbrk(a->sender, " \t\r\n,<&") != NULL)
		return fail(c, child(root, "sender"), "'%s': CAP wants a non-empty sender without "
		    "spaces, commas, '<' or '&'", a->sender);
	if (map_status(c, root) != 0 || map_references(c, root) != 0)
		return -1;
	a->v = ALERT_VERSION;
	a->sent = a->effective = c->o->now;
	a->repeat = 1;
	a->volume = VOLUME_KEEP;
	if (child(root, "restriction") || child(root, "addresses"))
		note(c, "restriction/addresses dropped");
	for (n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    strstr((const char *)n->ns->href, "xmldsig") != NULL) {
			note(c, "the XML signature is not checked: the warning is signed over "
			    "its exact bytes");
			break;
		}
	return 0;
}

/* ---- the <info> block --------------------------------------------------- */

static xmlNodePtr
pick_info(struct capctx *c, xmlNodePtr root)
{
	char lang[CAP_LANG_MAX + 1], langs[CX_ERR_MAX / 2] = "";
	int n = count(root, "info");
	xmlNodePtr i;

	if (n == 0)
		return NULL;
	if (n == 1 && c->o->lang == NULL)
		return child(root, "info");
	for (i = root->children; i != NULL; i = i->next) {
		if (!is_el(i, "info"))
			continue;
		if (child_text(c, i, "language", lang, sizeof lang) < 0)
			return NULL;
		if (lang[0] == '\0')
			snprintf(lang, sizeof lang, "en-US");   /* the schema's default */
		if (c->o->lang != NULL && strcasecmp(lang, c->o->lang) == 0) {
			if (n > 1)
				note(c, "%d <info> blocks: the %s one is used", n, lang);
			return i;
		}
		snprintf(langs + strlen(langs), sizeof langs - strlen(langs), "%s%s",
		    langs[0] ? ", " : "", lang);
	}
	if (c->o->lang != NULL)
		fail(c, root, "no <info> in language %s (there are: %s)", c->o->lang, langs);
	else
		fail(c, root, "%d <info> blocks (%s): a warning has one text; pick one with --lang",
		    n, langs);
	return NULL;
}

static int
map_severity(struct capctx *c, xmlNodePtr info)
{
	static const char *const sev[] = { "Unknown", "Extreme", "Severe", "Moderate", "Minor" };
	char s[16], u[16], k[16];
	int i;

	if (child_text(c, info, "severity", s, sizeof s) < 0 ||
	    child_text(c, info, "urgency", u, sizeof u) < 0 ||
	    child_text(c, info, "certainty", k, sizeof k) < 0)
		return -1;
	for (i = 0; i < 5 && strcmp(s, sev[i]) != 0; i++)
		;
	c->r->a.severity = i < 5 ? i : 0;
	note(c, "urgency %s and certainty %s are not carried (a node acts on every warning "
	    "at once)", u, k);
	return 0;
}

static int
map_event(struct capctx *c, xmlNodePtr info)
{
	char ev[VAL_MAX], code[VAL_MAX], name[64];
	xmlNodePtr n;

	if (child_text(c, info, "event", ev, sizeof ev) < 0)
		return -1;
	if (c->o->event_given)
		return 0;
	for (n = info->children; n != NULL; n = n->next) {
		if (!is_el(n, "eventCode"))
			continue;
		if (child_text(c, n, "valueName", name, sizeof name) < 0 ||
		    child_text(c, n, "value", code, sizeof code) < 0)
			return -1;
		if (code[0] != '\0' && strlen(code) <= ALERT_EVENT_MAX) {
			memcpy(c->r->a.event, code, strlen(code) + 1);
			note(c, "event: the %s code %s (<event> was '%.60s')", name, code, ev);
			return 0;
		}
	}
	if (ev[0] == '\0' || strlen(ev) > ALERT_EVENT_MAX)
		return fail(c, child(info, "event"), "'%.60s' is %zu bytes, at most %d, and no "
		    "<eventCode> fits: give --event CODE", ev, strlen(ev), ALERT_EVENT_MAX);
	memcpy(c->r->a.event, ev, strlen(ev) + 1);
	return 0;
}

static int
map_times(struct capctx *c, xmlNodePtr info)
{
	struct alert *a = &c->r->a;
	int64_t t;
	int rc;

	if ((rc = time_of(c, info, "effective", &t)) < 0)
		return -1;
	if (rc == 1)
		a->effective = t;
	if ((rc = time_of(c, info, "expires", &t)) < 0)
		return -1;
	if (rc == 0) {
		t = c->o->now + c->o->default_expires_s;
		note(c, "no <expires>: the warning expires in %lld s", (long long)c->o->default_expires_s);
	} else if (t <= c->o->now) {
		return fail(c, child(info, "expires"), "the alert expired %lld s ago",
		    (long long)(c->o->now - t));
	}
	a->expires = t;
	if (a->expires <= a->effective)
		return fail(c, child(info, "expires"), "not after <effective>");
	return 0;
}

/* one note naming the <info> elements present that the body has no place for */
static void
dropped(struct capctx *c, xmlNodePtr info)
{
	static const char *const names[] = { "senderName", "audience", "responseType", "web",
	    "contact", "parameter", "onset" };
	char list[CAP_NOTE_MAX / 2] = "";
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (child(info, names[i]) != NULL)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			    list[0] ? ", " : "", names[i]);
	if (list[0])
		note(c, "dropped: %s (no place in a warning)", list);
}

static int
map_text(struct capctx *c, xmlNodePtr info)
{
	struct alert *a = &c->r->a;
	char desc[ALERT_TEXT_MAX + 1], instr[ALERT_TEXT_MAX + 1];
	size_t n;

	if (child_text(c, info, "headline", a->title, sizeof a->title) < 0 ||
	    child_text(c, info, "description", desc, sizeof desc) < 0 ||
	    child_text(c, info, "instruction", instr, sizeof instr) < 0)
		return -1;
	n = strlen(desc) + (desc[0] && instr[0] ? 2 : 0) + strlen(instr);
	if (n > ALERT_TEXT_MAX)
		return fail(c, info, "<description> and <instruction> together are %zu bytes, "
		    "at most %d", n, ALERT_TEXT_MAX);
	/* n fits: copy the parts (text = description, a blank line, instruction) */
	a->text[0] = '\0';
	strcat(a->text, desc);
	if (desc[0] && instr[0])
		strcat(a->text, "\n\n");
	strcat(a->text, instr);
	dropped(c, info);
	return 0;
}

/* ---- <area> and <resource> ---------------------------------------------- */

static int
known_scheme(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof zone_schemes / sizeof zone_schemes[0]; i++)
		if (strcmp(s, zone_schemes[i]) == 0)
			return 1;
	return 0;
}

static int
add_zone(struct capctx *c, xmlNodePtr g, const char *value)
{
	struct alert *a = &c->r->a;
	char z[ZONE_MAX + 1];
	struct cx_err ze;
	int i;

	if (zone_parse(value, z, &ze) != 0)
		return fail(c, g, "%s", ze.msg);
	for (i = 0; i < a->nzones; i++)
		if (strcmp(a->zones[i], z) == 0)
			return 0;
	if (a->nzones >= ALERT_MAX_ZONES)
		return fail(c, g, "more than %d zones", ALERT_MAX_ZONES);
	memcpy(a->zones[a->nzones++], z, sizeof z);
	return 0;
}

static int
map_area(struct capctx *c, xmlNodePtr area)
{
	char name[64], value[64], other[64] = "";
	xmlNodePtr g;
	int used = 0;

	for (g = area->children; g != NULL; g = g->next) {
		if (!is_el(g, "geocode"))
			continue;
		if (child_text(c, g, "valueName", name, sizeof name) < 0 ||
		    child_text(c, g, "value", value, sizeof value) < 0)
			return -1;
		if (!known_scheme(name)) {
			snprintf(other, sizeof other, "%s", name);
			continue;
		}
		if (add_zone(c, g, value) != 0)
			return -1;
		used++;
	}
	if (used > 0) {
		if (other[0] || child(area, "polygon") || child(area, "circle"))
			note(c, "geocodes of other schemes, polygons and circles dropped "
			    "(the %s codes are used)", CAP_ZONE_SCHEME);
		return 0;
	}
	if (other[0])
		return fail(c, area, "unknown geocode scheme '%s' (want %s administrative codes): "
		    "give the zones with --zone", other, CAP_ZONE_SCHEME);
	if (child(area, "polygon") || child(area, "circle"))
		return fail(c, area, "a polygon or circle without geocodes: nodes are addressed "
		    "by zone code, not by shape; give the zones with --zone");
	return fail(c, area, "no geocode: give the zones with --zone");
}

static int
map_areas(struct capctx *c, xmlNodePtr info)
{
	xmlNodePtr n;

	if (c->o->zones_given) {
		if (info != NULL && child(info, "area"))
			note(c, "<area> not read: the zones come from --zone");
		return 0;
	}
	if (info == NULL || child(info, "area") == NULL)
		return fail(c, info, "no <area>: give the zones with --zone");
	for (n = info->children; n != NULL; n = n->next)
		if (is_el(n, "area") && map_area(c, n) != 0)
			return -1;
	return 0;
}

static int
hexval(int ch)
{
	return isdigit(ch) ? ch - '0' : isxdigit(ch) ? (tolower(ch) - 'a' + 10) : -1;
}

static int
clip_from_uri(struct capctx *c, xmlNodePtr res, struct cap_clip *k)
{
	char uri[VAL_MAX], dig[64];
	const char *base;
	size_t n;
	int i;

	if (child_text(c, res, "uri", uri, sizeof uri) < 0 ||
	    child_text(c, res, "digest", dig, sizeof dig) < 0)
		return -1;
	if (uri[0] == '\0')
		return fail(c, res, "audio without <uri> (embedded audio is not sent to nodes): "
		    "put the clip on the nodes and name it in <uri>");
	base = strrchr(uri, '/') ? strrchr(uri, '/') + 1 : uri;
	n = strlen(base);
	if (n == 0 || n > CLIP_NAME_MAX || base[0] == '.' ||
	    strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return fail(c, child(res, "uri"), "clip name '%.70s' is not 1-%d of "
		    "[A-Za-z0-9._-], not starting with '.'", base, CLIP_NAME_MAX);
	memset(k, 0, sizeof *k);
	memcpy(k->name, base, n + 1);
	if (dig[0] == '\0')
		return 0;
	if (strlen(dig) != 40)
		return fail(c, child(res, "digest"), "not a SHA-1 (40 hex digits)");
	for (i = 0; i < 20; i++) {
		int hi = hexval((unsigned char)dig[2 * i]), lo = hexval((unsigned char)dig[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return fail(c, child(res, "digest"), "not a SHA-1 (40 hex digits)");
		k->sha1[i] = (uint8_t)(hi << 4 | lo);
	}
	k->has_sha1 = 1;
	return 0;
}

static int
map_resource(struct capctx *c, xmlNodePtr res)
{
	char mime[128], desc[128];

	if (child_text(c, res, "mimeType", mime, sizeof mime) < 0 ||
	    child_text(c, res, "resourceDesc", desc, sizeof desc) < 0)
		return -1;
	if (strncmp(mime, "audio/", 6) != 0) {
		note(c, "resource '%.40s' (%.40s) dropped: not audio", desc, mime);
		return 0;
	}
	if (strncmp(mime, "audio/ogg", 9) != 0 && strncmp(mime, "audio/opus", 10) != 0)
		return fail(c, child(res, "mimeType"), "%s: nodes play Ogg Opus clips only "
		    "(audio/ogg); convert it with opusenc and name that file", mime);
	if (c->r->nclips >= ALERT_MAX_PLAY)
		return fail(c, res, "more than %d clips", ALERT_MAX_PLAY);
	return clip_from_uri(c, res, &c->r->clips[c->r->nclips++]);
}

static int
map_info(struct capctx *c, xmlNodePtr info)
{
	xmlNodePtr n;

	if (map_event(c, info) != 0 || map_severity(c, info) != 0 || map_times(c, info) != 0 ||
	    map_text(c, info) != 0)
		return -1;
	for (n = info->children; n != NULL; n = n->next)
		if (is_el(n, "resource") && map_resource(c, n) != 0)
			return -1;
	return map_areas(c, info);
}

static int
map_alert(struct capctx *c, xmlNodePtr root)
{
	struct alert *a = &c->r->a;
	xmlNodePtr info;

	if (map_header(c, root) != 0)
		return -1;
	info = pick_info(c, root);
	if (c->failed)
		return -1;
	if (info != NULL)
		return map_info(c, info);
	if (a->type != AT_CANCEL)
		return fail(c, root, "no <info>: an %s needs an event, a severity and an area",
		    a->type == AT_ALERT ? "Alert" : "Update");
	a->expires = c->o->now + c->o->default_expires_s;
	if (!c->o->zones_given)
		return fail(c, root, "a Cancel without <info><area>: give the zones with --zone");
	return 0;
}

int
cap_parse(const uint8_t *xml, size_t len, const struct cap_opts *o, struct cap_result *r,
    struct cx_err *e)
{
	struct capctx c = { o, r, e, 0 };
	xmlDocPtr doc;
	int rc = -1;

	memset(r, 0, sizeof *r);
	if ((doc = doc_read(xml, len, o->file, e)) == NULL)
		return -1;
	if (root_check(doc, o->file, e) == 0 && doc_validate(doc, o->file, e) == 0)
		rc = map_alert(&c, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return rc;
}
