/*
 * test_common_zonedir: the zone-name directory (docs/CTL.md, "Zone names"):
 * the CSV format and its errors, code -> name, name -> code, paths,
 * ambiguity, and the shipped firmware-config/zones-430682.csv.
 *
 * The village names below are test fixtures (two 东山村 in two townships
 * make the ambiguity); the shipped file has no village level.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "common/zonedir.h"

static const char fixture[] =
    "# fixture\n"
    "code,name,parent\n"
    "430682,临湘市\n"
    "430682101,忠防镇,430682\n"
    "430682103,聂市镇\n"
    "430682101201,东山村,430682101\n"
    "430682103205,东山村\n"
    "\n"
    "430682103206,西山村\r\n"
    "430682103206001,一组\n";

static struct zonedir *
load_fixture(void)
{
	struct cx_err e = { "" };
	struct zonedir *d = zonedir_parse("fix.csv", fixture, strlen(fixture), &e);

	if (d == NULL)
		fail_msg("fixture: %s", e.msg);
	return d;
}

static void
expect_error(const char *csv, const char *want)
{
	struct cx_err e = { "" };
	struct zonedir *d = zonedir_parse("z.csv", csv, strlen(csv), &e);

	if (d != NULL) {
		zonedir_free(d);
		fail_msg("accepted: %s", csv);
	}
	if (strstr(e.msg, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", e.msg, want);
}

static void
expect_resolve(const struct zonedir *d, const char *s, const char *want)
{
	char out[ZONE_MAX + 1];
	struct cx_err e = { "" };

	if (zonedir_resolve(d, s, out, &e) != 0)
		fail_msg("resolve '%s': %s", s, e.msg);
	assert_string_equal(out, want);
}

static void
expect_refused(const struct zonedir *d, const char *s, const char *want)
{
	char out[ZONE_MAX + 1];
	struct cx_err e = { "" };

	if (zonedir_resolve(d, s, out, &e) == 0)
		fail_msg("resolve '%s' gave %s", s, out);
	if (strstr(e.msg, want) == NULL)
		fail_msg("resolve '%s': '%s' does not contain '%s'", s, e.msg, want);
}

static void
test_names_and_parents(void **state)
{
	struct zonedir *d = load_fixture();

	(void)state;
	assert_int_equal(zonedir_count(d), 7);
	assert_string_equal(zonedir_name(d, "430682"), "临湘市");
	assert_string_equal(zonedir_name(d, "430682103206"), "西山村");   /* CRLF line */
	assert_null(zonedir_name(d, "430682105"));
	assert_null(zonedir_name(NULL, "430682"));
	/* given parent, derived parent, none listed */
	assert_string_equal(zonedir_parent(d, "430682101201"), "430682101");
	assert_string_equal(zonedir_parent(d, "430682103205"), "430682103");
	assert_string_equal(zonedir_parent(d, "430682103206001"), "430682103206");
	assert_null(zonedir_parent(d, "430682"));
	zonedir_free(d);
}

static void
test_resolve(void **state)
{
	struct zonedir *d = load_fixture();

	(void)state;
	expect_resolve(d, "西山村", "430682103206");
	expect_resolve(d, "忠防镇", "430682101");
	expect_resolve(d, "忠防镇/东山村", "430682101201");
	expect_resolve(d, "聂市镇/东山村", "430682103205");
	expect_resolve(d, "临湘市/聂市镇/东山村", "430682103205");
	expect_resolve(d, "临湘市/西山村/一组", "430682103206001");
	/* codes pass through, listed or not, normalised */
	expect_resolve(d, "430682105", "430682105");
	expect_resolve(d, "430682101000", "430682101");
	expect_resolve(NULL, "430682", "430682");
	zonedir_free(d);
}

static void
test_refused(void **state)
{
	struct zonedir *d = load_fixture();

	(void)state;
	expect_refused(d, "东山村", "ambiguous, 2 zones: 430682101201 (in 忠防镇), "
	    "430682103205 (in 聂市镇); give the code or a path such as 忠防镇/东山村");
	expect_refused(d, "南山村", "no zone named '南山村'");
	expect_refused(d, "忠防", "no zone named");            /* exact match only */
	expect_refused(d, "聂市镇/忠防镇", "no zone named");     /* wrong order */
	expect_refused(d, "东山村/忠防镇", "no zone named");
	expect_refused(d, "忠防镇/", "empty name");
	expect_refused(d, "/东山村", "empty name");
	expect_refused(d, "a/b/c/d/e/f/g", "more than 6 levels");
	expect_refused(d, "4306821", "bad zone \"4306821\"");
	expect_refused(NULL, "东山村", "no zone-name directory");
	zonedir_free(d);
}

