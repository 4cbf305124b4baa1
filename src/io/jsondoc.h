/*
 * jsondoc.h: one JSON text (a record of a JSON export) parsed into a flat
 * array of nodes in document order, with no allocation per value. The
 * reader of JSON exports (json.c) parses millions of small records; a tree
 * of separately allocated values (jansson's, which has no streaming
 * interface) cost more than the rest of a migration together.
 *
 * Accepts exactly what jansson accepts with JSON_DECODE_ANY |
 * JSON_REJECT_DUPLICATES, which the rest of crmshift uses (fuzz-jsondoc
 * compares the two on every input): RFC 8259 with strict UTF-8, no \u0000,
 * no key twice in one object, integers within int64, reals within double,
 * at most CRM_MAX_JSON_DEPTH levels of values.
 *
 * Ownership: the nodes and decoded strings belong to the doc and are valid
 * until its next parse or crm_jdoc_release. A string without escapes points
 * into the parsed text, which must outlive it.
 */
#ifndef CRM_JSONDOC_H
#define CRM_JSONDOC_H

#include "compat.h"
#include "util/arena.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

enum crm_jnode_kind {
	CRM_JNODE_NULL,
	CRM_JNODE_FALSE,
	CRM_JNODE_TRUE,
	CRM_JNODE_INTEGER,
	CRM_JNODE_REAL,
	CRM_JNODE_STRING,
	CRM_JNODE_ARRAY,
	CRM_JNODE_OBJECT,
};

struct crm_jnode {
	const char *key; /* an object member's name, decoded; NULL for others */
	size_t key_len;
	const char *text; /* a string decoded (UTF-8, not NFC); a number as written */
	size_t len;
	uint64_t key_hash; /* crm_hash_bytes of the key; 0 when there is none */
	double real;	   /* CRM_JNODE_REAL */
	uint32_t next;	   /* the next sibling's index; 0 for none (the root is no one's sibling) */
	uint32_t count;	   /* an array's or object's children; the first is at this node's index + 1 */
	uint8_t kind;	   /* enum crm_jnode_kind */
	uint8_t ascii;	   /* a string of ASCII bytes only */
};

struct crm_jdoc_slot;

struct crm_jdoc {
	struct crm_jnode *nodes; /* nodes[0] is the root */
	size_t count;
	size_t cap;
	struct crm_arena strings;   /* decoded strings */
	struct crm_jdoc_slot *keys; /* the members seen, to find a key twice */
	size_t key_cap;
	uint32_t key_count, key_round;
};

/* Why a text is not JSON: where (1-based, within the text; columns in characters) and what, quoting no value. */
struct crm_jdoc_syntax {
	unsigned long line;
	unsigned long column;
	char reason[128];
};

void crm_jdoc_init(struct crm_jdoc *doc);
void crm_jdoc_release(struct crm_jdoc *doc);

/*
 * Parses (text, len) into doc, replacing what it held. Returns 0, 1 when
 * the text is not JSON (*bad says where and why; a duplicate key is named,
 * being no value), or CRM_ENOMEM with err set.
 */
int crm_jdoc_parse(struct crm_jdoc *doc, const char *text, size_t len, struct crm_jdoc_syntax *bad,
		   struct crm_error *err);

/* The index of the member of object at index obj named key, or 0 when it has none (or obj is no object). */
size_t crm_jdoc_member(const struct crm_jdoc *doc, size_t obj, const char *key);

/*
 * A scalar as record text, in arena: a string in NFC, an integer in
 * decimal, a real with 15 significant digits, true/false, and "" for null
 * (and for an object or array). NULL when out of memory; *len is its
 * length. The same text as crm_json_value_text gives for jansson's value.
 */
const char *crm_jnode_text(const struct crm_jnode *node, size_t *len, struct crm_arena *arena);

#endif
