/*
 * Unit tests for common/cap.c and cap_out.c: CAP 1.2 in and out.  The CAP
 * 1.2 specification's Appendix A examples and real-world alerts come from
 * tests/data/cap; broken inputs are made here from them, one defect each.
 * Run from the top directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cap.h"

#define NOW_A2 1055887200          /* 2003-06-17T22:00:00Z, inside the thunderstorm warning */
#define CN_NOW 1796205900          /* 2026-12-02T10:05:00Z */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 20);
	size_t n;

	assert_non_null(fp);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* s with the first "from" replaced by "to" (caller frees) */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *out;

	assert_non_null(p);
	out = malloc(strlen(s) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), to);
	strcat(out, p + strlen(from));
	return out;
}

/* s with every "from" replaced by "to" (s is freed) */
static char *
replace_all(char *s, const char *from, const char *to)
{
	char *t;

	while (strstr(s, from) != NULL) {
		t = replace(s, from, to);
		free(s);
		s = t;
	}
	return s;
}

static char *
cn_alert(void)
{
	char *t = slurp("tests/data/cap/cn-flood.xml.in", NULL);

	t = replace_all(t, "@SHA1@", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	return replace_all(t, "@EXPIRES@", "2026-12-02T21:00:00+08:00");
}

static int
parse_str(const char *xml, int64_t now, int zones_given, struct cap_result *r, struct cx_err *e)
{
	struct cap_opts o = { "t.xml", now, 3600, NULL, zones_given, 0, 0 };

	return cap_parse((const uint8_t *)xml, strlen(xml), &o, r, e);
}

static int
parse_file(const char *path, int64_t now, const char *lang, int zones_given,
    struct cap_result *r, struct cx_err *e)
{
	size_t len;
	char *buf = slurp(path, &len);
	struct cap_opts o = { path, now, 3600, lang, zones_given, 0, 0 };
	int rc = cap_parse((const uint8_t *)buf, len, &o, r, e);

	free(buf);
	return rc;
}

static int
has_note(const struct cap_result *r, const char *s)
{
	int i;

	for (i = 0; i < r->nnotes; i++)
		if (strstr(r->notes[i], s) != NULL)
			return 1;
	return 0;
}

static void
embedded_schema_is_the_file(void **state)
{
	size_t len;
	char *f = slurp("common/CAP-v1.2.xsd", &len);

	(void)state;
	assert_int_equal(len, cap_xsd_len);
	assert_memory_equal(f, cap_xsd, len);
	assert_non_null(strstr(cap_xsd, "Copyright OASIS Open 2010"));
	free(f);
}

static void
spec_a2_thunderstorm(void **state)
{
	struct cap_result r;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_file("tests/data/cap/spec-a2-thunderstorm.xml", NOW_A2, NULL, 0,
	    &r, &e), -1);
	assert_string_equal(e.msg, "tests/data/cap/spec-a2-thunderstorm.xml:29: <area>: unknown "
	    "geocode scheme 'SAME' (want GB/T 2260 administrative codes): give the zones with --zone");
	assert_int_equal(parse_file("tests/data/cap/spec-a2-thunderstorm.xml", NOW_A2, NULL, 1,
	    &r, &e), 0);
	assert_string_equal(r.a.id, "KSTO1055887203");
	assert_string_equal(r.a.sender, "KSTO@NWS.NOAA.GOV");
	assert_int_equal(r.a.type, AT_ALERT);
	assert_int_equal(r.a.status, ST_ACTUAL);
	assert_string_equal(r.a.event, "SVR");
	assert_int_equal(r.a.severity, 2);
	assert_int_equal(r.a.sent, NOW_A2);
	assert_int_equal(r.a.effective, NOW_A2);
	assert_int_equal(r.a.expires, 1055890800);    /* 2003-06-17T16:00:00-07:00 */
	assert_string_equal(r.a.title, "SEVERE THUNDERSTORM WARNING");
	assert_non_null(strstr(r.a.text, "STORM.\n\nTAKE COVER IN A SUBSTANTIAL SHELTER"));
	assert_int_equal(r.a.nzones, 0);
	assert_int_equal(r.nclips, 0);
	assert_true(has_note(&r, "<area> not read"));
	/* the same alert a day later */
	assert_int_equal(parse_file("tests/data/cap/spec-a2-thunderstorm.xml", NOW_A2 + 86400,
	    NULL, 1, &r, &e), -1);
	assert_string_equal(e.msg, "tests/data/cap/spec-a2-thunderstorm.xml:20: <expires>: the "
	    "alert expired 82800 s ago");
}

