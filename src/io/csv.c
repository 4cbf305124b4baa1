/*
 * csv.c: the reader's state machine. Unquoted runs are copied with one
 * table lookup per byte, quoted ones up to the next quote or line break at
 * once; the reader refills its block only at block ends.
 * Line and column numbers are kept as it goes so that every error can say
 * where it is; columns count characters, not bytes.
 */
#include "compat.h"
#include "io/csv.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <utf8proc.h>

#define RAW_BLOCK (256 * 1024)

struct crm_csv_reader {
	char *path;
	int fd;
	iconv_t cd; /* (iconv_t)-1 for UTF-8 input */
	char *encoding;

	char *raw; /* bytes as read from the file */
	size_t raw_len;
	int raw_eof;
	uint64_t bytes_read;
	unsigned long raw_line; /* lines fully converted, for transcoding errors */

	char *text; /* UTF-8 text being parsed */
	size_t text_len;
	size_t pos;
	size_t text_cap;
	int at_start; /* nothing read yet: a BOM may follow */

	unsigned char special[256];
	char delimiter;

	unsigned long line;
	unsigned long col; /* characters consumed on the current line */

	struct crm_buf rec; /* unescaped bytes of the current record */
	size_t *offsets;    /* start of each field in rec, then its end */
	size_t offsets_cap;
	struct crm_field *fields;
	size_t fields_cap;
	int pad_short; /* a short row's missing trailing fields read as empty (crm_csv_pad_short_rows) */

	struct crm_buf header; /* header names, NUL separated */
	size_t *header_offsets;
	size_t header_count;
	int have_header;
	uint64_t index;
};

int crm_csv_encoding_is_utf8(const char *encoding)
{
	return !encoding || !*encoding || strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0;
}

struct crm_csv_reader *crm_csv_open(const char *path, const char *encoding, char delimiter, struct crm_error *err)
{
	struct crm_csv_reader *r = crm_calloc(1, sizeof(*r));

	if (!r) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	r->fd = -1;
	r->cd = (iconv_t)-1;
	crm_buf_init(&r->rec, CRM_MAX_RECORD_LEN);
	crm_buf_init(&r->header, CRM_MAX_RECORD_LEN);
	r->path = crm_strdup(path);
	r->encoding = crm_strdup(crm_csv_encoding_is_utf8(encoding) ? "utf-8" : encoding);
	r->raw = crm_malloc(RAW_BLOCK);
	r->text_cap = crm_csv_encoding_is_utf8(encoding) ? 0 : RAW_BLOCK * 4 + 16;
	r->text = r->text_cap ? crm_malloc(r->text_cap) : NULL;
	if (!r->path || !r->encoding || !r->raw || (r->text_cap && !r->text)) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_free;
	}
	if (!crm_csv_encoding_is_utf8(encoding)) {
		r->cd = iconv_open("UTF-8", encoding);
		if (r->cd == (iconv_t)-1) {
			crm_error_set(err, CRM_EINPUT, "'%s': unknown encoding '%s'", path, encoding);
			goto out_free;
		}
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO, "cannot open '%s': %s", path,
			      strerror(errno));
		goto out_free;
	}
	r->delimiter = delimiter;
	r->special[(unsigned char)delimiter] = 1;
	r->special['"'] = 1;
	r->special['\n'] = 1;
	r->special['\r'] = 1;
	r->line = 1;
	r->raw_line = 1;
	r->at_start = 1;
	return r;

out_free:
	crm_csv_close(r);
	return NULL;
}

void crm_csv_close(struct crm_csv_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	if (r->text != r->raw)
		crm_free(r->text);
	crm_free(r->raw);
	crm_free(r->path);
	crm_free(r->encoding);
	crm_free(r->offsets);
	crm_free(r->fields);
	crm_free(r->header_offsets);
	crm_buf_release(&r->rec);
	crm_buf_release(&r->header);
	crm_free(r);
}

const char *crm_csv_path(const struct crm_csv_reader *r)
{
	return r->path;
}

uint64_t crm_csv_bytes_read(const struct crm_csv_reader *r)
{
	return r->bytes_read;
}

