/*
 * Unit tests for common/alert.c (and the strict JSON reading under it):
 * the warning body of docs/PROTOCOL.md section 5.  Every file in
 * tests/corpus/alert must be refused with a message; every file in
 * tests/data/alert must be accepted.  Run from the top directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define EXAMPLE "{\"v\":1,\"kind\":\"alert\",\"id\":\"430682101-20261122-0001\"," \
	"\"sender\":\"430682101 township office\",\"sent\":1795345200,\"status\":\"actual\"," \
	"\"type\":\"alert\",\"event\":\"flood\",\"severity\":2,\"expires\":1795348800," \
	"\"zones\":[\"430682101201\",\"430682101202\"],\"title\":\"山洪预警\"," \
	"\"text\":\"请立即向高处转移\",\"play\":[{\"siren\":\"air-raid\"},{\"clip\":\"flood.opus\"," \
	"\"sha256\":\"" SHA "\"}],\"repeat\":2,\"volume\":90}"
#define MINIMAL "{\"v\":1,\"kind\":\"alert\",\"id\":\"m-1\",\"sender\":\"s\",\"sent\":100," \
	"\"status\":\"test\",\"type\":\"alert\",\"event\":\"flood\",\"severity\":0,\"expires\":200," \
	"\"zones\":[\"43\"],\"play\":[{\"siren\":\"all-clear\"}]}"

#define KEY "ZMsqwEoqayF/Zh+SOGn42Jo5OuviRd7PP8gP812IjIE="
#define STREAM_ITEM "{\"stream\":\"s-1\",\"key\":\"" KEY "\",\"codec\":\"opus\"," \
	"\"rate\":48000,\"channels\":1,\"frame_ms\":20,\"delay_ms\":300," \
	"\"start_ms\":1795345200300,\"fallback\":[{\"clip\":\"flood.opus\",\"sha256\":\"" \
	SHA "\"},{\"speech\":\"cmn\"}]}"
#define STREAMBODY "{\"v\":1,\"kind\":\"alert\",\"id\":\"w-1\",\"sender\":\"s\"," \
	"\"sent\":100,\"status\":\"actual\",\"type\":\"alert\",\"event\":\"flood\"," \
	"\"severity\":1,\"expires\":200,\"zones\":[\"43\"],\"text\":\"请立即向高处转移\"," \
	"\"play\":[{\"siren\":\"air-raid\"}," STREAM_ITEM "]}"

/* Parse from an exact-size heap copy: no NUL after it, so ASan sees any over-read. */
static int
parse_exact(const void *buf, size_t len, struct alert *a, struct cx_err *e)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	rc = alert_parse(copy, len, a, e);
	free(copy);
	return rc;
}

static int
parse_str(const char *s, struct alert *a, struct cx_err *e)
{
	return parse_exact(s, strlen(s), a, e);
}

/* MINIMAL with text replaced: the first occurrence of from becomes to. */
static int
parse_edit(const char *base, const char *from, const char *to, struct alert *a, struct cx_err *e)
{
	char buf[16384];
	const char *p = strstr(base, from);
	int n;

	assert_non_null(p);
	n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	return parse_str(buf, a, e);
}

