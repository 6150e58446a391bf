/*
 * hubcmd: helpers of the hub's commands (hubcmd.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"

int
hubcmd_open(const char *cmd, const char *conf, struct ctl_config *c, struct hubc **h)
{
	struct cx_err e;

	if (ctlconf_load(args_conf_path(conf), c, &e) != 0)
		return args_fail(cmd, EXIT_CONFIG, "%s", e.msg);
	if ((*h = hubc_open(c, &e)) == NULL) {
		ctlconf_free(c);
		return args_fail(cmd, EXIT_CONFIG, "%s", e.msg);
	}
	return EXIT_OK;
}

void
hubcmd_close(struct ctl_config *c, struct hubc *h)
{
	hubc_close(h);
	ctlconf_free(c);
}

const char *
hubcmd_str(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(j) && j->valuestring != NULL ? j->valuestring : "";
}

int64_t
hubcmd_int(const cJSON *o, const char *key, int64_t def)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	/* integers the hub sends are < 2^53: exact in a double */
	return cJSON_IsNumber(j) ? (int64_t)j->valuedouble : def;
}

int
hubcmd_bool(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

void
hubcmd_age(int64_t s, char *out, size_t outsz)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, outsz, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, outsz, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(out, outsz, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(out, outsz, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

void
hubcmd_time(int64_t ms, char *out, size_t outsz)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || localtime_r(&t, &tm) == NULL || strftime(out, outsz, "%F %T", &tm) == 0)
		snprintf(out, outsz, "-");
}
