/*
 * clipsums: the clip manifest's lines (clipsums.h).
 */
#include <string.h>

#include "common/clipsums.h"

static int
unhex(const char *h, unsigned char out[32])
{
	int i, hi, lo;

	for (i = 0; i < 32; i++) {
		hi = h[2 * i];
		lo = h[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' : hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' : lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
clipsums_line(const char *l, char name[CLIP_NAME_MAX + 1], unsigned char md[32])
{
	const char *nm;
	size_t n;

	if (strlen(l) < 67 || unhex(l, md) < 0 || l[64] != ' ' || (l[65] != ' ' && l[65] != '*'))
		return -1;
	nm = l + 66;
	n = strlen(nm);
	if (n < 1 || n > CLIP_NAME_MAX || nm[0] == '.' || strchr(nm, '/') != NULL)
		return -1;
	memcpy(name, nm, n + 1);
	return 0;
}

int
clipsums_parse(char *text, int (*fn)(void *arg, const char *name,
    const unsigned char md[32]), void *arg, const char **why)
{
	char name[CLIP_NAME_MAX + 1], *line, *save = NULL;
	unsigned char md[32];
	int lines = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '\0')
			continue;
		if (++lines > CLIPSUMS_MAX_FILES) {
			*why = "too many lines";
			return -1;
		}
		if (clipsums_line(line, name, md) < 0) {
			*why = "a line is not \"SHA256HEX  NAME\"";
			return -1;
		}
		if (fn(arg, name, md) < 0) {
			*why = "stopped";
			return -1;
		}
	}
	return 0;
}
