/*
 * warnreject: the controller's signed "rejected" receipt, for warnings
 * and self-test commands alike (node_priv.h); moved out of warning.c.
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/json.h"
#include "controller/node_priv.h"

void
warning_reject_receipt(struct node *n, enum verify_result vr, const char *ref,
    const char *status, const unsigned char md[32], const char *detail)
{
	char why[CX_ERR_MAX + 32];
	struct receipt r;
	int i;

	memset(&r, 0, sizeof(r));
	r.state = RS_REJECTED;
	r.received = clock_wall_ms();
	snprintf(why, sizeof(why), "%s: %s", verify_result_name(vr), detail);
	json_utf8_copy(r.reason, sizeof(r.reason), why);
	if (ref != NULL) {
		snprintf(r.ref, sizeof(r.ref), "%s", ref);
		snprintf(r.status, sizeof(r.status), "%s", status);
	}
	for (i = 0; i < 8; i++)
		snprintf(r.digest + 2 * i, 3, "%02x", md[i]);
	report_reject(n->report, &r);
}
