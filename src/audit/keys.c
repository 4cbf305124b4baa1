/*
 * keys.c: key files (generate, load, permissions) and Ed25519 signatures,
 * through libsodium.
 */
#include "compat.h"
#include "audit/keys.h"
#include "util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX 4096

static const char *const kind_names[] = {"signing", "public", "data"};

const char *crm_key_kind_name(enum crm_key_kind kind)
{
	return kind_names[kind];
}

int crm_key_kind_parse(const char *name, enum crm_key_kind *kind)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(kind_names); i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*kind = (enum crm_key_kind)i;
			return 0;
		}
	}
	return -1;
}

static int init_sodium(struct crm_error *err)
{
	if (sodium_init() < 0)
		return crm_error_set(err, CRM_EINTERNAL, "libsodium failed to initialise");
	return 0;
}

/* The fingerprint: of the public key, or a keyed hash of a data key (which reveals nothing of it). */
static void key_id(struct crm_key *key)
{
	static const char label[] = "crmshift key id";
	unsigned char digest[8];
	char hex[CRM_SHA256_HEX];

	if (key->kind == CRM_KEY_DATA) {
		crypto_generichash(digest, sizeof(digest), (const unsigned char *)label, sizeof(label) - 1, key->secret,
				   CRM_KEY_DATA_BYTES);
		sodium_bin2hex(key->id, sizeof(key->id), digest, sizeof(digest));
		return;
	}
	crm_sha256_hex(key->public_key, sizeof(key->public_key), hex);
	memcpy(key->id, hex, CRM_KEY_ID - 1);
	key->id[CRM_KEY_ID - 1] = '\0';
}

static size_t key_bytes(enum crm_key_kind kind)
{
	return kind == CRM_KEY_SIGNING	? crypto_sign_SECRETKEYBYTES
	       : kind == CRM_KEY_PUBLIC ? crypto_sign_PUBLICKEYBYTES
					: CRM_KEY_DATA_BYTES;
}

static const unsigned char *key_material(const struct crm_key *key)
{
	return key->kind == CRM_KEY_PUBLIC ? key->public_key : key->secret;
}

/* Writes the key's file (O_EXCL: never over an existing one) and syncs it. */
static int write_key_file(const char *path, const struct crm_key *key, mode_t mode, const char *comment,
			  struct crm_error *err)
{
	char b64[128], text[1024];
	ssize_t written;
	int fd, len;

	sodium_bin2base64(b64, sizeof(b64), key_material(key), key_bytes(key->kind), sodium_base64_VARIANT_ORIGINAL);
	len = snprintf(text, sizeof(text), "%scrmshift-key %s %s %s\n", comment, crm_key_kind_name(key->kind), key->id,
		       b64);
	sodium_memzero(b64, sizeof(b64));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		sodium_memzero(text, sizeof(text));
		if (errno == EEXIST)
			return crm_error_set(err, CRM_EREFUSED,
					     "'%s' exists: crmshift never overwrites a key (what it encrypted or "
					     "signed would be lost with it)",
					     path);
		return crm_error_set(err, CRM_EIO, "'%s': %s", path, strerror(errno));
	}
	/* the umask does not take permissions away from a key's owner, nor give any to others */
	written = fchmod(fd, mode) == 0 ? write(fd, text, (size_t)len) : -1;
	sodium_memzero(text, sizeof(text));
	if (written != len || fsync(fd) != 0) {
		crm_error_set(err, CRM_EIO, "'%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return err->code;
	}
	if (close(fd) != 0) {
		unlink(path);
		return crm_error_set(err, CRM_EIO, "'%s': %s", path, strerror(errno));
	}
	return 0;
}

int crm_key_generate(enum crm_key_kind kind, const char *path, struct crm_key *key, struct crm_error *err)
{
	struct crm_key pub;
	char pub_path[4096];
	struct stat st;

	if (init_sodium(err))
		return err->code;
	if (kind == CRM_KEY_PUBLIC)
		return crm_error_set(err, CRM_EUSAGE,
				     "a public key comes with its signing key: generate a signing key");
	if (snprintf(pub_path, sizeof(pub_path), "%s.pub", path) >= (int)sizeof(pub_path))
		return crm_error_set(err, CRM_EINPUT, "'%s': the name is too long", path);
	if (kind == CRM_KEY_SIGNING && lstat(pub_path, &st) == 0)
		return crm_error_set(err, CRM_EREFUSED, "'%s' exists: crmshift never overwrites a key", pub_path);
	memset(key, 0, sizeof(*key));
	key->kind = kind;
	if (kind == CRM_KEY_SIGNING)
		crypto_sign_keypair(key->public_key, key->secret);
	else
		randombytes_buf(key->secret, CRM_KEY_DATA_BYTES);
	key_id(key);
	if (write_key_file(
		    path, key, 0600,
		    kind == CRM_KEY_SIGNING
			    ? "# crmshift signing key (Ed25519), secret: it signs evidence packs.\n"
			      "# Keep it mode 0600, away from the project; verifiers get the .pub beside it.\n"
			    : "# crmshift data key, secret: it pseudonymizes values and encrypts files at rest.\n"
			      "# Keep it mode 0600; without it, what it encrypted cannot be read.\n",
		    err)) {
		crm_key_wipe(key);
		return err->code;
	}
	if (kind != CRM_KEY_SIGNING)
		return 0;
	pub = *key;
	pub.kind = CRM_KEY_PUBLIC;
	sodium_memzero(pub.secret, sizeof(pub.secret));
	if (write_key_file(pub_path, &pub, 0644,
			   "# crmshift public key (Ed25519): verifies the evidence packs its signing key signed.\n",
			   err)) {
		unlink(path);
		crm_key_wipe(key);
		return err->code;
	}
	return 0;
}