static void
test_example(void **state)
{
	struct alert a;
	struct cx_err e = { "" };
	static const uint8_t sha0[4] = { 0x9f, 0x86, 0xd0, 0x81 };

	(void)state;
	assert_int_equal(parse_str(EXAMPLE, &a, &e), 0);
	assert_int_equal(a.v, 1);
	assert_string_equal(a.id, "430682101-20261122-0001");
	assert_string_equal(a.sender, "430682101 township office");
	assert_true(a.sent == 1795345200);
	assert_true(a.effective == 1795345200);   /* defaults to sent */
	assert_true(a.expires == 1795348800);
	assert_int_equal(a.status, ST_ACTUAL);
	assert_int_equal(a.type, AT_ALERT);
	assert_string_equal(a.event, "flood");
	assert_int_equal(a.severity, 2);
	assert_int_equal(a.nzones, 2);
	assert_string_equal(a.zones[1], "430682101202");
	assert_string_equal(a.title, "山洪预警");
	assert_int_equal(a.nplay, 2);
	assert_int_equal(a.play[0].kind, PLAY_SIREN);
	assert_string_equal(a.play[0].name, "air-raid");
	assert_int_equal(a.play[1].kind, PLAY_CLIP);
	assert_string_equal(a.play[1].name, "flood.opus");
	assert_memory_equal(a.play[1].sha256, sha0, 4);
	assert_int_equal(a.play[1].sha256[31], 0x08);
	assert_int_equal(a.repeat, 2);
	assert_int_equal(a.volume, 90);
	assert_string_equal(a.ref, "");
}

static void
test_defaults(void **state)
{
	struct alert a;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(parse_str(MINIMAL, &a, &e), 0);
	assert_int_equal(a.repeat, 1);
	assert_int_equal(a.volume, VOLUME_KEEP);
	assert_true(a.effective == 100);
	assert_int_equal(a.status, ST_TEST);
	assert_string_equal(a.title, "");
	assert_string_equal(a.text, "");
	/* effective given, and ahead of sent: fine at this level */
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", "\"effective\":150,\"expires\"", &a, &e), 0);
	assert_true(a.effective == 150);
	/* volume 0 (mute) and 100 */
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", "\"volume\":0,\"expires\"", &a, &e), 0);
	assert_int_equal(a.volume, 0);
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", "\"volume\":100,\"expires\"", &a, &e), 0);
	assert_int_equal(a.volume, 100);
}

static void
test_zone_normalised(void **state)
{
	struct alert a;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(parse_edit(MINIMAL, "[\"43\"]", "[\"430682000000\",\"430682101000\"]", &a, &e), 0);
	assert_string_equal(a.zones[0], "430682");
	assert_string_equal(a.zones[1], "430682101");
}

static void
test_cancel_and_update(void **state)
{
	struct alert a;
	struct cx_err e = { "" };
	const char *cancel = "{\"v\":1,\"kind\":\"alert\",\"id\":\"c-1\",\"sender\":\"county\","
	    "\"sent\":10,\"status\":\"actual\",\"type\":\"cancel\",\"ref\":\"x-1\",\"expires\":20,"
	    "\"zones\":[\"430682\"]}";

	(void)state;
	assert_int_equal(parse_str(cancel, &a, &e), 0);
	assert_int_equal(a.type, AT_CANCEL);
	assert_string_equal(a.ref, "x-1");
	assert_int_equal(a.nplay, 0);
	assert_int_equal(a.severity, 0);
	/* without ref: refused */
	e.msg[0] = '\0';
	assert_int_equal(parse_edit(cancel, "\"ref\":\"x-1\",", "", &a, &e), -1);
	assert_non_null(strstr(e.msg, "ref"));
	/* update: needs ref, event, severity, play */
	assert_int_equal(parse_edit(MINIMAL, "\"type\":\"alert\"", "\"type\":\"update\"", &a, &e), -1);
	assert_non_null(strstr(e.msg, "ref"));
	assert_int_equal(parse_edit(MINIMAL, "\"type\":\"alert\"", "\"type\":\"update\",\"ref\":\"m-0\"",
	    &a, &e), 0);
	assert_int_equal(a.type, AT_UPDATE);
	assert_string_equal(a.ref, "m-0");
}

