/*
 * fuzz-mapping.c: mapping.csv and the rule compiler behind it: the file is
 * loaded and every object's transform and validation rules compiled against
 * a fixed project, as plan does.
 */
#include "project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_project();
	fuzz_write(0, "mapping.csv", data, size);
	fuzz_compile();
	return 0;
}