static void
test_format_errors(void **state)
{
	char big[700];

	(void)state;
	expect_error("", "no header line");
	expect_error("# only\n", "no header line");
	expect_error("code;name\n43,湖南省\n", "z.csv:1: the first line must be the header");
	expect_error("code,name\n43\n", "z.csv:2: expected 'code,name'");
	expect_error("code,name\n43,湖南省,4\n", "z.csv:2: a third column");
	expect_error("code,name,parent\n43,a,4,5\n", "z.csv:2: more than three columns");
	expect_error("code,name\n#\n431,x\n", "z.csv:3: code '431'");
	expect_error("code,name\nabc,x\n", "z.csv:2: code 'abc'");
	expect_error("code,name\n43,\n", "z.csv:2: empty name");
	expect_error("code,name\n43, 湖南\n", "z.csv:2: name starts or ends with a space");
	expect_error("code,name\n43,a/b\n", "z.csv:2: name has a forbidden character");
	expect_error("code,name\n43,\"x\"\n", "z.csv:2: name has a forbidden character");
	expect_error("code,name\n43,\xe6\xb9\n", "z.csv:2: name is not UTF-8");
	expect_error("code,name\n43,\xc0\xaf\n", "z.csv:2: name is not UTF-8");   /* overlong */
	expect_error("code,name\n43,a\n4306,b\n43,c\n", "z.csv:4: code 43 already on line 2");
	expect_error("code,name\n43,a\n430600000000,b\n4306,c\n", "z.csv:4: code 4306 already on line 3");
	expect_error("code,name,parent\n43,a\n4306,b,4307\n", "z.csv:3: parent 4307 is not above 4306");
	expect_error("code,name,parent\n43,a\n4306,b,4306\n", "z.csv:3: parent 4306 is not above");
	expect_error("code,name,parent\n430682,a,4306\n", "z.csv:2: parent 4306 is not listed");
	{
		static const char nul[] = "code,name\n43,a\0b\n";
		struct cx_err e = { "" };
		assert_null(zonedir_parse("z.csv", nul, sizeof nul - 1, &e));
		assert_non_null(strstr(e.msg, "NUL"));
	}
	memset(big, 'a', sizeof big);
	memcpy(big, "code,name\n43,", 13);
	big[sizeof big - 1] = '\0';
	expect_error(big, "z.csv:2: line longer than 512 bytes");
	big[13 + ZONEDIR_NAME_MAX + 1] = '\0';
	expect_error(big, "z.csv:2: name longer than 96 bytes");
}

static void
test_bom_crlf_comments(void **state)
{
	static const char csv[] = "\xef\xbb\xbf# x\r\ncode,name\r\n# y\r\n43,湖南省\r\n";
	struct cx_err e = { "" };
	struct zonedir *d = zonedir_parse("z.csv", csv, strlen(csv), &e);

	(void)state;
	if (d == NULL)
		fail_msg("%s", e.msg);
	assert_string_equal(zonedir_name(d, "43"), "湖南省");
	zonedir_free(d);
}

static void
test_label(void **state)
{
	struct zonedir *d = load_fixture();
	char out[64], small[16];

	(void)state;
	assert_string_equal(zonedir_label(d, "430682101201", out, sizeof out), "430682101201 东山村");
	assert_string_equal(zonedir_label(d, "430682105", out, sizeof out), "430682105");
	assert_string_equal(zonedir_label(NULL, "43", out, sizeof out), "43");
	/* 12 digits, a space, then 3 bytes of 东: only 2 fit, the character is dropped */
	assert_string_equal(zonedir_label(d, "430682101201", small, sizeof small), "430682101201 ");
	zonedir_free(d);
}

static void
test_load_shipped(void **state)
{
	struct cx_err e = { "" };
	struct zonedir *d = zonedir_load("firmware-config/zones-430682.csv", &e);

	(void)state;
	if (d == NULL)
		fail_msg("%s", e.msg);
	assert_string_equal(zonedir_name(d, "430682"), "临湘市");
	expect_resolve(d, "忠防镇", "430682101");
	expect_resolve(d, "临湘市/坦渡镇", "430682115");
	assert_string_equal(zonedir_parent(d, "430682"), "4306");
	zonedir_free(d);
	assert_null(zonedir_load("no/such/zones.csv", &e));
	assert_non_null(strstr(e.msg, "no/such/zones.csv: No such file"));
}

/* tests/corpus/zonedir: files the parser must refuse (each with file:line) */
static void
test_corpus_refused(void **state)
{
	DIR *dir = opendir("tests/corpus/zonedir");
	struct dirent *de;
	char path[512];
	int n = 0;

	(void)state;
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		struct cx_err e = { "" };
		struct zonedir *d;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "tests/corpus/zonedir/%s", de->d_name);
		if ((d = zonedir_load(path, &e)) != NULL) {
			zonedir_free(d);
			fail_msg("%s accepted", path);
		}
		if (strncmp(e.msg, path, strlen(path)) != 0 || e.msg[strlen(path)] != ':')
			fail_msg("%s: '%s' does not name the file", path, e.msg);
		n++;
	}
	closedir(dir);
	assert_true(n >= 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_parents),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_bom_crlf_comments),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_load_shipped),
		cmocka_unit_test(test_corpus_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