static int read_raw(struct crm_csv_reader *r, struct crm_error *err)
{
	ssize_t n;

	do {
		n = read(r->fd, r->raw + r->raw_len, RAW_BLOCK - r->raw_len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return crm_error_set(err, CRM_EIO, "'%s': read error: %s", r->path, strerror(errno));
	if (n == 0)
		r->raw_eof = 1;
	r->raw_len += (size_t)n;
	r->bytes_read += (uint64_t)n;
	return 0;
}

static unsigned long count_lines(const char *ptr, size_t len)
{
	unsigned long lines = 0;
	const char *end = ptr + len;

	while ((ptr = memchr(ptr, '\n', (size_t)(end - ptr))) != NULL) {
		lines++;
		ptr++;
	}
	return lines;
}

/* Converts as much raw input as fits into text; reports a bad byte with its position. */
static int transcode(struct crm_csv_reader *r, struct crm_error *err)
{
	char *in = r->raw;
	size_t in_left = r->raw_len;
	char *out = r->text;
	size_t out_left = r->text_cap;
	size_t done;

	if (iconv(r->cd, &in, &in_left, &out, &out_left) == (size_t)-1 && errno != E2BIG) {
		if (errno == EILSEQ || (errno == EINVAL && r->raw_eof)) {
			const char *line_start = in;
			unsigned long line = r->raw_line + count_lines(r->raw, (size_t)(in - r->raw));
			while (line_start > r->raw && line_start[-1] != '\n')
				line_start--;
			return crm_error_set(
				err, CRM_EINPUT,
				"%s:%lu:%ld: byte 0x%02X is not valid %s (is the file in another encoding?)", r->path,
				line, (long)(in - line_start) + 1, (unsigned char)*in, r->encoding);
		}
		/* EINVAL: an incomplete sequence at the block end; the rest comes with the next read */
	}
	done = (size_t)(in - r->raw);
	r->raw_line += count_lines(r->raw, done);
	memmove(r->raw, in, in_left);
	r->raw_len = in_left;
	r->text_len = (size_t)(out - r->text);
	r->pos = 0;
	return 0;
}

/* Makes text available at pos; returns 1 when there is some, 0 at the end of the file. */
static int fill(struct crm_csv_reader *r, struct crm_error *err)
{
	int rc;

	while (r->pos >= r->text_len) {
		if (r->raw_eof && r->raw_len == 0)
			return 0;
		if (r->cd == (iconv_t)-1) {
			/* UTF-8: parse straight from the input block */
			r->raw_len = 0;
			r->text = r->raw;
			r->pos = 0;
			r->text_len = 0;
			rc = read_raw(r, err);
			if (rc)
				return rc;
			r->text_len = r->raw_len;
			r->raw_len = 0;
			if (r->raw_eof && r->text_len == 0)
				return 0;
		} else {
			if (!r->raw_eof) {
				rc = read_raw(r, err);
				if (rc)
					return rc;
			}
			rc = transcode(r, err);
			if (rc)
				return rc;
			if (r->text_len == 0 && r->raw_eof && r->raw_len == 0)
				return 0;
		}
		if (r->at_start && r->text_len >= 3 && memcmp(r->text, "\xEF\xBB\xBF", 3) == 0)
			r->pos = 3;
		r->at_start = 0;
	}
	return 1;
}

static int peek(struct crm_csv_reader *r, struct crm_error *err)
{
	int rc = fill(r, err);

	if (rc <= 0)
		return rc < 0 ? rc - 1000 : -1; /* -1: end of file; < -1000: error */
	return (unsigned char)r->text[r->pos];
}

static size_t utf8_chars(const char *ptr, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += ((unsigned char)ptr[i] & 0xC0) != 0x80;
	return n;
}

/* Validates and NFC-normalises the field that starts at start in rec. */
static int finish_field(struct crm_csv_reader *r, size_t start, int high, unsigned long line, unsigned long col,
			size_t field_no, const char **problem, struct crm_error *err)
{
	size_t len = r->rec.len - start;
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t nfc_len;

	r->offsets[field_no * 2] = start;
	r->offsets[field_no * 2 + 1] = r->rec.len;
	if (!high || crm_utf8_below_u0300(r->rec.ptr + start, len))
		return 0;
	nfc_len = utf8proc_map((const utf8proc_uint8_t *)r->rec.ptr + start, (utf8proc_ssize_t)len, &nfc,
			       UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (nfc_len < 0) {
		if (!*problem) {
			/* find the first invalid sequence to name its column */
			const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)r->rec.ptr + start;
			utf8proc_ssize_t left = (utf8proc_ssize_t)len, step;
			utf8proc_int32_t cp;
			unsigned long c = col, l = line;
			while (left > 0 && (step = utf8proc_iterate(p, left, &cp)) > 0) {
				if (cp == '\n') {
					l++;
					c = 1;
				} else {
					c++;
				}
				p += step;
				left -= step;
			}
			crm_error_set(err, CRM_EINPUT,
				      "%s:%lu:%lu: invalid UTF-8 (byte 0x%02X) in field %zu%s%s%s (is the file "
				      "windows-1252 or latin1? set encoding)",
				      r->path, l, c, left > 0 ? *p : 0, field_no + 1,
				      r->have_header && field_no < r->header_count ? " '" : "",
				      r->have_header && field_no < r->header_count
					      ? r->header.ptr + r->header_offsets[field_no]
					      : "",
				      r->have_header && field_no < r->header_count ? "'" : "");
			*problem = "invalid utf-8";
		}
		return 0;
	}
	if ((size_t)nfc_len != len || memcmp(nfc, r->rec.ptr + start, len) != 0) {
		/* the normalised form goes after the record's bytes; the field points there */
		int rc = crm_buf_add(&r->rec, nfc, (size_t)nfc_len, err);
		free(nfc);
		if (rc)
			return rc;
		r->offsets[field_no * 2] = r->rec.len - (size_t)nfc_len;
		r->offsets[field_no * 2 + 1] = r->rec.len;
		return 0;
	}
	free(nfc);
	return 0;
}

static int ensure_offsets(struct crm_csv_reader *r, size_t field_no, struct crm_error *err)
{
	if ((field_no + 1) * 2 > r->offsets_cap) {
		size_t cap = r->offsets_cap ? r->offsets_cap * 2 : 64;
		size_t *offsets;
		while (cap < (field_no + 1) * 2)
			cap *= 2;
		offsets = crm_realloc(r->offsets, cap * sizeof(*offsets));
		if (!offsets)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		r->offsets = offsets;
		r->offsets_cap = cap;
	}
	return 0;
}

/* A header name without surrounding blanks, as columns are looked up by. */
static void trim_name(const char **p, size_t *len)
{
	while (*len && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
		(*len)--;
}

static int save_header(struct crm_csv_reader *r, const struct crm_record *rec, struct crm_error *err)
{
	struct crm_strmap names;
	size_t i;

	r->header_offsets = crm_malloc((rec->count ? rec->count : 1) * sizeof(size_t));
	if (!r->header_offsets)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	/* two columns of one name: a mapping would read one of them and lose the other unseen */
	crm_strmap_init(&names);
	for (i = 0; i < rec->count; i++) {
		const struct crm_strmap_entry *first;
		const char *name = rec->fields[i].ptr;
		size_t len = rec->fields[i].len;
		int added;
		trim_name(&name, &len);
		if (!len)
			continue; /* unnamed columns (a trailing comma) are never mapped */
		added = crm_strmap_put(&names, name, len, (int64_t)i + 1, NULL, &first, err);
		if (added == 0)
			crm_error_set(err, CRM_EINPUT,
				      "%s:%lu: column %zu is named '%.*s' as column %lld is: rename one, or a mapping "
				      "would read one of them and lose the other",
				      r->path, rec->line, i + 1, (int)(len > 64 ? 64 : len), name,
				      (long long)first->num);
		if (added <= 0) {
			crm_strmap_release(&names);
			goto fail;
		}
	}
	crm_strmap_release(&names);
	for (i = 0; i < rec->count; i++) {
		r->header_offsets[i] = r->header.len;
		if (crm_buf_add(&r->header, rec->fields[i].ptr, rec->fields[i].len, err) ||
		    crm_buf_addch(&r->header, '\0', err))
			goto fail;
	}
	r->header_count = rec->count;
	r->have_header = 1;
	return 0;
fail:
	/* no header kept: a reader asked again starts from nothing, not from half of one */
	crm_free(r->header_offsets);
	r->header_offsets = NULL;
	r->header.len = 0;
	return err->code;
}

long crm_csv_column(const struct crm_csv_reader *r, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < r->header_count; i++) {
		/* header names are matched without surrounding blanks: "rec_id, given_name" (Febrl) */
		const char *h = r->header.ptr + r->header_offsets[i];
		size_t hlen = strlen(h);
		trim_name(&h, &hlen);
		if (hlen == len && memcmp(h, name, len) == 0)
			return (long)i;
	}
	return -1;
}

/*
 * Adds (p, n) to the record being read, unless it is over a limit: then
 * the record is a bad one (err names where and which limit, *problem is
 * set) and the rest of it is read but no longer kept (*discard), so memory
 * stays bounded and the reading goes on with the next record.
 */
static int keep_bytes(struct crm_csv_reader *r, const void *p, size_t n, size_t start, unsigned long line,
		      unsigned long col, const char **problem, int *discard, struct crm_error *err)
{
	if (*discard)
		return 0;
	if (r->rec.len - start + n > CRM_MAX_FIELD_LEN || r->rec.len + n > CRM_MAX_RECORD_LEN) {
		int field = r->rec.len - start + n > CRM_MAX_FIELD_LEN;
		if (!*problem)
			crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: %s longer than %u bytes", r->path, line, col,
				      field ? "field" : "record", field ? CRM_MAX_FIELD_LEN : CRM_MAX_RECORD_LEN);
		*problem = "too long";
		*discard = 1;
		return 0;
	}
	return crm_buf_add(&r->rec, p, n, err);
}

#define PEEK_ERR(c)  ((c) < -1)
#define PEEK_CODE(c) ((c) + 1000)

int crm_csv_next(struct crm_csv_reader *r, struct crm_record *rec, struct crm_error *err)
{
	const char *problem;
	size_t nfields;
	int c, rc, discard;
	/* where a ragged row goes wrong: its first surplus field, or where it ends short */
	unsigned long surplus_line = 0, surplus_col = 0, end_line = 0, end_col = 0;

	memset(rec, 0, sizeof(*rec));
again:
	problem = NULL;
	discard = 0;
	nfields = 0;
	crm_buf_reset(&r->rec);
	rec->line = r->line;
	c = peek(r, err);
	if (PEEK_ERR(c))
		return PEEK_CODE(c);
	if (c == -1)
		return CRM_READ_EOF;

	for (;;) {
		size_t start = r->rec.len;
		unsigned long field_line = r->line, field_col = r->col + 1;
		int high = 0;
		int quoted = 0;

		if (r->have_header && nfields == r->header_count) {
			surplus_line = field_line;
			surplus_col = field_col;
		}

		if (nfields >= CRM_MAX_FIELDS && !discard) {
			if (!problem)
				crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: more than %u fields in one record", r->path,
					      field_line, field_col, CRM_MAX_FIELDS);
			problem = "too many fields";
			discard = 1;
		}
		rc = discard ? 0 : ensure_offsets(r, nfields, err);
		if (rc)
			return rc;
		c = peek(r, err);
		if (PEEK_ERR(c))
			return PEEK_CODE(c);
		if (c == '"') {
			unsigned long qline = r->line, qcol = r->col + 1;
			quoted = 1;
			r->pos++;
			r->col++;
			for (;;) {
				const unsigned char *p, *q, *end;
				c = peek(r, err);
				if (PEEK_ERR(c))
					return PEEK_CODE(c);
				if (c == -1)
					return crm_error_set(err, CRM_EINPUT,
							     "%s:%lu:%lu: unterminated quoted field (the quote opened "
							     "here is never closed)",
							     r->path, qline, qcol);
				if (c == '"') {
					r->pos++;
					r->col++;
					c = peek(r, err);
					if (PEEK_ERR(c))
						return PEEK_CODE(c);
					if (c != '"')
						break;
					/* a doubled quote stands for one */
					r->col++;
				} else if (c == '\n') {
					r->line++;
					r->col = 0;
				}
				/* that byte (counted above if a quote or a line break), then the run to the next: kept at once */
				p = (const unsigned char *)r->text + r->pos;
				end = (const unsigned char *)r->text + r->text_len;
				q = p + (c == '"' || c == '\n');
				while (q < end && *q != '"' && *q != '\n') {
					high |= *q & 0x80;
					/* a CR inside quotes is data: it moves no column */
					r->col += (*q & 0xC0) != 0x80 && *q != '\r';
					q++;
				}
				rc = keep_bytes(r, p, (size_t)(q - p), start, field_line, field_col, &problem, &discard,
						err);
				if (rc)
					return rc;
				r->pos += (size_t)(q - p);
			}
			if (c != -1 && c != r->delimiter && c != '\n' && c != '\r' && !problem) {
				crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: unexpected character after a closing quote",
					      r->path, r->line, r->col + 1);
				problem = "after quote";
			}
		}
		/* unquoted run (also what follows a malformed closing quote) */
		for (;;) {
			const unsigned char *p, *q, *end;
			c = peek(r, err);
			if (PEEK_ERR(c))
				return PEEK_CODE(c);
			if (c == -1 || c == r->delimiter || c == '\n' || c == '\r')
				break;
			p = (const unsigned char *)r->text + r->pos;
			end = (const unsigned char *)r->text + r->text_len;
			q = p;
			if (*q == '"')
				q++; /* a stray quote inside an unquoted field is kept as data */
			while (q < end && !r->special[*q]) {
				high |= *q & 0x80;
				q++;
			}
			rc = keep_bytes(r, p, (size_t)(q - p), start, field_line, field_col, &problem, &discard, err);
			if (rc)
				return rc;
			r->col += high ? utf8_chars((const char *)p, (size_t)(q - p)) : (size_t)(q - p);
			r->pos += (size_t)(q - p);
		}
		rc = discard ? 0 : finish_field(r, start, high, field_line, field_col, nfields, &problem, err);
		if (rc)
			return rc;
		nfields++;

		/* c is the delimiter, a line end or the end of the file */
		end_line = r->line;
		end_col = r->col + 1;
		if (c == r->delimiter) {
			r->pos++;
			r->col++;
			continue;
		}
		if (c == '\r') {
			r->pos++;
			c = peek(r, err);
			if (PEEK_ERR(c))
				return PEEK_CODE(c);
			if (c == '\n')
				r->pos++;
			r->line++;
			r->col = 0;
		} else if (c == '\n') {
			r->pos++;
			r->line++;
			r->col = 0;
		}
		if (nfields == 1 && !quoted && r->rec.len == 0 && !problem)
			goto again; /* a blank line holds no record */
		break;
	}

	if (discard)
		nfields = 0; /* over a limit: nothing of it was kept, its line and the reason say what it was */
	if (r->fields_cap < nfields || (r->have_header && r->fields_cap < r->header_count)) {
		size_t cap = nfields > r->header_count ? nfields : r->header_count;
		struct crm_field *fields = crm_realloc(r->fields, cap * 2 * sizeof(*fields));
		if (!fields)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		r->fields = fields;
		r->fields_cap = cap * 2;
	}
	for (size_t i = 0; i < nfields; i++) {
		r->fields[i].ptr = r->rec.ptr ? r->rec.ptr + r->offsets[i * 2] : "";
		r->fields[i].len = r->offsets[i * 2 + 1] - r->offsets[i * 2];
	}
	rec->fields = r->fields;
	rec->count = nfields;
	rec->short_fields = 0;
	rec->end_line = r->col == 0 && r->line > rec->line ? r->line - 1 : r->line;
	if (!r->have_header) {
		rec->index = 0;
		if (problem)
			return CRM_READ_BAD_RECORD;
		return save_header(r, rec, err) ? err->code : CRM_READ_RECORD;
	}
	rec->index = ++r->index;
	if (problem)
		return CRM_READ_BAD_RECORD;
	if (nfields < r->header_count) {
		rec->short_fields = r->header_count - nfields;
		if (r->pad_short) {
			/* a report export leaves trailing empty fields out: they are empty */
			for (size_t i = nfields; i < r->header_count; i++) {
				r->fields[i].ptr = "";
				r->fields[i].len = 0;
			}
			rec->count = r->header_count;
			return CRM_READ_RECORD;
		}
	}
	if (nfields != r->header_count) {
		if (nfields > r->header_count)
			crm_error_set(
				err, CRM_EINPUT,
				"%s:%lu:%lu: ragged row: %zu fields where the header has %zu (field %zu starts here)",
				r->path, surplus_line, surplus_col, nfields, r->header_count, r->header_count + 1);
		else
			crm_error_set(
				err, CRM_EINPUT,
				"%s:%lu:%lu: ragged row: %zu fields where the header has %zu (the row ends here; "
				"when the export leaves trailing empty fields out, [object] short_rows = pad reads "
				"them as empty)",
				r->path, end_line, end_col, nfields, r->header_count);
		return CRM_READ_BAD_RECORD;
	}
	return CRM_READ_RECORD;
}

