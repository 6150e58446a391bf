/*
 * suggest: the nearest known name to a typo (see suggest.h).
 *
 * Three rows of the classic dynamic programme suffice for the optimal
 * string alignment distance (a swap looks two rows back); names are short,
 * so the cost is nothing beside the message it improves.
 */
#include <stdio.h>
#include <string.h>

#include "common/suggest.h"

static int
min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance between a and b (both at most SUGGEST_NAME_MAX). */
static int
distance(const char *a, size_t la, const char *b, size_t lb)
{
	int rows[3][SUGGEST_NAME_MAX + 1], *pp, *p, *c, cost;
	size_t i, j;

	for (j = 0; j <= lb; j++)
		rows[1][j] = (int)j;
	pp = rows[0];
	p = rows[1];
	c = rows[2];
	for (i = 1; i <= la; i++) {
		c[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
			    && pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
		}
		{ int *t = pp; pp = p; p = c; c = t; }
	}
	return p[lb];
}

const char *
suggest_nearest(const char *name, const char *const *cands, int n)
{
	size_t ln = strlen(name), lc;
	const char *best = NULL;
	int i, d, bestd = 0;

	if (ln == 0 || ln > SUGGEST_NAME_MAX)
		return NULL;
	for (i = 0; i < n; i++) {
		lc = strlen(cands[i]);
		if (lc == 0 || lc > SUGGEST_NAME_MAX)
			continue;
		d = distance(name, ln, cands[i], lc);
		if (d > 1 + (int)ln / 4 && strncmp(name, cands[i], ln < lc ? ln : lc) != 0)
			continue;
		if (best == NULL || d < bestd) {
			best = cands[i];
			bestd = d;
		}
	}
	return best;
}

char *
suggest_unknown(const char *what, const char *name, const char *const *cands, int n,
    char *out, size_t outsz)
{
	const char *near = suggest_nearest(name, cands, n), *sep;
	size_t len;
	int i, k;

	if (outsz == 0)
		return out;
	k = snprintf(out, outsz, "unknown %s '%s'", what, name);
	if (near != NULL && k >= 0 && (size_t)k < outsz)
		k += snprintf(out + k, outsz - (size_t)k, "; did you mean '%s'?", near);
	for (i = 0; i < n && k >= 0 && (size_t)k < outsz; i++) {
		sep = i > 0 ? ", " : near != NULL ? " known: " : "; known: ";
		len = strlen(sep) + strlen(cands[i]);
		if ((size_t)k + len + sizeof(", ...") > outsz) {
			if ((size_t)k + sizeof(", ...") <= outsz)
				snprintf(out + k, outsz - (size_t)k, ", ...");
			return out;
		}
		k += snprintf(out + k, outsz - (size_t)k, "%s%s", sep, cands[i]);
	}
	if (n == 0 && k >= 0 && (size_t)k < outsz)
		snprintf(out + k, outsz - (size_t)k, " (none known)");
	return out;
}
