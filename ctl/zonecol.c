/*
 * zonecol: zones as table columns (see zonecol.h).
 */
#include <string.h>

#include "ctl/zonecol.h"

#define NAME_COLS 10                   /* five CJK characters: most village names */

int
zonecol_width(const struct zonedir *d, int bare)
{
	return zonedir_count(d) > 0 ? ZONE_MAX - 3 + 1 + NAME_COLS : bare;
}

/* Wide: CJK, Hangul, fullwidth forms (a rough East Asian Width "W/F"). */
static int
wide(unsigned long cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

int
zonecol_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0, len, k;
	unsigned long cp;

	while (*p) {
		len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		cp = len == 1 ? *p : (unsigned long)(*p & (0x7f >> len));
		for (k = 1; k < len && p[k] != '\0'; k++)
			cp = (cp << 6) | (p[k] & 0x3f);
		cols += wide(cp) ? 2 : 1;
		p += k;
	}
	return cols;
}

const char *
zonecol(const struct zonedir *d, const char *code, int width, char out[ZONECOL_MAX])
{
	size_t n;
	int cols;

	zonedir_label(d, code[0] ? code : "-", out, ZONECOL_MAX);
	n = strlen(out);
	for (cols = zonecol_cols(out); cols < width && n + 1 < ZONECOL_MAX; cols++)
		out[n++] = ' ';
	out[n] = '\0';
	return out;
}
