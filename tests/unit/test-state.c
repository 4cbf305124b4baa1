/*
 * test-state.c: the state on every backend's connection. Its writes share
 * the store's transaction (a batch's xref, ledger and checkpoint go or
 * stay with the batch), it reads back what it wrote, and source ids sort
 * by bytes on every backend.
 */
#include "compat.h"
#include "harness.h"
#include "backends.h"
#include "state/state.h"
#include "state/xrefcache.h"
#include "util/alloc.h"
#include "util/arena.h"

#include <string.h>

struct opened {
	struct crm_store *store;
	struct crm_state *state;
	char url[256], state_path[128];
};

static int open_both(int b, struct opened *o)
{
	struct crm_error err = CRM_ERROR_INIT;

	memset(o, 0, sizeof(*o));
	if (backend_new_target(b, o->url))
		return 1;
	snprintf(o->state_path, sizeof(o->state_path), "%s/state-%d.db", harness_scratch(), b);
	unlink(o->state_path);
	o->store = crm_store_open(o->url, "/tmp", 1, &err);
	CHECK(o->store != NULL);
	if (o->store)
		CHECK_INT(crm_state_open(o->store, o->state_path, 1, &o->state, &err), 0);
	if (err.code)
		fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
	return o->state ? 0 : -1;
}

static void close_both(struct opened *o)
{
	crm_state_close(o->state);
	crm_store_close(o->store);
	unlink(o->state_path);
	if (strncmp(o->url, "sqlite:", 7) == 0)
		unlink(o->url + 7);
}

