/*
 * fuzz-evidence.c: the evidence pack verifier, which reads a manifest.json
 * anyone can hand over: the input is the manifest, checked against a small
 * project and a fixed test public key. The signature never holds (the
 * manifest.sig is the signature of other bytes), and the verifier reads the
 * file list all the same, to say what a forgery changed.
 */
#include "fuzz.h"

#include "audit/evidence.h"
#include "audit/keys.h"

#include <sys/stat.h>

/* The public half of a throw-away signing key, used for nothing but this harness. */
static const char test_public_key[] =
	"crmshift-key public 4011426daad65b2d RV9hMlbDlS88srGYpQagKogZxR8N4s1wlYU9aIaS0Rg=\n";
static const char signature[] = "bm90IGEgc2lnbmF0dXJlIG9mIHRoaXMgbWFuaWZlc3Q=\n";
static const char ini[] = "[migration]\nname = fuzz\nsource_system = salesforce\n";
static const char log_line[] = "{\"action\":\"migrate\",\"seq\":1}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_evidence_check check;
	struct crm_key key;
	char project[512], pack[512];

	fuzz_write(0, "project/crmshift.ini", ini, sizeof(ini) - 1);
	fuzz_write(0, "project/.crmshift/audit.log", log_line, sizeof(log_line) - 1);
	fuzz_write(0, "test.pub", test_public_key, sizeof(test_public_key) - 1);
	if (crm_key_load(fuzz_path(0, "test.pub"), CRM_KEY_PUBLIC, &key, &err))
		abort();
	fuzz_write(1, "pack/manifest.sig", signature, sizeof(signature) - 1);
	fuzz_write(1, "pack/manifest.json", data, size);
	snprintf(project, sizeof(project), "%s/project", fuzz_dir());
	snprintf(pack, sizeof(pack), "%s/pack", fuzz_dir());
	memset(&check, 0, sizeof(check));
	crm_evidence_verify(project, pack, &key, &check, &err);
	crm_evidence_check_release(&check);
	return 0;
}
