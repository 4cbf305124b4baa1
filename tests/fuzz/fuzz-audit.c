/*
 * fuzz-audit.c: the audit log verifier, which reads a log anyone with
 * write access to the project can have edited: the input is
 * .crmshift/audit.log (and, after a line holding only "--", audit.head).
 */
#include "fuzz.h"

#include "audit/audit.h"

static int count_entry(void *ctx, const json_t *entry)
{
	(void)entry;
	++*(int *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_audit_verdict verdict;
	const uint8_t *head = NULL;
	size_t log_len = size, i;
	int n = 0;

	for (i = 0; i + 4 <= size; i++)
		if (memcmp(data + i, "\n--\n", 4) == 0) {
			log_len = i + 1;
			head = data + i + 4;
			break;
		}
	fuzz_write(0, ".crmshift/audit.log", data, log_len);
	if (head)
		fuzz_write(1, ".crmshift/audit.head", head, size - (size_t)(head - data));
	else
		remove(fuzz_path(1, ".crmshift/audit.head"));
	crm_audit_verify(fuzz_dir(), &verdict, &err);
	crm_audit_each(fuzz_dir(), count_entry, &n, &err);
	return 0;
}
