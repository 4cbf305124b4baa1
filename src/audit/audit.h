/*
 * audit.h: the audit log, .crmshift/audit.log: one JSON line per action, in
 * a hash chain. Each entry holds seq (1, 2, ...), time (UTC), the caller's
 * fields (actor, action, command, object, counts, inputs' SHA-256, result)
 * and prev_hash, the hash of the entry before it (64 zeros for the first);
 * hash is the SHA-256 of the entry without hash, as compact JSON with sorted
 * keys. An edited, deleted or reordered entry breaks the chain at the first
 * place it touches.
 *
 * What the chain cannot show alone, entries cut off the end or appended with
 * a recomputed chain, is checked against .crmshift/audit.head: the seq and
 * hash of the last entry crmshift wrote, replaced (atomically) with each
 * append. Both files live in the project; the signed evidence pack is what
 * holds them to account outside it.
 *
 * Appends are serialized by an exclusive lock on the log and synced before
 * they return. Values of records never go into an entry: only names,
 * counts, hashes and results.
 */
#ifndef CRM_AUDIT_H
#define CRM_AUDIT_H

#include "compat.h"
#include "util/error.h"

#include <jansson.h>

/*
 * Appends an entry of fields (an object; seq, time, prev_hash and hash are
 * added) to dir/.crmshift/audit.log, creating it (0600) when absent. A log
 * whose last line is not a whole entry is refused (CRM_EREFUSED): it was
 * damaged, and a chain must not continue from it.
 */
int crm_audit_append(const char *dir, json_t *fields, struct crm_error *err);

/* What verification found: the first broken entry, or none. */
struct crm_audit_verdict {
	int intact;
	int64_t entries;    /* entries read */
	int64_t last_seq;   /* of the last whole entry */
	unsigned long line; /* where the first problem is (0 when intact or at the end of the file) */
	int64_t seq;	    /* the seq of the entry there, when it has one */
	char kind[24];	    /* edited, deleted, reordered, truncated, appended, malformed */
	char message[512];  /* which entry, and what does not hold */
};

/* Reads the whole log and checks the chain and the head. err only for I/O failures. */
int crm_audit_verify(const char *dir, struct crm_audit_verdict *v, struct crm_error *err);

/* Calls fn for each entry (parsed; borrowed for the call) in file order. Stops at fn's non-zero return. */
typedef int (*crm_audit_entry_fn)(void *ctx, const json_t *entry);
int crm_audit_each(const char *dir, crm_audit_entry_fn fn, void *ctx, struct crm_error *err);

#endif
