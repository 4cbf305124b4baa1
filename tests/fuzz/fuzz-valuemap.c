/*
 * fuzz-valuemap.c: a value-map file (source_value,target_value), as map()
 * loads it when a mapping is compiled; the input is the file.
 */
#include "project.h"

static const char mapping[] =
	"source_object,source_field,data_type,target_field,transform_rule,pii_flag,validation_rule,sample_value\n"
	"Contact,Status,text,lead_source,trim -> map(maps/values.csv),,,\n"
	"Account,Industry,text,industry,\"map(maps/values.csv, default=other)\",,,\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_project();
	fuzz_write(0, "mapping.csv", mapping, sizeof(mapping) - 1);
	fuzz_write(1, "maps/values.csv", data, size);
	fuzz_compile();
	return 0;
}
