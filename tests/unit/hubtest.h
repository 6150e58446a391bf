/*
 * hubtest.h: small helpers the hub's unit tests share (cmocka must be
 * included first).  Header-only: each is static inline, so a test that does
 * not use one pays nothing and gets no unused-function warning.
 */
#ifndef CX_TEST_HUBTEST_H
#define CX_TEST_HUBTEST_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "hub/hubconf.h"

/* o's string member k; the test fails if there is none. */
static inline const char *
ht_str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(j))
		fail_msg("no string '%s' in %s", k, cJSON_PrintUnformatted(o));
	return j->valuestring;
}

/* o's number member k; the test fails if there is none. */
static inline double
ht_num(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(j))
		fail_msg("no number '%s' in %s", k, cJSON_PrintUnformatted(o));
	return j->valuedouble;
}

/* o's boolean member k; the test fails if there is none. */
static inline int
ht_bool(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsBool(j))
		fail_msg("no boolean '%s' in %s", k, cJSON_PrintUnformatted(o));
	return cJSON_IsTrue(j);
}

/* SHA-256 of s in lower-case hex (the hub's token file format). */
static inline void
ht_sha_hex(const char *s, char out[65])
{
	unsigned char h[32];
	unsigned int n, i;

	EVP_Digest(s, strlen(s), h, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

/* Write text to path (replacing it); the test fails if it cannot. */
static inline void
ht_write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Enrol node i of c as id in zone, with one fixed test key. */
static inline void
ht_enrol(struct hub_config *c, int i, const char *id, const char *zone)
{
	struct hub_node *n = &c->nodes[i];

	snprintf(n->id, sizeof n->id, "%s", id);
	snprintf(n->zone, sizeof n->zone, "%s", zone);
	snprintf(n->key_b64, sizeof n->key_b64,
	    "MCowBQYDK2VwAyEAkGEWPJPMlfe4m/24UpT1Lc8tfqogBWFP8sw++Op124o=");
}

#endif
