/*
 * fuzz_selftest: selftest_cmd_parse() (common/selftest.c) on arbitrary
 * bytes: the body of a self-test command, read by every node after its
 * signature verified (a key with the test action may still send nonsense).
 *
 * Checks: a refusal comes with a message; an accepted command round-trips
 * (selftest_cmd_to_json accepts it, parsing its output gives the same
 * struct and the same JSON again); zones are 1..ALERT_MAX_ZONES, the mode
 * is one of the two.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/selftest.h"
#include "tests/fuzz/fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cx_err e = { "" };
	struct selftest_cmd a, b;
	char *j, *j2;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (selftest_cmd_parse(data, size, &a, &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(a.nzones >= 1 && a.nzones <= ALERT_MAX_ZONES);
	FUZZ_CHECK(a.mode == SELFTEST_SILENT || a.mode == SELFTEST_AUDIBLE);
	j = selftest_cmd_to_json(&a, &e);
	if (j == NULL)
		fprintf(stderr, "selftest_cmd_to_json refused a parsed command: %s\n", e.msg);
	FUZZ_CHECK(j != NULL);
	if (selftest_cmd_parse((const uint8_t *)j, strlen(j), &b, &e) != 0)
		fprintf(stderr, "selftest_cmd_parse refused its own output: %s\n%s\n", e.msg, j);
	FUZZ_CHECK(selftest_cmd_parse((const uint8_t *)j, strlen(j), &b, &e) == 0);
	FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	j2 = selftest_cmd_to_json(&b, &e);
	FUZZ_CHECK(j2 != NULL && strcmp(j, j2) == 0);
	free(j2);
	free(j);
	return 0;
}
