/*
 * test_common_clipsums: the clip manifest's lines (common/clipsums.h), as
 * sha256sum writes them (text and binary mode), and what is refused: short
 * or uppercase digests, one space, names with '/' or a leading dot, names
 * over 64 bytes, more than CLIPSUMS_MAX_FILES lines; blank lines and CRLF
 * are taken; the callback can stop the walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clipsums.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static void
test_line(void **state)
{
	char name[CLIP_NAME_MAX + 1];
	unsigned char md[32];
	static const char *const bad[] = {
		"9f86d0  short.opus",
		"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08  upper.opus",
		SHA " one-space.opus",
		SHA "  dir/flood.opus",
		SHA "  .hidden.opus",
		SHA "  ",
		SHA "  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	size_t i;

	(void)state;
	assert_int_equal(clipsums_line(SHA "  flood.opus", name, md), 0);
	assert_string_equal(name, "flood.opus");
	assert_int_equal(md[0], 0x9f);
	assert_int_equal(md[31], 0x08);
	assert_int_equal(clipsums_line(SHA " *binary.opus", name, md), 0);
	assert_string_equal(name, "binary.opus");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (clipsums_line(bad[i], name, md) == 0)
			fail_msg("accepted: %s", bad[i]);
}

struct seen {
	int n, stop_at;
	char last[CLIP_NAME_MAX + 1];
};

static int
each(void *arg, const char *name, const unsigned char md[32])
{
	struct seen *s = arg;

	snprintf(s->last, sizeof s->last, "%s", name);
	return ++s->n == s->stop_at ? -1 : 0;
}

static void
test_parse(void **state)
{
	char text[] = SHA "  a.opus\r\n\n" SHA "  b.opus\n";
	char again[] = SHA "  a.opus\n" SHA "  b.opus\n";
	char bad[] = SHA "  a.opus\nnonsense\n";
	struct seen s = { 0 };
	const char *why = NULL;
	char *big;
	size_t i, line = 64 + 2 + 13 + 1;     /* SHA, 2 spaces, c0000000.opus, \n */

	(void)state;
	assert_int_equal(clipsums_parse(text, each, &s, &why), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.last, "b.opus");
	memset(&s, 0, sizeof s);
	s.stop_at = 1;
	assert_int_equal(clipsums_parse(again, each, &s, &why), -1);
	assert_int_equal(s.n, 1);
	assert_int_equal(clipsums_parse(bad, each, &(struct seen){ 0 }, &why), -1);
	assert_non_null(strstr(why, "SHA256HEX"));
	big = malloc((CLIPSUMS_MAX_FILES + 1) * line + 1);
	assert_non_null(big);
	for (i = 0; i <= CLIPSUMS_MAX_FILES; i++)
		snprintf(big + i * line, line + 1, SHA "  c%07zu.opus\n", i);
	assert_int_equal(clipsums_parse(big, each, &(struct seen){ 0 }, &why), -1);
	assert_string_equal(why, "too many lines");
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
