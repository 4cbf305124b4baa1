/*
 * jsondoc.c: a recursive-descent JSON parser that appends one node per
 * value to a growing array. Strings without escapes are not copied; keys
 * are checked for duplicates in one hash table per document, whose slots
 * carry the parse's round number so that a new parse needs no clearing.
 * Where jansson's rules are particular (its UTF-8 check, surrogate pairs,
 * integer range, depth), they are followed to the letter: the two must
 * accept the same texts.
 */
#include "compat.h"
#include "io/jsondoc.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct crm_jdoc_slot {
	uint64_t hash;
	uint32_t node;	 /* the member */
	uint32_t parent; /* its object */
	uint32_t round;	 /* the parse that filled it: slots of earlier parses are empty */
};

struct parser {
	const char *p, *end;
	struct crm_jdoc *doc;
	const char *bad_at; /* where the text stops being JSON */
	struct crm_jdoc_syntax *bad;
	struct crm_error *err;
	unsigned depth;
};

void crm_jdoc_init(struct crm_jdoc *doc)
{
	memset(doc, 0, sizeof(*doc));
	crm_arena_init(&doc->strings, 16 * 1024);
}

void crm_jdoc_release(struct crm_jdoc *doc)
{
	crm_free(doc->nodes);
	crm_free(doc->keys);
	crm_arena_release(&doc->strings);
	memset(doc, 0, sizeof(*doc));
}

/* The text is not JSON at byte at: records why and returns 1. */
static int CRM_PRINTF(3, 4) syntax(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->bad->reason, sizeof(ps->bad->reason), fmt, ap);
	va_end(ap);
	ps->bad_at = at;
	return 1;
}

static int is_digit(const char *s, const char *end)
{
	return s < end && *s >= '0' && *s <= '9';
}

static int is_letter(const char *s, const char *end)
{
	return s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'));
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int at(const struct parser *ps, char c)
{
	return ps->p < ps->end && *ps->p == c;
}

/* A new node (kind null until its value is parsed): 0 with *index set, 1 past the value limit, or CRM_ENOMEM. */
static int new_node(struct parser *ps, const char *key, size_t key_len, uint32_t *index)
{
	struct crm_jdoc *doc = ps->doc;
	struct crm_jnode *n;

	if (doc->count >= CRM_MAX_JSON_VALUES)
		return syntax(ps, ps->p, "more than %u values in one record", CRM_MAX_JSON_VALUES);
	if (crm_grow(&doc->nodes, doc->count, &doc->cap, sizeof(*doc->nodes), 64))
		return crm_error_set(ps->err, CRM_ENOMEM, "out of memory");
	*index = (uint32_t)doc->count;
	n = &doc->nodes[doc->count++];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->key_len = key_len;
	return 0;
}

/* Slots for at least twice the members of this round, keeping those already in. */
static int grow_keys(struct crm_jdoc *doc, struct crm_error *err)
{
	size_t cap = doc->key_cap ? 2 * doc->key_cap : 64, i, j;
	struct crm_jdoc_slot *slots = crm_calloc(cap, sizeof(*slots));

	if (!slots)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < doc->key_cap; i++) {
		if (doc->keys[i].round != doc->key_round)
			continue;
		for (j = doc->keys[i].hash & (cap - 1); slots[j].round == doc->key_round; j = (j + 1) & (cap - 1))
			;
		slots[j] = doc->keys[i];
	}
	crm_free(doc->keys);
	doc->keys = slots;
	doc->key_cap = cap;
	return 0;
}

