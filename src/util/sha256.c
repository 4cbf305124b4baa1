/*
 * sha256.c: SHA-256 through libcrypto's EVP interface, files read in 1 MiB
 * blocks.
 */
#include "compat.h"
#include "util/sha256.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#define READ_BLOCK (1u << 20)

static void to_hex(const unsigned char *digest, char out[CRM_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 15];
	}
	out[64] = '\0';
}

void crm_sha256_hex(const void *data, size_t len, char out[CRM_SHA256_HEX])
{
	unsigned char digest[32];

	EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL);
	to_hex(digest, out);
}

int crm_sha256_file(const char *path, char out[CRM_SHA256_HEX], uint64_t *size, struct crm_error *err)
{
	return crm_sha256_file_prefix(path, UINT64_MAX, out, size, err);
}

int crm_sha256_file_prefix(const char *path, uint64_t limit, char out[CRM_SHA256_HEX], uint64_t *size,
			   struct crm_error *err)
{
	unsigned char digest[32];
	unsigned char *block = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint64_t total = 0;
	ssize_t n = 0;
	int fd;

	if (crm_path_check_input(path, err))
		return err->code;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return crm_error_set(err, CRM_EINPUT, "%s: %s", path, strerror(errno));
	block = crm_malloc(READ_BLOCK);
	ctx = EVP_MD_CTX_new();
	if (!block || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	while (total < limit &&
	       ((n = read(fd, block, (size_t)(limit - total < READ_BLOCK ? limit - total : READ_BLOCK))) > 0 ||
		(n < 0 && errno == EINTR))) {
		if (n < 0)
			continue;
		EVP_DigestUpdate(ctx, block, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0) {
		crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(ctx, digest, NULL);
	to_hex(digest, out);
	*size = total;
out:
	EVP_MD_CTX_free(ctx);
	crm_free(block);
	close(fd);
	return err->code;
}
