/*
 * zonecol: a zone as a table column, "CODE NAME" when the zone-name
 * directory knows the code (docs/CTL.md, "Zone names"), padded to a width
 * in terminal columns: a CJK character is 3 bytes of UTF-8 but 2 columns,
 * so printf's %-12s cannot align it.
 */
#ifndef CX_ZONECOL_H
#define CX_ZONECOL_H

#include <stddef.h>

#include "common/zonedir.h"

#define ZONECOL_MAX 160                /* bytes of a column, NUL included */

/* The column width for zones: wide enough for a code and a short name
 * when there is a directory, else for a bare code. */
int zonecol_width(const struct zonedir *d, int bare);
/* code (or "-" if empty), its name if listed, then spaces up to width
 * columns; into out (ZONECOL_MAX bytes).  Returns out. */
const char *zonecol(const struct zonedir *d, const char *code, int width,
    char out[ZONECOL_MAX]);
/* Terminal columns of UTF-8 s: 2 for East Asian wide characters. */
int zonecol_cols(const char *s);

#endif