/* Records member node of object parent; 1 when the object has its key already. token is the key as written. */
static int add_key(struct parser *ps, uint32_t parent, uint32_t node, const char *token, size_t token_len)
{
	struct crm_jdoc *doc = ps->doc;
	struct crm_jnode *n = &doc->nodes[node];
	uint64_t hash;
	size_t i;

	if ((doc->key_count + 1) * 2 > doc->key_cap && grow_keys(doc, ps->err))
		return ps->err->code;
	n->key_hash = crm_hash_bytes(n->key, n->key_len);
	hash = n->key_hash ^ ((uint64_t)parent * 0x9E3779B97F4A7C15ull);
	for (i = hash & (doc->key_cap - 1); doc->keys[i].round == doc->key_round; i = (i + 1) & (doc->key_cap - 1)) {
		const struct crm_jdoc_slot *s = &doc->keys[i];
		const struct crm_jnode *seen = &doc->nodes[s->node];
		if (s->hash == hash && s->parent == parent && seen->key_len == n->key_len &&
		    memcmp(seen->key, n->key, n->key_len) == 0)
			/* the key's closing quote, as jansson places it; a key is no value, so it is named */
			return syntax(ps, token + token_len - 1, "duplicate object key near '%.*s'",
				      (int)(token_len < 80 ? token_len : 80), token);
	}
	doc->keys[i].hash = hash;
	doc->keys[i].node = node;
	doc->keys[i].parent = parent;
	doc->keys[i].round = doc->key_round;
	doc->key_count++;
	return 0;
}

/*
 * Bytes of the UTF-8 sequence at s, or 0 when it is not one by jansson's
 * rules (which are RFC 3629's): no overlong form, no surrogate, nothing past
 * U+10FFFF.
 */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0], v;
	size_t n, i;

	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		n = 2;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		v = c & 0x0F;
	} else if (c < 0xF5) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The four hex digits at s (checked by the scan), as a number. */
static unsigned hex4(const char *s)
{
	return (unsigned)(hex_digit(s[0]) << 12 | hex_digit(s[1]) << 8 | hex_digit(s[2]) << 4 | hex_digit(s[3]));
}

static char *put_utf8(char *o, unsigned v)
{
	if (v < 0x80) {
		*o++ = (char)v;
	} else if (v < 0x800) {
		*o++ = (char)(0xC0 | v >> 6);
		*o++ = (char)(0x80 | (v & 0x3F));
	} else if (v < 0x10000) {
		*o++ = (char)(0xE0 | v >> 12);
		*o++ = (char)(0x80 | (v >> 6 & 0x3F));
		*o++ = (char)(0x80 | (v & 0x3F));
	} else {
		*o++ = (char)(0xF0 | v >> 18);
		*o++ = (char)(0x80 | (v >> 12 & 0x3F));
		*o++ = (char)(0x80 | (v >> 6 & 0x3F));
		*o++ = (char)(0x80 | (v & 0x3F));
	}
	return o;
}

/* Decodes the escapes of the string body [s, end) into the doc's arena. */
static int decode_string(struct parser *ps, const char *s, const char *end, const char **out, size_t *out_len,
			 int *ascii)
{
	char *buf = crm_arena_alloc(&ps->doc->strings, (size_t)(end - s) + 1), *o = buf;
	unsigned v, low;

	if (!buf)
		return crm_error_set(ps->err, CRM_ENOMEM, "out of memory");
	while (s < end) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			v = hex4(s + 2);
			if (v >= 0xD800 && v <= 0xDBFF) {
				if (end - s < 12 || s[6] != '\\' || s[7] != 'u')
					return syntax(ps, s, "invalid Unicode '\\u%04X'", v);
				low = hex4(s + 8);
				if (low < 0xDC00 || low > 0xDFFF)
					return syntax(ps, s, "invalid Unicode '\\u%04X\\u%04X'", v, low);
				v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
				s += 6;
			} else if (v >= 0xDC00 && v <= 0xDFFF) {
				return syntax(ps, s, "invalid Unicode '\\u%04X'", v);
			} else if (v == 0) {
				return syntax(ps, s, "\\u0000 is not allowed");
			}
			if (v >= 0x80)
				*ascii = 0;
			o = put_utf8(o, v);
			s += 4;
			break;
		default: /* '"', '\\' and '/' stand for themselves */
			*o++ = s[1];
		}
		s += 2;
	}
	*o = '\0';
	*out = buf;
	*out_len = (size_t)(o - buf);
	return 0;
}

