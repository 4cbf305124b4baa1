/*
 * sync.c: what a sync adds to the load loop of migrate.c (behind the
 * private header migrate-int.h). A record changed both in the source and
 * by users in the target since crmshift wrote it is a conflict; a record
 * deleted in the source, or absent from a full export, has its row
 * deleted with the whole row in the ledger; a change stream (sync
 * --events) is applied in order, each event once. See
 * docs/internals/sync.md.
 */
#include "compat.h"
#include "engine/migrate-int.h"
#include "engine/snapshot.h"
#include "engine/stage.h"
#include "io/events.h"
#include "state/state.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/fault.h"
#include "util/path.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Keeps how the sync left row id of table, for its after-snapshot. */
static int note_written(struct migration *m, const char *table, int64_t id, uint64_t hash, int present,
			struct crm_error *err)
{
	struct written_row *w;

	if (crm_grow(&m->written, m->written_count, &m->written_cap, sizeof(*m->written), 1024))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	w = &m->written[m->written_count];
	w->table = table;
	w->id = id;
	w->hash = hash;
	w->present = present;
	w->order = m->written_count++;
	return 0;
}

/*
 * The target row as crmshift just left it, for the cross-reference, when
 * syncing (a later sync compares with it). A migration leaves 0: reading
 * every row back would cost a first load a quarter of its time, and its
 * after-snapshot holds the same hashes.
 */
int migrate_written_hash(struct migration *m, struct object_run *orun, int64_t id, uint64_t told, uint64_t *hash,
			 struct crm_error *err)
{
	int rc;

	*hash = 0;
	if (!m->opt->sync)
		return 0;
	if (told) {
		*hash = told;
		return note_written(m, orun->o->prog->table, id, told, 1, err);
	}
	rc = m->session.store->ops->row_hash(orun->writer, id, hash, err);
	if (rc < 0)
		return rc;
	return note_written(m, orun->o->prog->table, id, *hash, rc == 1, err);
}

/* How the run that last wrote x left its row: x's hash, or its after-snapshot's (0 when neither knows). */
static int baseline(struct migration *m, struct object_run *orun, const struct crm_xref *x, uint64_t *hash,
		    struct crm_error *err)
{
	struct written_snapshot *ws = NULL;
	struct crm_run_info info;
	size_t i;
	int rc;

	*hash = x->row_hash;
	if (*hash)
		return 0;
	for (i = 0; i < m->snapshot_count && !ws; i++)
		if (m->snapshots[i].run == x->write_run)
			ws = &m->snapshots[i];
	if (!ws) {
		char path[PATH_MAX];
		struct written_snapshot *grown =
			crm_realloc(m->snapshots, (m->snapshot_count + 1) * sizeof(*m->snapshots));
		if (!grown)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		m->snapshots = grown;
		ws = &m->snapshots[m->snapshot_count++];
		ws->run = x->write_run;
		ws->snap = NULL;
		if (crm_snapshot_path(path, m->p->cfg.dir, x->write_run, "after", err))
			return err->code;
		/*
		 * A run killed before its end has none: its rows' state is not known.
		 * Nor is it after the run was rolled back: its rows went back to
		 * what they were (from a ledger that kept their hashes, the xref's
		 * row_hash says it), and its snapshot would call each a conflict.
		 */
		rc = crm_state_run_get(m->session.state, x->write_run, &info, err);
		if (rc < 0)
			return err->code;
		if (rc == 1 && info.status != CRM_RUN_ROLLED_BACK && access(path, F_OK) == 0 &&
		    !(ws->snap = crm_snapshot_load(path, err)))
			return err->code;
	}
	if (ws->snap && !crm_snapshot_find(ws->snap, orun->o->prog->table, x->target_id, hash))
		*hash = 0;
	return 0;
}

/*
 * Sync: has the target row changed since crmshift wrote it (users edited
 * it in the new system)? Then the source's change is a conflict: reported,
 * and unless the source wins, 1 (leave the row). 0: go ahead.
 */
