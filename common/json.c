/*
 * json: strict reading of the protocol's JSON bodies on top of cJSON.
 *
 * cJSON builds the tree, but it is lenient where a signed wire format must
 * not be: it accepts "01", "+1" and "1.", keeps both members of
 * {"a":1,"a":2}, turns "\u0000" into a silently shortened string, and keeps
 * numbers only as doubles, so 1e3 and 1.0 look like integers and
 * 9007199254740993 is rounded.  So the text is lexed first (UTF-8, string
 * escapes, number grammar, depth) and the position of every number is
 * remembered; after cJSON has parsed the same bytes, a walk over the tree
 * in document order gives each number node the index of its text (kept in
 * the node's valueint, which nothing else reads), and checks every object
 * for duplicate names.  json_get_int() then reads the exact digits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

#define INT_TEXT_MAX 20                /* "-9223372036854775808" */

struct json_span {
	uint32_t off;
	uint32_t len;
};

struct lexer {
	const char *s;
	size_t len;
	size_t pos;
	int depth;
	struct json_span *nums;
	size_t nnums, cap;
	struct cx_err *e;
};

int
json_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		uint8_t c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Free text: valid UTF-8, no control characters except (if allowed) \t \n. */
int
json_text_valid(const char *s, size_t min, size_t max, int multiline)
{
	size_t i, n;

	n = strnlen(s, max + 1);
	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\n' || c == '\t'))))
			return 0;
	}
	return json_utf8_valid((const uint8_t *)s, n);
}

void
json_utf8_copy(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz) {
		n = dstsz - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? over exactly n bytes */
static int
number_valid(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && is_digit(s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (i++, d = 0; i < n && is_digit(s[i]); i++, d++)
			;
		if (d == 0)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = 0; i < n && is_digit(s[i]); i++, d++)
			;
		if (d == 0)
			return 0;
	}
	return i == n;
}

/* A string starting at the opening quote; leaves pos after the closing one. */
static int
lex_string(struct lexer *lx)
{
	const char *s = lx->s;

	for (lx->pos++; lx->pos < lx->len; lx->pos++) {
		unsigned char c = (unsigned char)s[lx->pos];
		if (c == '"') {
			lx->pos++;
			return 0;
		}
		if (c < 0x20)
			return cx_errf(lx->e, "control character in a string at byte %zu", lx->pos);
		if (c != '\\')
			continue;
		if (++lx->pos >= lx->len)
			break;
		c = (unsigned char)s[lx->pos];
		if (c == 'u') {
			if (lx->len - lx->pos <= 4 || !is_hex(s[lx->pos + 1]) || !is_hex(s[lx->pos + 2])
			    || !is_hex(s[lx->pos + 3]) || !is_hex(s[lx->pos + 4]))
				return cx_errf(lx->e, "bad \\u escape at byte %zu", lx->pos);
			if (strncmp(s + lx->pos + 1, "0000", 4) == 0)
				return cx_errf(lx->e, "\\u0000 in a string at byte %zu", lx->pos);
			lx->pos += 4;
		} else if (strchr("\"\\/bfnrt", c) == NULL) {
			return cx_errf(lx->e, "bad escape at byte %zu", lx->pos);
		}
	}
	return cx_errf(lx->e, "unterminated string");
}

static int
lex_number(struct lexer *lx)
{
	size_t start = lx->pos;

	while (lx->pos < lx->len && (is_digit(lx->s[lx->pos]) || strchr("+-.eE", lx->s[lx->pos])))
		lx->pos++;
	if (!number_valid(lx->s + start, lx->pos - start))
		return cx_errf(lx->e, "bad number at byte %zu", start);
	if (lx->nnums == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 16;
		struct json_span *n = realloc(lx->nums, cap * sizeof(*n));
		if (n == NULL)
			return cx_errf(lx->e, "out of memory");
		lx->nums = n;
		lx->cap = cap;
	}
	lx->nums[lx->nnums].off = (uint32_t)start;
	lx->nums[lx->nnums].len = (uint32_t)(lx->pos - start);
	lx->nnums++;
	return 0;
}