static void
test_unknown_fields_ignored(void **state)
{
	struct alert a;
	struct cx_err e = { "" };

	(void)state;
	/* floats, exponents, nesting and null in fields this version does not know */
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"",
	    "\"lat\":27.5,\"big\":1e300,\"x\":{\"y\":[null,true,{\"z\":-0.5}]},\"expires\"", &a, &e), 0);
	/* extra members of a play item too */
	assert_int_equal(parse_edit(MINIMAL, "{\"siren\":\"all-clear\"}",
	    "{\"siren\":\"all-clear\",\"gain\":0.5}", &a, &e), 0);
	/* a siren the node may not know is syntactically fine */
	assert_int_equal(parse_edit(MINIMAL, "all-clear", "village-bell-2", &a, &e), 0);
	assert_string_equal(a.play[0].name, "village-bell-2");
}

static void
test_integers_strict(void **state)
{
	static const char *const bad[] = { "100.0", "1e2", "1E2", "\"100\"", "true", "null",
		"-1", "9223372036854775808", "1.5", "0100", "+100", "1e30", "[100]" };
	struct alert a;
	struct cx_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char member[64];
		snprintf(member, sizeof(member), "\"sent\":%s", bad[i]);
		e.msg[0] = '\0';
		if (parse_edit(MINIMAL, "\"sent\":100", member, &a, &e) != -1)
			fail_msg("sent %s accepted", bad[i]);
		assert_true(e.msg[0] != '\0');
	}
	/* white space around numbers is JSON */
	assert_int_equal(parse_edit(MINIMAL, "\"sent\":100", "\"sent\" : \n 100 ", &a, &e), 0);
	assert_true(a.sent == 100);
}

static void
test_string_bounds(void **state)
{
	char big[5000], member[5100];
	struct alert a;
	struct cx_err e;

	(void)state;
	memset(big, 't', sizeof(big));
	/* title: 256 bytes ok, 257 refused (never truncated) */
	snprintf(member, sizeof(member), "\"title\":\"%.256s\",\"expires\"", big);
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", member, &a, &e), 0);
	assert_int_equal(strlen(a.title), 256);
	snprintf(member, sizeof(member), "\"title\":\"%.257s\",\"expires\"", big);
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", member, &a, &e), -1);
	assert_non_null(strstr(e.msg, "title"));
	/* text: 4096 ok, 4097 refused; escaped newlines allowed in text */
	snprintf(member, sizeof(member), "\"text\":\"%.4094s\\n.\",\"expires\"", big);
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", member, &a, &e), 0);
	assert_int_equal(strlen(a.text), 4096);
	assert_int_equal(a.text[4094], '\n');
	snprintf(member, sizeof(member), "\"text\":\"%.4097s\",\"expires\"", big);
	assert_int_equal(parse_edit(MINIMAL, "\"expires\"", member, &a, &e), -1);
	/* id: 64 ok, 65 refused */
	snprintf(member, sizeof(member), "\"id\":\"%.64s\"", big);
	assert_int_equal(parse_edit(MINIMAL, "\"id\":\"m-1\"", member, &a, &e), 0);
	snprintf(member, sizeof(member), "\"id\":\"%.65s\"", big);
	assert_int_equal(parse_edit(MINIMAL, "\"id\":\"m-1\"", member, &a, &e), -1);
	/* a multi-byte sender counted in bytes: 21 x 3 = 63 ok, 22 x 3 = 66 refused */
	assert_int_equal(parse_edit(MINIMAL, "\"sender\":\"s\"",
	    "\"sender\":\"乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡\"", &a, &e), 0);
	assert_int_equal(parse_edit(MINIMAL, "\"sender\":\"s\"",
	    "\"sender\":\"乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡乡\"", &a, &e), -1);
	/* DEL and other control characters are not text, even escaped */
	assert_int_equal(parse_edit(MINIMAL, "\"sender\":\"s\"", "\"sender\":\"a\\u007fb\"", &a, &e), -1);
	assert_int_equal(parse_edit(MINIMAL, "\"sender\":\"s\"", "\"sender\":\"a\\u001fb\"", &a, &e), -1);
	/* escapes decode: \u4e61 is 乡 */
	assert_int_equal(parse_edit(MINIMAL, "\"sender\":\"s\"", "\"sender\":\"\\u4e61\\\"\"", &a, &e), 0);
	assert_string_equal(a.sender, "乡\"");
}

