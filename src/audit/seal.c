/*
 * seal.c: sealed files (secretstream, chunked), written through the
 * atomic-file helper.
 */
#include "compat.h"
#include "audit/seal.h"
#include "util/alloc.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC	  "crmseal1"
#define MAGIC_LEN 8
#define ID_LEN	  (CRM_KEY_ID - 1)
#define AD_LEN	  (MAGIC_LEN + ID_LEN)
#define CHUNK	  (64u * 1024)

struct crm_seal_writer {
	struct crm_atomic_file af;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char ad[AD_LEN];
	unsigned char plain[CHUNK];
	size_t used;
	unsigned char cipher[CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES];
};

static void make_ad(unsigned char ad[AD_LEN], const char *key_id)
{
	memcpy(ad, MAGIC, MAGIC_LEN);
	memcpy(ad + MAGIC_LEN, key_id, ID_LEN);
}

static int check_key(const struct crm_key *key, struct crm_error *err)
{
	if (sodium_init() < 0)
		return crm_error_set(err, CRM_EINTERNAL, "libsodium failed to initialise");
	if (key->kind != CRM_KEY_DATA)
		return crm_error_set(err, CRM_EINTERNAL, "files are sealed with a data key");
	return 0;
}

struct crm_seal_writer *crm_seal_writer_open(const char *path, const struct crm_key *key, struct crm_error *err)
{
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	struct crm_seal_writer *w;

	if (check_key(key, err))
		return NULL;
	w = crm_calloc(1, sizeof(*w));
	if (!w) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (crm_atomic_open(&w->af, path, err)) {
		crm_free(w);
		return NULL;
	}
	make_ad(w->ad, key->id);
	crypto_secretstream_xchacha20poly1305_init_push(&w->st, header, key->secret);
	if (fwrite(w->ad, 1, AD_LEN, w->af.f) != AD_LEN || fwrite(header, 1, sizeof(header), w->af.f) != sizeof(header))
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", w->af.tmp, strerror(errno));
	if (err->code) {
		crm_seal_writer_abort(w);
		return NULL;
	}
	return w;
}

static int push(struct crm_seal_writer *w, unsigned char tag, struct crm_error *err)
{
	unsigned long long clen;
	unsigned char len[4];

	crypto_secretstream_xchacha20poly1305_push(&w->st, w->cipher, &clen, w->plain, w->used, w->ad, AD_LEN, tag);
	len[0] = (unsigned char)clen;
	len[1] = (unsigned char)(clen >> 8);
	len[2] = (unsigned char)(clen >> 16);
	len[3] = (unsigned char)(clen >> 24);
	if (fwrite(len, 1, 4, w->af.f) != 4 || fwrite(w->cipher, 1, (size_t)clen, w->af.f) != (size_t)clen)
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", w->af.tmp, strerror(errno));
	sodium_memzero(w->plain, w->used);
	w->used = 0;
	return 0;
}

int crm_seal_write(struct crm_seal_writer *w, const void *data, size_t len, struct crm_error *err)
{
	const unsigned char *p = data;
	size_t n;

	while (len) {
		/* a full chunk is pushed only when more follows: the last one must carry the final tag */
		if (w->used == CHUNK && push(w, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, err))
			return err->code;
		n = CHUNK - w->used < len ? CHUNK - w->used : len;
		memcpy(w->plain + w->used, p, n);
		w->used += n;
		p += n;
		len -= n;
	}
	return 0;
}

int crm_seal_writer_commit(struct crm_seal_writer *w, struct crm_error *err)
{
	push(w, crypto_secretstream_xchacha20poly1305_TAG_FINAL, err);
	crm_atomic_commit(&w->af, err);
	sodium_memzero(w, sizeof(*w));
	crm_free(w);
	return err->code;
}

void crm_seal_writer_abort(struct crm_seal_writer *w)
{
	struct crm_error ignored = CRM_ERROR_INIT;

	if (!w)
		return;
	crm_error_set(&ignored, CRM_EIO, "aborted");
	crm_atomic_commit(&w->af, &ignored); /* with an error set: removes the temporary file */
	sodium_memzero(w, sizeof(*w));
	crm_free(w);
}

