/*
 * fuzz_zone: zone codes, topics and identifier checks (common/zone.c).
 *
 * The input is up to four lines: ZONE \n PREFIX \n NODE \n LEAF (missing
 * lines are empty strings; a NUL inside a line ends that string).  Each
 * string is an exactly-sized heap copy, so reading past its NUL is caught.
 *
 * Checks:
 *  - zone_parse() accepts exactly what zone_level() calls a zone; its
 *    output is a normalised zone (zone_parse of it is itself), a prefix of
 *    the input, covered by each of its ancestors, and it covers itself;
 *  - zone_topic() and node_topic() succeed exactly when their inputs are
 *    valid and the topic fits; into a buffer of outsz bytes they never
 *    write more (the buffers are exactly sized), and a short buffer gives
 *    either the same topic or an error with an empty string;
 *  - zone_covers() is consistent with string prefixes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/zone.h"
#include "tests/fuzz/fuzz_util.h"

#define NFIELDS 4

static void
check_zone(const char *raw)
{
	char z[ZONE_MAX + 1], z2[ZONE_MAX + 1], anc[ZONE_LEVELS][ZONE_MAX + 1];
	struct cx_err e = { "" };
	int lv, n, i;

	lv = zone_level(raw);
	FUZZ_CHECK(lv >= 0 && lv <= ZONE_LEVELS);
	if (zone_parse(raw, z, &e) < 0) {
		FUZZ_CHECK(lv == 0);
		FUZZ_CHECK(e.msg[0] != '\0');
		FUZZ_CHECK(zone_covers(raw, raw) == 0);
		return;
	}
	FUZZ_CHECK(lv > 0);
	FUZZ_CHECK(strlen(z) <= ZONE_MAX && strncmp(z, raw, strlen(z)) == 0);
	FUZZ_CHECK(zone_level(z) > 0 && zone_level(z) <= lv);
	FUZZ_CHECK(zone_parse(z, z2, NULL) == 0 && strcmp(z, z2) == 0);
	FUZZ_CHECK(zone_covers(z, z) == 1);
	n = zone_ancestors(z, anc);
	FUZZ_CHECK(n == zone_level(z));
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(zone_level(anc[i]) == i + 1);
		FUZZ_CHECK(zone_covers(anc[i], z) == 1);
	}
	FUZZ_CHECK(strcmp(anc[n - 1], z) == 0);
}

static void
check_topics(const char *zone, const char *prefix, const char *node, const char *leaf,
    size_t small)
{
	struct cx_err e = { "" };
	char *big = malloc(TOPIC_MAX), *tiny = malloc(small ? small : 1);
	char z[ZONE_MAX + 1];
	int ok_big, ok_tiny, valid;

	if (big == NULL || tiny == NULL)
		abort();

	valid = topic_prefix_valid(prefix) && zone_parse(zone, z, NULL) == 0;
	ok_big = zone_topic(prefix, zone, big, TOPIC_MAX, &e) == 0;
	FUZZ_CHECK(!ok_big || valid);
	if (valid)   /* prefix <= 64, "/alert", 6 levels: always fits in 256 */
		FUZZ_CHECK(ok_big);
	if (ok_big) {
		FUZZ_CHECK(strlen(big) < TOPIC_MAX);
		FUZZ_CHECK(strncmp(big, prefix, strlen(prefix)) == 0);
		FUZZ_CHECK(strncmp(big + strlen(prefix), "/alert/", 7) == 0);
	} else {
		FUZZ_CHECK(big[0] == '\0' && e.msg[0] != '\0');
	}
	ok_tiny = zone_topic(prefix, zone, tiny, small, NULL) == 0;
	if (ok_tiny)
		FUZZ_CHECK(ok_big && strcmp(tiny, big) == 0 && strlen(tiny) < small);
	else if (small > 0)
		FUZZ_CHECK(tiny[0] == '\0');
	if (ok_big && small > strlen(big))
		FUZZ_CHECK(ok_tiny);

	e.msg[0] = '\0';
	valid = topic_prefix_valid(prefix) && node_id_valid(node)
	    && (!strcmp(leaf, "cmd") || !strcmp(leaf, "receipt") || !strcmp(leaf, "status"));
	ok_big = node_topic(prefix, node, leaf, big, TOPIC_MAX, &e) == 0;
	FUZZ_CHECK(ok_big == valid);   /* 64 + 6 + 48 + 8 always fits */
	if (ok_big)
		FUZZ_CHECK(strlen(big) < TOPIC_MAX);
	else
		FUZZ_CHECK(big[0] == '\0' && e.msg[0] != '\0');
	ok_tiny = node_topic(prefix, node, leaf, tiny, small, NULL) == 0;
	if (ok_tiny)
		FUZZ_CHECK(ok_big && strcmp(tiny, big) == 0);
	else if (small > 0)
		FUZZ_CHECK(tiny[0] == '\0');
	if (ok_big && small > strlen(big))
		FUZZ_CHECK(ok_tiny);
	free(big);
	free(tiny);
}

static void
check_idents(const char *s)
{
	size_t n = strlen(s), i;
	int node_ok = n >= 1 && n <= NODE_ID_MAX, msg_ok = n >= 1 && n <= 64;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		node_ok &= alnum || c == '_' || c == '-';
		msg_ok &= alnum || c == '.' || c == '_' || c == ':' || c == '-';
	}
	FUZZ_CHECK(node_id_valid(s) == node_ok);
	FUZZ_CHECK(msg_id_valid(s) == msg_ok);
	(void)topic_prefix_valid(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[NFIELDS];
	const uint8_t *p = data, *end = data + size, *nl;
	int i;

	for (i = 0; i < NFIELDS; i++) {
		nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (i == NFIELDS - 1 || nl == NULL)
			nl = end;
		f[i] = cstr_dup(p, p < end ? (size_t)(nl - p) : 0);
		p = nl < end ? nl + 1 : end;
	}
	check_zone(f[0]);
	for (i = 0; i < NFIELDS; i++)
		check_idents(f[i]);
	check_topics(f[0], f[1], f[2], f[3], size % 80);
	/* covers is prefix-based between valid zones */
	if (zone_covers(f[0], f[1]))
		FUZZ_CHECK(zone_level(f[0]) > 0 && zone_level(f[1]) > 0
		    && strncmp(f[0], f[1], strlen(f[0])) == 0);
	for (i = 0; i < NFIELDS; i++)
		free(f[i]);
	return 0;
}