static void
test_not_nul_terminated(void **state)
{
	struct alert a;
	struct cx_err e;
	char buf[sizeof(MINIMAL) + 8];

	(void)state;
	/* the bytes after len must not matter */
	memcpy(buf, MINIMAL, strlen(MINIMAL));
	memcpy(buf + strlen(MINIMAL), "garbage", 7);
	assert_int_equal(alert_parse((const uint8_t *)buf, strlen(MINIMAL), &a, &e), 0);
	/* but within len they do */
	assert_int_equal(alert_parse((const uint8_t *)buf, strlen(MINIMAL) + 7, &a, &e), -1);
	/* a prefix of a valid body is not valid */
	assert_int_equal(parse_exact(MINIMAL, strlen(MINIMAL) - 1, &a, &e), -1);
	/* trailing white space is */
	assert_int_equal(parse_edit(MINIMAL, "}]}", "}]} \n", &a, &e), 0);
}

static void
test_size_limit(void **state)
{
	static char buf[65536 + 64];
	struct alert a;
	struct cx_err e;
	size_t head = strlen(MINIMAL) - 1, pad;

	(void)state;
	/* exactly 65536 bytes (an unknown member pads it): accepted; one more: refused */
	memcpy(buf, MINIMAL, head);
	pad = 65536 - head - strlen(",\"pad\":\"\"}");
	memcpy(buf + head, ",\"pad\":\"", 8);
	memset(buf + head + 8, 'p', pad);
	memcpy(buf + head + 8 + pad, "\"}", 2);
	assert_int_equal(parse_exact(buf, 65536, &a, &e), 0);
	memmove(buf + head + 9, buf + head + 8, pad + 2);
	assert_int_equal(parse_exact(buf, 65537, &a, &e), -1);
	assert_non_null(strstr(e.msg, "65536"));
}

static void
test_round_trip(void **state)
{
	struct alert a, b;
	struct cx_err e = { "" };
	char *json;

	(void)state;
	assert_int_equal(parse_str(EXAMPLE, &a, &e), 0);
	json = alert_to_json(&a, &e);
	assert_non_null(json);
	assert_null(strchr(json, '\n'));          /* compact */
	assert_non_null(strstr(json, "\"sent\":1795345200"));
	assert_non_null(strstr(json, "\"sha256\":\"" SHA "\""));
	assert_int_equal(parse_str(json, &b, &e), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	free(json);

	/* cancel without play, effective != sent, large times printed exactly */
	assert_int_equal(parse_str(MINIMAL, &a, &e), 0);
	a.type = AT_CANCEL;
	strcpy(a.ref, "m-0");
	a.nplay = 0;
	memset(a.play, 0, sizeof(a.play));
	a.sent = 253402300000LL;
	a.effective = 253402300001LL;
	a.expires = 253402300799LL;
	json = alert_to_json(&a, &e);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"expires\":253402300799"));
	assert_null(strstr(json, "\"play\""));
	assert_int_equal(parse_str(json, &b, &e), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	free(json);
}

static void
test_to_json_validates(void **state)
{
	struct alert a, ok;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_str(EXAMPLE, &ok, &e), 0);
	a = ok; a.volume = 101;
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "volume"));
	a = ok; a.severity = 5;
	assert_null(alert_to_json(&a, &e));
	a = ok; strcpy(a.id, "bad id");
	assert_null(alert_to_json(&a, &e));
	a = ok; memset(a.title, 'x', sizeof(a.title));  /* not terminated in its buffer */
	assert_null(alert_to_json(&a, &e));
	a = ok; strcpy(a.zones[0], "4306821");
	assert_null(alert_to_json(&a, &e));
	a = ok; strcpy(a.zones[0], "430682000000");    /* valid but not normalised */
	assert_null(alert_to_json(&a, &e));
	a = ok; a.expires = a.sent;
	assert_null(alert_to_json(&a, &e));
	a = ok; a.nplay = 0;
	assert_null(alert_to_json(&a, &e));
	a = ok; strcpy(a.play[0].name, "Air");
	assert_null(alert_to_json(&a, &e));
	a = ok; strcpy(a.play[1].name, ".x");
	assert_null(alert_to_json(&a, &e));
	a = ok; a.type = AT_UPDATE;                     /* no ref */
	assert_null(alert_to_json(&a, &e));
	a = ok; a.repeat = 0;
	assert_null(alert_to_json(&a, &e));
	a = ok; strcpy(a.sender, "\xff");
	assert_null(alert_to_json(&a, &e));
}

