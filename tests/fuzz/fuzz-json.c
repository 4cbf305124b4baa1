/*
 * fuzz-json.c: the JSON export readers. The first byte chooses the shape:
 * an sfdx data tree ({"records": [...]}), JSON lines, or Airbyte records of
 * one stream; the rest is the file. The stream listing and the sfdx plan
 * reader that plan and init use read the same file.
 */
#include "fuzz.h"

#include "io/json.h"

static int count_stream(void *ctx, const char *stream, struct crm_error *err)
{
	(void)stream;
	(void)err;
	++*(int *)ctx;
	return 0;
}

static int count_plan(void *ctx, const char *sobject, const char *const *files, size_t file_count,
		      struct crm_error *err)
{
	(void)sobject;
	(void)err;
	*(int *)ctx += (int)file_count + (file_count && files[0][0]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_json_reader *reader;
	struct crm_record rec;
	const char *path;
	int n = 0, shape;

	if (size < 1)
		return 0;
	shape = data[0] % 4;
	path = fuzz_write(0, "export.json", data + 1, size - 1);
	if (shape == 3) {
		crm_json_streams(path, count_stream, &n, &err);
		crm_json_plan(path, count_plan, &n, &err);
		return 0;
	}
	reader = crm_json_open(path, shape == 0 ? CRM_JSON_SFDX_TREE : CRM_JSON_LINES, shape == 2 ? "contacts" : NULL,
			       &err);
	if (!reader)
		return 0;
	while (crm_json_next(reader, &rec, &err) > 0 && n++ < 100000)
		crm_json_column(reader, "Id");
	crm_json_close(reader);
	return 0;
}