int migrate_conflict(struct migration *m, struct object_run *orun, const char *id, size_t id_len, unsigned long line,
		     const struct crm_xref *x, const char *change, struct crm_error *err)
{
	uint64_t then, now;
	int rc;

	m->pre_hash_of = 0;
	if (!m->opt->sync)
		return 0;
	if (baseline(m, orun, x, &then, err))
		return err->code;
	if (!then)
		return 0; /* not known how crmshift left the row */
	rc = m->session.store->ops->row_hash(orun->writer, x->target_id, &now, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/* the row as it is before the write that follows: the ledger needs it too */
		m->pre_hash = now;
		m->pre_hash_of = x->target_id;
	}
	if (rc == 0 || now == then)
		return 0;
	if (migrate_report_conflict(m, orun->o->cfg->name, id, id_len, line, x->target_id, change, err))
		return err->code;
	orun->result->counts.conflicts++;
	if (m->p->cfg.policy.conflicts_source_wins)
		return 0;
	/* pass 2 must leave it too */
	if (crm_idcount_add(&m->conflicted[orun->o - m->p->objects], x->target_id, 1, err))
		return err->code;
	return crm_state_xref_seen(m->session.state, orun->key, id, id_len, x->target_id, m->run, err) ? err->code : 1;
}

/* Removes row id (of source id sid) of orun's table now, or with the batch's others when orun defers removes. */
static int remove_row(struct migration *m, struct object_run *orun, int64_t id, const char *sid, size_t sid_len,
		      struct crm_error *err)
{
	if (!orun->defer_removes)
		return m->session.store->ops->remove_rows(m->session.store, orun->o->prog->table, &id, 1, err);
	if (crm_grow(&orun->removes, orun->remove_count, &orun->remove_cap, sizeof(*orun->removes), 1024))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!orun->removed_ids && !(orun->removed_ids = crm_xref_cache_new()))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (crm_xref_cache_put_hashed(orun->removed_ids, crm_xref_cache_hash(sid, sid_len), id, err))
		return err->code;
	orun->removes[orun->remove_count++] = id;
	return 0;
}

int migrate_flush_removes(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	size_t n = orun->remove_count;

	orun->remove_count = 0;
	crm_xref_cache_free(orun->removed_ids);
	orun->removed_ids = NULL;
	return n ? m->session.store->ops->remove_rows(m->session.store, orun->o->prog->table, orun->removes, n, err)
		 : 0;
}

int migrate_flush_if_removed(struct migration *m, struct object_run *orun, struct crm_id_hash key,
			     struct crm_error *err)
{
	int64_t id;

	if (!orun->remove_count || crm_xref_cache_get_hashed(orun->removed_ids, key.low, key.high, &id) != 1)
		return 0;
	return migrate_flush_removes(m, orun, err);
}

/* A record deleted in the source: its target row goes, whole, into the ledger. */
int migrate_delete_record(struct migration *m, struct object_run *orun, const char *id, size_t id_len,
			  unsigned long line, struct crm_error *err)
{
	const char *table = orun->o->prog->table;
	struct crm_xref x;
	int found = crm_state_xref_get(m->session.state, orun->key, id, id_len, &x, err), rc;

	/* its row's update waits in the queue: sent first, so that the pre-image is the row as updated */
	if (found == 1 && (rc = migrate_flush_if_pending(m, orun, x.target_id, err)) != 0)
		found = rc < 0 ? rc : crm_state_xref_get(m->session.state, orun->key, id, id_len, &x, err);
	if (found < 0)
		return err->code;
	if (!found) {
		orun->result->counts.unchanged++; /* never loaded, or deleted already: nothing to do */
		return 0;
	}
	rc = migrate_conflict(m, orun, id, id_len, line, &x, "deleted in the source", err);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = m->session.store->ops->row_json(m->session.store, table, x.target_id, &m->pre_image, err);
	if (rc == 1 && migrate_hash_before(m, orun, x.target_id, err))
		return err->code;
	if (rc < 0)
		return rc;
	/* rc 0: the row is gone from the target already; only the cross-reference is left to forget */
	if (rc == 1 && (remove_row(m, orun, x.target_id, id, id_len, err) ||
			crm_state_ledger_add(m->session.state, m->run, orun->key, x.target_id, id, id_len,
					     CRM_LEDGER_DELETE, m->pre_image.ptr, x.hash, m->pre_hash, 0, err) ||
			note_written(m, table, x.target_id, 0, 0, err)))
		return err->code;
	if (crm_state_xref_forget(m->session.state, orun->key, id, id_len, err))
		return err->code;
	migrate_cache_forget(m, orun->o, id, id_len);
	orun->result->counts.deleted++;
	return 0;
}

