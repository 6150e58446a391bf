/*
 * suggest: "did you mean ...?" for a name that is not one of a known set
 * (a siren, a clip), so a typo is refused with the fix beside it.
 *
 * Pure: no I/O.  The distance is Damerau-Levenshtein (insert, delete,
 * substitute, swap two neighbours; ASCII bytes), bounded: names longer than
 * SUGGEST_NAME_MAX are never near anything.
 */
#ifndef CX_SUGGEST_H
#define CX_SUGGEST_H

#include <stddef.h>

#define SUGGEST_NAME_MAX 64

/* The candidate nearest to name, if near enough to be a likely typo
 * (distance at most 1 + len/4, or name is a prefix of it or it of name);
 * NULL otherwise.  The first of equally near candidates wins. */
const char *suggest_nearest(const char *name, const char *const *cands, int n);
/* "unknown WHAT 'NAME'; did you mean 'X'? known: A, B, C" into out (the
 * "did you mean" part only when one is near; the list ends with ", ..."
 * when out is too short for all of it).  Returns out. */
char *suggest_unknown(const char *what, const char *name, const char *const *cands, int n,
    char *out, size_t outsz);

#endif