/* A batch rolled back takes its xref, ledger and checkpoint with it; a committed one keeps them. */
static void test_state__shares_the_store_transaction(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_checkpoint cp;
		struct crm_xref x = {7, 0x8000000000000001ull, 1, 1, 42}, got;
		struct opened o;
		int64_t run = 0, key = 0, first, last;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		CHECK_INT(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &run, &err), 0);
		CHECK_INT(run, 1);
		CHECK_INT(crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err), 1);
		memset(&cp, 0, sizeof(cp));
		cp.pass1_records = 100;
		cp.counts.inserted = 100;

		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		CHECK_INT(crm_state_xref_put(o.state, key, "003A", 4, &x, &err), 0);
		CHECK_INT(crm_state_ledger_add(o.state, run, key, 7, "003A", 4, CRM_LEDGER_INSERT, NULL, 9, 0, 0, &err),
			  0);
		CHECK_INT(crm_state_checkpoint_put(o.state, run, "Contact", &cp, &err), 0);
		CHECK_INT(o.store->ops->rollback(o.store, &err), 0);
		crm_state_discard(o.state);
		CHECK_INT(crm_state_xref_get(o.state, key, "003A", 4, &got, &err), 0);
		CHECK_INT(crm_state_checkpoint_get(o.state, run, "Contact", &cp, &err), 0);
		CHECK_INT(crm_state_ledger_range(o.state, run, &first, &last, &err), 0);
		CHECK(last < first);

		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		CHECK_INT(crm_state_xref_put(o.state, key, "003A", 4, &x, &err), 0);
		CHECK_INT(crm_state_checkpoint_put(o.state, run, "Contact", &cp, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "003A", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 7);
		CHECK(got.hash == 0x8000000000000001ull); /* all 64 bits, the top one too */
		CHECK_INT(got.row_hash, 42);
		memset(&cp, 0, sizeof(cp));
		CHECK_INT(crm_state_checkpoint_get(o.state, run, "Contact", &cp, &err), 1);
		CHECK_INT(cp.pass1_records, 100);
		CHECK_INT(cp.counts.inserted, 100);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

struct walked {
	char tables[4][16];
	int64_t ids[4];
	enum crm_ledger_action actions[4];
	uint64_t row_hashes[4], written_hashes[4];
	int count;
};

static int walk_one(void *ctx, const char *table, int64_t target_id, enum crm_ledger_action action, uint64_t row_hash,
		    uint64_t written_hash, struct crm_error *err)
{
	struct walked *w = ctx;

	(void)err;
	if (w->count < 4) {
		snprintf(w->tables[w->count], sizeof(w->tables[0]), "%s", table);
		w->ids[w->count] = target_id;
		w->actions[w->count] = action;
		w->written_hashes[w->count] = written_hash;
		w->row_hashes[w->count++] = row_hash;
	}
	return 0;
}

/* A ledger entry keeps the row's hash before the write; the walk reads the run's entries oldest first. */
static void test_state__ledger_keeps_the_row_before(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_ledger_entry entries[4];
		struct walked w;
		struct crm_arena arena;
		struct opened o;
		int64_t run = 0, other = 0, empty = 0, key = 0, first, last;
		size_t count = 0;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		memset(&w, 0, sizeof(w));
		crm_arena_init(&arena, 4096);
		CHECK_INT(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &other, &err), 0);
		CHECK_INT(crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err), 1);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		CHECK_INT(
			crm_state_ledger_add(o.state, other, key, 5, "003X", 4, CRM_LEDGER_INSERT, NULL, 1, 0, 0, &err),
			0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		CHECK_INT(crm_state_run_start(o.state, "sync", "{}", "2026-01-02T00:00:00Z", &run, &err), 0);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		CHECK_INT(crm_state_ledger_add(o.state, run, key, 7, "003A", 4, CRM_LEDGER_INSERT, NULL, 9, 0,
					       0x8000000000000007ull, &err),
			  0);
		CHECK_INT(crm_state_ledger_add(o.state, run, key, 5, "003X", 4, CRM_LEDGER_UPDATE, "{}", 3,
					       0x8000000000000005ull, 0, &err),
			  0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		/* each run's range is its own entries, found from where the ledger stood when it started */
		CHECK_INT(crm_state_ledger_range(o.state, other, &first, &last, &err), 0);
		CHECK_INT(last - first, 0);
		CHECK_INT(crm_state_run_start(o.state, "rollback", "{}", "2026-01-03T00:00:00Z", &empty, &err), 0);
		CHECK_INT(crm_state_ledger_range(o.state, empty, &first, &last, &err), 0);
		CHECK(last < first);
		CHECK_INT(crm_state_ledger_range(o.state, run, &first, &last, &err), 0);
		CHECK_INT(last - first, 1);
		CHECK_INT(crm_state_ledger_walk(o.state, run, first, last, walk_one, &w, &err), 0);
		CHECK_INT(w.count, 2);
		CHECK_STR(w.tables[0], "contact");
		CHECK_INT(w.ids[0], 7);
		CHECK_INT(w.actions[0], CRM_LEDGER_INSERT);
		CHECK(w.row_hashes[0] == 0);
		CHECK(w.written_hashes[0] == 0x8000000000000007ull); /* the hash the insert left */
		CHECK_INT(w.ids[1], 5);
		CHECK_INT(w.actions[1], CRM_LEDGER_UPDATE);
		CHECK(w.row_hashes[1] == 0x8000000000000005ull);
		CHECK(w.written_hashes[1] == 0);
		CHECK_INT(crm_state_ledger_read(o.state, run, first, last + 1, 4, entries, &count, &arena, &err), 0);
		CHECK_INT(count, 2);
		CHECK(entries[0].row_hash == 0x8000000000000005ull); /* newest first */
		CHECK(entries[1].row_hash == 0);
		crm_arena_release(&arena);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

struct in_order {
	int64_t count, last_id, out_of_order;
};

static int count_in_order(void *ctx, const char *table, int64_t target_id, enum crm_ledger_action action,
			  uint64_t row_hash, uint64_t written_hash, struct crm_error *err)
{
	struct in_order *w = ctx;

	(void)table, (void)action, (void)row_hash, (void)written_hash, (void)err;
	w->out_of_order += target_id != w->last_id + 1;
	w->last_id = target_id;
	w->count++;
	return 0;
}

/*
 * Ledger entries are written a few to a statement: in the order they were
 * added (over several statements and a part-filled one), in time for any
 * read of the ledger within the transaction, and gone with it when it is
 * rolled back; crm_state_flush writes them before a commit.
 */
static void test_state__ledger_entries_wait_and_keep_their_order(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct in_order w = {0, 0, 0};
		struct opened o;
		int64_t run = 0, key = 0, first, last, id;
		char sid[24];

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		CHECK_INT(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &run, &err), 0);
		CHECK_INT(crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err), 1);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		for (id = 1; id <= 70 && !err.code; id++) {
			snprintf(sid, sizeof(sid), "003%03lld", (long long)id);
			crm_state_ledger_add(o.state, run, key, id, sid, strlen(sid),
					     id % 2 ? CRM_LEDGER_INSERT : CRM_LEDGER_UPDATE,
					     id % 2 ? NULL : "{\"a\":1}", (uint64_t)id, 0, 0, &err);
		}
		CHECK_STR(err.msg, "");
		/* read within the transaction: every entry is there, the last ones too */
		CHECK_INT(crm_state_ledger_range(o.state, run, &first, &last, &err), 0);
		CHECK_INT(last - first + 1, 70);
		CHECK_INT(crm_state_ledger_walk(o.state, run, first, last, count_in_order, &w, &err), 0);
		CHECK_INT(w.count, 70);
		CHECK_INT(w.out_of_order, 0);
		/* five more, flushed, committed */
		for (id = 71; id <= 75 && !err.code; id++)
			crm_state_ledger_add(o.state, run, key, id, "003Z", 4, CRM_LEDGER_INSERT, NULL, 1, 0, 0, &err);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		/* three in a transaction rolled back: gone, and never written after it */
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		for (id = 76; id <= 78 && !err.code; id++)
			crm_state_ledger_add(o.state, run, key, id, "003Y", 4, CRM_LEDGER_INSERT, NULL, 1, 0, 0, &err);
		CHECK_INT(o.store->ops->rollback(o.store, &err), 0);
		crm_state_discard(o.state);
		CHECK_INT(crm_state_ledger_range(o.state, run, &first, &last, &err), 0);
		CHECK_INT(last - first + 1, 75);
		memset(&w, 0, sizeof(w));
		CHECK_INT(crm_state_ledger_walk(o.state, run, first, last, count_in_order, &w, &err), 0);
		CHECK_INT(w.count, 75);
		CHECK_INT(w.out_of_order, 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

/*
 * A new state of backend b, run 1 (a migrate) begun, the keys of Account
 * and Contact made, a transaction open: 0, or 1 when the backend is
 * skipped (o closed).
 */
static int begin_run_of_two(int b, struct opened *o, int64_t *run, int64_t *account, int64_t *contact,
			    struct crm_error *err)
{
	if (open_both(b, o)) {
		close_both(o);
		return 1;
	}
	CHECK_INT(crm_state_run_start(o->state, "migrate", "{}", "2026-01-01T00:00:00Z", run, err), 0);
	CHECK_INT(crm_state_object_key(o->state, "Account", "account", 1, account, err), 1);
	CHECK_INT(crm_state_object_key(o->state, "Contact", "contact", 1, contact, err), 1);
	CHECK_INT(o->store->ops->begin(o->store, err), 0);
	return 0;
}

/*
 * The xref made from a run's ledger takes the object's inserts (not its
 * updates, not another object's), from the seq it is given on; missing_only
 * adds those the xref lacks beside one already there. The id cache of a
 * run's inserts holds the same, from anywhere in the run.
 */
static void test_state__xref_from_the_ledger(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_xref got;
		struct crm_xref_cache *ids;
		struct opened o;
		int64_t run = 0, account = 0, contact = 0, first, last, from, count, id;
		char sid[24];

		if (begin_run_of_two(b, &o, &run, &account, &contact, &err))
			continue;
		/* a contact before the bound (an earlier try's, say), then the accounts, then the contacts */
		crm_state_ledger_add(o.state, run, contact, 100, "003EARLY", 8, CRM_LEDGER_INSERT, NULL, 5, 0, 0, &err);
		for (id = 1; id <= 3 && !err.code; id++) {
			snprintf(sid, sizeof(sid), "001%03lld", (long long)id);
			crm_state_ledger_add(o.state, run, account, id, sid, strlen(sid), CRM_LEDGER_INSERT, NULL, 1, 0,
					     0, &err);
		}
		CHECK_INT(crm_state_ledger_range(o.state, run, &first, &last, &err), 0);
		from = last + 1;
		for (id = 1; id <= 40 && !err.code; id++) {
			/* in no order of source id, as exports come */
			snprintf(sid, sizeof(sid), "003%03lld", (long long)((id * 17) % 41));
			crm_state_ledger_add(o.state, run, contact, id, sid, strlen(sid), CRM_LEDGER_INSERT, NULL,
					     (uint64_t)id, 0, 0, &err);
		}
		crm_state_ledger_add(o.state, run, contact, 7, "003017", 6, CRM_LEDGER_UPDATE, "{}", 99, 0, 0, &err);
		CHECK_STR(err.msg, "");
		/* the ids of the run's inserts, from anywhere in it (a resumed first load's cache): the inserts' targets */
		ids = crm_state_inserted_cache_load(o.state, run, contact, 41, &err);
		CHECK(ids != NULL);
		for (id = 1; ids && id <= 40; id++) {
			int64_t target = 0;
			snprintf(sid, sizeof(sid), "003%03lld", (long long)((id * 17) % 41));
			CHECK_INT(crm_xref_cache_get(ids, sid, strlen(sid), &target), 1);
			CHECK_INT(target, id);
		}
		CHECK(ids && crm_xref_cache_get(ids, "003EARLY", 8, &id) == 1 && id == 100);
		CHECK(ids && crm_xref_cache_get(ids, "001001", 6, &id) == 0);
		crm_xref_cache_free(ids);
		CHECK_INT(crm_state_xref_from_ledger(o.state, run, contact, from, 0, &err), 0);
		CHECK_INT(crm_state_xref_count(o.state, contact, &count, &err), 0);
		CHECK_INT(count, 40);
		CHECK_INT(crm_state_xref_count(o.state, account, &count, &err), 0);
		CHECK_INT(count, 0);
		/* the insert's hash, not the update's */
		CHECK_INT(crm_state_xref_get(o.state, contact, "003017", 6, &got, &err), 1);
		CHECK_INT(got.target_id, 1);
		CHECK_INT((int64_t)got.hash, 1);
		CHECK_INT(crm_state_xref_get(o.state, contact, "003EARLY", 8, &got, &err), 0);
		/* from anywhere in the run, only what is missing: the early one */
		CHECK_INT(crm_state_xref_from_ledger(o.state, run, contact, 0, 1, &err), 0);
		CHECK_INT(crm_state_xref_count(o.state, contact, &count, &err), 0);
		CHECK_INT(count, 41);
		CHECK_INT(crm_state_xref_get(o.state, contact, "003EARLY", 8, &got, &err), 1);
		CHECK_INT(got.target_id, 100);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

/*
 * Undoing many entries at once does what undoing each does: an update's
 * entry gets the row's hash before the run and no record hash (the next
 * run writes it again), an insert's entry goes, a deleted record's comes
 * back (two deletes: a statement of their own); another object's entries
 * are left as they were.
 */
static void test_state__xref_undone_many_as_one_by_one(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_ledger_entry e[8];
		struct crm_xref x = {1, 5, 1, 1, 6}, got;
		struct opened o;
		int64_t run = 0, account = 0, contact = 0;
		static const char *const sids[] = {"C0", "C1", "C2", "A0", "C3", "C4", "C5", "C6"};
		int i;

		if (begin_run_of_two(b, &o, &run, &account, &contact, &err))
			continue;
		memset(e, 0, sizeof(e));
		for (i = 0; i < 8; i++) {
			e[i].key = i == 3 ? account : contact;
			e[i].source_id = sids[i];
			e[i].target_id = 10 + i;
			e[i].action = i == 5 ? CRM_LEDGER_INSERT : i >= 6 ? CRM_LEDGER_DELETE : CRM_LEDGER_UPDATE;
			e[i].row_hash = 100 + (uint64_t)i;
			x.target_id = 10 + i;
			if (i < 6)
				CHECK_INT(crm_state_xref_put(o.state, e[i].key, sids[i], 2, &x, &err), 0);
		}
		CHECK_INT(crm_state_xref_undo_many(o.state, e, 8, &err), 0);
		for (i = 0; i < 8; i++) {
			int found = crm_state_xref_get(o.state, e[i].key, sids[i], 2, &got, &err);
			CHECK_INT(found, i != 5);
			if (found != 1)
				continue;
			CHECK_INT(got.target_id, 10 + i);
			CHECK_INT((int64_t)got.hash, 0);
			CHECK_INT((int64_t)got.row_hash, 100 + i);
		}
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		CHECK_STR(err.msg, "");
		close_both(&o);
	}
}

/*
 * The state remembers a run's inserts while they are all the run wrote
 * (each object's ids consecutive, each with its written hash), and says
 * when that stops being so.
 */
static void test_state__run_inserts_known_while_only_inserts(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct opened o;
		int64_t run = 0, account = 0, contact = 0, first, id;
		const uint64_t *hashes;
		size_t count;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		CHECK_INT(crm_state_object_key(o.state, "Account", "account", 1, &account, &err), 1);
		CHECK_INT(crm_state_object_key(o.state, "Contact", "contact", 1, &contact, &err), 1);
		/* a run not begun here (resumed): not known */
		CHECK_INT(crm_state_run_inserts(o.state, 7, account, &first, &hashes, &count), 0);
		CHECK_INT(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &run, &err), 0);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		for (id = 10; id < 50 && !err.code; id++)
			crm_state_ledger_add(o.state, run, account, id, "001", 3, CRM_LEDGER_INSERT, NULL, 1, 0,
					     (uint64_t)(1000 + id), &err);
		for (id = 5; id < 8 && !err.code; id++)
			crm_state_ledger_add(o.state, run, contact, id, "003", 3, CRM_LEDGER_INSERT, NULL, 1, 0,
					     (uint64_t)(2000 + id), &err);
		CHECK_INT(crm_state_run_inserts(o.state, run, account, &first, &hashes, &count), 1);
		CHECK_INT(first, 10);
		CHECK_INT((int64_t)count, 40);
		CHECK_INT(count == 40 ? (int64_t)hashes[39] : 0, 1049);
		CHECK_INT(crm_state_run_inserts(o.state, run, contact, &first, &hashes, &count), 1);
		CHECK_INT(first, 5);
		CHECK_INT((int64_t)count, 3);
		CHECK_INT(crm_state_run_inserts(o.state, run, 999, &first, &hashes, &count), 1);
		CHECK_INT((int64_t)count, 0);
		/* an id out of its object's sequence: not known any more */
		crm_state_ledger_add(o.state, run, contact, 9, "003", 3, CRM_LEDGER_INSERT, NULL, 1, 0, 9, &err);
		CHECK_INT(crm_state_run_inserts(o.state, run, account, &first, &hashes, &count), 0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		/* a new run begins known; an update, or a rolled back transaction, ends it */
		CHECK_INT(crm_state_run_start(o.state, "sync", "{}", "2026-01-02T00:00:00Z", &run, &err), 0);
		CHECK_INT(crm_state_run_inserts(o.state, run, account, &first, &hashes, &count), 1);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		crm_state_ledger_add(o.state, run, account, 50, "001", 3, CRM_LEDGER_INSERT, NULL, 1, 0, 5, &err);
		CHECK_INT(crm_state_run_inserts(o.state, run, account, &first, &hashes, &count), 1);
		crm_state_ledger_add(o.state, run, account, 11, "001", 3, CRM_LEDGER_UPDATE, "{}", 1, 2, 0, &err);
		CHECK_INT(crm_state_run_inserts(o.state, run, account, &first, &hashes, &count), 0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		CHECK_INT(crm_state_run_start(o.state, "sync", "{}", "2026-01-03T00:00:00Z", &run, &err), 0);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		crm_state_ledger_add(o.state, run, account, 51, "001", 3, CRM_LEDGER_INSERT, NULL, 1, 0, 5, &err);
		CHECK_INT(o.store->ops->rollback(o.store, &err), 0);
		crm_state_discard(o.state);
		CHECK_INT(crm_state_run_inserts(o.state, run, account, &first, &hashes, &count), 0);
		CHECK_STR(err.msg, "");
		close_both(&o);
	}
}

/* Runs, meta, watermarks and the freeze read back as written. */
static void test_state__runs_and_marks(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_run_info info = {0};
		struct crm_buf summary, options;
		struct opened o;
		char value[64], long_options[6000];
		int64_t run1 = 0, run2 = 0, run3 = 0, count = 0;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		crm_buf_init(&summary, 1 << 16);
		crm_buf_init(&options, 1 << 16);
		CHECK_INT(crm_state_run_last(o.state, &info, &err), 0);
		CHECK_INT(crm_state_run_final(o.state, &info, &err), 0);
		crm_state_run_start(o.state, "migrate", "{\"sample_pct\":100}", "2026-01-01T00:00:00Z", &run1, &err);
		crm_state_run_start(o.state, "sync", "{\"sync\":{\"final\":true}}", "2026-01-02T00:00:00Z", &run2,
				    &err);
		CHECK_INT(crm_state_run_finish(o.state, run2, CRM_RUN_DONE, "2026-01-02T01:00:00Z", "{\"n\":1}", &err),
			  0);
		CHECK_INT(crm_state_run_final(o.state, &info, &err), 1);
		CHECK_INT(info.id, run2);
		CHECK_STR(info.finished_at, "2026-01-02T01:00:00Z");
		CHECK_INT(crm_state_run_summary(o.state, run2, &summary, &err), 1);
		CHECK_MEM(summary.ptr, summary.len, "{\"n\":1}");
		CHECK_INT(crm_state_run_summary(o.state, run1, &summary, &err), 0);
		CHECK_INT(crm_state_run_count(o.state, &count, &err), 0);
		CHECK_INT(count, 2);
		CHECK_INT(crm_state_run_set_status(o.state, run2, CRM_RUN_ROLLED_BACK, &err), 0);
		CHECK_INT(crm_state_run_final(o.state, &info, &err), 0);
		CHECK_INT(crm_state_run_newest_live(o.state, &info, &err), 1);
		CHECK_INT(info.id, run1);
		CHECK_INT(info.status, CRM_RUN_RUNNING);
		CHECK_INT(crm_state_run_get(o.state, run2, &info, &err), 1);
		CHECK_INT(info.status, CRM_RUN_ROLLED_BACK);
		CHECK_STR(crm_run_status_name(info.status), "rolled back");
		{
			struct crm_drill_record drill = {0,
							 "2026-01-04T00:00:00Z",
							 "2026-01-04T00:01:00Z",
							 14400,
							 0.5,
							 30,
							 2,
							 12.5,
							 1800,
							 0,
							 1,
							 1,
							 0},
						got;
			int64_t id = 0;
			CHECK_INT(crm_state_drill_last(o.state, &got, &err), 0);
			CHECK_INT(crm_state_drill_add(o.state, &drill, &id, &err), 0);
			drill.passed = 0;
			drill.live_runs = 2; /* a rehearsal of rolling back two runs loaded already */
			CHECK_INT(crm_state_drill_add(o.state, &drill, &id, &err), 0);
			CHECK_INT(crm_state_drill_last(o.state, &got, &err), 1);
			CHECK_INT(got.id, id);
			CHECK_STR(got.finished_at, "2026-01-04T00:01:00Z");
			CHECK(got.rollback_seconds == 12.5 && got.window_seconds == 14400);
			CHECK_INT(got.rows_written, 1800);
			CHECK_INT(got.go, 0);
			CHECK_INT(got.identical, 1);
			CHECK_INT(got.passed, 0);
			CHECK_INT(got.live_runs, 2);
		}
		/* options of any length come back whole (a copy into crm_run_info was cut at 511 bytes) */
		memset(long_options, 'a', sizeof(long_options) - 1);
		long_options[sizeof(long_options) - 1] = '\0';
		memcpy(long_options, "{\"objects\":\"", 12);
		memcpy(long_options + sizeof(long_options) - 3, "\"}", 2);
		CHECK_INT(crm_state_run_start(o.state, "migrate", long_options, "2026-01-03T00:00:00Z", &run3, &err),
			  0);
		CHECK_INT(crm_state_run_options(o.state, run3, &options, &err), 1);
		CHECK_STR(options.ptr, long_options);
		CHECK_INT(crm_state_run_options(o.state, run1, &options, &err), 1);
		CHECK_STR(options.ptr, "{\"sample_pct\":100}");
		crm_buf_reset(&options);
		CHECK_INT(crm_state_run_options(o.state, run3 + 1, &options, &err), 0);
		CHECK_INT(options.len, 0);
		CHECK_INT(crm_state_meta_get(o.state, "k", value, sizeof(value), &err), 0);
		CHECK_INT(crm_state_meta_put(o.state, "k", "one", &err), 0);
		CHECK_INT(crm_state_meta_put(o.state, "k", "two", &err), 0);
		CHECK_INT(crm_state_meta_get(o.state, "k", value, sizeof(value), &err), 1);
		CHECK_STR(value, "two");
		CHECK_INT(crm_state_watermark_get(o.state, "Contact", value, sizeof(value), &err), 0);
		CHECK_INT(crm_state_watermark_put(o.state, "Contact", "2024-01-01T00:00:00Z", run1, &err), 0);
		CHECK_INT(crm_state_watermark_put(o.state, "Contact", "2024-02-01T00:00:00Z", run1, &err), 0);
		CHECK_INT(crm_state_watermark_get(o.state, "Contact", value, sizeof(value), &err), 1);
		CHECK_STR(value, "2024-02-01T00:00:00Z");
		/* kept per run: a rolled back run's is forgotten, and the run's before it stands again */
		CHECK_INT(crm_state_watermark_put(o.state, "Contact", "2024-03-01T00:00:00Z", run3, &err), 0);
		CHECK_INT(crm_state_watermark_put(o.state, NULL, "1700000000000:2", run3, &err), 0);
		CHECK_INT(crm_state_watermark_get(o.state, "Contact", value, sizeof(value), &err), 1);
		CHECK_STR(value, "2024-03-01T00:00:00Z");
		CHECK_INT(crm_state_watermarks_undo(o.state, run3, &err), 0);
		CHECK_INT(crm_state_watermark_get(o.state, "Contact", value, sizeof(value), &err), 1);
		CHECK_STR(value, "2024-02-01T00:00:00Z");
		CHECK_INT(crm_state_watermark_get(o.state, NULL, value, sizeof(value), &err), 0);
		CHECK_INT(crm_state_watermarks_undo(o.state, run1, &err), 0);
		CHECK_INT(crm_state_watermark_get(o.state, "Contact", value, sizeof(value), &err), 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		crm_buf_release(&summary);
		crm_buf_release(&options);
		close_both(&o);
	}
}

/*
 * A state written before watermarks were kept per run: its one row per name
 * moves over when the state is opened, except a rolled back run's (what it
 * replaced is lost, and none makes the next sync apply everything again).
 */
static void test_state__watermarks_of_an_older_state_move_over(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct opened o;
		char value[64];
		int64_t run1 = 0, run2 = 0;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		CHECK_INT(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &run1, &err), 0);
		CHECK_INT(crm_state_run_start(o.state, "sync", "{}", "2026-01-02T00:00:00Z", &run2, &err), 0);
		CHECK_INT(crm_state_run_set_status(o.state, run2, CRM_RUN_ROLLED_BACK, &err), 0);
		CHECK_INT(o.store->ops->exec(o.store,
					     "CREATE TABLE crmshift.watermarks (name TEXT PRIMARY KEY, value TEXT NOT "
					     "NULL, run_id BIGINT NOT NULL); INSERT INTO crmshift.watermarks VALUES "
					     "('object:Contact', '2024-02-01T00:00:00Z', 1), ('events', '17:1', 2)",
					     &err),
			  0);
		crm_state_close(o.state);
		o.state = NULL;
		crm_store_close(o.store);
		o.store = crm_store_open(o.url, "/tmp", 0, &err);
		REQUIRE(o.store != NULL);
		CHECK_INT(crm_state_open(o.store, o.state_path, 0, &o.state, &err), 0);
		REQUIRE(o.state != NULL);
		CHECK_INT(crm_state_watermark_get(o.state, "Contact", value, sizeof(value), &err), 1);
		CHECK_STR(value, "2024-02-01T00:00:00Z");
		CHECK_INT(crm_state_watermark_get(o.state, NULL, value, sizeof(value), &err), 0);
		CHECK_INT(o.store->ops->column_exists(o.store, "crmshift", "watermarks", "name", &err), 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
	cleanup:
		close_both(&o);
	}
}

/* Records a full export no longer holds come out in byte order on every backend. */
static void test_state__unseen_in_byte_order(void)
{
	static const char *const ids[] = {"a", "\xc3\x89", "B", "b", "A"};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct opened o;
		char **unseen = NULL;
		size_t n = 0, i;
		int64_t key = 0;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err);
		for (i = 0; i < 5; i++) {
			struct crm_xref x = {(int64_t)i + 1, 1, 1, 1, 0};
			crm_state_xref_put(o.state, key, ids[i], strlen(ids[i]), &x, &err);
		}
		CHECK_INT(crm_state_xref_seen(o.state, key, "b", 1, 0, 2, &err), 0);
		CHECK_INT(crm_state_xref_unseen(o.state, key, 2, &unseen, &n, &err), 0);
		CHECK_INT(n, 4);
		if (n == 4) {
			CHECK_STR(unseen[0], "A");
			CHECK_STR(unseen[1], "B");
			CHECK_STR(unseen[2], "a");
			CHECK_STR(unseen[3], "\xc3\x89");
		}
		for (i = 0; i < n; i++)
			crm_free(unseen[i]);
		crm_free(unseen);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

static int ref_key_text(void *ctx, const char *id, size_t id_len, const char *value, size_t value_len,
			struct crm_error *err)
{
	char *out = ctx;
	size_t at = strlen(out);

	(void)err;
	snprintf(out + at, 256 - at, "%.*s=%.*s;", (int)id_len, id, (int)value_len, value);
	return 0;
}

/*
 * A ref(Object.field) value reads back as the newest run wrote it (a
 * record given twice in one run: the later), per column; a rollback's
 * undo forgets the run's and the older show again.
 */
static void test_state__ref_keys_newest_until_undone(void)
{
	static const struct crm_state_refkey run1[] = {
		{"A2", "ORA-200", 2, 7}, {"A1", "ORA-100", 2, 7}, {"A3", "ORA-300", 2, 7}};
	static const struct crm_state_refkey run2[] = {
		{"A2", "ORA-201", 2, 7}, {"A3", "", 2, 0}, {"A2", "ORA-202", 2, 7}};
	static const struct crm_state_refkey names[] = {{"A1", "Acme", 2, 4}};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct opened o;
		char text[256] = "";
		int64_t key = 0;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		crm_state_object_key(o.state, "Account", "account", 1, &key, &err);
		CHECK_INT(crm_state_refkeys_put(o.state, 1, key, "Oracle_Id__c", run1, 3, &err), 0);
		CHECK_INT(crm_state_refkeys_put(o.state, 1, key, "Name", names, 1, &err), 0);
		CHECK_INT(crm_state_refkeys_put(o.state, 2, key, "Oracle_Id__c", run2, 2, &err), 0);
		CHECK_INT(crm_state_refkeys_put(o.state, 2, key, "Oracle_Id__c", run2 + 2, 1, &err), 0);
		CHECK_INT(crm_state_refkeys_each(o.state, key, "Oracle_Id__c", ref_key_text, text, &err), 0);
		CHECK_STR(text, "A1=ORA-100;A2=ORA-202;A3=;");
		CHECK_INT(crm_state_refkeys_undo(o.state, 2, &err), 0);
		text[0] = '\0';
		CHECK_INT(crm_state_refkeys_each(o.state, key, "Oracle_Id__c", ref_key_text, text, &err), 0);
		CHECK_STR(text, "A1=ORA-100;A2=ORA-200;A3=ORA-300;");
		text[0] = '\0';
		CHECK_INT(crm_state_refkeys_each(o.state, key, "Name", ref_key_text, text, &err), 0);
		CHECK_STR(text, "A1=Acme;");
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

/* The entry of id as xref_get gives it, as "target/hash/write_run", or "-" when there is none. */
static const char *entry_text(struct crm_state *state, int64_t key, const char *id, char out[64])
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_xref x;
	int rc = crm_state_xref_get(state, key, id, strlen(id), &x, &err);

	if (rc < 0)
		snprintf(out, 64, "error: %.48s", err.msg);
	else if (!rc)
		snprintf(out, 64, "-");
	else
		snprintf(out, 64, "%lld/%llu/%lld", (long long)x.target_id, (unsigned long long)x.hash,
			 (long long)x.write_run);
	return out;
}

/*
 * An object held whole answers lookups and read-aheads as the database
 * does, through the writes of its entries (put, forget, inserted); a
 * rolled back transaction drops it, and so does an entry past its room.
 */
static void test_state__xref_held_whole_answers_as_the_database(void)
{
	static const char *const ids[] = {"a", "b", "c", "d", "e", "f", "g", "h", "zz"};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_inserted rows[2] = {{"g", 1, 17, 70, 0, 0}, {"h", 1, 18, 80, 0, 0}};
		struct crm_state_id ahead[3] = {{"a", 1}, {"c", 1}, {"zz", 2}};
		struct crm_state_ids set = {0, ahead, 3};
		char held[9][64], db[64], got[64];
		struct opened o;
		int64_t key = 0, count = 0;
		size_t i;

		if (open_both(b, &o)) {
			close_both(&o);
			continue;
		}
		crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err);
		for (i = 0; i < 5; i++) {
			struct crm_xref x = {(int64_t)i + 11, (uint64_t)i * 10, 1, 1, 0};
			crm_state_xref_put(o.state, key, ids[i], 1, &x, &err);
		}
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(crm_state_xref_preload(o.state, key, count, 8, &err), 1);
		CHECK_STR(entry_text(o.state, key, "c", got), "13/20/1");
		CHECK_STR(entry_text(o.state, key, "zz", got), "-");
		set.key = key;
		CHECK_INT(crm_state_xref_prefetch(o.state, &set, 1, &err), 0);
		CHECK_STR(entry_text(o.state, key, "a", got), "11/0/1");
		{
			struct crm_xref f = {16, 60, 2, 2, 0};
			CHECK_INT(crm_state_xref_put(o.state, key, "f", 1, &f, &err), 0);
		}
		CHECK_INT(crm_state_xref_forget(o.state, key, "b", 1, &err), 0);
		CHECK_INT(crm_state_inserted(o.state, 2, key, rows, 2, 0, &err), 0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		for (i = 0; i < 9; i++)
			entry_text(o.state, key, ids[i], held[i]);
		CHECK_STR(held[1], "-");
		CHECK_STR(held[5], "16/60/2");
		CHECK_STR(held[6], "17/70/2");
		/* what the database says, read again without it */
		crm_state_xref_preload_drop(o.state);
		for (i = 0; i < 9; i++)
			CHECK_STR(held[i], entry_text(o.state, key, ids[i], db));

		/* without room for its entries it is not held, or no longer: lookups still answer as the database */
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(count, 7);
		CHECK_INT(crm_state_xref_preload(o.state, key, count, 4, &err), 0);
		CHECK_INT(crm_state_xref_preload(o.state, key, count, 8, &err), 1);
		{
			struct crm_inserted more[2] = {{"i", 1, 19, 90, 0, 0}, {"j", 1, 20, 100, 0, 0}};
			CHECK_INT(crm_state_inserted(o.state, 2, key, more, 2, 0, &err), 0);
		}
		CHECK_STR(entry_text(o.state, key, "j", got), "20/100/2");
		CHECK_STR(entry_text(o.state, key, "b", got), "-");

		/* a rolled back transaction takes its writes from it too */
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(crm_state_xref_preload(o.state, key, count, 64, &err), 1);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		{
			struct crm_xref q = {21, 110, 3, 3, 0};
			CHECK_INT(crm_state_xref_put(o.state, key, "q", 1, &q, &err), 0);
		}
		CHECK_STR(entry_text(o.state, key, "q", got), "21/110/3");
		o.store->ops->rollback(o.store, &err);
		crm_state_discard(o.state);
		CHECK_STR(entry_text(o.state, key, "q", got), "-");
		CHECK_STR(entry_text(o.state, key, "a", got), "11/0/1");
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_both(&o);
	}
}