/* The entries and rows of n missing records' ids, read ahead (migrate_read_ahead). */
static int read_missing_ahead(struct migration *m, struct object_run *orun, char **ids, size_t n, struct crm_error *err)
{
	size_t i;

	if (!m->session.store->ops->remote || migrate_ahead_reserve(orun, n, err))
		return err->code;
	for (i = 0; i < n; i++) {
		orun->ahead[i].ptr = ids[i];
		orun->ahead[i].len = strlen(ids[i]);
	}
	return migrate_read_ahead(m, &orun, &n, 1, err);
}

/*
 * sync --full: records the cross-reference holds that this run did not read
 * were deleted in the source (objects with delete_missing). Children first.
 */
int migrate_delete_missing(struct migration *m, struct crm_error *err)
{
	size_t i;

	for (i = m->p->count; i-- > 0 && !err->code;) {
		struct object_run orun;
		char **ids = NULL;
		size_t n = 0, j, in_batch = 0;
		memset(&orun, 0, sizeof(orun));
		orun.o = &m->p->objects[m->p->order[i]];
		orun.key = m->keys[m->p->order[i]];
		orun.result = &m->res->objects[i];
		orun.defer_removes = 1;
		if (!orun.result->selected || orun.result->no_file || !orun.o->cfg->delete_missing)
			continue;
		if (crm_state_checkpoint_get(m->session.state, m->run, orun.o->cfg->name, &orun.cp, err) < 0 ||
		    crm_state_xref_unseen(m->session.state, orun.key, m->run, &ids, &n, err))
			break;
		if (n && !migrate_open_writer(m, &orun, 1, err) && !migrate_batch_begin(m, err)) {
			for (j = 0; j < n && !err->code; j++) {
				/* on a server, each batch's entries and rows are read at once (a round trip a record: 66 s for 100k) */
				if (j % m->p->cfg.batch_size == 0 &&
				    read_missing_ahead(m, &orun, ids + j,
						       n - j < m->p->cfg.batch_size ? n - j : m->p->cfg.batch_size,
						       err))
					break;
				if (migrate_delete_record(m, &orun, ids[j], strlen(ids[j]), 0, err))
					break;
				if (++in_batch >= m->p->cfg.batch_size) {
					in_batch = 0;
					migrate_checkpoint(m, &orun, 0, err);
				}
			}
			if (!err->code)
				migrate_checkpoint(m, &orun, 1, err);
			if (err->code)
				migrate_batch_abort(m);
		}
		migrate_close_writer(m, &orun);
		for (j = 0; j < n; j++)
			crm_free(ids[j]);
		crm_free(ids);
	}
	return err->code;
}

/* Where a change stream got to: events up to ts_ms, and count of those at exactly ts_ms, are applied. */
struct stream_position {
	int64_t ts_ms;
	int64_t at_ts;
};

/* Commits the events applied so far with the stream position and every object's counts. */
static int commit_events(struct migration *m, struct object_run *runs, const struct stream_position *pos, int final,
			 struct crm_error *err)
{
	char value[64];
	size_t i;

	snprintf(value, sizeof(value), "%lld:%lld", (long long)pos->ts_ms, (long long)pos->at_ts);
	if (pos->ts_ms >= 0 && crm_state_watermark_put(m->session.state, NULL, value, m->run, err))
		return err->code;
	for (i = 0; i < m->p->count; i++) {
		struct object_run *orun = &runs[i];
		if (!orun->opened)
			continue;
		if (migrate_flush_removes(m, orun, err) || migrate_flush_queue(m, orun, err))
			return err->code;
		/* queued again from the next batch on, whatever this one's early sends turned off */
		orun->queues = m->session.store->ops->queue_insert != NULL;
		orun->inserts_alone = 0;
		if (final && migrate_publish_watermark(m, orun, err))
			return err->code;
		orun->cp.pass1_done = final;
		orun->cp.pass2_done = final;
		if (migrate_save_checkpoint(m, orun, err))
			return err->code;
	}
	/* rejects of events no object took (an unknown table) belong to this batch too */
	return migrate_flush_reports(m, err) || migrate_commit_batch(m, final, err) ? err->code : 0;
}

