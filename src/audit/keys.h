/*
 * keys.h: the user's own keys, in files crmshift generates and never
 * overwrites. Three kinds:
 *
 *   signing  an Ed25519 secret key: signs evidence packs. Its public half is
 *            written beside it as FILE.pub, for whoever verifies the packs.
 *   public   that public half.
 *   data     32 random bytes: the HMAC key of pseudonymize(), and the key
 *            that encrypts files at rest.
 *
 * A key file is text: comment lines (#) and one line
 * "crmshift-key KIND ID BASE64". ID is a fingerprint (16 hex digits) that
 * names the key in the audit log, in manifests and in encrypted files
 * without revealing it. A secret key file (signing, data) that group or
 * others can read is refused: whoever reads it can sign or decrypt.
 */
#ifndef CRM_KEYS_H
#define CRM_KEYS_H

#include "compat.h"
#include "util/error.h"

enum crm_key_kind { CRM_KEY_SIGNING, CRM_KEY_PUBLIC, CRM_KEY_DATA };

#define CRM_KEY_ID	      17 /* 16 hex digits and the terminator */
#define CRM_KEY_SIGNATURE_B64 89 /* a base64 Ed25519 signature and the terminator */
#define CRM_KEY_DATA_BYTES    32

struct crm_key {
	enum crm_key_kind kind;
	unsigned char secret[64];     /* signing: the Ed25519 secret key; data: the first 32 bytes */
	unsigned char public_key[32]; /* signing, public */
	char id[CRM_KEY_ID];
};

/* "signing", "public", "data". */
const char *crm_key_kind_name(enum crm_key_kind kind);
/* 0 and *kind set when name is a kind, -1 otherwise. */
int crm_key_kind_parse(const char *name, enum crm_key_kind *kind);

/*
 * Generates a key of kind (signing or data) into path, mode 0600; a signing
 * key's public half goes to path.pub (0644). An existing file is refused
 * (CRM_EREFUSED): a key overwritten is data that can no longer be read.
 */
int crm_key_generate(enum crm_key_kind kind, const char *path, struct crm_key *key, struct crm_error *err);

/*
 * Reads the key in path, which must be of kind. A signing key may be loaded
 * as public (its public half). A secret key file readable by group or
 * others is refused (CRM_EREFUSED), as is a damaged one (CRM_EINPUT).
 */
int crm_key_load(const char *path, enum crm_key_kind kind, struct crm_key *key, struct crm_error *err);

/* Zeroes the key's secret. */
void crm_key_wipe(struct crm_key *key);

/* Signs msg with a signing key: the detached Ed25519 signature as base64. */
void crm_key_sign(const struct crm_key *key, const void *msg, size_t len, char sig[CRM_KEY_SIGNATURE_B64]);
/* 1 when sig (base64) is key's (signing or public) signature of msg, 0 otherwise. */
int crm_key_verify(const struct crm_key *key, const void *msg, size_t len, const char *sig);

/* The public key as base64 (45 bytes with the terminator). */
void crm_key_public_base64(const struct crm_key *key, char out[45]);

#endif
