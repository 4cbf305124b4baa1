/*
 * fault.h: named points where a test stops the process exactly as kill -9
 * would, to prove that every crash window is closed. CRMSHIFT_FAULT=NAME
 * kills at the first pass through point NAME, CRMSHIFT_FAULT=NAME:N at the
 * N-th. Unset (as in every real run), a point costs a comparison.
 * CRMSHIFT_FAULT_LOG=FILE appends the name of each point passed to FILE, a
 * line each, so that a test knows how many there are to kill at.
 *
 * The points: before-snapshot (before the snapshot of the target before a
 * run is taken), source-snapshot (after each export's snapshot), run-done
 * (before a run is marked done), record (before each record, event or
 * ledger entry a command applies), batch-commit and batch-committed (just
 * before and after each transaction of migrate, sync and rollback
 * commits), pass-done (after the commit that ends an object's pass of
 * migrate: on a server, before an unindexed load's entries and index are
 * made beside the next pass). tests/cli/scenarios/kill-matrix.sh kills at seeded choices of
 * them.
 */
#ifndef CRM_FAULT_H
#define CRM_FAULT_H

void crm_fault_point(const char *name);

#endif