static void
spec_a1_a3_a4(void **state)
{
	struct cap_result r;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_file("tests/data/cap/spec-a1-homeland.xml", 1049313600, NULL, 1,
	    &r, &e), -1);
	assert_non_null(strstr(e.msg, ":11: <event>: 'Homeland Security Advisory System Update' "
	    "is 40 bytes, at most 32"));
	assert_int_equal(parse_file("tests/data/cap/spec-a3-earthquake.xml", 1055390400, NULL, 0,
	    &r, &e), -1);
	assert_non_null(strstr(e.msg, ":43: <area>: a polygon or circle without geocodes"));
	assert_int_equal(parse_file("tests/data/cap/spec-a3-earthquake.xml", 1055390400, NULL, 1,
	    &r, &e), 0);
	assert_int_equal(r.a.type, AT_UPDATE);
	assert_string_equal(r.a.ref, "TRI13970876.1");
	assert_int_equal(r.a.severity, 4);
	assert_string_equal(r.a.event, "Earthquake");
	assert_int_equal(r.a.expires, 1055390400 + 3600);
	assert_true(has_note(&r, "urgency Past and certainty Observed are not carried"));
	assert_int_equal(parse_file("tests/data/cap/spec-a4-amber.xml", 1055397600, NULL, 1,
	    &r, &e), -1);
	assert_non_null(strstr(e.msg, "2 <info> blocks (en-US, es-US)"));
	assert_int_equal(parse_file("tests/data/cap/spec-a4-amber.xml", 1055397600, "en-US", 1,
	    &r, &e), 0);
	assert_string_equal(r.a.title, "Amber Alert in Los Angeles County");
	assert_string_equal(r.a.event, "CAE");
}

static void
china_geocodes_and_clip(void **state)
{
	struct cap_result r;
	struct cx_err e;
	char *x = cn_alert(), *y;
	static const uint8_t empty_sha1[20] = { 0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b, 0x0d,
		0x32, 0x55, 0xbf, 0xef, 0x95, 0x60, 0x18, 0x90, 0xaf, 0xd8, 0x07, 0x09 };

	(void)state;
	assert_int_equal(parse_str(x, CN_NOW, 0, &r, &e), 0);
	assert_string_equal(r.a.id, "430682101-20261202-0001");
	assert_string_equal(r.a.event, "11B03");
	assert_int_equal(r.a.effective, 1796205600);   /* 18:00+08:00 */
	assert_int_equal(r.a.expires, 1796216400);
	assert_int_equal(r.a.nzones, 2);
	assert_string_equal(r.a.zones[0], "430682101201");
	assert_string_equal(r.a.zones[1], "430682101202");
	assert_int_equal(r.nclips, 1);
	assert_string_equal(r.clips[0].name, "flood.opus");
	assert_true(r.clips[0].has_sha1);
	assert_memory_equal(r.clips[0].sha1, empty_sha1, 20);
	assert_string_equal(r.a.text, "东山村、西山村未来3小时有山洪风险。\n\n请立即向高处转移。");
	/* a county code in 12-digit form is normalised, a duplicate kept once */
	y = replace(x, "<value>430682101202</value>", "<value>430682101201</value>");
	assert_int_equal(parse_str(y, CN_NOW, 0, &r, &e), 0);
	assert_int_equal(r.a.nzones, 1);
	free(y);
	assert_true(has_note(&r, "geocodes of other schemes, polygons and circles dropped"));
	y = replace(x, "<valueName>GB/T 2260</valueName>", "<valueName>NUTS3</valueName>");
	assert_int_equal(parse_str(y, CN_NOW, 0, &r, &e), 0);    /* the other one is used */
	assert_int_equal(r.a.nzones, 1);
	assert_string_equal(r.a.zones[0], "430682101202");
	free(y);
	y = replace(x, "<value>430682101202</value>", "<value>4306821012x2</value>");
	assert_int_equal(parse_str(y, CN_NOW, 0, &r, &e), -1);
	if (strstr(e.msg, "t.xml:42: <geocode>: bad zone \"4306821012x2\"") == NULL)
		fail_msg("got '%s'", e.msg);
	free(y);
	free(x);
}

