/*
 * limits.h: every limit crmshift puts on untrusted input, in one place, so a
 * user who hits one can find it and a reviewer can see them all at once.
 */
#ifndef CRM_LIMITS_H
#define CRM_LIMITS_H

#define CRM_MAX_FIELD_LEN      (16u * 1024u * 1024u) /* one CSV field */
#define CRM_MAX_RECORD_LEN     (64u * 1024u * 1024u) /* one CSV record, all fields */
#define CRM_MAX_FIELDS	       4096u		     /* columns in one export file */
#define CRM_MAX_RULE_STEPS     32u		     /* steps in one transform rule */
#define CRM_MAX_RULE_ARGS      64u		     /* arguments of one step */
#define CRM_MAX_MAPPING_ROWS   100000u
#define CRM_MAX_OBJECTS	       256u
#define CRM_MAX_TABLE_COLUMNS  1600u /* columns of a target table: PostgreSQL's limit (SQLite's is 2000) */
#define CRM_MAX_IDENT_LEN      128u  /* object, table and column names */
#define CRM_DEFAULT_BATCH_ROWS 5000u
#define CRM_MAX_EXPONENT       64    /* 6.0E7 as a number: a larger exponent is not a CRM value */
#define CRM_MAX_SPELLING_KEY   256u  /* a key longer than this is never "spelt differently" from another */
#define CRM_COUNT_MAX	       1e15  /* a count in crmshift.ini ([policy] consent_mismatches): exact in a double */
#define CRM_MAX_JSON_DEPTH     2048u /* nesting of one JSON record: jansson's limit, which the other JSON readers use */
#define CRM_MAX_REF_OBJECTS    16u   /* objects one polymorphic reference names: ref(Contact|Lead) names 2 */
#define CRM_MAX_JSON_VALUES    (1u << 20) /* values in one JSON record */

/* Buffers crmshift fills itself, from data above: past these a command fails, saying what, never cuts. */
#define CRM_MAX_SQL_LEN	 (1u << 20) /* one statement crmshift writes (a table of CRM_MAX_TABLE_COLUMNS columns) */
#define CRM_MAX_RUN_JSON (1u << 26) /* a run's options or summary, as the state keeps them */
#define CRM_MAX_ROW_JSON (1u << 30) /* a target row as JSON (a pre-image), or a sample of records */

#endif
