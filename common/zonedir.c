/*
 * zonedir: the zone-name directory (see zonedir.h for the format).
 *
 * The file is read whole (bounded), parsed line by line into an array of
 * entries, then sorted by code so that code lookups are a bsearch.  Names
 * are looked up by a linear scan: that happens once per --zone an operator
 * types, over at most ZONEDIR_MAX_ENTRIES entries, which is not worth an
 * index.  Every entry's name is a copy in one arena owned by the directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/zonedir.h"

struct zent {
	char code[ZONE_MAX + 1];
	char parent[ZONE_MAX + 1];     /* "" = none listed */
	const char *name;              /* into the arena */
	int line;
};

struct zonedir {
	struct zent *ent;              /* sorted by code */
	size_t n;
	char *arena;                   /* every name, NUL-terminated */
};

/* ---- lexical checks ------------------------------------------------------ */

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF) */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned long cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) { len = 2; cp = s[i] & 0x1f; min = 0x80; }
		else if ((s[i] & 0xf0) == 0xe0) { len = 3; cp = s[i] & 0x0f; min = 0x800; }
		else if ((s[i] & 0xf8) == 0xf0) { len = 4; cp = s[i] & 0x07; min = 0x10000; }
		else return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* A name: 1..ZONEDIR_NAME_MAX bytes of UTF-8, no ',' '/' control
 * characters, and no space at either end.  0 or a cx_errf. */
static int
name_check(const char *s, size_t n, struct cx_err *e)
{
	size_t i;

	if (n == 0)
		return cx_errf(e, "empty name");
	if (n > ZONEDIR_NAME_MAX)
		return cx_errf(e, "name longer than %d bytes", ZONEDIR_NAME_MAX);
	if (!utf8_valid((const unsigned char *)s, n))
		return cx_errf(e, "name is not UTF-8");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ',' || c == '/' || c == '"')
			return cx_errf(e, "name has a forbidden character (control, ',', '/' or '\"')");
	}
	if (s[0] == ' ' || s[n - 1] == ' ')
		return cx_errf(e, "name starts or ends with a space");
	return 0;
}

/* ---- lookups ------------------------------------------------------------- */

static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zent *)a)->code, ((const struct zent *)b)->code);
}

static const struct zent *
find(const struct zonedir *d, const char *code)
{
	struct zent key;

	if (d == NULL || d->n == 0 || strlen(code) > ZONE_MAX)
		return NULL;
	memcpy(key.code, code, strlen(code) + 1);
	return bsearch(&key, d->ent, d->n, sizeof *d->ent, ent_cmp);
}

size_t
zonedir_count(const struct zonedir *d)
{
	return d != NULL ? d->n : 0;
}

const char *
zonedir_name(const struct zonedir *d, const char *code)
{
	const struct zent *z = find(d, code);

	return z != NULL ? z->name : NULL;
}

const char *
zonedir_parent(const struct zonedir *d, const char *code)
{
	const struct zent *z = find(d, code);

	return z != NULL && z->parent[0] != '\0' ? z->parent : NULL;
}

/* ---- parsing ------------------------------------------------------------- */

struct pstate {
	const char *fname;
	int line;
	int ncols;                     /* 2 or 3, from the header; 0 before it */
	struct zonedir *d;
	size_t cap;
	size_t arena_used;
};

static int
perr(struct pstate *p, struct cx_err *e, const char *why)
{
	return cx_errf(e, "%s:%d: %s", p->fname, p->line, why);
}

static int
parse_header(struct pstate *p, const char *s, size_t n, struct cx_err *e)
{
	if (n == 9 && memcmp(s, "code,name", 9) == 0)
		p->ncols = 2;
	else if (n == 16 && memcmp(s, "code,name,parent", 16) == 0)
		p->ncols = 3;
	else
		return perr(p, e, "the first line must be the header 'code,name' or 'code,name,parent'");
	return 0;
}

