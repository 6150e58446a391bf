/*
 * audit: the hash chain of the hub's audit log (see audit.h).  Pure: the
 * caller reads the records and the head; this only hashes and compares.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "common/audit.h"

static const char zero_hash[AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static int
add(EVP_MD_CTX *ctx, const char *s, int nl)
{
	if (EVP_DigestUpdate(ctx, s, strlen(s)) != 1)
		return -1;
	return nl ? (EVP_DigestUpdate(ctx, "\n", 1) == 1 ? 0 : -1) : 0;
}

int
audit_hash(const struct audit_rec *r, char out[AUDIT_HASH_HEX + 1])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32];
	unsigned int mdlen = 0, i;
	char num[2][24];
	int rc = -1;

	if (ctx == NULL)
		return -1;
	snprintf(num[0], sizeof(num[0]), "%" PRIu64, r->seq);
	snprintf(num[1], sizeof(num[1]), "%" PRId64, r->time_ms);
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 && add(ctx, r->prev, 1) == 0
	    && add(ctx, num[0], 1) == 0 && add(ctx, num[1], 1) == 0
	    && add(ctx, r->actor ? r->actor : "", 1) == 0
	    && add(ctx, r->action ? r->action : "", 1) == 0
	    && add(ctx, r->subject ? r->subject : "", 1) == 0
	    && add(ctx, r->detail ? r->detail : "", 0) == 0
	    && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32) {
		for (i = 0; i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
audit_verify(const struct audit_rec *r, size_t n, uint64_t head_seq, const char *head_hash,
    char *why, size_t whysz)
{
	const char *prev = zero_hash;
	char h[AUDIT_HASH_HEX + 1];
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t want = (uint64_t)i + 1;

		if (r[i].seq != want) {
			snprintf(why, whysz, "record %" PRIu64 " missing", want);
			return -1;
		}
		if (strcmp(r[i].prev, prev) != 0) {
			snprintf(why, whysz, "record %" PRIu64 ": does not follow record %" PRIu64
			    " (a record before it was edited or removed)", want, want - 1);
			return -1;
		}
		if (audit_hash(&r[i], h) < 0) {
			snprintf(why, whysz, "record %" PRIu64 ": cannot hash", want);
			return -1;
		}
		if (strcmp(h, r[i].hash) != 0) {
			snprintf(why, whysz, "record %" PRIu64 ": hash does not match (edited)", want);
			return -1;
		}
		if (r[i].action != NULL && strcmp(r[i].action, AUDIT_BROKEN) == 0) {
			snprintf(why, whysz, "record %" PRIu64 ": the hub found its log altered: %s",
			    want, r[i].detail ? r[i].detail : "");
			return -1;
		}
		prev = r[i].hash;
	}
	if (head_seq != (uint64_t)n) {
		if (head_seq > (uint64_t)n)
			snprintf(why, whysz, "head says %" PRIu64 " records, the log ends at %zu",
			    head_seq, n);
		else
			snprintf(why, whysz, "head says %" PRIu64 " records, the log has %zu "
			    "(records after the head)", head_seq, n);
		return -1;
	}
	if (head_hash == NULL || strcmp(head_hash, prev) != 0) {
		snprintf(why, whysz, "the head's hash is not that of record %" PRIu64
		    " (edited)", head_seq);
		return -1;
	}
	return 0;
}