/* Reads path whole (it is small); *mode: its permissions. */
static int read_key_file(const char *path, unsigned *mode, char *text, size_t cap, struct crm_error *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO, "key file '%s': %s", path,
				     strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return crm_error_set(err, CRM_EINPUT, "key file '%s' is not a regular file", path);
	}
	*mode = (unsigned)(st.st_mode & 07777);
	n = read(fd, text, cap - 1);
	close(fd);
	if (n < 0)
		return crm_error_set(err, CRM_EIO, "key file '%s': %s", path, strerror(errno));
	text[n] = '\0';
	return 0;
}

/* The "crmshift-key KIND ID BASE64" line's fields, in text (split in place). */
static int parse_key_line(char *text, char **kind, char **id, char **b64)
{
	char *line = text, *end, *field[4];
	size_t n;

	while (*line) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (strncmp(line, "crmshift-key ", 13) == 0) {
			for (n = 0; n < 4 && *line; n++) {
				field[n] = line;
				line += strcspn(line, " \r");
				if (*line)
					*line++ = '\0';
			}
			if (n != 4)
				return -1;
			*kind = field[1];
			*id = field[2];
			*b64 = field[3];
			return 0;
		}
		line = end;
	}
	return -1;
}

int crm_key_load(const char *path, enum crm_key_kind kind, struct crm_key *key, struct crm_error *err)
{
	char text[KEY_FILE_MAX], *kind_text, *id, *b64;
	enum crm_key_kind found;
	unsigned mode = 0;
	size_t len;
	int rc;

	if (init_sodium(err))
		return err->code;
	memset(key, 0, sizeof(*key));
	if (read_key_file(path, &mode, text, sizeof(text), err))
		return err->code;
	if (parse_key_line(text, &kind_text, &id, &b64) || crm_key_kind_parse(kind_text, &found)) {
		sodium_memzero(text, sizeof(text));
		return crm_error_set(err, CRM_EINPUT, "'%s' is not a crmshift key file", path);
	}
	/* a file that holds a secret is refused once others can read it, whatever it is loaded for */
	if (found != CRM_KEY_PUBLIC && (mode & 077)) {
		sodium_memzero(text, sizeof(text));
		return crm_error_set(err, CRM_EREFUSED,
				     "key file '%s' is readable or writable by group or others (mode %04o): "
				     "run 'chmod 600 %s'",
				     path, mode, path);
	}
	if (found != kind && !(found == CRM_KEY_SIGNING && kind == CRM_KEY_PUBLIC)) {
		sodium_memzero(text, sizeof(text));
		return crm_error_set(err, CRM_EINPUT, "'%s' holds a %s key, not a %s key", path, kind_names[found],
				     kind_names[kind]);
	}
	key->kind = found;
	rc = sodium_base642bin(found == CRM_KEY_PUBLIC ? key->public_key : key->secret,
			       found == CRM_KEY_PUBLIC ? sizeof(key->public_key) : sizeof(key->secret), b64,
			       strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL);
	if (rc == 0 && found == CRM_KEY_SIGNING)
		crypto_sign_ed25519_sk_to_pk(key->public_key, key->secret);
	if (rc == 0 && len == key_bytes(found))
		key_id(key);
	rc = rc != 0 || len != key_bytes(found) || strcmp(id, key->id) != 0;
	sodium_memzero(text, sizeof(text));
	if (rc) {
		crm_key_wipe(key);
		return crm_error_set(err, CRM_EINPUT, "key file '%s' is damaged: its key does not match its id", path);
	}
	if (kind == CRM_KEY_PUBLIC && found == CRM_KEY_SIGNING) {
		sodium_memzero(key->secret, sizeof(key->secret));
		key->kind = CRM_KEY_PUBLIC;
	}
	return 0;
}

void crm_key_wipe(struct crm_key *key)
{
	sodium_memzero(key->secret, sizeof(key->secret));
}

void crm_key_sign(const struct crm_key *key, const void *msg, size_t len, char sig[CRM_KEY_SIGNATURE_B64])
{
	unsigned char raw[crypto_sign_BYTES];

	crypto_sign_detached(raw, NULL, msg, len, key->secret);
	sodium_bin2base64(sig, CRM_KEY_SIGNATURE_B64, raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
}

int crm_key_verify(const struct crm_key *key, const void *msg, size_t len, const char *sig)
{
	unsigned char raw[crypto_sign_BYTES];
	size_t raw_len;

	if (sodium_base642bin(raw, sizeof(raw), sig, strlen(sig), " \r\n", &raw_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    raw_len != sizeof(raw))
		return 0;
	return crypto_sign_verify_detached(raw, msg, len, key->public_key) == 0;
}

void crm_key_public_base64(const struct crm_key *key, char out[45])
{
	sodium_bin2base64(out, 45, key->public_key, sizeof(key->public_key), sodium_base64_VARIANT_ORIGINAL);
}