/* A code field: zone_parse() of at most ZONE_MAX + 1 bytes. */
static int
field_code(struct pstate *p, const char *s, size_t n, char out[ZONE_MAX + 1],
    const char *what, struct cx_err *e)
{
	char tmp[ZONE_MAX + 2];
	struct cx_err ze;

	if (n == 0 || n > ZONE_MAX) {
		cx_errf(e, "%s:%d: %s: not a zone code", p->fname, p->line, what);
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (zone_parse(tmp, out, &ze) != 0)
		return cx_errf(e, "%s:%d: %s '%s': %s", p->fname, p->line, what, tmp, ze.msg);
	return 0;
}

static int
parse_entry(struct pstate *p, const char *s, size_t n, struct cx_err *e)
{
	const char *c1 = memchr(s, ',', n), *c2;
	struct zent *z;
	struct cx_err ne;
	size_t namelen;

	if (c1 == NULL)
		return perr(p, e, "expected 'code,name'");
	c2 = memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - s));
	if (c2 != NULL && p->ncols == 2)
		return perr(p, e, "a third column, but the header has none");
	if (c2 != NULL && memchr(c2 + 1, ',', n - (size_t)(c2 + 1 - s)) != NULL)
		return perr(p, e, "more than three columns");
	if (p->d->n >= ZONEDIR_MAX_ENTRIES)
		return cx_errf(e, "%s:%d: more than %d entries", p->fname, p->line,
		    ZONEDIR_MAX_ENTRIES);
	if (p->d->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct zent *ne2 = realloc(p->d->ent, cap * sizeof *ne2);
		if (ne2 == NULL)
			return perr(p, e, "out of memory");
		p->d->ent = ne2;
		p->cap = cap;
	}
	z = &p->d->ent[p->d->n];
	memset(z, 0, sizeof *z);
	z->line = p->line;
	if (field_code(p, s, (size_t)(c1 - s), z->code, "code", e) != 0)
		return -1;
	namelen = (size_t)((c2 != NULL ? c2 : s + n) - (c1 + 1));
	if (name_check(c1 + 1, namelen, &ne) != 0)
		return cx_errf(e, "%s:%d: %s", p->fname, p->line, ne.msg);
	if (c2 != NULL && c2 + 1 < s + n) {
		if (field_code(p, c2 + 1, (size_t)(s + n - (c2 + 1)), z->parent, "parent", e) != 0)
			return -1;
		if (strcmp(z->parent, z->code) == 0 || !zone_covers(z->parent, z->code))
			return cx_errf(e, "%s:%d: parent %s is not above %s", p->fname, p->line,
			    z->parent, z->code);
	}
	/* the arena was sized for the whole file: a name always fits */
	memcpy(p->d->arena + p->arena_used, c1 + 1, namelen);
	p->d->arena[p->arena_used + namelen] = '\0';
	z->name = p->d->arena + p->arena_used;
	p->arena_used += namelen + 1;
	p->d->n++;
	return 0;
}

static int
parse_line(struct pstate *p, const char *s, size_t n, struct cx_err *e)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > ZONEDIR_MAX_LINE)
		return cx_errf(e, "%s:%d: line longer than %d bytes", p->fname, p->line,
		    ZONEDIR_MAX_LINE);
	if (n == 0 || s[0] == '#')
		return 0;
	if (p->ncols == 0)
		return parse_header(p, s, n, e);
	return parse_entry(p, s, n, e);
}

/* After sorting: no duplicate code; a given parent is listed; a missing
 * one becomes the longest listed ancestor. */