/* Whether ids holds key: an object's queued inserts' source ids. */
static int holds(struct crm_xref_cache *ids, struct crm_id_hash key)
{
	int64_t one;

	return ids && crm_xref_cache_get_hashed(ids, key.low, key.high, &one) == 1;
}

/*
 * Before the event of runs[at]'s object whose record is rec, what the
 * target must hold for it to be written as if every earlier event had gone
 * at once:
 * - the queued inserts it names: its own id's, in its object's queue (a u
 *   or d of a record just created: its entry must exist) or another's of
 *   its table, and a reference's by id (the id caches learn a queued id
 *   when it is sent), or by another column when no loaded parent has the
 *   value (a queued one may: the key maps learn it when it is sent);
 * - on its table, another object's waiting removal of its id (files from
 *   two numberings: that row must be gone first, as a queued one must be in).
 * A queue nothing names goes on waiting, so a stream that interleaves
 * objects whose records link to rows the target had is sent in sets.
 */
static int flush_needed(struct migration *m, struct object_run *runs, size_t at, const struct crm_stage_record *rec,
			struct crm_error *err)
{
	const struct crm_program *prog = runs[at].o->prog;
	struct crm_id_hash key = crm_stage_key(&rec->id_hash, rec->id, rec->id_len);
	size_t i, f;

	for (i = 0; i < m->p->count; i++) {
		struct object_run *r = &runs[i];
		int same_table, named;
		if (!r->opened)
			continue;
		same_table = strcmp(r->o->prog->table, prog->table) == 0;
		named = r->queue_count && rec->id_len && same_table && holds(r->queued_ids, key);
		for (f = 0; r->queue_count && !named && rec->values && f < prog->field_count; f++) {
			const struct crm_field_program *field = &prog->fields[f];
			const struct crm_value *v = &rec->values[f];
			if (!field->ref_object || !v->len || crm_project_object(m->p, field->ref_object) != r->o)
				continue;
			if (field->ref_key) {
				/* a value no loaded parent has may be a queued one's: sent, it is found or not */
				named = migrate_key_resolves(m, runs[at].o, f, v->ptr, v->len, err);
				if (named < 0)
					return named;
				named = !named;
			} else {
				named = holds(r->queued_ids, crm_stage_key(rec->ref_hashes ? &rec->ref_hashes[f] : NULL,
									   v->ptr, v->len));
			}
		}
		if ((named && migrate_flush_queue_early(m, r, err)) ||
		    (i != at && same_table && rec->id_len && migrate_flush_if_removed(m, r, key, err)))
			return err->code;
	}
	return 0;
}

/* One change event through the same path as an export's record. */
static int apply_event(struct migration *m, struct object_run *runs, size_t at, const struct crm_event *ev,
		       uint64_t index, struct crm_program_result *res, struct prepared *pr, struct crm_error *err)
{
	struct object_run *orun = &runs[at];
	struct crm_record raw;
	struct crm_stage_record rec;

	if (crm_stage_event(orun->o, &m->tz, ev, m->opt->events, &m->arena, &raw, &rec, err))
		return err->code;
	raw.index = rec.index = index;
	if (raw.fields && rec.id_len) {
		/* `unique` is left out: a stream changes one record several times, and each would clash with the last */
		if (crm_program_run(orun->o->prog, &raw, res, &m->arena, 0, err))
			return err->code;
		rec.values = res->values;
		rec.failures = res->failures;
		rec.failure_count = res->failure_count;
		rec.blanked = res->blanked;
		rec.blanked_count = res->blanked_count;
		rec.owners = res->owners;
		rec.owner_count = res->owner_count;
	}
	if ((raw.fields && rec.id_len && migrate_note_ref_keys(m, orun->o, rec.id, rec.id_len, &raw, err)) ||
	    flush_needed(m, runs, at, &rec, err))
		return err->code;
	return migrate_handle_record(m, orun, 1, &rec, pr, err);
}

/* Opens object i's writer the first time an event names it. */
static int open_event_object(struct migration *m, struct object_run *runs, struct crm_program_result *results,
			     struct prepared *prs, size_t i, struct crm_error *err)
{
	struct object_run *orun = &runs[i];
	size_t at = m->p->order[i];

