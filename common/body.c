/*
 * body: "v", "kind" and "zones" of a signed body (common/body.h), shared
 * by selftest.c and schedule.c.
 */
#include <string.h>

#include "common/body.h"

#define BODY_KIND_MAX 16

int
body_kind_is(const uint8_t *body, size_t len, const char *kind)
{
	struct json_doc d;
	char k[BODY_KIND_MAX];
	int is = 0;

	if (json_doc_parse(body, len, &d, NULL) < 0)
		return 0;
	if (json_get_str(d.root, "kind", k, sizeof(k), NULL) == 1)
		is = strcmp(k, kind) == 0;
	json_doc_free(&d);
	return is;
}

int
body_need_head(const struct json_doc *d, int version, const char *kind, struct cx_err *e)
{
	char k[BODY_KIND_MAX];
	int64_t v;

	if (json_need_int(d, d->root, "v", 0, 1000000, &v, e) < 0)
		return -1;
	if (v != version)
		return cx_errf(e, "'v' must be %d", version);
	if (json_need_str(d->root, "kind", k, sizeof(k), NULL) < 0 || strcmp(k, kind) != 0)
		return cx_errf(e, "'kind' must be \"%s\"", kind);
	return 0;
}

int
body_parse_zones(const cJSON *root, char (*zones)[ZONE_MAX + 1], int max, int *n,
    struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "zones"), *it;

	*n = 0;
	if (arr == NULL || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1
	    || cJSON_GetArraySize(arr) > max)
		return cx_errf(e, "'zones' must be an array of 1-%d zones", max);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || it->valuestring == NULL
		    || strnlen(it->valuestring, ZONE_MAX + 1) > ZONE_MAX
		    || zone_parse(it->valuestring, zones[*n], NULL) < 0)
			return cx_errf(e, "'zones'[%d]: not a valid zone", *n);
		(*n)++;
	}
	return 0;
}

int
body_check_zones(const char (*zones)[ZONE_MAX + 1], int n, int max, struct cx_err *e)
{
	char norm[ZONE_MAX + 1];
	int i;

	if (n < 1 || n > max)
		return cx_errf(e, "'zones': 1..%d zones required", max);
	for (i = 0; i < n; i++)
		if (strnlen(zones[i], ZONE_MAX + 1) > ZONE_MAX || zones[i][0] == '\0'
		    || zone_parse(zones[i], norm, NULL) < 0 || strcmp(norm, zones[i]) != 0)
			return cx_errf(e, "'zones'[%d]: not a valid normalised zone", i);
	return 0;
}