/* Token-level checks cJSON does not make; structure is left to cJSON. */
static int
lex(struct lexer *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (c == '{' || c == '[') {
			if (++lx->depth > JSON_DEPTH_MAX)
				return cx_errf(lx->e, "nested deeper than %d levels", JSON_DEPTH_MAX);
			lx->pos++;
		} else if (c == '}' || c == ']') {
			if (lx->depth > 0)
				lx->depth--;
			lx->pos++;
		} else if (c == '"') {
			if (lex_string(lx) < 0)
				return -1;
		} else if (c == '-' || is_digit(c)) {
			if (lex_number(lx) < 0)
				return -1;
		} else if (c >= 'a' && c <= 'z') {
			while (lx->pos < lx->len && lx->s[lx->pos] >= 'a' && lx->s[lx->pos] <= 'z')
				lx->pos++;
		} else if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			/* cJSON would skip it as white space */
			return cx_errf(lx->e, "control character at byte %zu", lx->pos);
		} else {
			lx->pos++;
		}
	}
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
check_duplicates(const cJSON *obj, struct cx_err *e)
{
	const cJSON *c;
	const char **names;
	size_t n = 0, i;
	int rc = 0;

	for (c = obj->child; c != NULL; c = c->next)
		n++;
	if (n < 2)
		return 0;
	if ((names = malloc(n * sizeof(*names))) == NULL)
		return cx_errf(e, "out of memory");
	for (i = 0, c = obj->child; c != NULL; c = c->next)
		names[i++] = c->string != NULL ? c->string : "";
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n && rc == 0; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			rc = cx_errf(e, "duplicate member name (%.64s)", names[i]);
	free(names);
	return rc;
}

/* Document order: number i of the text is number node i of the tree. */
static int
walk(cJSON *node, size_t *k, size_t nnums, struct cx_err *e)
{
	cJSON *c;

	if (cJSON_IsNumber(node)) {
		if (*k >= nnums)
			return cx_errf(e, "number count mismatch");
		node->valueint = (int)(*k)++;
	}
	if (cJSON_IsObject(node) && check_duplicates(node, e) < 0)
		return -1;
	for (c = node->child; c != NULL; c = c->next)
		if (walk(c, k, nnums, e) < 0)
			return -1;
	return 0;
}

