/*
 * json: strict, bounded reading and writing of the protocol's JSON bodies
 * (warnings, receipts, status), on top of cJSON.  Used by alert.c,
 * receipt.c and selftest.c; the controller uses json_utf8_copy() for the
 * text it puts in receipts.
 *
 * json_doc_parse() accepts exactly len bytes (no NUL terminator needed) and
 * rejects what cJSON would let through: NUL bytes and "\u0000", invalid
 * UTF-8, raw control characters in strings, numbers outside the JSON
 * grammar ("01", "+1", "1."), nesting deeper than JSON_DEPTH_MAX, trailing
 * garbage, duplicate member names in any object, and a root that is not an
 * object.  Integers are read from their exact text by json_get_int(), so
 * 1.0, 1e3 and values outside int64 are errors, never rounded.
 * The caller frees a parsed document with json_doc_free().
 */
#ifndef CX_JSON_H
#define CX_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "common/err.h"

#define JSON_DOC_MAX 65536         /* bytes: the envelope's hard ceiling */
#define JSON_DEPTH_MAX 16          /* nesting of objects and arrays */

struct json_span;

struct json_doc {
	cJSON *root;                   /* an object */
	struct json_span *nums;        /* where each number's text is, in document order */
	size_t nnums;
	char *text;                    /* NUL-terminated copy of the input */
};

int json_doc_parse(const uint8_t *buf, size_t len, struct json_doc *d, struct cx_err *e);
void json_doc_free(struct json_doc *d);

/*
 * Getters: 1 if the member is there and valid, 0 if it is absent (out is
 * untouched), -1 with a message naming the member otherwise.
 */
int json_get_int(const struct json_doc *d, const cJSON *obj, const char *key,
    int64_t min, int64_t max, int64_t *out, struct cx_err *e);
/* The string must fit in outsz bytes with its NUL: a longer one is an error. */
int json_get_str(const cJSON *obj, const char *key, char *out, size_t outsz,
    struct cx_err *e);
int json_get_bool(const cJSON *obj, const char *key, int *out, struct cx_err *e);
/* The same for required members: 0, or -1 also when absent. */
int json_need_int(const struct json_doc *d, const cJSON *obj, const char *key,
    int64_t min, int64_t max, int64_t *out, struct cx_err *e);
int json_need_str(const cJSON *obj, const char *key, char *out, size_t outsz,
    struct cx_err *e);
int json_need_bool(const cJSON *obj, const char *key, int *out, struct cx_err *e);

/* Add an integer member printed exactly (cJSON prints doubles); 0 / -1. */
int json_add_int(cJSON *obj, const char *key, int64_t v);
/* Compact JSON of obj (malloc'd, caller frees with free()), or NULL. */
char *json_print(const cJSON *obj, struct cx_err *e);
/* root if ok, else NULL (root deleted): the end of a builder whose adds
 * were chained into ok. */
cJSON *json_built(cJSON *root, int ok);
/* json_print() of root, then root deleted; NULL root (a builder out of
 * memory) is "out of memory". */
char *json_print_free(cJSON *root, struct cx_err *e);

/* 1 if s is valid UTF-8 (no overlong forms, surrogates or > U+10FFFF). */
int json_utf8_valid(const uint8_t *s, size_t len);
/* 1 if s is free text of min..max bytes: valid UTF-8, no control
 * characters except, if multiline, \t and \n. */
int json_text_valid(const char *s, size_t min, size_t max, int multiline);
/* Copy src into dst (dstsz > 0 bytes with the NUL), cut if it must be at a
 * UTF-8 character boundary, so valid text stays valid. */
void json_utf8_copy(char *dst, size_t dstsz, const char *src);

#endif
