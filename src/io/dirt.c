/*
 * dirt.c: a byte-at-a-time state machine. UTF-8 is checked by the ranges of
 * RFC 3629 (no overlong forms, no surrogates, nothing past U+10FFFF); a
 * sequence cut by an invalid byte counts its bytes as invalid one by one.
 */
#include "compat.h"
#include "io/dirt.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (256 * 1024)

struct scan {
	struct crm_dirt *d;
	unsigned long line, col;
	int in_quotes;
	int pending_cr; /* a CR was the last byte seen outside quotes */
	/* the UTF-8 sequence being read */
	unsigned char seq[4];
	int seq_len, seq_need;
	int line_invalid;
	unsigned char last;
};

static void mark(struct crm_dirt_pos *pos, int64_t count, const struct scan *s)
{
	if (count == 1) {
		pos->line = s->line;
		pos->col = s->col;
	}
}

static void invalid_byte(struct scan *s, unsigned char b)
{
	struct crm_dirt *d = s->d;

	d->invalid++;
	if (d->invalid == 1) {
		d->first_invalid.line = s->line;
		d->first_invalid.col = s->col;
		d->first_invalid_byte = b;
	}
	if (!s->line_invalid) {
		s->line_invalid = 1;
		d->invalid_lines++;
	}
	if (b >= 0x80 && b <= 0x9F)
		d->c1++;
}

/* A sequence that broke off: each of its bytes is reported, each a column. */
static void flush_sequence(struct scan *s)
{
	int i;

	for (i = 0; i < s->seq_len; i++) {
		s->col++;
		invalid_byte(s, s->seq[i]);
	}
	s->seq_len = 0;
	s->seq_need = 0;
}

static int continuation_ok(const struct scan *s, unsigned char b)
{
	if ((b & 0xC0) != 0x80)
		return 0;
	if (s->seq_len == 1) {
		/* the second byte's range excludes overlong forms, surrogates and > U+10FFFF */
		switch (s->seq[0]) {
		case 0xE0:
			return b >= 0xA0;
		case 0xED:
			return b <= 0x9F;
		case 0xF0:
			return b >= 0x90;
		case 0xF4:
			return b <= 0x8F;
		}
	}
	return 1;
}

static void line_break(struct scan *s, int64_t *count, struct crm_dirt_pos *first)
{
	(*count)++;
	mark(first, *count, s);
}

static void byte(struct scan *s, unsigned char b)
{
	struct crm_dirt *d = s->d;

	if (s->seq_need) {
		if (continuation_ok(s, b)) {
			s->seq[s->seq_len++] = b;
			if (s->seq_len == s->seq_need) {
				s->seq_len = 0;
				s->seq_need = 0;
				s->col++;
			}
			s->last = b;
			return;
		}
		flush_sequence(s);
	}
	if (s->pending_cr) {
		s->pending_cr = 0;
		if (b == '\n') {
			line_break(s, &d->crlf, &d->first_crlf);
			s->line++;
			s->col = 0;
			s->line_invalid = 0;
			s->last = b;
			return;
		}
		line_break(s, &d->cr, &d->first_cr);
		s->line++;
		s->col = 0;
		s->line_invalid = 0;
	}
	s->last = b;
	if (b >= 0x80) {
		d->high++;
		if (b >= 0xC2 && b <= 0xF4) {
			s->seq[0] = b;
			s->seq_len = 1;
			s->seq_need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
			return;
		}
		s->col++;
		invalid_byte(s, b);
		return;
	}
	if (b == '"') {
		s->in_quotes = !s->in_quotes;
	} else if (b == '\r' && !s->in_quotes) {
		s->pending_cr = 1;
		return;
	} else if (b == '\n') {
		if (s->in_quotes) {
			d->quoted_breaks++;
		} else {
			line_break(s, &d->lf, &d->first_lf);
		}
		s->line++;
		s->col = 0;
		s->line_invalid = 0;
		return;
	} else if (b == 0) {
		d->nul++;
		s->col++;
		mark(&d->first_nul, d->nul, s);
		return;
	}
	s->col++;
}

int crm_dirt_scan(const char *path, struct crm_dirt *d, struct crm_error *err)
{
	struct scan s;
	unsigned char *block;
	int fd, first = 1, rc = 0;
	ssize_t n;
	unsigned char plain[256]; /* 1: a byte only counted, 2: a quote, 0: byte() decides */

	memset(plain, 0, sizeof(plain));
	memset(plain + 1, 1, 0x7F);
	plain['"'] = 2;
	plain['\r'] = plain['\n'] = 0;

	memset(d, 0, sizeof(*d));
	memset(&s, 0, sizeof(s));
	s.d = d;
	s.line = 1;
	block = crm_malloc(BLOCK);
	if (!block)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		crm_free(block);
		return crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO, "cannot open '%s': %s", path,
				     strerror(errno));
	}
	for (;;) {
		size_t i = 0;
		do {
			n = read(fd, block, BLOCK);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			rc = crm_error_set(err, CRM_EIO, "'%s': read error: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		d->bytes += (uint64_t)n;
		if (first) {
			first = 0;
			if (n >= 3 && memcmp(block, "\xEF\xBB\xBF", 3) == 0) {
				d->bom = CRM_BOM_UTF8;
				i = 3;
			} else if (n >= 4 && block[0] == 0xFF && block[1] == 0xFE && !block[2] && !block[3]) {
				d->bom = CRM_BOM_UTF32LE; /* before UTF-16's: it starts with the same two bytes */
			} else if (n >= 4 && !block[0] && !block[1] && block[2] == 0xFE && block[3] == 0xFF) {
				d->bom = CRM_BOM_UTF32BE;
			} else if (n >= 2 && block[0] == 0xFF && block[1] == 0xFE) {
				d->bom = CRM_BOM_UTF16LE;
			} else if (n >= 2 && block[0] == 0xFE && block[1] == 0xFF) {
				d->bom = CRM_BOM_UTF16BE;
			}
			if (d->bom >= CRM_BOM_UTF16LE)
				break; /* not a byte-oriented text: its encoding is all there is to say */
		}
		while (i < (size_t)n) {
			/*
			 * A run of ASCII bytes other than CR, LF and NUL only moves
			 * the column (and a quote the quoting): most of a file is one.
			 */
			size_t run = i;
			if (!s.seq_need && !s.pending_cr)
				for (; run < (size_t)n && plain[block[run]]; run++)
					s.in_quotes ^= plain[block[run]] >> 1;
			if (run > i) {
				s.col += run - i;
				s.last = block[run - 1];
				i = run;
			} else
				byte(&s, block[i++]);
		}
	}
	close(fd);
	crm_free(block);
	if (s.seq_need)
		flush_sequence(&s);
	if (s.pending_cr)
		line_break(&s, &d->cr, &d->first_cr);
	d->final_break = d->bytes == 0 || s.last == '\n' || s.last == '\r' || d->bom >= CRM_BOM_UTF16LE;
	return rc;
}

const char *crm_dirt_encoding(const struct crm_dirt *d)
{
	if (d->bom == CRM_BOM_UTF16LE || d->bom == CRM_BOM_UTF16BE)
		return "utf-16";
	if (d->bom == CRM_BOM_UTF32LE || d->bom == CRM_BOM_UTF32BE)
		return "utf-32";
	if (!d->invalid)
		return d->high ? "utf-8" : "ascii";
	return d->c1 ? "windows-1252" : "latin1";
}

int crm_dirt_mixed_breaks(const struct crm_dirt *d)
{
	return (d->crlf > 0) + (d->lf > 0) + (d->cr > 0) > 1;
}