static int
link_parents(struct pstate *p, struct cx_err *e)
{
	struct zonedir *d = p->d;
	char anc[ZONE_LEVELS][ZONE_MAX + 1];
	size_t i;
	int k;

	for (i = 0; i < d->n; i++) {
		struct zent *z = &d->ent[i];
		if (i > 0 && strcmp(d->ent[i - 1].code, z->code) == 0) {
			int l1 = d->ent[i - 1].line, l2 = z->line;
			return cx_errf(e, "%s:%d: code %s already on line %d", p->fname,
			    l1 > l2 ? l1 : l2, z->code, l1 < l2 ? l1 : l2);
		}
		if (z->parent[0] != '\0') {
			if (find(d, z->parent) == NULL)
				return cx_errf(e, "%s:%d: parent %s is not listed", p->fname,
				    z->line, z->parent);
			continue;
		}
		k = zone_ancestors(z->code, anc) - 1;   /* the last one is z itself */
		while (--k >= 0)
			if (find(d, anc[k]) != NULL) {
				memcpy(z->parent, anc[k], sizeof z->parent);
				break;
			}
	}
	return 0;
}

struct zonedir *
zonedir_parse(const char *fname, const char *buf, size_t len, struct cx_err *e)
{
	struct pstate p = { .fname = fname };
	const char *s = buf, *end = buf + len, *nl;

	if (len > ZONEDIR_MAX_BYTES) {
		cx_errf(e, "%s: larger than %u bytes", fname, ZONEDIR_MAX_BYTES);
		return NULL;
	}
	if ((p.d = calloc(1, sizeof *p.d)) == NULL ||
	    (p.d->arena = malloc(len + 1)) == NULL) {
		cx_errf(e, "%s: out of memory", fname);
		goto fail;
	}
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;   /* a BOM, as spreadsheet programs write it */
	if (memchr(buf, '\0', len) != NULL) {
		cx_errf(e, "%s: a NUL byte (not a text file)", fname);
		goto fail;
	}
	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (parse_line(&p, s, (size_t)((nl != NULL ? nl : end) - s), e) != 0)
			goto fail;
		s = nl != NULL ? nl + 1 : end;
	}
	if (p.ncols == 0) {
		cx_errf(e, "%s: no header line 'code,name'", fname);
		goto fail;
	}
	if (p.d->n > 0)
		qsort(p.d->ent, p.d->n, sizeof *p.d->ent, ent_cmp);
	if (link_parents(&p, e) != 0)
		goto fail;
	return p.d;
fail:
	zonedir_free(p.d);
	return NULL;
}

struct zonedir *
zonedir_load(const char *path, struct cx_err *e)
{
	struct zonedir *d = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(ZONEDIR_MAX_BYTES + 1)) == NULL) {
		cx_errf(e, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, ZONEDIR_MAX_BYTES + 1, f);
	if (ferror(f))
		cx_errf(e, "%s: read error", path);
	else if (len > ZONEDIR_MAX_BYTES)
		cx_errf(e, "%s: larger than %u bytes", path, ZONEDIR_MAX_BYTES);
	else
		d = zonedir_parse(path, buf, len, e);
out:
	free(buf);
	fclose(f);
	return d;
}

void
zonedir_free(struct zonedir *d)
{
	if (d == NULL)
		return;
	free(d->ent);
	free(d->arena);
	free(d);
}

/* ---- names typed by an operator ------------------------------------------ */

/* Does z lie under listed ancestors named segs[0..nsegs), outermost first
 * (each strictly above the next, any levels skipped)? */
static int
under_path(const struct zonedir *d, const struct zent *z, char segs[][ZONEDIR_NAME_MAX + 1],
    int nsegs)
{
	char anc[ZONE_LEVELS][ZONE_MAX + 1];
	int na = zone_ancestors(z->code, anc) - 1, i = nsegs - 1;
	const struct zent *a;

	while (i >= 0 && --na >= 0)
		if ((a = find(d, anc[na])) != NULL && strcmp(a->name, segs[i]) == 0)
			i--;
	return i < 0;
}

