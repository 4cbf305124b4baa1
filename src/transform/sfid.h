/*
 * sfid.h: Salesforce record ids. A record has one id written two ways: 15
 * characters, case-sensitive (reports, the Classic UI), or 18, the same 15
 * plus a 3-character suffix that encodes the case of the first 15 (the API,
 * Data Loader). Joining exports from both sides needs one form: crmshift
 * uses the 18-character one.
 *
 * The suffix: for each 5-character chunk, bit j is set when character j is
 * A-Z; the value 0-31 is a letter of "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
 */
#ifndef CRM_SFID_H
#define CRM_SFID_H

#include "compat.h"

#define CRM_SFID_LEN 18

/*
 * Writes the 18-character form of (in, len) and a NUL to out (19 bytes).
 * An 18-character id whose letters were all upper- or lower-cased (Excel)
 * gets its case back from the suffix. Returns 0, or 1 with reason: not 15
 * or 18 characters, a character outside [0-9A-Za-z], or a suffix that does
 * not match.
 */
int crm_sfid_normalize(const char *in, size_t len, char *out, char *reason, size_t reason_cap);

#endif