/* one defect each, made from the China sample; the error names line and element */
static void
refusals(void **state)
{
	static const struct { const char *from, *to, *want; } cases[] = {
		{ "<status>Actual", "<status>System", "t.xml:9: <status>: System: not for broadcast" },
		{ "<status>Actual", "<status>Draft", "<status>: Draft: not for broadcast" },
		{ "<msgType>Alert", "<msgType>Ack", "t.xml:10: <msgType>: Ack: an acknowledgement" },
		{ "<scope>Public", "<scope>Restricted", "t.xml:11: <scope>: Restricted: loudspeakers" },
		{ "<msgType>Alert", "<msgType>Update", "<alert>: an Update needs <references>" },
		{ "<identifier>430682101-20261202-0001", "<identifier>a/b", "<identifier>: 'a/b' is "
		  "not 1-64" },
		{ "<mimeType>audio/ogg", "<mimeType>audio/mpeg", "<mimeType>: audio/mpeg: nodes play "
		  "Ogg Opus clips only" },
		{ "<digest>da39", "<digest>zz39", "<digest>: not a SHA-1" },
		{ "<uri>https://township.example/clips/flood.opus</uri>", "<derefUri>AAAA</derefUri>",
		  "<resource>: audio without <uri>" },
		{ "<uri>https://township.example/clips/flood.opus", "<uri>https://x/.hidden",
		  "<uri>: clip name '.hidden'" },
		{ "<effective>2026-12-02T18:00:00+08:00", "<effective>2026-12-02T22:00:00+08:00",
		  "<expires>: not after <effective>" },
		{ "<severity>Severe", "<severity>Catastrophic", "t.xml:17: Element '{urn:oasis:names:"
		  "tc:emergency:cap:1.2}severity': [facet 'enumeration'] The value 'Catastrophic'" },
		{ "<sent>2026-12-02T18:00:00+08:00", "<sent>2026-12-02T18:00:00Z", "t.xml:8: Element "
		  "'{urn:oasis:names:tc:emergency:cap:1.2}sent'" },
		{ "<headline>", "<headline>x<b/>", "t.xml:26: Element '{urn:oasis:names:tc:emergency:"
		  "cap:1.2}headline': Element content is not allowed" },
		{ "<description>", "<bogus/><description>", "t.xml:27: Element '{urn:oasis:names:tc:"
		  "emergency:cap:1.2}bogus': This element is not expected" },
		{ "urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1",
		  "t.xml:5: element <alert> in namespace 'urn:oasis:names:tc:emergency:cap:1.1'" },
		{ "</alert>", "</alert", "t.xml:" },
		{ "<sender>430682101", "<sender>430682101 township,office", "t.xml:7: <sender>: "
		  "'430682101 township,office': CAP wants a non-empty sender without spaces, commas" },
		{ "<sender>430682101", "<sender>", "<sender>: '': CAP wants a non-empty sender" },
	};
	struct cap_result r;
	struct cx_err e;
	char *x = cn_alert(), *y;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		y = replace(x, cases[i].from, cases[i].to);
		e.msg[0] = '\0';
		if (parse_str(y, CN_NOW, 0, &r, &e) != -1 || strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu (%s): got '%s'", i, cases[i].to, e.msg);
		free(y);
	}
	free(x);
}

