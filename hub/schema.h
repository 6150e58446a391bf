/*
 * schema: the hub database's ordered migrations, applied by hub/store.c.
 */
#ifndef CX_SCHEMA_H
#define CX_SCHEMA_H

#define SCHEMA_NMIGRATIONS 2

extern const char *const schema_migrations[SCHEMA_NMIGRATIONS];

#endif
