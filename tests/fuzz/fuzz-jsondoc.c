/*
 * fuzz-jsondoc.c: the JSON record parser (jsondoc.h) against jansson, its
 * reference. On every input both accept or both reject; on an accepted one
 * both hold the same values: the same kinds, keys and array order, and the
 * same record text for every scalar (crm_jnode_text against
 * crm_json_value_text). A difference aborts, which libFuzzer reports.
 *
 * One difference is jansson's, and allowed: its lexer swallows a NUL byte
 * that ends a number or a literal ("[1\0]" parses), where jsondoc rejects a
 * NUL outside a string, as RFC 8259 does. jansson never accepts a NUL in a
 * string, so a text it accepts with a NUL in it is that case.
 */
#include "fuzz.h"

#include "io/json.h"
#include "io/jsondoc.h"

#include <jansson.h>

static int same_kind(const struct crm_jnode *n, const json_t *v)
{
	switch (n->kind) {
	case CRM_JNODE_OBJECT:
		return json_is_object(v);
	case CRM_JNODE_ARRAY:
		return json_is_array(v);
	case CRM_JNODE_STRING:
		return json_is_string(v);
	case CRM_JNODE_INTEGER:
		return json_is_integer(v);
	case CRM_JNODE_REAL:
		return json_is_real(v);
	case CRM_JNODE_TRUE:
		return json_is_true(v);
	case CRM_JNODE_FALSE:
		return json_is_false(v);
	default:
		return json_is_null(v);
	}
}

static void differ(const char *what)
{
	fprintf(stderr, "jsondoc and jansson differ: %s\n", what);
	abort();
}

static void compare(const struct crm_jdoc *doc, size_t i, const json_t *v, struct crm_arena *arena)
{
	const struct crm_jnode *n = &doc->nodes[i];
	const char *mine, *theirs;
	size_t mine_len, theirs_len, c;
	uint32_t k;

	if (!same_kind(n, v))
		differ("the kind of a value");
	if (n->kind == CRM_JNODE_OBJECT || n->kind == CRM_JNODE_ARRAY) {
		if (n->count != (n->kind == CRM_JNODE_OBJECT ? json_object_size(v) : json_array_size(v)))
			differ("the number of members");
		for (c = i + 1, k = 0; k < n->count; k++, c = doc->nodes[c].next) {
			const json_t *child = n->kind == CRM_JNODE_ARRAY
						      ? json_array_get(v, k)
						      : json_object_getn(v, doc->nodes[c].key, doc->nodes[c].key_len);
			if (!child)
				differ("a key");
			compare(doc, c, child, arena);
		}
		return;
	}
	mine = crm_jnode_text(n, &mine_len, arena);
	theirs = crm_json_value_text(v, &theirs_len, arena);
	if (!mine || !theirs)
		abort(); /* out of memory: not a finding of this harness */
	if (mine_len != theirs_len || memcmp(mine, theirs, mine_len) != 0)
		differ("the text of a scalar");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	struct crm_arena arena;
	json_error_t jerr;
	json_t *root;
	int rc;

	crm_jdoc_init(&doc);
	crm_arena_init(&arena, 4096);
	root = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	rc = crm_jdoc_parse(&doc, (const char *)data, size, &bad, &err);
	if (rc < 0)
		abort();
	if (root && rc == 1 && memchr(data, '\0', size)) {
		json_decref(root);
		root = NULL;
	} else if ((root != NULL) != (rc == 0)) {
		fprintf(stderr, "jansson: %s; jsondoc: %s\n", root ? "accepted" : jerr.text,
			rc ? bad.reason : "accepted");
		differ("whether the text is JSON");
	}
	if (root)
		compare(&doc, 0, root, &arena);
	json_decref(root);
	crm_arena_release(&arena);
	crm_jdoc_release(&doc);
	return 0;
}
