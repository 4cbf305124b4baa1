/*
 * fault.h: named points where a test stops the process exactly as kill -9
 * would, to prove that every crash window is closed. CRMSHIFT_FAULT=NAME
 * kills at the first pass through point NAME, CRMSHIFT_FAULT=NAME:N at the
 * N-th. Unset (as in every real run), a point costs a comparison.
 */
#ifndef CRM_FAULT_H
#define CRM_FAULT_H

void crm_fault_point(const char *name);

#endif
