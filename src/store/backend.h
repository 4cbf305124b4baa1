/*
 * backend.h: what the store backends (sqlite.c, postgres.c) share and the
 * engine does not see.
 */
#ifndef CRM_STORE_BACKEND_H
#define CRM_STORE_BACKEND_H

#include "compat.h"
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>

/* A random (version 4) UUID into out, for a row's customer_id or a target's identity. */
void crm_store_new_uuid(char out[37]);
/* n in decimal into out (24 bytes), NUL-terminated, as "%lld" writes it; its length. */
size_t crm_store_decimal(char *out, int64_t n);
/* obj (consumed) as compact JSON with sorted keys into out; CRM_ENOMEM for a NULL obj. */
int crm_store_dump_json(json_t *obj, struct crm_buf *out, struct crm_error *err);

#endif
