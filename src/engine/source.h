/*
 * source.h: the source side of a run's snapshot, and the freeze check.
 *
 * When a run starts, each export it will read is recorded in the state
 * database: size, modification time and SHA-256 (crm_source_take), and,
 * once a pass has read it all, its record count. A migrate also keeps a
 * sample of raw records (crm_record_sample, about 100 across the objects,
 * in .crmshift/snapshots/) and the open sales pipeline (sales.h).
 *
 * The freeze check compares an export with such a snapshot
 * (crm_source_changed): an export that changed after the snapshot was taken
 * means a resumed run, or a run after the source was frozen, would load a
 * mix of two versions of the source.
 */
#ifndef CRM_SOURCE_H
#define CRM_SOURCE_H

#include "compat.h"
#include "engine/project.h"
#include "state/state.h"
#include "util/error.h"

/*
 * Path's size, mtime and SHA-256 for object into *f, path relative to dir
 * when inside it; touches no state (a thread of the run's may take it).
 */
int crm_source_describe(const char *dir, const char *object, const char *path, int forced, struct crm_source_file *f,
			struct crm_error *err);
/* The same, recorded for run. */
int crm_source_take(struct crm_state *state, int64_t run, const char *dir, const char *object, const char *path,
		    int forced, struct crm_error *err);

/*
 * Whether the file at path differs from snapshot f: 1 with a reason (what
 * changed) when it does, 0 when not. A file of another size has changed; one
 * touched since is compared by content (SHA-256), and so is every file when
 * by_content is set.
 */
int crm_source_changed(const struct crm_source_file *f, const char *path, int by_content, char *reason, size_t cap,
		       struct crm_error *err);

/*
 * A uniform sample of an export's records (reservoir sampling, seeded, so
 * a resumed run that reads the file again draws the same sample), kept as
 * JSON objects of the header's columns. It also counts every record read.
 * The stager feeds it in file order.
 */
struct crm_record_sample;

/*
 * mask_personal: columns that feed a field flagged PII or SPI, or one its
 * rule pseudonymizes, masks or redacts, are kept as "<PII, 12 characters>".
 */
struct crm_record_sample *crm_record_sample_new(const struct crm_project_object *o, size_t capacity, uint64_t seed,
						int mask_personal);
/* A record read: good ones may be kept; malformed ones are only counted. */
void crm_record_sample_offer(struct crm_record_sample *sample, const struct crm_record *rec, int good);
int64_t crm_record_sample_records(const struct crm_record_sample *sample);
/*
 * Writes the kept records as JSON lines (object, line, record) in file
 * order, whole or not at all; sealed under seal_key unless it is NULL.
 */
int crm_record_sample_write(const struct crm_record_sample *sample, const char *path, const struct crm_key *seal_key,
			    struct crm_error *err);
void crm_record_sample_free(struct crm_record_sample *sample);

#endif