int crm_seal_file(const char *plain_path, const char *sealed_path, const struct crm_key *key, struct crm_error *err)
{
	struct crm_seal_writer *w;
	unsigned char buf[CHUNK];
	size_t n;
	FILE *in = fopen(plain_path, "rb");

	if (!in)
		return crm_error_set(err, CRM_EIO, "cannot read '%s': %s", plain_path, strerror(errno));
	w = crm_seal_writer_open(sealed_path, key, err);
	while (w && !err->code && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		crm_seal_write(w, buf, n, err);
	if (w && !err->code && ferror(in))
		crm_error_set(err, CRM_EIO, "cannot read '%s': %s", plain_path, strerror(errno));
	fclose(in);
	sodium_memzero(buf, sizeof(buf));
	if (!w)
		return err->code;
	if (err->code) {
		crm_seal_writer_abort(w);
		return err->code;
	}
	return crm_seal_writer_commit(w, err);
}

int crm_seal_save(const char *path, const void *data, size_t len, const struct crm_key *key, struct crm_error *err)
{
	struct crm_atomic_file af;
	struct crm_seal_writer *w;

	if (key) {
		w = crm_seal_writer_open(path, key, err);
		if (!w)
			return err->code;
		if (crm_seal_write(w, data, len, err)) {
			crm_seal_writer_abort(w);
			return err->code;
		}
		return crm_seal_writer_commit(w, err);
	}
	if (crm_atomic_open(&af, path, err))
		return err->code;
	if (len && fwrite(data, 1, len, af.f) != len)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", af.tmp, strerror(errno));
	return crm_atomic_commit(&af, err);
}

/* Reads the magic and the key id; 1 when they are there. */
static int read_ad(FILE *f, unsigned char ad[AD_LEN])
{
	size_t i;

	if (fread(ad, 1, AD_LEN, f) != AD_LEN || memcmp(ad, MAGIC, MAGIC_LEN) != 0)
		return 0;
	for (i = MAGIC_LEN; i < AD_LEN; i++)
		if (!((ad[i] >= '0' && ad[i] <= '9') || (ad[i] >= 'a' && ad[i] <= 'f')))
			return 0;
	return 1;
}

int crm_seal_key_id(const char *path, char key_id[CRM_KEY_ID], struct crm_error *err)
{
	unsigned char ad[AD_LEN];
	FILE *f = fopen(path, "rb");
	int sealed;

	if (!f)
		return crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO, "'%s': %s", path, strerror(errno));
	sealed = read_ad(f, ad);
	fclose(f);
	if (sealed) {
		memcpy(key_id, ad + MAGIC_LEN, ID_LEN);
		key_id[ID_LEN] = '\0';
	}
	return sealed;
}

int crm_seal_read(const char *path, const struct crm_key *key, FILE *out, struct crm_error *err)
{
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES], ad[AD_LEN], len[4], tag = 0;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *cipher = NULL, *plain = NULL;
	unsigned long long plen;
	uint64_t offset = AD_LEN + sizeof(header);
	size_t clen;
	FILE *f;

	if (check_key(key, err))
		return err->code;
	f = fopen(path, "rb");
	if (!f)
		return crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO, "'%s': %s", path, strerror(errno));
	if (!read_ad(f, ad)) {
		crm_error_set(err, CRM_EINPUT, "'%s' is not a sealed file", path);
		goto out;
	}
	if (memcmp(ad + MAGIC_LEN, key->id, ID_LEN) != 0) {
		crm_error_set(err, CRM_EREFUSED,
			      "'%s' is sealed under key %.16s, not under key %s (the key file given)", path,
			      (const char *)ad + MAGIC_LEN, key->id);
		goto out;
	}
	cipher = crm_malloc(CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
	plain = crm_malloc(CHUNK);
	if (!cipher || !plain) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	if (fread(header, 1, sizeof(header), f) != sizeof(header) ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key->secret) != 0) {
		crm_error_set(err, CRM_EINPUT, "'%s' is cut short in its header", path);
		goto out;
	}
	while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		if (fread(len, 1, 4, f) != 4) {
			crm_error_set(err, CRM_EINPUT, "'%s' is cut short at byte %llu: its last part is missing", path,
				      (unsigned long long)offset);
			goto out;
		}
		clen = (size_t)len[0] | (size_t)len[1] << 8 | (size_t)len[2] << 16 | (size_t)len[3] << 24;
		if (clen >= crypto_secretstream_xchacha20poly1305_ABYTES &&
		    clen <= CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES && fread(cipher, 1, clen, f) != clen) {
			crm_error_set(err, CRM_EINPUT, "'%s' is cut short at byte %llu: its part there is incomplete",
				      path, (unsigned long long)offset);
			goto out;
		}
		if (clen < crypto_secretstream_xchacha20poly1305_ABYTES ||
		    clen > CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES ||
		    crypto_secretstream_xchacha20poly1305_pull(&st, plain, &plen, &tag, cipher, clen, ad, AD_LEN) !=
			    0) {
			crm_error_set(err, CRM_EINPUT,
				      "'%s' is damaged at byte %llu: it does not decrypt under its key (changed, "
				      "cut or reordered)",
				      path, (unsigned long long)offset);
			goto out;
		}
		offset += 4 + clen;
		if (fwrite(plain, 1, (size_t)plen, out) != (size_t)plen) {
			crm_error_set(err, CRM_EIO, "cannot write the plain text: %s", strerror(errno));
			goto out;
		}
	}
	if (fgetc(f) != EOF)
		crm_error_set(err, CRM_EINPUT, "'%s' has data after its final part (byte %llu): it was appended to",
			      path, (unsigned long long)offset);
out:
	if (plain)
		sodium_memzero(plain, CHUNK);
	crm_free(plain);
	crm_free(cipher);
	sodium_memzero(&st, sizeof(st));
	fclose(f);
	return err->code;
}

int crm_seal_read_all(const char *path, const struct crm_key *key, char **plain, size_t *len, struct crm_error *err)
{
	FILE *mem;

	*plain = NULL;
	*len = 0;
	mem = open_memstream(plain, len);
	if (!mem)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_seal_read(path, key, mem, err);
	if (fclose(mem) != 0 && !err->code)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (err->code) {
		crm_seal_plain_free(*plain, *len);
		*plain = NULL;
		*len = 0;
	}
	return err->code;
}

void crm_seal_plain_free(char *plain, size_t len)
{
	if (!plain)
		return;
	sodium_memzero(plain, len);
	free(plain);
}