static void
hostile_xml(void **state)
{
	static const char *const docs[] = {
		"<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&x;</identifier>"
		"</alert>",
		"<?xml version=\"1.0\"?><!DOCTYPE alert SYSTEM \"http://example.com/x.dtd\">"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>",
	};
	struct cap_result r;
	struct cx_err e;
	size_t i;
	char *big;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(parse_str(docs[i], CN_NOW, 1, &r, &e), -1);
		assert_non_null(strstr(e.msg, "a DOCTYPE is not allowed"));
	}
	assert_int_equal(parse_file("tests/data/cap/broken-doctype.xml", CN_NOW, NULL, 1, &r, &e), -1);
	assert_non_null(strstr(e.msg, "broken-doctype.xml:2: a DOCTYPE is not allowed"));
	big = calloc(1, CAP_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', CAP_MAX_BYTES + 1);
	assert_int_equal(parse_str(big, CN_NOW, 1, &r, &e), -1);
	assert_non_null(strstr(e.msg, "t.xml: 1048577 bytes, at most 1048576"));
	free(big);
	assert_int_equal(parse_str("", CN_NOW, 1, &r, &e), -1);
	assert_non_null(strstr(e.msg, "t.xml"));
}

/* what the fuzzer found (tests/corpus/cap): each refused, naming the file */
static void
fuzz_finds(void **state)
{
	struct cap_result r;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_file("tests/corpus/cap/sender-comma.xml", 1555696200, NULL, 1, &r,
	    &e), -1);
	assert_non_null(strstr(e.msg, "tests/corpus/cap/sender-comma.xml:1: <sender>: "
	    "'bbrundage@dps.st,ate.nv.us': CAP wants"));
}

static void
real_world(void **state)
{
	struct cap_result r;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_file("tests/data/cap/nws-blizzard-cap11.xml", 1640620800, NULL, 1,
	    &r, &e), -1);
	assert_non_null(strstr(e.msg, "cap:1.1': not a CAP 1.2 alert"));
	assert_int_equal(parse_file("tests/data/cap/ipaws-local-emergency.xml", 1576270800, NULL,
	    1, &r, &e), 0);
	assert_int_equal(r.a.severity, 1);
	assert_true(has_note(&r, "the XML signature is not checked"));
	assert_true(has_note(&r, "(image/jpeg) dropped: not audio"));
	assert_int_equal(parse_file("tests/data/cap/ipaws-cancel.xml", 1555696200, NULL, 1, &r,
	    &e), 0);
	assert_int_equal(r.a.type, AT_CANCEL);
	assert_string_equal(r.a.ref, "AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd");
	assert_int_equal(parse_file("tests/data/cap/ntwc-tsunami-cancel.xml", 1357381800, NULL, 1,
	    &r, &e), 0);
	assert_string_equal(r.a.ref, "PAAQ-3-mg5a94");
}

