/*
 * seal.h: files encrypted at rest with the project's data key
 * ([security] key_file): XChaCha20-Poly1305 in libsodium's secretstream.
 *
 * A sealed file is: "crmseal1" (8 bytes), the key's id (16 hex digits),
 * the stream's header (24 bytes), then chunks of at most 64 KiB of plain
 * text, each a 4-byte little-endian length and the ciphertext. The magic
 * and the key id are the additional data of every chunk; the last chunk is
 * tagged final. A chunk changed, dropped, reordered or cut off, or the
 * file's end cut, fails to open; a file sealed under another key is named
 * as such before any decryption is tried.
 */
#ifndef CRM_SEAL_H
#define CRM_SEAL_H

#include "compat.h"
#include "audit/keys.h"
#include "util/error.h"
#include "util/path.h"

#include <stdio.h>

#define CRM_SEAL_SUFFIX ".enc"

struct crm_seal_writer;

/* A sealed file at path, written whole or not at all (0600). */
struct crm_seal_writer *crm_seal_writer_open(const char *path, const struct crm_key *key, struct crm_error *err);
int crm_seal_write(struct crm_seal_writer *w, const void *data, size_t len, struct crm_error *err);
/* Seals the last chunk, syncs and renames into place; frees w (also on failure). */
int crm_seal_writer_commit(struct crm_seal_writer *w, struct crm_error *err);
/* Drops an unfinished file. NULL is fine. */
void crm_seal_writer_abort(struct crm_seal_writer *w);

/* Seals the file plain_path into sealed_path (plain_path is left to the caller to remove). */
int crm_seal_file(const char *plain_path, const char *sealed_path, const struct crm_key *key, struct crm_error *err);

/* Writes data to path whole or not at all (0600): sealed under key, or plain when key is NULL. */
int crm_seal_save(const char *path, const void *data, size_t len, const struct crm_key *key, struct crm_error *err);

/* 1 when path starts as a sealed file does; its key's id into key_id (CRM_KEY_ID bytes). */
int crm_seal_key_id(const char *path, char key_id[CRM_KEY_ID], struct crm_error *err);

/*
 * Writes the plain text of the sealed file path to out. A file sealed
 * under another key is CRM_EREFUSED naming both ids; a damaged or cut one
 * CRM_EINPUT. What was written before a damaged chunk is not to be trusted:
 * callers write to a temporary file and keep it only on success.
 */
int crm_seal_read(const char *path, const struct crm_key *key, FILE *out, struct crm_error *err);

/*
 * The plain text of the sealed file path, whole, in memory: *plain (free
 * with crm_seal_plain_free) and *len; NULL unless it decrypted to its end.
 */
int crm_seal_read_all(const char *path, const struct crm_key *key, char **plain, size_t *len, struct crm_error *err);
/* Zeroes and frees plain text from crm_seal_read_all. NULL is fine. */
void crm_seal_plain_free(char *plain, size_t len);

#endif