static void
test_names(void **state)
{
	enum alert_status s;
	enum alert_type t;

	(void)state;
	assert_string_equal(alert_status_name(ST_ACTUAL), "actual");
	assert_string_equal(alert_status_name(ST_EXERCISE), "exercise");
	assert_string_equal(alert_status_name(ST_TEST), "test");
	assert_string_equal(alert_type_name(AT_ALERT), "alert");
	assert_string_equal(alert_type_name(AT_UPDATE), "update");
	assert_string_equal(alert_type_name(AT_CANCEL), "cancel");
	assert_int_equal(alert_status_parse("exercise", &s), 0);
	assert_int_equal(s, ST_EXERCISE);
	assert_int_equal(alert_type_parse("cancel", &t), 0);
	assert_int_equal(t, AT_CANCEL);
	assert_int_equal(alert_status_parse("Actual", &s), -1);
	assert_int_equal(alert_status_parse("", &s), -1);
	assert_int_equal(alert_type_parse("alerts", &t), -1);
	assert_int_equal(alert_type_parse(NULL, &t), -1);
}

/* Reads a whole file; returns its size or -1. */
static long
slurp(const char *path, uint8_t **out)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*out = malloc(n > 0 ? (size_t)n : 1);
	if (*out == NULL || fread(*out, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return n;
}

/* Calls fn for every *.json in dir; returns how many. */
static int
each_json(const char *dir, void (*fn)(const char *path, const uint8_t *buf, size_t len))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	uint8_t *buf = NULL;
	long n;
	int count = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = slurp(path, &buf);
		assert_true(n >= 0);
		fn(path, buf, (size_t)n);
		free(buf);
		count++;
	}
	closedir(d);
	return count;
}

static void
must_reject(const char *path, const uint8_t *buf, size_t len)
{
	struct alert a;
	struct cx_err e;

	strcpy(e.msg, "");
	if (parse_exact(buf, len, &a, &e) != -1)
		fail_msg("%s was accepted", path);
	if (e.msg[0] == '\0')
		fail_msg("%s: refused without a message", path);
}

static void
must_accept(const char *path, const uint8_t *buf, size_t len)
{
	struct alert a;
	struct cx_err e = { "" };
	char *json;

	if (parse_exact(buf, len, &a, &e) != 0)
		fail_msg("%s refused: %s", path, e.msg);
	json = alert_to_json(&a, &e);
	if (json == NULL)
		fail_msg("%s: alert_to_json: %s", path, e.msg);
	free(json);
}

static void
test_corpus_rejected(void **state)
{
	(void)state;
	assert_true(each_json("tests/corpus/alert", must_reject) >= 25);
}

static void
test_data_accepted(void **state)
{
	(void)state;
	assert_true(each_json("tests/data/alert", must_accept) >= 3);
}

