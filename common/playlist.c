/*
 * playlist: one clip play item, parsed and built (common/playlist.h), for
 * alert.c and schedule.c alike.
 */
#include <string.h>

#include "common/playlist.h"

static int
hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < 2 * n; i++) {
		char c = hex[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}

int
playlist_clip_parse(const cJSON *it, struct play_item *p, struct cx_err *e)
{
	char hex[PLAYLIST_SHA256_HEX + 1];

	p->kind = PLAY_CLIP;
	if (json_need_str(it, "clip", p->name, sizeof(p->name), e) < 0)
		return -1;
	if (!alert_clip_name_valid(p->name))
		return cx_errf(e, "'clip' must be 1-%d of [A-Za-z0-9._-], not starting with '.'",
		    CLIP_NAME_MAX);
	if (json_need_str(it, "sha256", hex, sizeof(hex), e) < 0)
		return -1;
	if (strlen(hex) != PLAYLIST_SHA256_HEX || hex_to_bytes(hex, p->sha256, sizeof(p->sha256)) < 0)
		return cx_errf(e, "'sha256' must be 64 lowercase hex digits");
	return 0;
}

int
playlist_clip_add(cJSON *it, const struct play_item *p)
{
	static const char hexd[] = "0123456789abcdef";
	char hex[PLAYLIST_SHA256_HEX + 1];
	size_t k;

	for (k = 0; k < sizeof(p->sha256); k++) {
		hex[2 * k] = hexd[p->sha256[k] >> 4];
		hex[2 * k + 1] = hexd[p->sha256[k] & 15];
	}
	hex[PLAYLIST_SHA256_HEX] = '\0';
	if (cJSON_AddStringToObject(it, "clip", p->name) == NULL
	    || cJSON_AddStringToObject(it, "sha256", hex) == NULL)
		return -1;
	return 0;
}