/*
 * A set-based load's bookkeeping reads back as one xref_put and
 * ledger_add per row would write it, across its statements of many rows;
 * a rollback's set-based forget removes what it lists and nothing else.
 */
enum { INSERTED_ROWS = 1203 }; /* two full statements and part of a third */

static void inserted_as_row_by_row_on(int b)
{
	enum { ROWS = INSERTED_ROWS };
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_inserted *rows = calloc(ROWS, sizeof(*rows));
	char(*ids)[16] = calloc(ROWS, sizeof(*ids));
	struct crm_state_id *forget = calloc(ROWS, sizeof(*forget));
	struct crm_ledger_entry entries[4];
	struct crm_arena arena = {0};
	struct crm_xref got;
	struct opened o;
	int64_t run = 0, key = 0, first = 0, last = 0, count = 0;
	size_t i, n = 0;
	int opened = open_both(b, &o);

	if (opened > 0)
		goto cleanup; /* this backend has no server here */
	REQUIRE(opened == 0 && rows && ids && forget);
	crm_arena_init(&arena, 1 << 12);
	REQUIRE(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &run, &err) == 0);
	REQUIRE(crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err) == 1);
	for (i = 0; i < ROWS; i++) {
		snprintf(ids[i], sizeof(ids[i]), i == 7 ? "it's \\%zu" : "003%zu", i);
		rows[i].source_id = ids[i];
		rows[i].source_id_len = strlen(ids[i]);
		rows[i].target_id = (int64_t)i + 100;
		rows[i].hash = 0x8000000000000000ull + i;
		rows[i].written_hash = 0x4000000000000000ull + i;
		rows[i].row_hash = i % 2 ? 0x2000000000000000ull + i : 0; /* a sync keeps it, a migration does not */
	}
	CHECK_INT(crm_state_xref_any(o.state, key, &err), 0);
	CHECK_INT(crm_state_inserted(o.state, run, key, rows, ROWS, 0, &err), 0);
	CHECK_INT(crm_state_inserted(o.state, run, key, rows, 0, 0, &err), 0);
	{
		/* the rows' written hashes are kept for the after-snapshot, which then reads nothing back */
		const uint64_t *told = NULL;
		size_t told_count = 0;
		CHECK_INT(crm_state_run_inserts(o.state, run, key, &first, &told, &told_count), 1);
		CHECK_INT(first, 100);
		CHECK_INT(told_count, ROWS);
		CHECK(told && told[7] == 0x4000000000000007ull && told[ROWS - 1] == 0x4000000000000000ull + ROWS - 1);
	}
	CHECK_INT(crm_state_xref_any(o.state, key, &err), 1);
	CHECK_INT(crm_state_xref_any(o.state, key + 1, &err), 0);
	CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
	CHECK_INT(count, ROWS);
	/* a count with a limit stops there, and is exact below it */
	CHECK_INT(crm_state_xref_count_upto(o.state, key, 5, &count, &err), 0);
	CHECK_INT(count, 5);
	CHECK_INT(crm_state_xref_count_upto(o.state, key, ROWS + 1, &count, &err), 0);
	CHECK_INT(count, ROWS);
	CHECK_INT(crm_state_xref_count_upto(o.state, key + 1, 5, &count, &err), 0);
	CHECK_INT(count, 0);
	CHECK_INT(crm_state_xref_get(o.state, key, ids[7], strlen(ids[7]), &got, &err), 1);
	CHECK_INT(got.target_id, 107);
	CHECK(got.hash == 0x8000000000000007ull);
	CHECK_INT(got.seen_run, run);
	CHECK_INT(got.write_run, run);
	CHECK(got.row_hash == 0x2000000000000007ull);
	CHECK_INT(crm_state_xref_get(o.state, key, ids[6], strlen(ids[6]), &got, &err), 1);
	CHECK_INT(got.row_hash, 0);
	CHECK_INT(crm_state_xref_get(o.state, key, ids[ROWS - 1], strlen(ids[ROWS - 1]), &got, &err), 1);
	CHECK_INT(got.target_id, ROWS - 1 + 100);
	/* the ledger in row order: the newest entry is the last row's */
	CHECK_INT(crm_state_ledger_range(o.state, run, &first, &last, &err), 0);
	CHECK_INT(last - first + 1, ROWS);
	CHECK_INT(crm_state_ledger_read(o.state, run, first, last + 1, 4, entries, &n, &arena, &err), 0);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_INT(entries[0].target_id, ROWS - 1 + 100);
		CHECK_STR(entries[0].source_id, ids[ROWS - 1]);
		CHECK_INT(entries[0].action, CRM_LEDGER_INSERT);
		CHECK(entries[0].pre_image == NULL);
		CHECK_INT(entries[3].target_id, ROWS - 4 + 100);
	}
	/* a rollback forgets them many to a statement: all but the first */
	for (i = 1; i < ROWS; i++) {
		forget[i - 1].ptr = ids[i];
		forget[i - 1].len = strlen(ids[i]);
	}
	forget[ROWS - 1] = forget[0]; /* one twice: no error */
	CHECK_INT(crm_state_xref_forget_many(o.state, key, forget, ROWS, &err), 0);
	CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
	CHECK_INT(count, 1);
	CHECK_INT(crm_state_xref_get(o.state, key, ids[0], strlen(ids[0]), &got, &err), 1);
	/* rows must be new: an append of one the xref has fails, naming the table but not the key */
	if (o.store->ops->append_rows) {
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		CHECK_INT(crm_state_inserted(o.state, run, key, rows, 2, 0, &err), CRM_EIO);
		CHECK(strstr(err.msg, "crmshift.xref") != NULL);
		CHECK(strstr(err.msg, ids[0]) == NULL);
		crm_error_clear(&err);
		CHECK_INT(o.store->ops->rollback(o.store, &err), 0);
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(count, 1);
	}
	if (err.code)
		fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
