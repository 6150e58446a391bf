/*
 * config_keys: the table of node.conf's plain keys (section, name, type,
 * field, range, required, read only at start), private to the config
 * parser (config.c); its own file so the parser stays readable.  Every
 * key here must be in man/cunxiang-node.conf.5 (tests/tools/docs_check.py
 * reads this file).
 */
#ifndef CX_CONFIG_KEYS_H
#define CX_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum ktype {
	K_STR,        /* non-empty string */
	K_PATH,       /* a file or directory, relative to the config file's directory */
	K_NODEID,     /* [A-Za-z0-9_-]{1,48} */
	K_ZONE,       /* normalised with zone_parse() */
	K_PREFIX,     /* MQTT topic prefix */
	K_GPIODEV,    /* sim:DIR | gpiod:CHIP */
	K_AUDIODEV,   /* alsa:NAME | file:PATH | null: */
	K_INT,        /* decimal, min..max; stored in a 4- or 8-byte field */
	K_MS3,        /* ms with up to 3 decimals, min..max ms; stored in µs (4 bytes) */
	K_BOOL,
	K_SIRENOUT,   /* relay | speaker | both */
	K_CLOCKSYNC,  /* kernel | none | file:PATH */
	K_ROLES,      /* comma list of input roles (config_io.c) */
	K_ACTIVATION, /* siren:NAME | clip:NAME:SHA256HEX (config_io.c) */
	K_QUIET,      /* HH:MM-HH:MM | off (quiet.c) */
	K_LAYER,      /* emergency | drill | test | routine | chime */
	K_LEVEL,      /* province | city | county | township | village | group (zone.h) */
};

struct kdef {
	const char *section;
	const char *name;
	enum ktype type;
	size_t off, size;
	int64_t min, max;
	int required;
	int restart;  /* read once at start: a change at SIGHUP needs a restart */
};

extern const struct kdef kdefs[];
extern const size_t nkdefs;

#endif
