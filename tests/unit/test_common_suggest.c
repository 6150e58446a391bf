/*
 * test_common_suggest: "did you mean" for unknown names.
 *   - typos one edit away (a dropped dash, a swap, a wrong letter) find
 *     the name; a prefix finds it; an unrelated word finds nothing
 *   - the message: with and without a suggestion, the list, truncation
 *     with ", ..." in a short buffer, no candidates
 *   - the siren table: built-ins first, then the extra names
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/siren.h"
#include "common/suggest.h"

static const char *const sirens[] = { "pre-warning", "air-raid", "all-clear" };

static void
test_nearest(void **state)
{
	(void)state;
	assert_string_equal(suggest_nearest("airraid", sirens, 3), "air-raid");
	assert_string_equal(suggest_nearest("air_raid", sirens, 3), "air-raid");
	assert_string_equal(suggest_nearest("iar-raid", sirens, 3), "air-raid");   /* swap */
	assert_string_equal(suggest_nearest("prewarning", sirens, 3), "pre-warning");
	assert_string_equal(suggest_nearest("all-clr", sirens, 3), "all-clear");
	assert_string_equal(suggest_nearest("pre", sirens, 3), "pre-warning");     /* prefix */
	assert_null(suggest_nearest("kazoo", sirens, 3));
	assert_null(suggest_nearest("", sirens, 3));
	assert_null(suggest_nearest("airraid", sirens, 0));
	{
		char longname[SUGGEST_NAME_MAX + 2];

		memset(longname, 'a', sizeof longname - 1);
		longname[sizeof longname - 1] = '\0';
		assert_null(suggest_nearest(longname, sirens, 3));
	}
}

static void
test_message(void **state)
{
	char out[256], small[48];

	(void)state;
	assert_string_equal(suggest_unknown("siren", "airraid", sirens, 3, out, sizeof out),
	    "unknown siren 'airraid'; did you mean 'air-raid'? known: pre-warning, air-raid, "
	    "all-clear");
	assert_string_equal(suggest_unknown("siren", "kazoo", sirens, 3, out, sizeof out),
	    "unknown siren 'kazoo'; known: pre-warning, air-raid, all-clear");
	assert_string_equal(suggest_unknown("clip", "x.opus", NULL, 0, out, sizeof out),
	    "unknown clip 'x.opus' (none known)");
	suggest_unknown("siren", "kazoo", sirens, 3, small, sizeof small);
	assert_string_equal(small, "unknown siren 'kazoo'; known: pre-warning, ...");
	assert_true(strlen(small) < sizeof small);
}

static void
test_siren_names(void **state)
{
	const char *names[8], *extra[] = { "test-short", "bell" };
	int n;

	(void)state;
	n = siren_names(names, 8, extra, 2);
	assert_int_equal(n, 5);
	assert_string_equal(names[0], "pre-warning");
	assert_string_equal(names[2], "all-clear");
	assert_string_equal(names[3], "test-short");
	assert_string_equal(names[4], "bell");
	assert_int_equal(siren_names(names, 2, extra, 2), 2);
	assert_int_equal(siren_names(names, 8, NULL, 0), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_siren_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