/* out: every field where the table in docs/PROTOCOL.md puts it, valid CAP, and back */
static void
export_and_back(void **state)
{
	struct alert a;
	struct cap_result r;
	struct cx_err e;
	char *xml;

	(void)state;
	memset(&a, 0, sizeof a);
	a.v = 1;
	strcpy(a.id, "township-101-20261202100500-ab12");
	strcpy(a.sender, "township-101");
	a.sent = a.effective = CN_NOW;
	a.expires = CN_NOW + 3600;
	a.status = ST_EXERCISE;
	a.type = AT_UPDATE;
	strcpy(a.ref, "township-101-20261202094500-00ff");
	strcpy(a.event, "11B03");
	a.severity = 1;
	a.nzones = 2;
	strcpy(a.zones[0], "430682101201");
	strcpy(a.zones[1], "430682102");
	strcpy(a.title, "山洪 <预警> & 转移");
	strcpy(a.text, "请立即向高处转移");
	a.nplay = 2;
	a.play[0].kind = PLAY_SIREN;
	strcpy(a.play[0].name, "air-raid");
	a.play[1].kind = PLAY_CLIP;
	strcpy(a.play[1].name, "flood.opus");
	memset(a.play[1].sha256, 0xab, 32);
	a.repeat = 2;
	a.volume = 90;
	xml = cap_from_alert(&a, "zh-CN", &e);
	assert_non_null(xml);
	assert_int_equal(cap_validate((const uint8_t *)xml, strlen(xml), "out", &e), 0);
	assert_non_null(strstr(xml, "<status>Exercise</status>"));
	assert_non_null(strstr(xml, "<msgType>Update</msgType>"));
	assert_non_null(strstr(xml, "<references>township-101,township-101-20261202094500-00ff,"
	    "2026-12-02T09:45:00-00:00</references>"));
	assert_non_null(strstr(xml, "<severity>Extreme</severity>"));
	assert_non_null(strstr(xml, "<expires>2026-12-02T11:05:00-00:00</expires>"));
	assert_non_null(strstr(xml, "<headline>山洪 &lt;预警&gt; &amp; 转移</headline>"));
	assert_non_null(strstr(xml, "<value>flood.opus sha256:abababab"));
	assert_non_null(strstr(xml, "<valueName>GB/T 2260</valueName>\n        <value>430682102</value>"));
	assert_int_equal(parse_str(xml, CN_NOW, 0, &r, &e), 0);
	assert_string_equal(r.a.id, a.id);
	assert_string_equal(r.a.ref, a.ref);
	assert_int_equal(r.a.status, ST_EXERCISE);
	assert_int_equal(r.a.type, AT_UPDATE);
	assert_int_equal(r.a.severity, 1);
	assert_string_equal(r.a.title, a.title);
	assert_int_equal(r.a.nzones, 2);
	assert_string_equal(r.a.zones[1], "430682102");
	assert_int_equal(r.nclips, 1);
	assert_string_equal(r.clips[0].name, "flood.opus");
	free(xml);
	/* an id not made by cunxiangctl: this message's own time, and a note */
	strcpy(a.ref, "TRI13970876.1");
	xml = cap_from_alert(&a, NULL, &e);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<references>township-101,TRI13970876.1,"
	    "2026-12-02T10:05:00-00:00</references>"));
	assert_non_null(strstr(xml, "<note>the sent time in references is this message's own"));
	assert_null(strstr(xml, "<language>"));
	assert_int_equal(cap_validate((const uint8_t *)xml, strlen(xml), "out", &e), 0);
	free(xml);
	/* a body's sender with spaces (PROTOCOL.md's example): '_' in <sender>, as is in <senderName> */
	strcpy(a.sender, "430682101 township office");
	xml = cap_from_alert(&a, NULL, &e);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<sender>430682101_township_office</sender>"));
	assert_non_null(strstr(xml, "<senderName>430682101 township office</senderName>"));
	assert_non_null(strstr(xml, "<references>430682101_township_office,TRI13970876.1,"));
	assert_int_equal(cap_validate((const uint8_t *)xml, strlen(xml), "out", &e), 0);
	assert_int_equal(parse_str(xml, CN_NOW, 0, &r, &e), 0);
	assert_string_equal(r.a.sender, "430682101_township_office");
	assert_string_equal(r.a.ref, "TRI13970876.1");
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(embedded_schema_is_the_file),
		cmocka_unit_test(spec_a2_thunderstorm),
		cmocka_unit_test(spec_a1_a3_a4),
		cmocka_unit_test(china_geocodes_and_clip),
		cmocka_unit_test(refusals),
		cmocka_unit_test(hostile_xml),
		cmocka_unit_test(fuzz_finds),
		cmocka_unit_test(real_world),
		cmocka_unit_test(export_and_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