void crm_csv_pad_short_rows(struct crm_csv_reader *r)
{
	r->pad_short = 1;
}

/* (ptr, len) in quotes, each quote doubled, after mark ("" or the apostrophe of crm_csv_write_cell). */
static int write_quoted(FILE *out, const char *mark, const char *ptr, size_t len)
{
	size_t i;

	if (fputc('"', out) == EOF || fputs(mark, out) == EOF)
		return -1;
	for (i = 0; i < len; i++) {
		if (ptr[i] == '"' && fputc('"', out) == EOF)
			return -1;
		if (fputc(ptr[i], out) == EOF)
			return -1;
	}
	return fputc('"', out) == EOF ? -1 : 0;
}

int crm_csv_write_field(FILE *out, const char *ptr, size_t len, int first)
{
	size_t i;
	int quote = 0;

	if (!first && fputc(',', out) == EOF)
		return -1;
	for (i = 0; i < len; i++)
		if (ptr[i] == ',' || ptr[i] == '"' || ptr[i] == '\n' || ptr[i] == '\r') {
			quote = 1;
			break;
		}
	if (!quote)
		return fwrite(ptr, 1, len, out) == len ? 0 : -1;
	return write_quoted(out, "", ptr, len);
}

static int formula_trigger(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* [+-]digits[.digits][e[+-]digits]: text a spreadsheet reads as a number, never as a formula. */
static int plain_number(const char *p, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (p[i] == '+' || p[i] == '-'))
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < len && p[i] == '.')
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	if (!digits)
		return 0;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		size_t exp = 0;
		i++;
		if (i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			exp++;
		if (!exp)
			return 0;
	}
	return i == len;
}

/* A value a spreadsheet would run: a trigger first, and not a plain number. */
static int formula(const char *p, size_t len)
{
	return len && formula_trigger(p[0]) && !plain_number(p, len);
}

/*
 * A value crm_csv_cell_unmark takes for marked: apostrophes before a
 * formula. The writer marks these too, so unmarking always gives the value.
 */
static int looks_marked(const char *p, size_t len)
{
	size_t quotes = 0;

	while (quotes < len && p[quotes] == '\'')
		quotes++;
	return quotes && formula(p + quotes, len - quotes);
}

int crm_csv_write_cell(FILE *out, const char *ptr, size_t len, int first)
{
	/* marked too: a value that already looks marked, so that unmarking gives it back whole */
	if (!formula(ptr, len) && !looks_marked(ptr, len))
		return crm_csv_write_field(out, ptr, len, first);
	/* the apostrophe inside the quotes, when the value needs quoting: '"'=a,b"' would not read back */
	if (!first && fputc(',', out) == EOF)
		return -1;
	return write_quoted(out, "'", ptr, len);
}

void crm_csv_cell_unmark(const char **ptr, size_t *len)
{
	if (looks_marked(*ptr, *len)) {
		(*ptr)++;
		(*len)--;
	}
}