	if (orun->opened)
		return 0;
	orun->o = &m->p->objects[at];
	orun->key = m->keys[at];
	orun->result = &m->res->objects[i];
	orun->events = 1;
	/*
	 * A d event's row waits for the batch's end, and so do new records'
	 * inserts, as an export's do (sent earlier when a later event needs
	 * them: flush_needed).
	 */
	orun->defer_removes = 1;
	orun->queues = m->session.store->ops->queue_insert != NULL;
	crm_arena_init(&orun->queue_arena, 1 << 16);
	if (migrate_open_writer(m, orun, 1, err) || crm_program_result_init(&results[i], orun->o->prog, err) ||
	    migrate_prepared_init(&prs[i], orun->o->prog, err))
		return err->code;
	orun->opened = 1;
	return 0;
}

/*
 * On a server, sync --events reads ahead as an export's batches do: a
 * second reader of the stream runs a window of events ahead of the one
 * applied, taking each event's object and source id; the entries of every
 * object the window names are read in a few statements, and the rows of
 * the one it names most (migrate_read_ahead). The scout's errors are the
 * stream's reader's to report when it gets there: at one, the scout stops.
 */
struct scouted {
	size_t object; /* a runs index */
	struct crm_state_id id;
};

struct scout {
	struct crm_events *events; /* NULL: nothing (more) to read ahead */
	struct crm_arena arena;	   /* the window's ids */
	struct scouted *window;
	size_t count, cap;
	size_t left; /* events of the window the reader has yet to reach */
};

/* The next window, from the event the reader has just read on. */
static int scout_window(struct migration *m, struct scout *sc, struct object_run *runs,
			struct crm_program_result *results, struct prepared *prs, struct crm_error *err)
{
	struct crm_project *p = m->p;
	struct crm_error scout_err = CRM_ERROR_INIT;
	size_t i, best = p->count, k = 0, *tally = NULL, *filled = NULL, *named = NULL;
	struct object_run **oruns = NULL;

	sc->count = 0;
	crm_arena_reset(&sc->arena);
	while (sc->events && sc->left < p->cfg.batch_size) {
		struct crm_event ev;
		size_t at;
		if (crm_events_next(sc->events, &ev, &scout_err) != 1) {
			crm_events_close(sc->events);
			sc->events = NULL;
			break;
		}
		sc->left++;
		if ((at = crm_stage_event_object(p, ev.table)) == p->count)
			continue;
		if (crm_grow(&sc->window, sc->count, &sc->cap, sizeof(*sc->window), 1024))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		sc->window[sc->count].object = at;
		if (crm_stage_event_id(&p->objects[p->order[at]], &ev, &sc->arena, &sc->window[sc->count].id.ptr,
				       &sc->window[sc->count].id.len, err))
			return err->code;
		sc->count++;
	}
	if (!sc->count)
		return 0;
	tally = crm_calloc(p->count, sizeof(*tally));
	filled = crm_calloc(p->count, sizeof(*filled));
	named = crm_calloc(p->count, sizeof(*named));
	oruns = crm_calloc(p->count, sizeof(*oruns));
	if (!tally || !filled || !named || !oruns) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < sc->count; i++)
		if (++tally[sc->window[i].object] > (best < p->count ? tally[best] : 0))
			best = sc->window[i].object;
	/* every object's queued updates, whose entries may be in the read-ahead this one replaces */
	for (i = 0; i < p->count; i++)
		if (runs[i].opened && migrate_flush_updates(m, &runs[i], err))
			goto out;
	/* each object the window names, the one it names most first (the rows read ahead are its) */
	for (i = 0; i < p->count; i++) {
		size_t o = i == 0 ? best : i == best ? 0 : i;
		if (!tally[o])
			continue;
		if (open_event_object(m, runs, results, prs, o, err) || migrate_ahead_reserve(&runs[o], tally[o], err))
			goto out;
		oruns[k] = &runs[o];
		named[k++] = tally[o];
	}
	for (i = 0; i < sc->count; i++) {
		size_t o = sc->window[i].object;
		runs[o].ahead[filled[o]++] = sc->window[i].id;
	}
	migrate_read_ahead(m, oruns, named, k, err);
out:
	crm_free(tally);
	crm_free(filled);
	crm_free(named);
	crm_free(oruns);
	return err->code;
}

/*
 * sync --events: the stream in order, each event once. The position
 * (ts_ms, and how many events at exactly that ts_ms) commits with each
 * batch, so a replay or a re-run after a kill skips what was applied.
 */