cleanup:
	crm_arena_release(&arena);
	free(rows);
	free(ids);
	free(forget);
	close_both(&o);
}

static void test_state__inserted_as_row_by_row(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++)
		inserted_as_row_by_row_on(b);
}

/*
 * Opens backend b's state (1 when skipped or failed, as open_both) with a
 * run of command started and the keys of Contact and Lead.
 */
static int open_two_objects(int b, struct opened *o, const char *command, int64_t *run, int64_t *key, int64_t *other)
{
	struct crm_error err = CRM_ERROR_INIT;

	if (open_both(b, o))
		return 1;
	crm_state_run_start(o->state, command, "{}", "2026-01-01T00:00:00Z", run, &err);
	crm_state_object_key(o->state, "Contact", "contact", 1, key, &err);
	crm_state_object_key(o->state, "Lead", "lead", 1, other, &err);
	CHECK_STR(err.msg, "");
	return 0;
}

/* ids[i] named "id-<i>" for i < n, the text in names. */
static void name_ids(struct crm_state_id *ids, char (*names)[16], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "id-%u", (unsigned)i);
		ids[i].ptr = names[i];
		ids[i].len = strlen(names[i]);
	}
}

/* crm_state_xref_prefetch of n ids of one object. */
static int prefetch_one(struct crm_state *st, int64_t key, const struct crm_state_id *ids, size_t n,
			struct crm_error *err)
{
	struct crm_state_ids set = {key, ids, n};

