/*
 * cmd_keygen: make an operator's signing key.
 *
 *   cunxiangctl keygen [--alg ed25519|sm2] --out FILE [--kid KID] [--zones Z,Z]
 *                      [-c ctl.conf]
 *
 * Writes the private key as PEM PKCS#8 (mode 0600) and never overwrites a
 * file: the path is first created exclusively, so two runs cannot race to
 * the same name, then sig_key_save_private() replaces the placeholder
 * atomically.  Prints the base64 SPKI public key on the first line, then
 * the stanzas to paste into the nodes' config and into ctl.conf.  A zone
 * given by name is looked up in ctl.conf's zone-name file (the config is
 * read only then: keygen is often run before there is a ctl.conf).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/sign.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"

#define CMD "keygen"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl keygen [--alg ed25519|sm2] --out FILE [--kid KID] [--zones Z,Z...]\n"
	    "         [-c ctl.conf]\n"
	    "  Writes a new private signing key (PEM, mode 0600; an existing file is never\n"
	    "  overwritten), prints its public key (base64 SPKI) and the [key KID] stanza\n"
	    "  for the nodes' config. --kid and --zones fill in the stanza.\n"
	    "%s  (a name is looked up with ctl.conf, read only then)\n", ZONE_HELP);
}

struct opts {
	enum sig_alg alg;
	const char *out;
	const char *kid;
	const char *conf;      /* -c: only for zone names */
	const char *zones_arg; /* --zones as typed */
	char zones[256];       /* comma-separated, normalised */
};

/* A code at once; a name with the zone-name file of ctl.conf, loaded the
 * first time one is needed.  0, or -1 with e set. */
static int
zone_token(const struct opts *o, struct ctl_config *c, int *loaded, const char *tok,
    char z[ZONE_MAX + 1], struct cx_err *e)
{
	if (tok[0] >= '0' && tok[0] <= '9')
		return zone_parse(tok, z, e);
	if (!*loaded) {
		if (ctlconf_load(args_conf_path(o->conf), c, e) != 0)
			return cx_err_prefix(e, "a zone name needs ctl.conf's [zones] file");
		*loaded = 1;
	}
	return zonedir_resolve(c->zones, tok, z, e);
}

static int
parse_zones(struct opts *o)
{
	char buf[512], z[ZONE_MAX + 1], *tok, *save = NULL, *out = o->zones;
	size_t used = 0, outsz = sizeof o->zones;
	struct ctl_config c;
	struct cx_err e;
	int loaded = 0, rc = 0;

	if (snprintf(buf, sizeof buf, "%s", o->zones_arg) >= (int)sizeof buf)
		return args_usage_error(CMD, "--zones: too long");
	for (tok = strtok_r(buf, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (zone_token(o, &c, &loaded, tok, z, &e) != 0) {
			rc = args_usage_error(CMD, "--zones %s: %s", tok, e.msg);
			break;
		}
		used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? "," : "", z);
		if (used >= outsz)
			rc = args_usage_error(CMD, "--zones: too many");
	}
	if (loaded)
		ctlconf_free(&c);
	if (rc == 0 && used == 0)
		rc = args_usage_error(CMD, "--zones: empty");
	return rc;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "alg", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "kid", required_argument, NULL, 'k' },
		{ "zones", required_argument, NULL, 'z' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->alg = SIG_ED25519;
	args_begin();
	while ((ch = getopt_long(argc, argv, "a:o:c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (strcmp(optarg, "sm2") == 0 || strcmp(optarg, "sm2-sm3") == 0)
				o->alg = SIG_SM2_SM3;
			else if (strcmp(optarg, "ed25519") == 0)
				o->alg = SIG_ED25519;
			else
				return args_usage_error(CMD, "unknown --alg '%s'", optarg);
			break;
		case 'o': o->out = optarg; break;
		case 'k':
			if (!msg_id_valid(optarg))
				return args_usage_error(CMD, "invalid --kid (1-64 of [A-Za-z0-9._:-])");
			o->kid = optarg;
			break;
		case 'z': o->zones_arg = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'h': usage(stdout); return -1;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return args_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (o->out == NULL)
		return args_usage_error(CMD, "--out FILE is required");
	if (o->zones_arg != NULL && parse_zones(o) != 0)
		return EXIT_USAGE;
	return 0;
}

/* Claim the name: fails if anything (even a dangling symlink) is there. */
static int
claim(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return args_fail(CMD, EXIT_CONFIG, "%s exists: refusing to overwrite a key",
			    path);
		return args_fail(CMD, EXIT_CONFIG, "%s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

static void
print_stanzas(const struct opts *o, const char *pub)
{
	const char *kid = o->kid != NULL ? o->kid : "CHANGE-ME";

	printf("%s\n\n", pub);
	printf("# For the node config of every node this key may address:\n");
	printf("[key %s]\nalg = %s\npubkey = %s\nzones = %s\nactions = warn,cancel,drill,test\n\n",
	    kid, sig_alg_name(o->alg), pub, o->zones[0] ? o->zones : "CHANGE-ME");
	printf("# For the operator's ctl.conf:\n[signer]\nkey = %s\nkid = %s\n", o->out, kid);
}

int
cmd_keygen(int argc, char **argv)
{
	char pub[SIG_PUB_B64_MAX];
	struct sig_key *k = NULL;
	struct opts o;
	struct cx_err e;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = claim(o.out)) != 0)
		return rc;
	if ((k = sig_key_generate(o.alg, &e)) == NULL ||
	    sig_key_save_private(k, o.out, &e) != 0 ||
	    sig_key_public_b64(k, pub, sizeof pub, &e) != 0) {
		unlink(o.out);
		sig_key_free(k);
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	}
	sig_key_free(k);
	print_stanzas(&o, pub);
	return EXIT_OK;
}
