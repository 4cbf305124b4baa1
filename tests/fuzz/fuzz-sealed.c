/*
 * fuzz-sealed.c: what crmshift reads back of its own at-rest encryption,
 * which anyone with write access to the project can alter: a key file
 * (first byte even) and a sealed file under a fixed test key (first byte
 * odd; the seeds are sealed under it). A sealed file that decrypts must
 * seal back to the same plain text.
 */
#include "fuzz.h"

#include "audit/keys.h"
#include "audit/seal.h"

#include <sys/stat.h>

/* A throw-away data key, used for nothing but this harness. */
static const char test_key[] = "crmshift-key data ee7fc86771e13129 uCO6Z7MXTnnEAI0Caf1gwuNg8tnqHUyL1HGPX+CwlJo=\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_key key;
	const char *path;
	char *plain;
	size_t len;

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		path = fuzz_write(0, "any.key", data + 1, size - 1);
		chmod(path, 0600);
		if (crm_key_load(path, CRM_KEY_DATA, &key, &err) == 0)
			crm_key_wipe(&key);
		return 0;
	}
	path = fuzz_write(0, "test.key", test_key, sizeof(test_key) - 1);
	chmod(path, 0600);
	if (crm_key_load(path, CRM_KEY_DATA, &key, &err))
		abort();
	path = fuzz_write(1, "file.enc", data + 1, size - 1);
	if (crm_seal_read_all(path, &key, &plain, &len, &err) == 0) {
		char *again;
		size_t again_len;
		const char *resealed = fuzz_path(2, "again.enc");
		if (crm_seal_save(resealed, plain, len, &key, &err) ||
		    crm_seal_read_all(resealed, &key, &again, &again_len, &err) || again_len != len ||
		    memcmp(again, plain, len) != 0)
			abort();
		crm_seal_plain_free(again, again_len);
		crm_seal_plain_free(plain, len);
	}
	crm_key_wipe(&key);
	return 0;
}
