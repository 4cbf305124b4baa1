/*
 * sample.h: the deterministic sample of `migrate --sample PCT`. A record is
 * picked by a hash of its object and source id (the same records on every
 * run and machine), and the sample is closed under references: the parents
 * of every picked record come along (its account, its account's parent, the
 * opportunity and contact of a picked contact role), so a sample loads with
 * no orphan that the full data would not have.
 */
#ifndef CRM_SAMPLE_H
#define CRM_SAMPLE_H

#include "compat.h"
#include "engine/project.h"
#include "util/hash.h"

struct crm_sample {
	double pct;
	struct crm_strmap *needed; /* per project object: source ids pulled in as parents */
	size_t count;
};

/* Builds the sample's parent sets by reading the exports, children first. */
int crm_sample_build(struct crm_sample *sample, struct crm_project *p, double pct, struct crm_error *err);
void crm_sample_release(struct crm_sample *sample);

/* 1 when the record is in the sample. */
int crm_sample_has(const struct crm_sample *sample, size_t object_index, const char *object, const char *id,
		   size_t id_len);

#endif