int migrate_run_events(struct migration *m, struct crm_error *err)
{
	struct crm_project *p = m->p;
	struct object_run *runs = crm_calloc(p->count ? p->count : 1, sizeof(*runs));
	struct crm_program_result *results = crm_calloc(p->count ? p->count : 1, sizeof(*results));
	struct prepared *prs = crm_calloc(p->count ? p->count : 1, sizeof(*prs));
	struct crm_events *in = NULL;
	struct scout sc;
	struct stat st;
	struct stream_position done = {-1, 0}, pos;
	struct crm_event ev;
	char text[64];
	unsigned in_batch = 0;
	int64_t last_ts = -1, seen_at_done = 0;
	uint64_t index = 0;
	size_t i;
	int rc, open = 0;

	memset(&sc, 0, sizeof(sc));
	crm_arena_init(&sc.arena, 1 << 16);
	if (!runs || !results || !prs) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	rc = crm_state_watermark_get(m->session.state, NULL, text, sizeof(text), err);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		long long ts, at;
		if (sscanf(text, "%lld:%lld", &ts, &at) != 2) {
			crm_error_set(err, CRM_EIO, "state database: the events watermark '%s' cannot be read", text);
			goto out;
		}
		done.ts_ms = ts;
		done.at_ts = at;
	}
	pos = done;
	/* a second reader of a pipe would take the events from the first: files only */
	if (m->session.store->ops->remote && stat(m->opt->events, &st) == 0 && S_ISREG(st.st_mode)) {
		struct crm_error scout_err = CRM_ERROR_INIT;
		sc.events = crm_events_open(m->opt->events, &scout_err);
	}
	in = crm_events_open(m->opt->events, err);
	if (!in || migrate_batch_begin(m, err))
		goto out;
	open = 1;
	while ((rc = crm_events_next(in, &ev, err)) == 1) {
		size_t at = crm_stage_event_object(p, ev.table);
		if (!sc.left && scout_window(m, &sc, runs, results, prs, err))
			goto out;
		sc.left -= sc.left > 0;
		if (ev.ts_ms < last_ts) {
			crm_error_set(err, CRM_EINPUT,
				      "%s:%lu: source.ts_ms %lld comes before the previous event's %lld: the stream "
				      "must be in the order the source made the changes",
				      m->opt->events, ev.line, (long long)ev.ts_ms, (long long)last_ts);
			goto out;
		}
		last_ts = ev.ts_ms;
		/* applied by an earlier sync: the same stream replayed, or one that was killed */
		if (ev.ts_ms < done.ts_ms || (ev.ts_ms == done.ts_ms && ++seen_at_done <= done.at_ts)) {
			m->res->events_skipped++;
			continue;
		}
		crm_arena_reset(&m->arena);
		index++;
		crm_fault_point("record");
		if (at == p->count) {
			char reason[200];
			snprintf(reason, sizeof(reason), "source.table '%.64s' is not an object of this project",
				 ev.table);
			if (migrate_report_reject(m, ev.table, "", 0, ev.line, "source.table", "events", reason, err))
				goto out;
		} else if (open_event_object(m, runs, results, prs, at, err) ||
			   apply_event(m, runs, at, &ev, index, &results[at], &prs[at], err)) {
			goto out;
		}
		m->res->events_applied++;
		if (ev.ts_ms == pos.ts_ms)
			pos.at_ts++;
		else {
			pos.ts_ms = ev.ts_ms;
			pos.at_ts = 1;
		}
		if (++in_batch >= p->cfg.batch_size) {
			in_batch = 0;
			if (commit_events(m, runs, &pos, 0, err))
				goto out;
		}
	}
	if (rc == 0 && !commit_events(m, runs, &pos, 1, err))
		open = 0;
out:
	if (open)
		migrate_batch_abort(m);
	crm_events_close(in);
	crm_events_close(sc.events);
	crm_arena_release(&sc.arena);
	crm_free(sc.window);
	for (i = 0; i < p->count; i++) {
		if (!runs || !runs[i].opened)
			continue;
		migrate_close_writer(m, &runs[i]);
		crm_program_result_release(&results[i]);
		migrate_prepared_release(&prs[i]);
	}
	crm_free(runs);
	crm_free(results);
	crm_free(prs);
	return err->code;
}
