/*
 * fuzz_config: config_load() (common/config.c over libinih) on arbitrary
 * file contents.  config_load() takes a path, so each input is written to
 * an in-memory file (memfd, opened again through /proc/self/fd/N).
 *
 * Checks: a refusal comes with a message that names the file; an accepted
 * config holds the documented invariants (valid id, normalised zone, topic
 * prefix, port, at least one trusted key with zones and actions, custom
 * sirens valid and not more than the table holds); config_free() after a
 * refusal (config_load already freed) is harmless.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/siren.h"
#include "common/zone.h"
#include "tests/fuzz/fuzz_util.h"

static struct memfile *mf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mf = memfile_init("node.conf");
	return 0;
}

static void
check_config(const struct node_config *c)
{
	char z[ZONE_MAX + 1];
	int i;

	FUZZ_CHECK(node_id_valid(c->id));
	FUZZ_CHECK(zone_parse(c->zone, z, NULL) == 0 && strcmp(z, c->zone) == 0);
	FUZZ_CHECK(topic_prefix_valid(c->prefix));
	FUZZ_CHECK(c->port >= 1 && c->port <= 65535);
	FUZZ_CHECK(c->state_dir[0] && c->clip_dir[0] && c->gpio_device[0] && c->amp_line[0]
	    && c->audio_device[0]);
	FUZZ_CHECK(c->username[0] != '\0');
	FUZZ_CHECK(!(c->password[0] && c->password_file[0]));
	FUZZ_CHECK(c->siren_output >= SIREN_OUT_RELAY && c->siren_output <= SIREN_OUT_BOTH);
	FUZZ_CHECK(!(c->siren_output & SIREN_OUT_RELAY) || c->siren_line[0]);
	FUZZ_CHECK(c->max_message >= 256 && c->max_message <= 65536);
	FUZZ_CHECK(c->replay_actual >= 16 && c->replay_exercise >= 16 && c->replay_test >= 16);
	FUZZ_CHECK(c->trust.nkeys >= 1 && c->trust.nkeys <= TRUST_MAX_KEYS);
	for (i = 0; i < c->trust.nkeys; i++) {
		const struct trust_key *k = &c->trust.keys[i];
		FUZZ_CHECK(k->key != NULL && msg_id_valid(k->kid));
		FUZZ_CHECK(k->nzones >= 1 && k->nzones <= TRUST_MAX_ZONES);
		FUZZ_CHECK(k->actions != 0);
		FUZZ_CHECK(!(k->not_before && k->not_after) || k->not_after > k->not_before);
		FUZZ_CHECK(trust_find(&c->trust, k->kid) == k);
	}
	FUZZ_CHECK(c->nsirens >= 0 && c->nsirens <= SIREN_MAX_PATTERNS);
	for (i = 0; i < c->nsirens; i++) {
		FUZZ_CHECK(siren_valid(&c->sirens[i]) == 0);
		FUZZ_CHECK(siren_find(c->sirens[i].name, NULL, 0) == NULL);   /* no built-in name */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cx_err e = { "" };
	struct node_config *c = malloc(sizeof(*c));

	if (c == NULL)
		abort();
	memfile_set(mf, data, size);
	if (config_load(mf->path, c, &e) == 0) {
		check_config(c);
		config_free(c);
	} else {
		FUZZ_CHECK(strncmp(e.msg, mf->path, strlen(mf->path)) == 0);
		config_free(c);            /* already freed by config_load: must be harmless */
	}
	free(c);
	return 0;
}
