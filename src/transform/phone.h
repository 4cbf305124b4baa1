/*
 * phone.h: telephone numbers to E.164 (+<country code><number>). Written by
 * hand because the one complete library (libphonenumber) is C++ and Java;
 * this covers the formatting CRMs actually hold (spaces, dots, dashes,
 * parentheses, +CC, 00CC, national trunk 0) for a table of common
 * countries, and rejects what it cannot read with certainty: letters,
 * extensions, numbers of impossible length.
 */
#ifndef CRM_PHONE_H
#define CRM_PHONE_H

#include "compat.h"

#define CRM_PHONE_MAX 20 /* "+" + 15 digits + NUL, with room */

/* The calling code for an ISO 3166 alpha-2 country, or 0 when not in the table. */
int crm_phone_country_code(const char *iso2);

/* Writes the E.164 form of (in, len) to out; returns 0, or 1 with reason. */
int crm_phone_e164(const char *in, size_t len, int default_cc, char *out, char *reason, size_t reason_cap);

#endif
