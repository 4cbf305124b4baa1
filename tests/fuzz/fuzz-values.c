/*
 * fuzz-values.c: the value parsers every mapped field goes through: dates,
 * date-times in a source zone, parse() formats, zones, phone numbers,
 * integers, decimals and rounding, and the folding [dedupe] compares
 * values by (after the phone parser: phone-folded; after the integer one:
 * text-folded). The first byte chooses the parser (and its option); for
 * parse(), the text before the first newline is the format and the rest
 * the value.
 */
#include "fuzz.h"

#include "engine/dedupe.h"
#include "transform/datetime.h"
#include "transform/phone.h"
#include "transform/textfn.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const zones[] = {"UTC", "+02:00", "-0530", "America/New_York"};
	struct crm_error err = CRM_ERROR_INIT;
	char out[CRM_DT_MAX > 64 ? CRM_DT_MAX : 64], reason[256];
	const char *in, *text_out;
	struct crm_arena arena;
	struct crm_datefmt fmt;
	struct crm_tz tz;
	size_t len, text_len;
	char *text;

	if (size < 1)
		return 0;
	in = (const char *)data + 1;
	len = size - 1;
	crm_arena_init(&arena, 1024);
	switch (data[0] % 8) {
	case 0:
		crm_date_normalize(in, len, out, reason, sizeof(reason));
		break;
	case 1:
		if (crm_tz_parse(&tz, zones[(data[0] >> 3) & 3], &err))
			abort();
		crm_datetime_normalize(in, len, &tz, out, reason, sizeof(reason));
		break;
	case 2: {
		const char *nl = memchr(in, '\n', len);
		size_t flen = nl ? (size_t)(nl - in) : len;
		text = fuzz_text((const uint8_t *)in, flen);
		if (crm_datefmt_compile(&fmt, text, &err) == 0 && nl)
			crm_datefmt_parse(&fmt, nl + 1, len - flen - 1, out, reason, sizeof(reason));
		free(text);
		break;
	}
	case 3:
		text = fuzz_text((const uint8_t *)in, len);
		crm_tz_parse(&tz, text, &err);
		free(text);
		break;
	case 4:
		crm_phone_e164(in, len, (data[0] >> 3) & 1 ? 49 : 1, out, reason, sizeof(reason));
		if (crm_dedupe_fold(in, len, 1, out, sizeof(out)) >= sizeof(out))
			abort();
		break;
	case 5:
		crm_text_int(&arena, in, len, &text_out, &text_len, reason, sizeof(reason));
		if (crm_dedupe_fold(in, len, 0, out, sizeof(out)) >= sizeof(out))
			abort();
		break;
	case 6:
		crm_text_decimal(&arena, in, len, &text_out, &text_len, reason, sizeof(reason));
		break;
	case 7:
		crm_text_round(&arena, in, len, data[0] >> 3, &text_out, &text_len, reason, sizeof(reason));
		break;
	}
	crm_arena_release(&arena);
	return 0;
}
