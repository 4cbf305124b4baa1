/*
 * fuzz-csv.c: the CSV reader behind every delimited export, through the
 * reader interface crmshift reads exports with. The first byte of the input
 * chooses the encoding (each of iconv's paths, UTF-8 validation and BOMs
 * included), the delimiter and the reader's options (short rows padded, a
 * key of two columns, one record per listed value); the rest is the file,
 * which profile's scan of its bytes (dirt.h) reads first, as profile does.
 */
#include "fuzz.h"

#include "io/dirt.h"
#include "io/reader.h"

static const char *const encodings[] = {"utf-8",      "windows-1252", "utf-16", "utf-16le",
					"iso-8859-1", "shift_jis",    "utf-8",	"utf-16be"};
static const char delimiters[] = {',', ';', '\t', '|'};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_reader_spec spec = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_dirt dirt;
	struct crm_reader *reader;
	struct crm_record rec;
	int rc, n = 0;

	if (size < 1)
		return 0;
	spec.kind = CRM_READER_CSV;
	spec.encoding = encodings[data[0] & 7];
	spec.delimiter = delimiters[(data[0] >> 3) & 3];
	spec.pad_short_rows = (data[0] >> 5) & 1;
	spec.key = (data[0] >> 6) & 1 ? "a + b" : NULL;
	spec.each = (data[0] >> 7) & 1 ? "b" : NULL;
	spec.path = fuzz_write(0, "export.csv", data + 1, size - 1);
	if (crm_dirt_scan(spec.path, &dirt, &err))
		return 0;
	reader = crm_reader_open(&spec, &err);
	if (!reader)
		return 0;
	while ((rc = crm_reader_next(reader, &rec, &err)) > 0 && n++ < 100000)
		crm_reader_column(reader, "a");
	crm_reader_close(reader);
	return 0;
}
