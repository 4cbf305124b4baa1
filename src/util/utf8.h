/*
 * utf8.h: a text that is in NFC without asking utf8proc. The readers
 * normalise every value to NFC (utf8proc_map, which allocates); most
 * values of Latin-script exports need nothing done, and this says which.
 */
#ifndef CRM_UTF8_H
#define CRM_UTF8_H

#include "compat.h"

#include <stddef.h>

/*
 * 1 when (p, len) is valid UTF-8 of characters below U+0300 only (ASCII and
 * two-byte sequences led by 0xC2 to 0xCB), 0 for anything else, broken
 * sequences included. Such a text is in NFC: none of these characters
 * decomposes, combines or composes with a neighbour (Latin-1, Latin
 * Extended, IPA; the combining marks start at U+0300), which test-jsondoc
 * checks against utf8proc for every pair.
 */
int crm_utf8_below_u0300(const char *p, size_t len);

#endif