int
json_doc_parse(const uint8_t *buf, size_t len, struct json_doc *d, struct cx_err *e)
{
	struct lexer lx = { .len = len, .e = e };
	size_t k = 0;

	memset(d, 0, sizeof(*d));
	if (len == 0)
		return cx_errf(e, "empty body");
	if (len > JSON_DOC_MAX)
		return cx_errf(e, "body of %zu bytes, more than %d", len, JSON_DOC_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return cx_errf(e, "NUL byte in body");
	if (!json_utf8_valid(buf, len))
		return cx_errf(e, "body is not valid UTF-8");
	/* A NUL-terminated copy: cJSON then cannot read past the end, and
	 * "require NUL termination" means "nothing after the value". */
	if ((d->text = malloc(len + 1)) == NULL)
		return cx_errf(e, "out of memory");
	memcpy(d->text, buf, len);
	d->text[len] = '\0';
	lx.s = d->text;
	if (lex(&lx) < 0)
		goto fail;
	d->nums = lx.nums;
	d->nnums = lx.nnums;
	lx.nums = NULL;
	d->root = cJSON_ParseWithLengthOpts(d->text, len + 1, NULL, 1);
	if (d->root == NULL) {
		cx_errf(e, "not valid JSON (or trailing data after the object)");
		goto fail;
	}
	if (!cJSON_IsObject(d->root)) {
		cx_errf(e, "not a JSON object");
		goto fail;
	}
	if (walk(d->root, &k, d->nnums, e) < 0)
		goto fail;
	if (k != d->nnums) {
		cx_errf(e, "number count mismatch");
		goto fail;
	}
	return 0;
fail:
	free(lx.nums);
	json_doc_free(d);
	return -1;
}

void
json_doc_free(struct json_doc *d)
{
	if (d == NULL)
		return;
	cJSON_Delete(d->root);
	free(d->nums);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

int
json_get_int(const struct json_doc *d, const cJSON *obj, const char *key,
    int64_t min, int64_t max, int64_t *out, struct cx_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	const struct json_span *sp;
	char txt[INT_TEXT_MAX + 1], *end;
	long long v;

	if (it == NULL)
		return 0;
	if (!cJSON_IsNumber(it))
		return cx_errf(e, "'%s' must be an integer", key);
	if (it->valueint < 0 || (size_t)it->valueint >= d->nnums)
		return cx_errf(e, "'%s': internal number index error", key);
	sp = &d->nums[it->valueint];
	if (memchr(d->text + sp->off, '.', sp->len) || memchr(d->text + sp->off, 'e', sp->len)
	    || memchr(d->text + sp->off, 'E', sp->len))
		return cx_errf(e, "'%s' must be an integer (no fraction or exponent)", key);
	if (sp->len > INT_TEXT_MAX)
		return cx_errf(e, "'%s' out of range", key);
	memcpy(txt, d->text + sp->off, sp->len);
	txt[sp->len] = '\0';
	errno = 0;
	v = strtoll(txt, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return cx_errf(e, "'%s' out of range (%" PRId64 "..%" PRId64 ")", key, min, max);
	*out = v;
	return 1;
}

int
json_get_str(const cJSON *obj, const char *key, char *out, size_t outsz, struct cx_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n;

	if (it == NULL)
		return 0;
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return cx_errf(e, "'%s' must be a string", key);
	n = strlen(it->valuestring);
	if (n >= outsz)
		return cx_errf(e, "'%s' too long (%zu bytes, at most %zu)", key, n, outsz - 1);
	memcpy(out, it->valuestring, n + 1);
	return 1;
}

int
json_get_bool(const cJSON *obj, const char *key, int *out, struct cx_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (it == NULL)
		return 0;
	if (!cJSON_IsBool(it))
		return cx_errf(e, "'%s' must be true or false", key);
	*out = cJSON_IsTrue(it) ? 1 : 0;
	return 1;
}

static int
required(int rc, const char *key, struct cx_err *e)
{
	if (rc == 0)
		return cx_errf(e, "'%s' is required", key);
	return rc < 0 ? -1 : 0;
}

int
json_need_int(const struct json_doc *d, const cJSON *obj, const char *key,
    int64_t min, int64_t max, int64_t *out, struct cx_err *e)
{
	return required(json_get_int(d, obj, key, min, max, out, e), key, e);
}

int
json_need_str(const cJSON *obj, const char *key, char *out, size_t outsz, struct cx_err *e)
{
	return required(json_get_str(obj, key, out, outsz, e), key, e);
}

int
json_need_bool(const cJSON *obj, const char *key, int *out, struct cx_err *e)
{
	return required(json_get_bool(obj, key, out, e), key, e);
}

int
json_add_int(cJSON *obj, const char *key, int64_t v)
{
	char txt[INT_TEXT_MAX + 1];

	snprintf(txt, sizeof(txt), "%" PRId64, v);
	return cJSON_AddRawToObject(obj, key, txt) != NULL ? 0 : -1;
}

char *
json_print(const cJSON *obj, struct cx_err *e)
{
	char *s = cJSON_PrintUnformatted(obj);

	if (s == NULL)
		cx_errf(e, "out of memory");
	return s;
}

cJSON *
json_built(cJSON *root, int ok)
{
	if (!ok) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

char *
json_print_free(cJSON *root, struct cx_err *e)
{
	char *s;

	if (root == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	s = json_print(root, e);
	cJSON_Delete(root);
	return s;
}
