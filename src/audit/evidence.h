/*
 * evidence.h: the signed evidence pack. `audit evidence DIR` writes
 * DIR/manifest.json and DIR/manifest.sig:
 *
 *   manifest.json  every file that shows what was moved and how: the config,
 *                  the mapping and its value maps, the exports, the target
 *                  snapshots and record samples, the reports, and the audit
 *                  log, each with its path (relative to the project), size
 *                  and SHA-256; the runs from the state database (command,
 *                  status, times, per-object counts, the exports each read);
 *                  the reconcile verdicts from the audit log; the gates; the
 *                  audit log's last entry; the signing key's id and public key.
 *   manifest.sig   the Ed25519 signature of manifest.json's bytes (base64).
 *
 * Verification takes a trusted public key, never the one the pack names: a
 * pack re-signed with another key is a forgery. The audit log is checked as
 * an append-only file: its first bytes must still hash as the pack says,
 * and what follows are entries written after the pack.
 */
#ifndef CRM_EVIDENCE_H
#define CRM_EVIDENCE_H

#include "compat.h"
#include "audit/keys.h"
#include "util/error.h"
#include "util/sha256.h"

struct crm_evidence_pack {
	char manifest_sha256[CRM_SHA256_HEX];
	size_t files;
	size_t runs;
	int64_t audit_entries;
};

/*
 * Writes the pack of the project in project_dir into pack_dir (created
 * 0700; one that already holds a manifest is refused), signed with key.
 * A broken audit log is refused (CRM_EREFUSED): a pack would certify it.
 */
int crm_evidence_write(const char *project_dir, const char *pack_dir, const struct crm_key *key, const char *created_by,
		       struct crm_evidence_pack *pack, struct crm_error *err);

/* One thing that does not hold. */
struct crm_evidence_finding {
	char kind[16]; /* signature, changed, missing, added, later */
	char path[512];
	char message[768];
};

enum crm_evidence_verdict {
	CRM_EVIDENCE_VALID,    /* signed by the trusted key and every file as listed */
	CRM_EVIDENCE_FORGED,   /* the signature does not hold (changed, or another key) */
	CRM_EVIDENCE_STALE,    /* signed, and the project moved on with crmshift since (later audit entries; files
				  changed or added after them) */
	CRM_EVIDENCE_MISMATCH, /* signed, but files differ with no later action to explain it */
};
/* "valid", "forged", "stale", "mismatch": as `audit verify-evidence --json` writes it. */
const char *crm_evidence_verdict_name(enum crm_evidence_verdict verdict);

struct crm_evidence_check {
	enum crm_evidence_verdict verdict;
	char signer[CRM_KEY_ID];
	char created[32];
	char manifest_sha256[CRM_SHA256_HEX];
	size_t files_checked;
	int64_t later_entries;	/* audit entries written after the pack, its own creation aside */
	int64_t creation_entry; /* the audit entry that records this pack's creation (0: none) */
	struct crm_evidence_finding *findings;
	size_t count;
	size_t findings_cap;
};

/* Checks the pack in pack_dir against the project in project_dir. err only when the pack cannot be read. */
int crm_evidence_verify(const char *project_dir, const char *pack_dir, const struct crm_key *trusted,
			struct crm_evidence_check *check, struct crm_error *err);
void crm_evidence_check_release(struct crm_evidence_check *check);

#endif