static void
test_stream(void **state)
{
	struct alert a, b;
	struct cx_err e = { "" };
	char *json;

	(void)state;
	if (parse_str(STREAMBODY, &a, &e) != 0)
		fail_msg("refused: %s", e.msg);
	assert_int_equal(a.nplay, 2);
	assert_int_equal(a.play[0].kind, PLAY_SIREN);
	assert_int_equal(a.play[1].kind, PLAY_STREAM);
	assert_string_equal(a.play[1].name, "s-1");
	assert_true(a.has_stream);
	assert_string_equal(a.stream.id, "s-1");
	assert_string_equal(a.stream.key_b64, KEY);
	assert_int_equal(a.stream.delay_ms, 300);
	assert_true(a.stream.start_ms == 1795345200300LL);
	assert_int_equal(a.stream.nfallback, 2);
	assert_int_equal(a.stream.fallback[0].kind, PLAY_CLIP);
	assert_string_equal(a.stream.fallback[0].name, "flood.opus");
	assert_int_equal(a.stream.fallback[0].sha256[0], 0x9f);
	assert_int_equal(a.stream.fallback[1].kind, PLAY_SPEECH);
	assert_string_equal(a.stream.fallback[1].name, "cmn");
	/* built back exactly as sent, and parsed back to the same struct */
	assert_non_null(json = alert_to_json(&a, &e));
	assert_non_null(strstr(json, "\"play\":[{\"siren\":\"air-raid\"}," STREAM_ITEM "]"));
	assert_int_equal(parse_str(json, &b, &e), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	free(json);
	/* no fallback: none printed; the limits of D */
	assert_int_equal(parse_edit(STREAMBODY, ",\"fallback\":[{\"clip\":\"flood.opus\",\"sha256\":\""
	    SHA "\"},{\"speech\":\"cmn\"}]", "", &a, &e), 0);
	assert_int_equal(a.stream.nfallback, 0);
	assert_non_null(json = alert_to_json(&a, &e));
	assert_null(strstr(json, "fallback"));
	free(json);
	assert_int_equal(parse_edit(STREAMBODY, "\"fallback\":[{", "\"fallback\":[], \"x\":[{", &a, &e),
	    0);   /* an empty fallback, and unknown members of the item ignored */
	assert_int_equal(a.stream.nfallback, 0);
	assert_int_equal(parse_edit(STREAMBODY, "300", "20", &a, &e), 0);
	assert_int_equal(parse_edit(STREAMBODY, "300", "5000", &a, &e), 0);
	assert_int_equal(a.stream.delay_ms, 5000);
	/* the stream alone; four fallback items; a text without speech is fine too */
	assert_int_equal(parse_edit(STREAMBODY, "{\"siren\":\"air-raid\"},", "", &a, &e), 0);
	assert_int_equal(a.nplay, 1);
	assert_int_equal(parse_edit(STREAMBODY, "{\"speech\":\"cmn\"}",
	    "{\"speech\":\"cmn\"},{\"speech\":\"en-us\"},{\"speech\":\"A_1\"}",
	    &a, &e), 0);
	assert_int_equal(a.stream.nfallback, 4);
}

static void
test_speech(void **state)
{
	struct alert a, b;
	struct cx_err e = { "" };
	char voice[40];
	char *json;

	(void)state;
	assert_int_equal(parse_edit(STREAMBODY, STREAM_ITEM, "{\"speech\":\"cmn\"}", &a, &e), 0);
	assert_int_equal(a.nplay, 2);
	assert_int_equal(a.play[1].kind, PLAY_SPEECH);
	assert_string_equal(a.play[1].name, "cmn");
	assert_false(a.has_stream);
	assert_non_null(json = alert_to_json(&a, &e));
	assert_non_null(strstr(json, "{\"speech\":\"cmn\"}"));
	assert_int_equal(parse_str(json, &b, &e), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	free(json);
	memset(voice, 'v', 32);
	voice[32] = '\0';
	{   /* 32 characters, then 33 */
		char item[64];

		snprintf(item, sizeof(item), "{\"speech\":\"%s\"}", voice);
		assert_int_equal(parse_edit(STREAMBODY, STREAM_ITEM, item, &a, &e), 0);
		voice[32] = 'v';
		voice[33] = '\0';
		snprintf(item, sizeof(item), "{\"speech\":\"%s\"}", voice);
		assert_int_equal(parse_edit(STREAMBODY, STREAM_ITEM, item, &a, &e), -1);
	}
}

struct bad_edit {
	const char *from, *to, *msg;
};

static void
test_stream_invalid(void **state)
{
	static const struct bad_edit bad[] = {
		{ "\"opus\"", "\"aac\"", "codec" },
		{ "\"opus\"", "\"OPUS\"", "codec" },
		{ "\"opus\"", "1", "codec" },
		{ "\"codec\":\"opus\",", "", "codec" },
		{ "48000", "44100", "'rate' must be 48000" },
		{ "48000", "48000.0", "rate" },
		{ "\"rate\":48000,", "", "rate" },
		{ "\"channels\":1", "\"channels\":2", "'channels' must be 1" },
		{ "\"channels\":1,", "", "channels" },
		{ "\"frame_ms\":20", "\"frame_ms\":10", "'frame_ms' must be 20" },
		{ "\"frame_ms\":20,", "", "frame_ms" },
		{ "300", "19", "delay_ms" },
		{ "300", "5001", "delay_ms" },
		{ "300", "\"300\"", "delay_ms" },
		{ "300", "-300", "delay_ms" },
		{ "\"delay_ms\":300,", "", "delay_ms" },
		{ "1795345200300", "-1", "start_ms" },
		{ "1795345200300", "253402300800000", "start_ms" },
		{ "1795345200300", "1e12", "start_ms" },
		{ "\"start_ms\":1795345200300,", "", "start_ms" },
		{ KEY, "ZMsqwEoqayF/Zh+SOGn42Jo5OuviRd7PP8gP812IjIE", "key" },    /* 43 */
		{ KEY, KEY "=", "key" },
		{ KEY, "ZMsqwEoqayF/Zh+SOGn42Jo5OuviRd7PP8gP812IjIF=", "key" },  /* pad bits */
		{ KEY, "ZMsqwEoqayF_Zh-SOGn42Jo5OuviRd7PP8gP812IjIE=", "key" },  /* url alphabet */
		{ KEY, "MCowBQYDK2VwAyEAZMsqwEoqayF/Zh+SOGn42Jo5OuviRd7PP8gP812IjIE=", "key" },  /* SPKI */
		{ KEY, "", "key" },
		{ "\"key\":\"" KEY "\",", "", "key" },
		{ "\"stream\":\"s-1\"", "\"stream\":\"s/1\"", "stream" },
		{ "\"stream\":\"s-1\"", "\"stream\":\"\"", "stream" },
		{ "\"stream\":\"s-1\"", "\"stream\":\"s+1\"", "stream" },
		{ "\"stream\":\"s-1\"", "\"stream\":1", "stream" },
		{ "\"stream\":\"s-1\"", "\"stream\":\"s-1\",\"clip\":\"a.opus\"", "more than one kind" },
		{ "{\"siren\":\"air-raid\"}", STREAM_ITEM, "at most one stream" },
		{ "\"fallback\":[", "\"fallback\":[{\"siren\":\"air-raid\"},", "clip or speech" },
		{ "\"fallback\":[", "\"fallback\":[" STREAM_ITEM ",", "clip or speech" },
		{ "\"fallback\":[", "\"fallback\":[{\"speech\":\"a\"},{\"speech\":\"b\"},"
		    "{\"speech\":\"c\"},", "at most 4" },
		{ "\"fallback\":[", "\"fallback\":1,\"y\":[", "fallback" },
		{ "\"fallback\":[{\"clip\"", "\"fallback\":[\"x\",{\"clip\"", "not an object" },
		{ "\"fallback\":[{\"clip\"", "\"fallback\":[{},{\"clip\"", "unknown kind" },
		{ "{\"speech\":\"cmn\"}", "{\"speech\":\"\"}", "speech" },
		{ "{\"speech\":\"cmn\"}", "{\"speech\":\"c mn\"}", "speech" },
		{ "{\"speech\":\"cmn\"}", "{\"speech\":\"zh.cmn\"}", "speech" },
		{ "{\"speech\":\"cmn\"}", "{\"speech\":\"中文\"}", "speech" },
		{ "{\"speech\":\"cmn\"}", "{\"speech\":[\"cmn\"]}", "speech" },
		{ "\"sha256\":\"" SHA "\"", "\"sha256\":\"00\"", "sha256" },
		/* speech with no text to speak, in the list or as a fallback */
		{ "\"text\":\"请立即向高处转移\",", "", "non-empty 'text'" },
		{ "\"text\":\"请立即向高处转移\",", "\"text\":\"\",", "non-empty 'text'" },
		{ "{\"siren\":\"air-raid\"}", "{\"speech\":\"cmn\"}", NULL },   /* accepted: control */
	};
	struct alert a;
	struct cx_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		if (bad[i].msg == NULL) {
			if (parse_edit(STREAMBODY, bad[i].from, bad[i].to, &a, &e) != 0)
				fail_msg("edit %zu refused: %s", i, e.msg);
			continue;
		}
		if (parse_edit(STREAMBODY, bad[i].from, bad[i].to, &a, &e) != -1)
			fail_msg("edit %zu (%s -> %s) accepted", i, bad[i].from, bad[i].to);
		if (strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("edit %zu: message \"%s\" does not say \"%s\"", i, e.msg, bad[i].msg);
	}
	/* speech needs a text also as the only item of a body without one */
	assert_int_equal(parse_edit(MINIMAL, "{\"siren\":\"all-clear\"}", "{\"speech\":\"cmn\"}", &a,
	    &e), -1);
	assert_non_null(strstr(e.msg, "text"));
}

static void
test_stream_to_json_validates(void **state)
{
	struct alert a, ok;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_str(STREAMBODY, &ok, &e), 0);
	a = ok; a.stream.delay_ms = 19;
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "delay_ms"));
	a = ok; a.stream.start_ms = -1;
	assert_null(alert_to_json(&a, &e));
	a = ok; a.stream.key_b64[43] = 'A';
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "key"));
	a = ok; strcpy(a.stream.id, "a b");
	assert_null(alert_to_json(&a, &e));
	a = ok; a.stream.nfallback = 5;
	assert_null(alert_to_json(&a, &e));
	a = ok; a.stream.fallback[0].kind = PLAY_SIREN;
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "clip or speech"));
	a = ok; a.stream.fallback[1].kind = PLAY_STREAM;
	assert_null(alert_to_json(&a, &e));
	a = ok; a.has_stream = 0;                  /* a stream item without its announcement */
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "announcement"));
	a = ok; a.play[0] = a.play[1];             /* two stream items */
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "at most one"));
	a = ok; strcpy(a.play[1].name, "s-2");     /* the item names another stream */
	assert_null(alert_to_json(&a, &e));
	a = ok; a.play[1].kind = PLAY_SIREN;       /* announced, not in the list */
	strcpy(a.play[1].name, "air-raid");
	assert_null(alert_to_json(&a, &e));
	a = ok; a.text[0] = '\0';                  /* fallback speech, nothing to say */
	assert_null(alert_to_json(&a, &e));
	a = ok; a.play[0].kind = (enum play_kind)7;
	assert_null(alert_to_json(&a, &e));
	assert_non_null(strstr(e.msg, "unknown kind"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_zone_normalised),
		cmocka_unit_test(test_cancel_and_update),
		cmocka_unit_test(test_unknown_fields_ignored),
		cmocka_unit_test(test_integers_strict),
		cmocka_unit_test(test_string_bounds),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_to_json_validates),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_speech),
		cmocka_unit_test(test_stream_invalid),
		cmocka_unit_test(test_stream_to_json_validates),
		cmocka_unit_test(test_corpus_rejected),
		cmocka_unit_test(test_data_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