/* Split "a/b/c" into segs; the count, or -1 with e set. */
static int
split_path(const char *s, char segs[ZONE_LEVELS][ZONEDIR_NAME_MAX + 1], struct cx_err *e)
{
	const char *p = s, *slash;
	int n = 0;
	size_t len;
	struct cx_err ne;

	for (;;) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (n == ZONE_LEVELS)
			return cx_errf(e, "'%s': more than %d levels", s, ZONE_LEVELS);
		if (name_check(p, len, &ne) != 0)
			return cx_errf(e, "'%s': %s", s, ne.msg);
		memcpy(segs[n], p, len);
		segs[n++][len] = '\0';
		if (slash == NULL)
			return n;
		p = slash + 1;
	}
}

/* Append "CODE (in PARENT NAME)" (or "CODE" with no listed parent) for the
 * ambiguity message, if it fits. */
static int
add_candidate(const struct zonedir *d, const struct zent *z, char *msg, size_t msgsz,
    size_t *used)
{
	const char *pn = z->parent[0] ? zonedir_name(d, z->parent) : NULL;
	int n = snprintf(msg + *used, msgsz - *used, "%s%s%s%s%s", *used ? ", " : "",
	    z->code, pn != NULL ? " (in " : "", pn != NULL ? pn : "", pn != NULL ? ")" : "");

	if (n < 0 || (size_t)n >= msgsz - *used) {
		msg[*used] = '\0';
		return -1;
	}
	*used += (size_t)n;
	return 0;
}

int
zonedir_resolve(const struct zonedir *d, const char *s, char out[ZONE_MAX + 1],
    struct cx_err *e)
{
	char segs[ZONE_LEVELS][ZONEDIR_NAME_MAX + 1], list[160];
	const struct zent *hit = NULL;
	size_t i, nhit = 0, used = 0, shown = 0;
	int nsegs;

	if (s[0] >= '0' && s[0] <= '9')
		return zone_parse(s, out, e);
	if (strlen(s) > ZONEDIR_PATH_MAX)
		return cx_errf(e, "zone name longer than %d bytes", ZONEDIR_PATH_MAX);
	if (d == NULL || d->n == 0)
		return cx_errf(e, "'%s' is not a zone code, and there is no zone-name directory", s);
	if ((nsegs = split_path(s, segs, e)) < 0)
		return -1;
	list[0] = '\0';
	for (i = 0; i < d->n; i++) {
		const struct zent *z = &d->ent[i];
		if (strcmp(z->name, segs[nsegs - 1]) != 0 || !under_path(d, z, segs, nsegs - 1))
			continue;
		if (nhit++ == 0)
			hit = z;
		if (used < sizeof list && add_candidate(d, z, list, sizeof list, &used) == 0)
			shown++;
		else
			used = sizeof list;   /* full: stop adding */
	}
	if (nhit == 0)
		return cx_errf(e, "no zone named '%s' in the zone-name directory", s);
	if (nhit > 1)
		return cx_errf(e, "zone name '%s' is ambiguous, %zu zones: %s%s; give the code "
		    "or a path such as %s/%s", s, nhit, list, shown < nhit ? ", ..." : "",
		    hit->parent[0] ? zonedir_name(d, hit->parent) : "TOWNSHIP", segs[nsegs - 1]);
	memcpy(out, hit->code, ZONE_MAX + 1);
	return 0;
}

const char *
zonedir_label(const struct zonedir *d, const char *code, char *out, size_t outsz)
{
	const char *name = zonedir_name(d, code);
	size_t n, j;

	if (outsz == 0)
		return out;
	if ((size_t)snprintf(out, outsz, "%s%s%s", code, name ? " " : "", name ? name : "")
	    < outsz)
		return out;
	/* truncated: drop a multi-byte character cut short at the end */
	n = strlen(out);
	j = n;
	while (j > 0 && ((unsigned char)out[j - 1] & 0xc0) == 0x80)
		j--;
	if (j > 0 && (unsigned char)out[j - 1] >= 0xc0) {
		unsigned char lead = (unsigned char)out[j - 1];
		size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
		if (n - (j - 1) < want)
			out[j - 1] = '\0';
	}
	return out;
}