	return crm_state_xref_prefetch(st, &set, 1, err);
}

/*
 * The read-ahead answers as the database would, its writes wait in memory
 * until another statement runs, and then they are all there: across
 * statements of many ids, for ids present, absent, repeated and empty.
 */
static void test_state__read_ahead_as_the_database(void)
{
	enum { IDS = 1203 };
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_state_id *ids = calloc(IDS + 2, sizeof(*ids));
		char(*names)[16] = calloc(IDS, sizeof(*names));
		struct crm_xref x, got;
		struct crm_inserted ins = {"new-1", 5, 900, 9, 0, 0};
		struct opened o;
		int64_t run = 0, key = 0, other = 0, count = 0;
		size_t i;

		if (open_two_objects(b, &o, "migrate", &run, &key, &other)) {
			close_both(&o);
			free(ids);
			free(names);
			continue;
		}
		/* the even ids are in the xref, the odd ones not */
		name_ids(ids, names, IDS);
		for (i = 0; i < IDS; i++) {
			x.target_id = (int64_t)i + 1;
			x.hash = i;
			x.seen_run = x.write_run = 0;
			x.row_hash = 0;
			if (i % 2 == 0)
				crm_state_xref_put(o.state, key, names[i], ids[i].len, &x, &err);
		}
		ids[IDS] = ids[3];    /* an id twice */
		ids[IDS + 1].len = 0; /* a record without one */
		CHECK_INT(prefetch_one(o.state, key, ids, IDS + 2, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-1000", 7, &got, &err), 1);
		CHECK_INT(got.target_id, 1001);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-1001", 7, &got, &err), 0);
		/* another object's entries and ids not read ahead come from the database */
		CHECK_INT(crm_state_xref_get(o.state, other, "id-2", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-2", 4, &got, &err), 1);
		/* writes of every id: seen for the even, put for the odd, the last forgotten */
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		for (i = 0; i < IDS; i++) {
			x.target_id = (int64_t)i + 5000;
			x.hash = 7;
			x.seen_run = x.write_run = run;
			if (i % 2 == 0)
				CHECK_INT(crm_state_xref_seen(o.state, key, names[i], ids[i].len, 0, run, &err), 0);
			else
				CHECK_INT(crm_state_xref_put(o.state, key, names[i], ids[i].len, &x, &err), 0);
		}
		CHECK_INT(crm_state_xref_seen(o.state, key, "id-7", 4, 0, run, &err), 0);
		CHECK_INT(crm_state_xref_forget(o.state, key, "id-9", 4, &err), 0);
		/* forgotten while their removal waits: an entry of the database, and one put again after */
		CHECK_INT(crm_state_xref_forget(o.state, key, "id-2", 4, &err), 0);
		CHECK_INT(crm_state_xref_forget(o.state, key, "id-11", 5, &err), 0);
		x.target_id = 7011;
		CHECK_INT(crm_state_xref_put(o.state, key, "id-11", 5, &x, &err), 0);
		CHECK_INT(crm_state_inserted(o.state, run, key, &ins, 1, 0, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-9", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-2", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-1001", 7, &got, &err), 1);
		CHECK_INT(got.target_id, 6001);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-1000", 7, &got, &err), 1);
		CHECK_INT(got.target_id, 1001);
		CHECK_INT(got.seen_run, run);
		CHECK_INT(got.write_run, 0);
		/* a count is another statement: every write waiting is in the database first */
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(count, IDS - 2 + 1);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		/* a new read-ahead of nothing: every answer from the database now */
		CHECK_INT(prefetch_one(o.state, key, ids, 0, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-1001", 7, &got, &err), 1);
		CHECK_INT(got.target_id, 6001);
		CHECK_INT(got.write_run, run);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-1000", 7, &got, &err), 1);
		CHECK_INT(got.seen_run, run);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-9", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-2", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-11", 5, &got, &err), 1);
		CHECK_INT(got.target_id, 7011);
		CHECK_INT(crm_state_xref_get(o.state, key, "new-1", 5, &got, &err), 1);
		CHECK_INT(got.target_id, 900);
		/* writes that wait go with a rolled-back transaction */
		CHECK_INT(prefetch_one(o.state, key, ids, 4, &err), 0);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		x.target_id = 1;
		CHECK_INT(crm_state_xref_put(o.state, key, "id-3", 4, &x, &err), 0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->rollback(o.store, &err), 0);
		CHECK_INT(prefetch_one(o.state, key, ids, 0, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-3", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 5003);
		/* and writes still waiting when it rolls back are discarded, never written after it */
		CHECK_INT(prefetch_one(o.state, key, ids, 4, &err), 0);
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		CHECK_INT(crm_state_xref_put(o.state, key, "id-3", 4, &x, &err), 0);
		CHECK_INT(o.store->ops->rollback(o.store, &err), 0);
		crm_state_discard(o.state);
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-3", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 5003);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		free(ids);
		free(names);
		close_both(&o);
	}
}

/*
 * Two objects read ahead together (a change stream's window): each (key,
 * id) answers from its own entry, one id being a record of both, and the
 * writes of each go to its own object's entries.
 */
static void test_state__read_ahead_of_two_objects(void)
{
	enum { IDS = 700 };
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_state_id *ids = calloc(IDS, sizeof(*ids));
		char(*names)[16] = calloc(IDS, sizeof(*names));
		struct crm_state_ids sets[2];
		struct crm_xref x = {0}, got;
		struct opened o;
		int64_t run = 0, key = 0, other = 0, count = 0;
		size_t i;

		if (open_two_objects(b, &o, "sync", &run, &key, &other)) {
			close_both(&o);
			free(ids);
			free(names);
			continue;
		}
		/* the even ids are contacts, the multiples of 3 leads: 6, 12, ... are both */
		name_ids(ids, names, IDS);
		for (i = 0; i < IDS; i++) {
			x.target_id = (int64_t)i + 1;
			if (i % 2 == 0)
				crm_state_xref_put(o.state, key, names[i], ids[i].len, &x, &err);
			x.target_id = (int64_t)i + 10000;
			if (i % 3 == 0)
				crm_state_xref_put(o.state, other, names[i], ids[i].len, &x, &err);
		}
		sets[0] = (struct crm_state_ids){other, ids, IDS};
		sets[1] = (struct crm_state_ids){key, ids, IDS};
		CHECK_INT(crm_state_xref_prefetch(o.state, sets, 2, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-6", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 7);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-6", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 10006);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-3", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-4", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-699", 6, &got, &err), 1);
		CHECK_INT(got.target_id, 10699);
		/* contacts: the even seen, the odd put, id-10 forgotten; leads: id-3 and id-6 forgotten, id-4 put, the rest seen */
		CHECK_INT(o.store->ops->begin(o.store, &err), 0);
		for (i = 0; i < IDS; i++) {
			x.target_id = (int64_t)i + 20000;
			x.seen_run = x.write_run = run;
			if (i % 2 == 0)
				CHECK_INT(crm_state_xref_seen(o.state, key, names[i], ids[i].len, 0, run, &err), 0);
			else
				CHECK_INT(crm_state_xref_put(o.state, key, names[i], ids[i].len, &x, &err), 0);
			if (i % 3 == 0 && i != 3 && i != 6)
				CHECK_INT(crm_state_xref_seen(o.state, other, names[i], ids[i].len, 0, run, &err), 0);
		}
		CHECK_INT(crm_state_xref_forget(o.state, key, "id-10", 5, &err), 0);
		CHECK_INT(crm_state_xref_forget(o.state, other, "id-3", 4, &err), 0);
		CHECK_INT(crm_state_xref_forget(o.state, other, "id-6", 4, &err), 0);
		x.target_id = 30004;
		CHECK_INT(crm_state_xref_put(o.state, other, "id-4", 4, &x, &err), 0);
		CHECK_INT(crm_state_flush(o.state, &err), 0);
		CHECK_INT(o.store->ops->commit(o.store, &err), 0);
		/* from the database now */
		CHECK_INT(prefetch_one(o.state, key, ids, 0, &err), 0);
		CHECK_INT(crm_state_xref_count(o.state, key, &count, &err), 0);
		CHECK_INT(count, IDS - 1);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-10", 5, &got, &err), 0);
		CHECK_INT(crm_state_xref_count(o.state, other, &count, &err), 0);
		CHECK_INT(count, (IDS + 2) / 3 - 2 + 1);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-6", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 7);
		CHECK_INT(got.seen_run, run);
		CHECK_INT(crm_state_xref_get(o.state, key, "id-3", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 20003);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-6", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-3", 4, &got, &err), 0);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-4", 4, &got, &err), 1);
		CHECK_INT(got.target_id, 30004);
		CHECK_INT(crm_state_xref_get(o.state, other, "id-699", 6, &got, &err), 1);
		CHECK_INT(got.target_id, 10699);
		CHECK_INT(got.seen_run, run);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		free(ids);
		free(names);
		close_both(&o);
	}
}

/*
 * A run's seen marks are kept outside the xref entries: they survive a
 * kill (a new process takes them up with crm_state_seen_begin), leave the
 * marked entries out of xref_unseen, and end with the run.
 */
static void seen_marks_on(int b)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_xref x = {0}, got;
	struct crm_store *store = NULL;
	struct crm_state *state = NULL;
	struct opened o;
	char **unseen = NULL;
	const char *ids[] = {"003C", "003A", "003B"};
	/* marks are kept by target id, in chunks of 4,096: the first, a chunk's first, one far off */
	const int64_t targets[] = {1, 4096, (int64_t)1 << 40};
	int64_t run1 = 0, run2 = 0, key = 0;
	size_t i, n = 0;
	int opened = open_both(b, &o);

	if (opened > 0)
		goto cleanup; /* this backend has no server here */
	REQUIRE(opened == 0);
	REQUIRE(crm_state_run_start(o.state, "migrate", "{}", "2026-01-01T00:00:00Z", &run1, &err) == 0);
	REQUIRE(crm_state_object_key(o.state, "Contact", "contact", 1, &key, &err) == 1);
	for (i = 0; i < 3; i++) {
		x.target_id = targets[i];
		x.seen_run = x.write_run = run1;
		REQUIRE(crm_state_xref_put(o.state, key, ids[i], 4, &x, &err) == 0);
	}
	REQUIRE(crm_state_run_finish(o.state, run1, CRM_RUN_DONE, "2026-01-01T01:00:00Z", NULL, &err) == 0);
	REQUIRE(crm_state_run_start(o.state, "sync", "{}", "2026-01-02T00:00:00Z", &run2, &err) == 0);
	CHECK_INT(crm_state_seen_begin(o.state, run2, &err), 0);
	CHECK_INT(crm_state_xref_seen(o.state, key, "003A", 4, 0, run2, &err), 0);
	CHECK_INT(crm_state_xref_seen(o.state, key, "003A", 4, 4096, run2, &err), 0); /* once is enough */
	CHECK_INT(crm_state_xref_get(o.state, key, "003A", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run2);
	CHECK_INT(crm_state_xref_get(o.state, key, "003B", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run1);
	CHECK_INT(crm_state_xref_get(o.state, key, "003C", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run1);

	/* killed: another process takes the run up */
	REQUIRE((store = crm_store_open(o.url, "/tmp", 1, &err)) != NULL);
	REQUIRE(crm_state_open(store, o.state_path, 0, &state, &err) == 0);
	CHECK_INT(crm_state_seen_begin(state, run2, &err), 0);
	CHECK_INT(crm_state_xref_get(state, key, "003A", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run2);
	CHECK_INT(crm_state_xref_get(state, key, "003C", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run1);
	CHECK_INT(crm_state_xref_seen(state, key, "003B", 4, 0, run2, &err), 0);
	CHECK_INT(crm_state_xref_get(state, key, "003B", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run2);
	CHECK_INT(crm_state_xref_seen(state, key, "003X", 4, 0, run2, &err), 0); /* no entry: nothing to mark */
	CHECK_INT(crm_state_xref_unseen(state, key, run2, &unseen, &n, &err), 0);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(unseen[0], "003C");
	/* the run ends, its marks with it */
	CHECK_INT(crm_state_run_finish(state, run2, CRM_RUN_DONE, "2026-01-02T01:00:00Z", NULL, &err), 0);
	CHECK_INT(crm_state_xref_get(state, key, "003A", 4, &got, &err), 1);
	CHECK_INT(got.seen_run, run1);
	if (err.code)
		fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
cleanup:
	for (i = 0; i < n; i++)
		crm_free(unseen[i]);
	crm_free(unseen);
	crm_state_close(state);
	crm_store_close(store);
	if (opened <= 0)
		close_both(&o);
}

static void test_state__seen_marks_outlive_a_kill_and_end_with_the_run(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++)
		seen_marks_on(b);
}

static const struct harness_test tests[] = {
	TEST(test_state__ledger_keeps_the_row_before),
	TEST(test_state__ledger_entries_wait_and_keep_their_order),
	TEST(test_state__xref_from_the_ledger),
	TEST(test_state__xref_undone_many_as_one_by_one),
	TEST(test_state__run_inserts_known_while_only_inserts),
	TEST(test_state__shares_the_store_transaction),
	TEST(test_state__runs_and_marks),
	TEST(test_state__watermarks_of_an_older_state_move_over),
	TEST(test_state__unseen_in_byte_order),
	TEST(test_state__ref_keys_newest_until_undone),
	TEST(test_state__xref_held_whole_answers_as_the_database),
	TEST(test_state__inserted_as_row_by_row),
	TEST(test_state__read_ahead_as_the_database),
	TEST(test_state__read_ahead_of_two_objects),
	TEST(test_state__seen_marks_outlive_a_kill_and_end_with_the_run),
};

HARNESS_MAIN