/* The string whose opening quote is at ps->p: its bytes decoded, ps->p past its closing quote. */
static int parse_string(struct parser *ps, const char **out, size_t *out_len, int *ascii)
{
	const unsigned char *start = (const unsigned char *)ps->p + 1, *s = start;
	const unsigned char *end = (const unsigned char *)ps->end;
	int escaped = 0, i;
	size_t n;

	*ascii = 1;
	for (;;) {
		while (s < end && *s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
			s++;
		if (s == end)
			return syntax(ps, ps->end, "premature end of input");
		if (*s == '"')
			break;
		if (*s < 0x20)
			return syntax(ps, (const char *)s, "control character 0x%x in string", *s);
		if (*s == '\\') {
			escaped = 1;
			if (end - s < 2 || !strchr("\"\\/bfnrtu", s[1]) || !s[1])
				return syntax(ps, (const char *)s, "invalid escape");
			if (s[1] == 'u') {
				for (i = 2; i < 6; i++)
					if (end - s <= i || hex_digit((char)s[i]) < 0)
						return syntax(ps, (const char *)s, "invalid escape");
				s += 6;
			} else {
				s += 2;
			}
			continue;
		}
		n = utf8_len(s, end);
		if (!n)
			return syntax(ps, (const char *)s, "unable to decode byte 0x%x", *s);
		*ascii = 0;
		s += n;
	}
	ps->p = (const char *)s + 1;
	if (!escaped) {
		*out = (const char *)start;
		*out_len = (size_t)(s - start);
		return 0;
	}
	return decode_string(ps, (const char *)start, (const char *)s, out, out_len, ascii);
}

static int parse_number(struct parser *ps, struct crm_jnode *n)
{
	const char *s = ps->p, *start = s, *end = ps->end;
	char small[64], *copy = small;
	size_t len, digits;
	int integer = 1;
	long long whole;

	if (*s == '-')
		s++;
	if (s < end && *s == '0') {
		if (is_digit(++s, end))
			return syntax(ps, s, "invalid token");
	} else if (is_digit(s, end)) {
		while (is_digit(s, end))
			s++;
	} else {
		return syntax(ps, s, "invalid token");
	}
	if (s < end && *s == '.') {
		integer = 0;
		if (!is_digit(++s, end))
			return syntax(ps, s, "invalid token");
		while (is_digit(s, end))
			s++;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		integer = 0;
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (!is_digit(s, end))
			return syntax(ps, s, "invalid token");
		while (is_digit(s, end))
			s++;
	}
	ps->p = s;
	len = (size_t)(s - start);
	n->text = start;
	n->len = len;
	digits = len - (*start == '-');
	if (integer) {
		n->kind = CRM_JNODE_INTEGER;
		if (digits < 19)
			return 0; /* within int64 whatever the digits */
		if (digits > 19)
			return syntax(ps, s - 1, "too big integer");
		memcpy(small, start, len);
		small[len] = '\0';
		errno = 0;
		whole = strtoll(small, NULL, 10);
		if (errno == ERANGE)
			return syntax(ps, s - 1, "too big integer");
		(void)whole;
		return 0;
	}
	n->kind = CRM_JNODE_REAL;
	if (len >= sizeof(small) && !(copy = crm_arena_alloc(&ps->doc->strings, len + 1)))
		return crm_error_set(ps->err, CRM_ENOMEM, "out of memory");
	memcpy(copy, start, len);
	copy[len] = '\0';
	errno = 0;
	n->real = strtod(copy, NULL);
	if ((n->real == HUGE_VAL || n->real == -HUGE_VAL) && errno == ERANGE)
		return syntax(ps, s - 1, "real number overflow");
	return 0;
}

static int parse_value(struct parser *ps, uint32_t self);

/* Opens container self at its opening byte: 1 when close follows at once (read), 0 when a member does. */
static int open_container(struct parser *ps, uint32_t self, enum crm_jnode_kind kind, char close)
{
	ps->doc->nodes[self].kind = (uint8_t)kind;
	ps->p++;
	skip_space(ps);
	if (!at(ps, close))
		return 0;
	ps->p++;
	return 1;
}

/*
 * After member child of container self (*last the one before it): links
 * it, then reads ',' and returns 0 (a member follows), or reads close and
 * returns 2 (the container is over), or returns 1 (not JSON).
 */
static int end_member(struct parser *ps, uint32_t self, uint32_t *last, uint32_t child, char close)
{
	if (*last)
		ps->doc->nodes[*last].next = child;
	*last = child;
	ps->doc->nodes[self].count++;
	skip_space(ps);
	if (at(ps, ',')) {
		ps->p++;
		skip_space(ps);
		return 0;
	}
	if (!at(ps, close))
		return syntax(ps, ps->p, "'%c' expected", close);
	ps->p++;
	return 2;
}

static int parse_object(struct parser *ps, uint32_t self)
{
	uint32_t last = 0, child;
	const char *key, *token;
	size_t key_len;
	int rc, ascii;

	if (open_container(ps, self, CRM_JNODE_OBJECT, '}'))
		return 0;
	do {
		if (!at(ps, '"'))
			return syntax(ps, ps->p, "string or '}' expected");
		token = ps->p;
		if ((rc = parse_string(ps, &key, &key_len, &ascii)) || (rc = new_node(ps, key, key_len, &child)) ||
		    (rc = add_key(ps, self, child, token, (size_t)(ps->p - token))))
			return rc;
		skip_space(ps);
		if (!at(ps, ':'))
			return syntax(ps, ps->p, "':' expected");
		ps->p++;
		skip_space(ps);
		if ((rc = parse_value(ps, child)))
			return rc;
	} while (!(rc = end_member(ps, self, &last, child, '}')));
	return rc == 2 ? 0 : rc;
}

static int parse_array(struct parser *ps, uint32_t self)
{
	uint32_t last = 0, child;
	int rc;

	if (open_container(ps, self, CRM_JNODE_ARRAY, ']'))
		return 0;
	do {
		if ((rc = new_node(ps, NULL, 0, &child)) || (rc = parse_value(ps, child)))
			return rc;
	} while (!(rc = end_member(ps, self, &last, child, ']')));
	return rc == 2 ? 0 : rc;
}

/* The value at ps->p into node self (allocated, with its key). */
static int parse_value(struct parser *ps, uint32_t self)
{
	struct crm_jnode *n = &ps->doc->nodes[self];
	const char *word = ps->p;
	size_t len;
	int rc = 0, ascii;

	if (ps->p == ps->end)
		return syntax(ps, ps->p, "premature end of input");
	/* jansson counts every value, scalars too, from 1 at the top */
	if (++ps->depth > CRM_MAX_JSON_DEPTH)
		return syntax(ps, ps->p, "maximum parsing depth reached");
	switch (*ps->p) {
	case '{':
		rc = parse_object(ps, self);
		break;
	case '[':
		rc = parse_array(ps, self);
		break;
	case '"':
		rc = parse_string(ps, &n->text, &n->len, &ascii);
		n->kind = CRM_JNODE_STRING;
		n->ascii = (uint8_t)ascii;
		break;
	default:
		if (*ps->p == '-' || is_digit(ps->p, ps->end)) {
			rc = parse_number(ps, n);
			break;
		}
		if (!is_letter(ps->p, ps->end))
			return syntax(ps, ps->p, "unexpected token");
		while (is_letter(ps->p, ps->end))
			ps->p++;
		len = (size_t)(ps->p - word);
		if (len == 4 && memcmp(word, "true", 4) == 0)
			n->kind = CRM_JNODE_TRUE;
		else if (len == 5 && memcmp(word, "false", 5) == 0)
			n->kind = CRM_JNODE_FALSE;
		else if (len == 4 && memcmp(word, "null", 4) == 0)
			n->kind = CRM_JNODE_NULL;
		else
			return syntax(ps, ps->p - 1, "invalid token");
	}
	ps->depth--;
	return rc;
}

/* Line and column (in characters) of byte at in text, 1-based. */
static void locate(const char *text, const char *at, struct crm_jdoc_syntax *bad)
{
	const char *s, *line_start = text;

	bad->line = 1;
	for (s = text; s < at; s++) {
		if (*s == '\n') {
			bad->line++;
			line_start = s + 1;
		}
	}
	bad->column = 1;
	for (s = line_start; s < at; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			bad->column++;
}

int crm_jdoc_parse(struct crm_jdoc *doc, const char *text, size_t len, struct crm_jdoc_syntax *bad,
		   struct crm_error *err)
{
	struct parser ps = {text, text, doc, NULL, bad, err, 0};
	uint32_t root;
	int rc;

	if (len) /* an empty buffer may have no text at all: NULL + 0 is undefined */
		ps.end = text + len;
	doc->count = 0;
	doc->key_count = 0;
	crm_arena_reset(&doc->strings);
	if (++doc->key_round == 0) {
		/* the rounds wrapped: a slot of round 1 could pass as this one's */
		if (doc->keys)
			memset(doc->keys, 0, doc->key_cap * sizeof(*doc->keys));
		doc->key_round = 1;
	}
	skip_space(&ps);
	rc = new_node(&ps, NULL, 0, &root);
	if (!rc)
		rc = parse_value(&ps, root);
	if (!rc) {
		skip_space(&ps);
		if (ps.p != ps.end)
			rc = syntax(&ps, ps.p, "end of file expected");
	}
	if (rc == 1)
		locate(text, ps.bad_at, bad);
	else if (rc < 0)
		doc->count = 0;
	return rc;
}

size_t crm_jdoc_member(const struct crm_jdoc *doc, size_t obj, const char *key)
{
	size_t key_len = strlen(key), c;
	uint32_t k;

	if (obj >= doc->count || doc->nodes[obj].kind != CRM_JNODE_OBJECT)
		return 0;
	for (c = obj + 1, k = 0; k < doc->nodes[obj].count; k++, c = doc->nodes[c].next)
		if (doc->nodes[c].key_len == key_len && memcmp(doc->nodes[c].key, key, key_len) == 0)
			return c;
	return 0;
}

const char *crm_jnode_text(const struct crm_jnode *n, size_t *len, struct crm_arena *arena)
{
	char num[64];
	const char *text = "";
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t mapped;
	char *copy;

	*len = 0;
	switch (n->kind) {
	case CRM_JNODE_STRING:
		if (n->ascii || crm_utf8_below_u0300(n->text, n->len)) {
			/* in NFC already: no decomposition to build */
			*len = n->len;
			return n->len ? crm_arena_strndup(arena, n->text, n->len) : "";
		}
		mapped = utf8proc_map((const utf8proc_uint8_t *)n->text, (utf8proc_ssize_t)n->len, &nfc,
				      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (mapped < 0)
			return NULL;
		copy = crm_arena_strndup(arena, (const char *)nfc, (size_t)mapped);
		free(nfc);
		*len = (size_t)mapped;
		return copy;
	case CRM_JNODE_INTEGER:
		/* written without leading zeros or '+' (JSON has none), so only -0 is not as jansson prints it */
		if (n->len == 2 && n->text[0] == '-' && n->text[1] == '0') {
			*len = 1;
			return crm_arena_strndup(arena, "0", 1);
		}
		*len = n->len;
		return crm_arena_strndup(arena, n->text, n->len);
	case CRM_JNODE_REAL:
		/* 15 significant digits: what a decimal column holds, without binary noise (0.1, not 0.1000...01) */
		snprintf(num, sizeof(num), "%.15g", n->real);
		text = num;
		break;
	case CRM_JNODE_TRUE:
		text = "true";
		break;
	case CRM_JNODE_FALSE:
		text = "false";
		break;
	default:
		break;
	}
	*len = strlen(text);
	return *len ? crm_arena_strndup(arena, text, *len) : "";
}
