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
		cmocka_unit_test(test_corpus_rejected),
		cmocka_unit_test(test_data_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
