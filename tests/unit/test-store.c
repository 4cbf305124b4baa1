/*
 * test-store.c: the store conformance suite. Every operation of store.h
 * against every backend compiled in, with the same expectations: what a
 * row reads back as, when its hash changes, what a transaction keeps, how
 * a pre-image restores a row, the target's identity.
 */
#include "compat.h"
#include "harness.h"
#include "backends.h"
#include "store/backend.h"
#include "util/buf.h"

#include <sqlite3.h>
#include <string.h>

#define LOAD_TIME "2026-01-02T03:04:05Z"

static const struct crm_store_column widget_columns[] = {
	{"name", CRM_TYPE_TEXT},     {"qty", CRM_TYPE_INT},	{"price", CRM_TYPE_DECIMAL}, {"born", CRM_TYPE_DATE},
	{"seen", CRM_TYPE_DATETIME}, {"active", CRM_TYPE_BOOL}, {"parent_id", CRM_TYPE_REF},
};
static const struct crm_table_spec widget = {"widget", "test", widget_columns, 7, 0};

static struct crm_value text(const char *s)
{
	struct crm_value v = {s, s ? strlen(s) : 0, 0};
	return v;
}

/* A widget row: name, qty, price, born, seen, active, parent id (0: none). */
static void widget_row(struct crm_value values[7], const char *name, const char *qty, const char *price,
		       const char *born, const char *seen, const char *active, int64_t parent)
{
	values[0] = text(name);
	values[1] = text(qty);
	values[2] = text(price);
	values[3] = text(born);
	values[4] = text(seen);
	values[5] = text(active);
	values[6] = text(NULL);
	values[6].id = parent;
}

static struct crm_store *open_backend(int b, char url[256])
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store *store;

	if (backend_new_target(b, url))
		return NULL;
	store = crm_store_open(url, "/tmp", 1, &err);
	if (!store)
		fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
	CHECK(store != NULL);
	return store;
}

/* Closes store; a SQLite target's file goes too. */
static void close_backend(struct crm_store *store, const char *url)
{
	crm_store_close(store);
	if (strncmp(url, "sqlite:", 7) == 0)
		unlink(url + 7);
}

/*
 * A new target of backend b with the widget table, and a writer of it; NULL
 * when the backend is skipped or failed (the store then closed).
 */
static struct crm_store_writer *open_widget(int b, char url[256], struct crm_store **store)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store_writer *w;

	if (!(*store = open_backend(b, url)))
		return NULL;
	CHECK_INT((*store)->ops->ensure_table(*store, &widget, &err), 0);
	w = (*store)->ops->writer_open(*store, &widget, &err);
	CHECK(w != NULL);
	if (!w) {
		fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_backend(*store, url);
	}
	return w;
}

/*
 * A new target of backend b with the widget table waiting for its source
 * index (a first load's; *deferred, which must outlive the writer), and a
 * writer of it; NULL, the store closed, where the backend has no
 * set-based inserts or failed.
 */
static struct crm_store_writer *open_deferred_widget(int b, char url[256], struct crm_store **store,
						     struct crm_table_spec *deferred)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store_writer *w;

	*deferred = widget;
	deferred->defer_source_index = 1;
	if (!(*store = open_backend(b, url)))
		return NULL;
	if (!(*store)->ops->queue_insert || !(*store)->ops->source_index) {
		close_backend(*store, url);
		return NULL;
	}
	CHECK_INT((*store)->ops->ensure_table(*store, deferred, &err), 0);
	CHECK_INT((*store)->ops->source_index(*store, "widget", 0, &err), 0);
	w = err.code ? NULL : (*store)->ops->writer_open(*store, deferred, &err);
	CHECK(w != NULL);
	if (!w) {
		fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		close_backend(*store, url);
	}
	return w;
}

/* Inserts a row; its id, and the hash insert told (0: none) into *row_hash unless NULL. */
static int64_t insert_hashed(struct crm_store_writer *w, struct crm_store *store, const char *source_id,
			     const struct crm_value *values, int expect_new, uint64_t *row_hash)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store_row row = {source_id, strlen(source_id), values, LOAD_TIME};
	uint64_t hash = 0;
	int64_t id = 0;

	CHECK_INT(store->ops->insert(w, &row, &id, &hash, &err), expect_new);
	CHECK_STR(err.msg, "");
	if (row_hash)
		*row_hash = hash;
	return id;
}

static int64_t insert(struct crm_store_writer *w, struct crm_store *store, const char *source_id,
		      const struct crm_value *values, int expect_new)
{
	return insert_hashed(w, store, source_id, values, expect_new, NULL);
}

struct scanned {
	char lines[8][256];
	int count;
};

static int collect(void *ctx, const char *source_id, size_t len, const struct crm_value *values, struct crm_error *err)
{
	struct scanned *sc = ctx;
	size_t i, o;

	(void)err;
	if (sc->count == 8)
		return 0;
	o = (size_t)snprintf(sc->lines[sc->count], 256, "%.*s", (int)len, source_id);
	for (i = 0; i < widget.count && o < 256; i++)
		o += (size_t)snprintf(sc->lines[sc->count] + o, 256 - o, "|%.*s", (int)values[i].len,
				      values[i].ptr ? values[i].ptr : "");
	sc->count++;
	return 0;
}

/* Values read back are the text the mapping wrote, whatever the column's type. */
static void test_store__values_read_back_as_written(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_value v[7];
		struct scanned sc = {{{0}}, 0};
		struct crm_store_writer *w;
		struct crm_store *store;
		char url[256], expected[64];
		int64_t parent, count = 0;

		if (!(w = open_widget(b, url, &store)))
			continue;
		widget_row(v, "Zoë", "42", "12.50", "2024-02-29", "2024-01-05T10:00:00Z", "1", 0);
		parent = insert(w, store, "W1", v, 1);
		widget_row(v, NULL, NULL, "0.0001", NULL, NULL, "0", parent);
		insert(w, store, "W2", v, 1);
		/* the same source id again is the existing row, not a new one */
		CHECK_INT(insert(w, store, "W1", v, 0), parent);
		CHECK_INT(store->ops->scan(store, &widget, collect, &sc, &err), 0);
		CHECK_INT(sc.count, 2);
		/* order is not promised: W1 and W2 in either */
		if (strncmp(sc.lines[0], "W2", 2) == 0) {
			char tmp[256];
			memcpy(tmp, sc.lines[0], 256);
			memcpy(sc.lines[0], sc.lines[1], 256);
			memcpy(sc.lines[1], tmp, 256);
		}
		CHECK_STR(sc.lines[0], "W1|Zoë|42|12.50|2024-02-29|2024-01-05T10:00:00Z|1|");
		snprintf(expected, sizeof(expected), "W2|||0.0001|||0|%lld", (long long)parent);
		CHECK_STR(sc.lines[1], expected);
		CHECK_INT(store->ops->count(store, "widget", &count, &err), 0);
		CHECK_INT(count, 2);
		CHECK_INT(store->ops->count_source(store, "widget", "other", &count, &err), 0);
		CHECK_INT(count, 0);
		CHECK_INT(store->ops->count(store, "no_such_table", &count, &err), 0);
		CHECK_INT(count, -1);
		store->ops->writer_close(w);
		close_backend(store, url);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
	}
}

/*
 * A scan reads its source's rows and no other's, whether they are few of
 * the table's (SQLite reads them through the unique key) or most of it
 * (SQLite reads the table and skips the others').
 */
static void test_store__scan_reads_its_source_only(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_table_spec other = widget;
		struct crm_value v[7];
		struct scanned few = {{{0}}, 0}, most = {{{0}}, 0};
		struct crm_store_writer *w, *ow;
		struct crm_store *store;
		char url[256], id[16];
		int i;

		if (!(w = open_widget(b, url, &store)))
			continue;
		other.source_system = "other";
		ow = store->ops->writer_open(store, &other, &err);
		CHECK(ow != NULL);
		widget_row(v, "ours", "1", NULL, NULL, NULL, NULL, 0);
		insert(w, store, "W1", v, 1);
		for (i = 0; ow && i < 6; i++) {
			snprintf(id, sizeof(id), "O%d", i);
			widget_row(v, "theirs", "2", NULL, NULL, NULL, NULL, 0);
			insert(ow, store, id, v, 1);
		}
		CHECK_INT(store->ops->scan(store, &widget, collect, &few, &err), 0);
		CHECK_INT(few.count, 1);
		CHECK_STR(few.lines[0], "W1|ours|1|||||");
		CHECK_INT(store->ops->scan(store, &other, collect, &most, &err), 0);
		CHECK_INT(most.count, 6);
		for (i = 0; i < most.count; i++)
			CHECK(strncmp(most.lines[i], "O", 1) == 0 && strstr(most.lines[i], "|theirs|2|") != NULL);
		if (ow)
			store->ops->writer_close(ow);
		store->ops->writer_close(w);
		close_backend(store, url);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
	}
}

/*
 * Each hash a flush of queued inserts told is its row's as row_hash reads
 * it, and a row not inserted has none: how many were told.
 */
static size_t told_hashes_hold(struct crm_store_writer *w, struct crm_store *store, const int64_t *ids,
			       const uint64_t *hashes, size_t n)
{
	struct crm_error err = CRM_ERROR_INIT;
	size_t i, told = 0;

	for (i = 0; i < n; i++) {
		uint64_t now = 0;
		if (!ids[i] || !hashes[i]) {
			CHECK(ids[i] || !hashes[i]);
			continue;
		}
		CHECK_INT(store->ops->row_hash(w, ids[i], &now, &err), 1);
		if (now != hashes[i])
			fprintf(stderr, "row %zu (id %lld): told %016llx, reads %016llx\n", i, (long long)ids[i],
				(unsigned long long)hashes[i], (unsigned long long)now);
		CHECK(now == hashes[i]);
		told++;
	}
	return told;
}

/* A queued value the server refuses: the flush names the record and the column, never the value. */
static void refused_value_named(struct crm_store_writer *w, struct crm_store *store)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_value v[7];
	struct crm_store_row row = {"BAD1", 4, v, LOAD_TIME};
	int64_t ids[1];
	uint64_t hashes[1];

	CHECK_INT(store->ops->begin(store, &err), 0);
	widget_row(v, "x", "1", "secret-not-a-number", NULL, NULL, NULL, 0);
	CHECK_INT(store->ops->queue_insert(w, &row, &err), 0);
	CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), CRM_EIO);
	CHECK(strstr(err.msg, "record 'BAD1'") != NULL);
	CHECK(strstr(err.msg, "column price") != NULL);
	CHECK(strstr(err.msg, "secret") == NULL);
	crm_error_clear(&err);
	CHECK_INT(store->ops->rollback(store, &err), 0);
}

/*
 * Queued inserts end as one-by-one inserts would leave them: new rows get
 * ids, a row the target had and a second row of one source id get 0, text
 * with COPY's special characters reads back as written. A value the
 * server refuses names the record and the column, never the value.
 */
static void test_store__queued_inserts_as_one_by_one(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_value v[7];
		struct scanned sc = {{{0}}, 0};
		struct crm_store_writer *w;
		struct crm_store *store;
		const char *queued[] = {"A\tb", "W0", "B", "A\tb", "C"};
		int64_t ids[5], existing;
		uint64_t hashes[5];
		char url[256], expected[80];
		size_t i;

		if (!(w = open_widget(b, url, &store)))
			continue;
		if (!store->ops->queue_insert) {
			/* a backend without set-based inserts: the engine inserts one by one */
			CHECK(store->ops->flush_inserts == NULL);
			store->ops->writer_close(w);
			close_backend(store, url);
			continue;
		}
		widget_row(v, "first", "1", "1", NULL, NULL, "1", 0);
		existing = insert(w, store, "W0", v, 1);
		for (i = 0; i < 5; i++) {
			struct crm_store_row row = {queued[i], strlen(queued[i]), v, LOAD_TIME};
			if (i == 0)
				widget_row(v, "tab\there\nnew line \\ back\rslash", "-7", "3.25", "2024-02-29",
					   "2024-01-05T10:00:00Z", "0", existing);
			else
				widget_row(v, NULL, NULL, NULL, NULL, NULL, NULL, 0);
			CHECK_INT(store->ops->queue_insert(w, &row, &err), 0);
		}
		CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0);
		CHECK_STR(err.msg, "");
		CHECK(ids[0] > 0 && ids[2] > 0 && ids[4] > 0);
		CHECK(ids[0] != ids[2] && ids[2] != ids[4] && ids[0] != existing);
		CHECK_INT(ids[1], 0);
		CHECK_INT(ids[3], 0);
		CHECK_INT(told_hashes_hold(w, store, ids, hashes, 5), 3);
		/* nothing is left queued */
		CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0);
		CHECK_INT(store->ops->scan(store, &widget, collect, &sc, &err), 0);
		CHECK_INT(sc.count, 4);
		snprintf(expected, sizeof(expected),
			 "A\tb|tab\there\nnew line \\ back\rslash|-7|3.25|2024-02-29|"
			 "2024-01-05T10:00:00Z|0|%lld",
			 (long long)existing);
		for (i = 0; i < (size_t)sc.count && strncmp(sc.lines[i], "A\t", 2) != 0; i++)
			;
		CHECK(i < (size_t)sc.count);
		if (i < (size_t)sc.count)
			CHECK_STR(sc.lines[i], expected);

		refused_value_named(w, store);
		/* the queue was emptied: the next flush inserts nothing */
		CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/*
 * Into a table waiting for its source index (a first load's), queued rows
 * go straight in, numbered in queue order after the rows before them, and
 * read back as written; a refused value still names the record and the
 * column, not the value. (The caller turns repeated ids away.)
 */
static void test_store__queued_inserts_without_the_source_index(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_table_spec deferred;
		struct crm_value v[7];
		struct scanned sc = {{{0}}, 0};
		struct crm_store_writer *w;
		struct crm_store *store;
		const char *queued[] = {"Q\tone", "Q2", "Q3"};
		int64_t ids[3], first;
		uint64_t hashes[3];
		char url[256];
		size_t i;

		if (!(w = open_deferred_widget(b, url, &store, &deferred)))
			continue;
		CHECK_INT(store->ops->begin(store, &err), 0);
		widget_row(v, "before", "1", "1", NULL, NULL, "1", 0);
		first = insert(w, store, "Q0", v, 1);
		for (i = 0; i < 3; i++) {
			struct crm_store_row row = {queued[i], strlen(queued[i]), v, LOAD_TIME};
			widget_row(v, i ? "plain" : "tab\there\nnew line \\ back\rslash", "2", "2.50", "2024-02-29",
				   "2024-01-05T10:00:00Z", "0", 0);
			CHECK_INT(store->ops->queue_insert(w, &row, &err), 0);
		}
		CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0);
		CHECK_STR(err.msg, "");
		CHECK(ids[0] == first + 1 && ids[1] == first + 2 && ids[2] == first + 3);
		CHECK_INT(told_hashes_hold(w, store, ids, hashes, 3), 3);
		/* the next row is numbered after them */
		widget_row(v, "after", NULL, NULL, NULL, NULL, NULL, 0);
		CHECK(insert(w, store, "Q4", v, 1) == first + 4);
		CHECK_INT(store->ops->commit(store, &err), 0);
		CHECK_INT(store->ops->scan(store, &widget, collect, &sc, &err), 0);
		CHECK_INT(sc.count, 5);
		for (i = 0; i < (size_t)sc.count && strncmp(sc.lines[i], "Q\t", 2) != 0; i++)
			;
		CHECK(i < (size_t)sc.count);
		if (i < (size_t)sc.count)
			CHECK_STR(
				sc.lines[i],
				"Q\tone|tab\there\nnew line \\ back\rslash|2|2.50|2024-02-29|2024-01-05T10:00:00Z|0|");
		refused_value_named(w, store);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/* A widget's values as text (NULL: none). */
struct widget_values {
	const char *name, *qty, *price, *born, *seen, *active;
	int told; /* in the forms the mapping writes: its hash must be told */
};

/* Queues rows[] as widgets PREFIX0...; no flush: 0, or the error's code. */
static int queue_widgets_only(struct crm_store_writer *w, struct crm_store *store, const struct widget_values *rows,
			      size_t n, const char *prefix)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_value v[7];
	char sid[32];
	size_t i;

	for (i = 0; i < n && !err.code; i++) {
		struct crm_store_row row = {sid, 0, v, LOAD_TIME};
		row.source_id_len = (size_t)snprintf(sid, sizeof(sid), "%s%zu", prefix, i);
		widget_row(v, rows[i].name, rows[i].qty, rows[i].price, rows[i].born, rows[i].seen, rows[i].active, 0);
		store->ops->queue_insert(w, &row, &err);
	}
	if (err.code)
		fprintf(stderr, "%s\n", err.msg);
	return err.code;
}

/* Queues rows[] as widgets PREFIX0, PREFIX1...; flushes them into ids and hashes: 0, or -1 when that failed. */
static int queue_widgets(struct crm_store_writer *w, struct crm_store *store, const struct widget_values *rows,
			 size_t n, const char *prefix, int64_t *ids, uint64_t *hashes)
{
	struct crm_error err = CRM_ERROR_INIT;

	if (queue_widgets_only(w, store, rows, n, prefix))
		return -1;
	CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0);
	CHECK_STR(err.msg, "");
	return err.code ? -1 : 0;
}

/*
 * A first load's flush tells each row's hash from the values it sent,
 * where the server prints them as they were sent (PostgreSQL), so that the
 * after-snapshot reads nothing back: every hash told is the row's as
 * row_hash reads it, whatever form a value came in, and the forms the
 * mapping writes are all told. A server that prints otherwise (another
 * DateStyle) is caught by the check of a writer's first flush, and that
 * writer tells nothing from then on; a column the server fills itself (a
 * default) tells nothing.
 */
static void test_store__queued_inserts_tell_hashes_as_read(void)
{
	static const struct widget_values rows[] = {
		{"plain", "2", "2.50", "2024-02-29", "2024-01-05T10:00:00Z", "1", 1},
		{"tab\there\nnew line \\ back\rslash Zoë", "-7", "0.5", "0001-01-01", "2024-01-05T10:00:00.500Z", "0",
		 1},
		{"", "0", "-3", "0099-12-31", "0099-12-31T23:59:59.123456Z", NULL, 1},
		{"x", NULL, "100", NULL, "2024-01-05T10:00:00.000Z", NULL, 1},
		{"-0.0", "9223372036854775807", "0.000", "9999-12-31", "1970-01-01T00:00:00.000001Z", "1", 1},
		{NULL, NULL, NULL, NULL, NULL, NULL, 1},
		/* forms the server takes and prints otherwise: not told, or told as it prints them */
		{"a", NULL, "007", NULL, NULL, NULL, 0},
		{"b", NULL, "1e3", NULL, NULL, NULL, 0},
		{"c", NULL, "-0", NULL, NULL, NULL, 0},
		{"d", NULL, "-0.00", NULL, NULL, NULL, 0},
		{"e", NULL, ".5", NULL, NULL, NULL, 0},
		{"f", NULL, "5.", NULL, NULL, NULL, 0},
		{"g", NULL, " 5", NULL, NULL, NULL, 0},
		{"h", NULL, NULL, "2024-1-5", NULL, NULL, 0},
		{"i", NULL, NULL, NULL, "2024-01-05T10:00:00.1234567Z", NULL, 0},
		{"j", NULL, NULL, NULL, "2024-01-05T10:00:00+02:00", NULL, 0},
		{"k", NULL, NULL, NULL, "2024-01-05 10:00:00Z", NULL, 0},
		{"l", NULL, NULL, NULL, "2024-01-05T24:00:00Z", NULL, 0},
		{"m", NULL, NULL, NULL, "2024-01-05t10:00:00z", NULL, 0},
	};
	enum { N = sizeof(rows) / sizeof(*rows) };
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_table_spec deferred;
		struct crm_store_writer *w;
		struct crm_store *store;
		int64_t ids[N];
		uint64_t hashes[N];
		char url[256];
		size_t i;

		/* straight in, as a first load's rows go, then through a staging table */
		if (!(w = open_deferred_widget(b, url, &store, &deferred)))
			continue;
		CHECK_INT(store->ops->begin(store, &err), 0);
		if (!queue_widgets(w, store, rows, N, "T", ids, hashes)) {
			told_hashes_hold(w, store, ids, hashes, N);
			for (i = 0; i < N; i++)
				if (rows[i].told && !hashes[i])
					fprintf(stderr, "row %zu: no hash told\n", i);
			for (i = 0; i < N; i++)
				CHECK(ids[i] > 0 && (hashes[i] != 0 || !rows[i].told));
		}
		store->ops->writer_close(w);
		CHECK_INT(store->ops->source_index(store, "widget", 1, &err), 0);
		w = store->ops->writer_open(store, &widget, &err);
		REQUIRE(w != NULL);
		if (!queue_widgets(w, store, rows, N, "S", ids, hashes)) {
			told_hashes_hold(w, store, ids, hashes, N);
			for (i = 0; i < N; i++)
				CHECK(ids[i] > 0 && (hashes[i] != 0 || !rows[i].told));
		}
		store->ops->writer_close(w);

		/* dates printed another way: the first flush's check finds it, and the writer stops telling */
		CHECK_INT(store->ops->exec(store, "SET DateStyle = 'SQL, DMY'", &err), 0);
		w = store->ops->writer_open(store, &widget, &err);
		REQUIRE(w != NULL);
		if (!queue_widgets(w, store, rows, 1, "D", ids, hashes))
			CHECK(hashes[0] == 0);
		if (!queue_widgets(w, store, rows + 3, 1, "E", ids, hashes))
			CHECK(hashes[0] == 0); /* no date in it, but the writer has stopped telling */
		store->ops->writer_close(w);
		CHECK_INT(store->ops->exec(store, "SET DateStyle = 'ISO, YMD'", &err), 0);

		/* a column the server fills: nothing told */
		CHECK_INT(store->ops->exec(store, "ALTER TABLE widget ADD COLUMN note text DEFAULT 'n/a'", &err), 0);
		w = store->ops->writer_open(store, &widget, &err);
		REQUIRE(w != NULL);
		if (!queue_widgets(w, store, rows, 1, "F", ids, hashes))
			CHECK(ids[0] > 0 && hashes[0] == 0);
		store->ops->writer_close(w);
		CHECK_STR(err.msg, "");
	cleanup:
		store->ops->rollback(store, &err);
		close_backend(store, url);
	}
}

/*
 * A first load's queue streams its rows into the table as they are queued
 * (PostgreSQL): another statement between them ends the stream and the
 * rows after it start another, all numbered in queue order; a rollback
 * takes the streamed rows and empties the queue; a commit before the
 * flush is refused (the rows would lose their bookkeeping).
 */
static void test_store__streamed_queue_between_statements(void)
{
	static const struct widget_values rows[] = {
		{"one", "1", "1.5", NULL, NULL, "1", 1},
		{"two", "2", "2.5", NULL, NULL, "0", 1},
		{"three", "3", "3.5", NULL, NULL, "1", 1},
	};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_table_spec deferred;
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_value v[7];
		int64_t ids[3], count = 0, before;
		uint64_t hashes[3];
		char url[256], sid[8];
		size_t i;

		if (!(w = open_deferred_widget(b, url, &store, &deferred)))
			continue;
		CHECK_INT(store->ops->begin(store, &err), 0);
		widget_row(v, "first", NULL, NULL, NULL, NULL, NULL, 0);
		before = insert(w, store, "R0", v, 1);
		for (i = 0; i < 3; i++) {
			struct crm_store_row row = {sid, 0, v, LOAD_TIME};
			row.source_id_len = (size_t)snprintf(sid, sizeof(sid), "R%zu", i + 1);
			widget_row(v, rows[i].name, rows[i].qty, rows[i].price, NULL, NULL, rows[i].active, 0);
			CHECK_INT(store->ops->queue_insert(w, &row, &err), 0);
			if (i == 0) {
				/* a statement while the first row's COPY is open: it ends first, its row counted */
				CHECK_INT(store->ops->count(store, "widget", &count, &err), 0);
				CHECK_INT(count, 2);
			}
		}
		CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0);
		CHECK_STR(err.msg, "");
		CHECK(ids[0] == before + 1 && ids[1] == before + 2 && ids[2] == before + 3);
		CHECK_INT(told_hashes_hold(w, store, ids, hashes, 3), 3);
		/* the next rows follow on: the block's unused ids were given back */
		CHECK(insert(w, store, "R4", v, 1) == before + 4);
		CHECK_INT(store->ops->commit(store, &err), 0);

		/* rolled back while streaming: the rows go, and the queue is empty after */
		CHECK_INT(store->ops->begin(store, &err), 0);
		CHECK_INT(queue_widgets_only(w, store, rows, 2, "X"), 0);
		CHECK_INT(store->ops->rollback(store, &err), 0);
		CHECK_INT(store->ops->count(store, "widget", &count, &err), 0);
		CHECK_INT(count, 5);
		CHECK_INT(store->ops->begin(store, &err), 0);
		CHECK_INT(store->ops->flush_inserts(w, ids, hashes, &err), 0); /* nothing queued */

		/* a commit before the flush is refused, and nothing of the batch lands */
		CHECK_INT(queue_widgets_only(w, store, rows, 1, "Y"), 0);
		CHECK_INT(store->ops->commit(store, &err), CRM_EINTERNAL);
		CHECK(strstr(err.msg, "not flushed") != NULL);
		crm_error_clear(&err);
		CHECK_INT(store->ops->rollback(store, &err), 0);
		CHECK_INT(store->ops->count(store, "widget", &count, &err), 0);
		CHECK_INT(count, 5);
		CHECK_STR(err.msg, "");
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/* Queued updates end as one-by-one updates would: the last one queued for a row wins. */
static void test_store__queued_updates_as_one_by_one(void)
{
	static const struct crm_store_column link_columns[] = {{"parent_id", CRM_TYPE_REF}, {"name", CRM_TYPE_TEXT}};
	static const struct crm_table_spec links = {"widget", "test", link_columns, 2, 0};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_value v[7], link[2];
		struct scanned sc = {{{0}}, 0};
		struct crm_store_writer *w, *lw;
		struct crm_store *store;
		struct crm_store_row row = {"", 0, link, LOAD_TIME};
		int64_t a, c;
		char url[256], expected[80];

		if (!(w = open_widget(b, url, &store)))
			continue;
		if (!store->ops->queue_update) {
			CHECK(store->ops->flush_updates == NULL);
			store->ops->writer_close(w);
			close_backend(store, url);
			continue;
		}
		widget_row(v, "a", "1", "1", NULL, NULL, "1", 0);
		a = insert(w, store, "A", v, 1);
		widget_row(v, "c", "1", "1", NULL, NULL, "1", 0);
		c = insert(w, store, "C", v, 1);
		lw = store->ops->writer_open(store, &links, &err);
		CHECK(lw != NULL);
		if (!lw) {
			store->ops->writer_close(w);
			close_backend(store, url);
			continue;
		}
		link[0] = text(NULL);
		link[0].id = c;
		link[1] = text("first");
		CHECK_INT(store->ops->queue_update(lw, a, &row, &err), 0);
		link[1] = text("last\twins");
		CHECK_INT(store->ops->queue_update(lw, a, &row, &err), 0);
		link[0].id = a;
		link[1] = text(NULL);
		CHECK_INT(store->ops->queue_update(lw, c, &row, &err), 0);
		CHECK_INT(store->ops->flush_updates(lw, NULL, &err), 0);
		CHECK_STR(err.msg, "");
		CHECK_INT(store->ops->flush_updates(lw, NULL, &err), 0);
		CHECK_INT(store->ops->scan(store, &widget, collect, &sc, &err), 0);
		CHECK_INT(sc.count, 2);
		snprintf(expected, sizeof(expected), "A|last\twins|1|1|||1|%lld", (long long)c);
		CHECK_STR(strncmp(sc.lines[0], "A|", 2) == 0 ? sc.lines[0] : sc.lines[1], expected);
		snprintf(expected, sizeof(expected), "C||1|1|||1|%lld", (long long)a);
		CHECK_STR(strncmp(sc.lines[0], "C|", 2) == 0 ? sc.lines[0] : sc.lines[1], expected);
		{
			/* asked, a flush tells each queued row's hash as written: its id's last, 0 for a row that is gone */
			uint64_t told[4] = {1, 1, 1, 1}, read_a = 0, read_c = 0;
			link[1] = text("h1");
			CHECK_INT(store->ops->queue_update(lw, a, &row, &err), 0);
			link[1] = text("h2");
			CHECK_INT(store->ops->queue_update(lw, c, &row, &err), 0);
			link[1] = text("h3");
			CHECK_INT(store->ops->queue_update(lw, a, &row, &err), 0);
			CHECK_INT(store->ops->queue_update(lw, c + 1000, &row, &err), 0);
			CHECK_INT(store->ops->flush_updates(lw, told, &err), 0);
			CHECK_INT(store->ops->row_hash(w, a, &read_a, &err), 1);
			CHECK_INT(store->ops->row_hash(w, c, &read_c, &err), 1);
			CHECK(told[0] == read_a && told[2] == read_a);
			CHECK(told[1] == read_c && read_c != read_a);
			CHECK(told[3] == 0);
		}
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		store->ops->writer_close(lw);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

struct hashes {
	int64_t ids[4];
	uint64_t values[4];
	int count;
};

static int collect_hash(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct hashes *h = ctx;

	(void)err;
	if (h->count < 4) {
		h->ids[h->count] = id;
		h->values[h->count++] = hash;
	}
	return 0;
}

/* A row's hash changes with its content and comes back with a restored pre-image, on every path that reads it; emptied, a table has no row. */
static void test_store__hash_update_restore(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_value v[7];
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_buf pre, whole;
		struct hashes all = {{0}, {0}, 0};
		struct crm_store_row row;
		uint64_t h1 = 0, h2 = 0, h3 = 0, written = 1;
		uint8_t present[2];
		int64_t id, ids[2], rows = -1;
		char url[256];

		if (!(w = open_widget(b, url, &store)))
			continue;
		crm_buf_init(&pre, 1 << 20);
		crm_buf_init(&whole, 1 << 20);
		widget_row(v, "first", "1", "1.10", "2020-01-01", "2020-01-01T00:00:00Z", "0", 0);
		id = insert(w, store, "W1", v, 1);
		CHECK_INT(store->ops->row_hash(w, id, &h1, &err), 1);
		CHECK_INT(store->ops->fetch(w, id, &pre, &err), 1);
		widget_row(v, "second", "2", "2.20", "2021-02-02", "2021-02-02T12:30:00Z", "1", 0);
		row = (struct crm_store_row){"W1", 2, v, LOAD_TIME};
		CHECK_INT(store->ops->update(w, id, &row, &written, &err), 0);
		CHECK_INT(store->ops->row_hash(w, id, &h2, &err), 1);
		CHECK(h1 != h2);
		/* the update tells the row's hash as row_hash reads it (PostgreSQL's RETURNING), or 0 (SQLite: read when needed) */
		CHECK(b == BACKEND_SQLITE ? written == 0 : written == h2);
		CHECK_INT(store->ops->restore_row(store, "widget", id, pre.ptr, &err), 0);
		CHECK_INT(store->ops->row_hash(w, id, &h3, &err), 1);
		CHECK(h3 == h1);
		/* hash_rows gives the same hash as row_hash */
		CHECK_INT(store->ops->hash_rows(store, "widget", INT64_MIN, collect_hash, &all, &err), 0);
		CHECK_INT(all.count, 1);
		CHECK_INT(all.ids[0], id);
		CHECK(all.values[0] == h1);
		/* a deleted row comes back whole under its id */
		CHECK_INT(store->ops->row_json(store, "widget", id, &whole, &err), 1);
		ids[0] = id;
		ids[1] = id + 1000;
		CHECK_INT(store->ops->remove_rows(store, "widget", ids, 1, &err), 0);
		CHECK_INT(store->ops->row_hash(w, id, &h3, &err), 0);
		CHECK_INT(store->ops->has_rows(store, "widget", ids, 2, present, &err), 0);
		CHECK_INT(present[0], 0);
		CHECK_INT(store->ops->restore_row(store, "widget", id, whole.ptr, &err), 0);
		CHECK_INT(store->ops->has_rows(store, "widget", ids, 2, present, &err), 0);
		CHECK_INT(present[0], 1);
		CHECK_INT(present[1], 0);
		CHECK_INT(store->ops->row_hash(w, id, &h3, &err), 1);
		CHECK(h3 == h1);
		/* emptied whole: no row is left */
		insert(w, store, "W2", v, 1);
		CHECK_INT(store->ops->empty_table(store, "widget", &rows, &err), 0);
		CHECK_INT(rows, 2);
		CHECK_INT(store->ops->count(store, "widget", &rows, &err), 0);
		CHECK_INT(rows, 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		store->ops->writer_close(w);
		close_backend(store, url);
		crm_buf_release(&pre);
		crm_buf_release(&whole);
	}
}

/*
 * restore_rows puts n rows back as n restore_row calls would: fetched
 * pre-images restore each row to its hash before; a pre-image naming fewer
 * columns (another shape, a statement of its own) sets those only;
 * deleted rows' whole pre-images bring them back under their ids.
 */
static void test_store__rows_restored_at_once(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_value v[7];
		struct crm_buf pre[6], now;
		const char *pres[6];
		uint64_t before[6], after = 0, written;
		int64_t ids[6];
		char url[256], sid[16], name[24];
		int i;

		if (!(w = open_widget(b, url, &store)))
			continue;
		if (!store->ops->restore_rows) {
			store->ops->writer_close(w);
			close_backend(store, url);
			continue;
		}
		crm_buf_init(&now, 1 << 20);
		for (i = 0; i < 6; i++) {
			crm_buf_init(&pre[i], 1 << 20);
			snprintf(sid, sizeof(sid), "R%d", i);
			snprintf(name, sizeof(name), "row %d", i);
			widget_row(v, name, "7", "1.50", "2020-02-29", "2021-02-02T12:30:00Z", i % 2 ? "1" : "0", 0);
			ids[i] = insert(w, store, sid, v, 1);
			CHECK_INT(store->ops->row_hash(w, ids[i], &before[i], &err), 1);
			CHECK_INT(store->ops->fetch(w, ids[i], &pre[i], &err), 1);
		}
		/* row 3's pre-image names its name only; rows 4 and 5's are whole, the rows deleted */
		crm_buf_reset(&pre[3]);
		crm_buf_addstr(&pre[3], "{\"name\": \"row 3\"}", &err);
		for (i = 4; i < 6; i++) {
			crm_buf_reset(&pre[i]);
			CHECK_INT(store->ops->row_json(store, "widget", ids[i], &pre[i], &err), 1);
		}
		CHECK_INT(store->ops->remove_rows(store, "widget", &ids[4], 2, &err), 0);
		for (i = 0; i < 4; i++) {
			struct crm_store_row row;
			snprintf(sid, sizeof(sid), "R%d", i);
			widget_row(v, "changed", "8", "2.25", "", "2022-03-03T00:00:00Z", "1", 0);
			row = (struct crm_store_row){sid, strlen(sid), v, LOAD_TIME};
			CHECK_INT(store->ops->update(w, ids[i], &row, &written, &err), 0);
		}
		for (i = 0; i < 6; i++)
			pres[i] = pre[i].ptr;
		CHECK_INT(store->ops->restore_rows(store, "widget", ids, pres, 6, &err), 0);
		CHECK_STR(err.msg, "");
		for (i = 0; i < 6; i++) {
			CHECK_INT(store->ops->row_hash(w, ids[i], &after, &err), 1);
			CHECK(i == 3 ? after != before[i] : after == before[i]);
		}
		CHECK_INT(store->ops->fetch(w, ids[3], &now, &err), 1);
		CHECK(strstr(now.ptr, "\"row 3\"") != NULL && strstr(now.ptr, "2.25") != NULL);
		for (i = 0; i < 6; i++)
			crm_buf_release(&pre[i]);
		crm_buf_release(&now);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/*
 * The hash an insert tells is row_hash's of the row it wrote, for every
 * kind of value (empty, integers, a parent, text past ASCII): SQLite's
 * from the values it bound, PostgreSQL's from the row RETURNING gives.
 */
static void test_store__insert_tells_the_hash_of_its_row(void)
{
	static const char *const names[] = {"plain", "", "Zoë \"quoted\", ünïcode", "x"};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_value v[7];
		char url[256], sid[16];
		int64_t parent = 0;
		size_t i;

		if (!(w = open_widget(b, url, &store)))
			continue;
		for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
			uint64_t told = 1, read = 0;
			int64_t id;
			widget_row(v, names[i], i % 2 ? "" : "-42", i % 2 ? NULL : "3.50", i == 2 ? "2020-02-29" : "",
				   "2021-02-02T12:30:00Z", i % 2 ? "1" : "0", parent);
			snprintf(sid, sizeof(sid), "H%zu", i);
			id = insert_hashed(w, store, sid, v, 1, &told);
			CHECK_INT(store->ops->row_hash(w, id, &read, &err), 1);
			CHECK(told == read);
			parent = id;
		}
		CHECK_STR(err.msg, "");
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/* A column by hand whose type converts what is bound (REAL, NUMERIC text), or a default: no hash is told. */
static void test_store__insert_tells_no_hash_where_the_table_converts(void)
{
	static const char *const tables[] = {
		"CREATE TABLE widget (id INTEGER PRIMARY KEY, source_system TEXT, source_id TEXT, name TEXT, "
		"qty REAL, price TEXT, born TEXT, seen TEXT, active INTEGER, parent_id INTEGER, created_at TEXT, "
		"updated_at TEXT)",
		"CREATE TABLE widget (id INTEGER PRIMARY KEY, source_system TEXT, source_id TEXT, name TEXT, "
		"qty INTEGER, price NUMERIC, born TEXT, seen TEXT, active INTEGER, parent_id INTEGER, created_at TEXT, "
		"updated_at TEXT)",
		"CREATE TABLE widget (id INTEGER PRIMARY KEY, source_system TEXT, source_id TEXT, name TEXT, "
		"qty INTEGER, price TEXT, born TEXT, seen TEXT, active INTEGER, parent_id INTEGER, created_at TEXT, "
		"updated_at TEXT, note TEXT DEFAULT 'n/a')",
		/* a column of its own without a default is NULL in every row: the hash is told */
		"CREATE TABLE widget (id INTEGER PRIMARY KEY, note VARCHAR(20), source_system TEXT, source_id TEXT, "
		"name CLOB, qty BIGINT, price TEXT, born TEXT, seen TEXT, active INT, parent_id INTEGER, created_at "
		"TEXT, updated_at TEXT, extra)",
	};
	size_t t;

	for (t = 0; t < sizeof(tables) / sizeof(*tables); t++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_value v[7];
		uint64_t told = 1, read = 0;
		char url[256];
		sqlite3 *db;
		int64_t id;

		if (backend_new_target(BACKEND_SQLITE, url))
			continue;
		CHECK_INT(sqlite3_open(url + 7, &db), SQLITE_OK);
		CHECK_INT(sqlite3_exec(db, tables[t], NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		store = crm_store_open(url, "/tmp", 1, &err);
		CHECK(store != NULL);
		if (!store)
			continue;
		CHECK_INT(store->ops->ensure_table(store, &widget, &err), 0);
		w = store->ops->writer_open(store, &widget, &err);
		CHECK(w != NULL);
		if (w) {
			widget_row(v, "n", "7", "1.5", "", "", "1", 0);
			id = insert_hashed(w, store, "C1", v, 1, &told);
			CHECK_INT(store->ops->row_hash(w, id, &read, &err), 1);
			if (t < 3)
				CHECK(told == 0);
			else
				CHECK(told == read && told != 0);
			store->ops->writer_close(w);
		}
		CHECK_STR(err.msg, "");
		close_backend(store, url);
	}
}

/*
 * What a snapshot reads of a table: its row count and highest id, the rows
 * above an id (a run's inserts) and listed rows (those it updated), each
 * with the hash hash_rows gives the whole table.
 */
static void test_store__hashes_of_part_of_a_table(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct hashes all = {{0}, {0}, 0}, above = {{0}, {0}, 0}, listed = {{0}, {0}, 0};
		struct crm_value v[7];
		struct crm_store_writer *w;
		struct crm_store *store;
		int64_t id[3], ids[3], rows = -1, max_id = -1;
		char url[256];

		if (!(w = open_widget(b, url, &store)))
			continue;
		CHECK_INT(store->ops->extent(store, "widget", &rows, &max_id, &err), 0);
		CHECK_INT(rows, 0);
		CHECK_INT(max_id, 0);
		CHECK_INT(store->ops->extent(store, "no_such_table", &rows, &max_id, &err), 0);
		CHECK_INT(rows, 0);
		CHECK_INT(max_id, 0);
		widget_row(v, "a", "1", NULL, NULL, NULL, NULL, 0);
		id[0] = insert(w, store, "W1", v, 1);
		widget_row(v, "b", "2", NULL, NULL, NULL, NULL, 0);
		id[1] = insert(w, store, "W2", v, 1);
		widget_row(v, "c", "3", NULL, NULL, NULL, NULL, 0);
		id[2] = insert(w, store, "W3", v, 1);
		CHECK_INT(store->ops->extent(store, "widget", &rows, &max_id, &err), 0);
		CHECK_INT(rows, 3);
		CHECK_INT(max_id, id[2]);
		CHECK_INT(store->ops->hash_rows(store, "widget", INT64_MIN, collect_hash, &all, &err), 0);
		CHECK_INT(all.count, 3);
		CHECK_INT(store->ops->hash_rows(store, "widget", id[0], collect_hash, &above, &err), 0);
		CHECK_INT(above.count, 2);
		CHECK_INT(above.ids[0], id[1]);
		CHECK_INT(above.ids[1], id[2]);
		CHECK(above.values[0] == all.values[1] && above.values[1] == all.values[2]);
		/* absent ids are left out; the rest come in id order */
		ids[0] = id[0];
		ids[1] = id[2];
		ids[2] = id[2] + 1000;
		CHECK_INT(store->ops->hash_ids(store, "widget", ids, 3, collect_hash, &listed, &err), 0);
		CHECK_INT(listed.count, 2);
		CHECK_INT(listed.ids[0], id[0]);
		CHECK_INT(listed.ids[1], id[2]);
		CHECK(listed.values[0] == all.values[0] && listed.values[1] == all.values[2]);
		CHECK(all.values[0] != all.values[1]);
		/* nothing above the highest id, and a table not created yet has no rows */
		above.count = 0;
		CHECK_INT(store->ops->hash_rows(store, "widget", id[2], collect_hash, &above, &err), 0);
		CHECK_INT(store->ops->hash_rows(store, "no_such_table", INT64_MIN, collect_hash, &above, &err), 0);
		CHECK_INT(store->ops->hash_ids(store, "no_such_table", ids, 3, collect_hash, &above, &err), 0);
		CHECK_INT(above.count, 0);
		if (err.code)
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/*
 * NULLs after a row's last value do not count in its hash: a column added
 * to the table (a custom field a later run maps) leaves every row's hash as
 * the runs before took it, on every path that takes one; a value written
 * into the new column counts.
 */
static void test_store__added_column_keeps_the_hashes(void)
{
	static const struct crm_store_column wider_columns[] = {
		{"name", CRM_TYPE_TEXT},     {"qty", CRM_TYPE_INT},	  {"price", CRM_TYPE_DECIMAL},
		{"born", CRM_TYPE_DATE},     {"seen", CRM_TYPE_DATETIME}, {"active", CRM_TYPE_BOOL},
		{"parent_id", CRM_TYPE_REF}, {"extra", CRM_TYPE_TEXT},
	};
	static const struct crm_table_spec wider = {"widget", "test", wider_columns, 8, 0};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct hashes all = {{0}, {0}, 0};
		struct crm_value v[8];
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_store_row row;
		uint64_t first = 0, told = 0, now = 0;
		int64_t id, other;
		char url[256];

		if (!(w = open_widget(b, url, &store)))
			continue;
		/* the widget's last columns NULL too: active, parent_id */
		widget_row(v, "first", "1", "1.10", "2020-01-01", "2020-01-01T00:00:00Z", NULL, 0);
		id = insert(w, store, "W1", v, 1);
		CHECK_INT(store->ops->row_hash(w, id, &first, &err), 1);
		store->ops->writer_close(w);
		CHECK_INT(store->ops->ensure_table(store, &wider, &err), 0);
		w = store->ops->writer_open(store, &wider, &err);
		CHECK(w != NULL);
		if (!w) {
			fprintf(stderr, "%s: %s\n", backend_names[b], err.msg);
			close_backend(store, url);
			continue;
		}
		CHECK_INT(store->ops->row_hash(w, id, &now, &err), 1);
		CHECK(now == first);
		CHECK_INT(store->ops->hash_rows(store, "widget", INT64_MIN, collect_hash, &all, &err), 0);
		CHECK_INT(all.count, 1);
		CHECK(all.values[0] == first);
		/* a row inserted into the wider table, the new column NULL: its told hash is the one read */
		v[7] = text(NULL);
		other = insert_hashed(w, store, "W2", v, 1, &told);
		CHECK_INT(store->ops->row_hash(w, other, &now, &err), 1);
		CHECK(told == 0 || told == now);
		/* a value in the new column counts */
		v[7] = text("x");
		row = (struct crm_store_row){"W1", 2, v, LOAD_TIME};
		CHECK_INT(store->ops->update(w, id, &row, &told, &err), 0);
		CHECK_INT(store->ops->row_hash(w, id, &now, &err), 1);
		CHECK(now != first);
		CHECK_STR(err.msg, "");
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/* A rolled-back transaction leaves nothing; a committed one keeps its rows. */
static void test_store__transactions(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_value v[7];
		struct crm_store_writer *w;
		struct crm_store *store;
		int64_t count = -2;
		char url[256];

		if (!(w = open_widget(b, url, &store)))
			continue;
		widget_row(v, "x", NULL, NULL, NULL, NULL, NULL, 0);
		CHECK_INT(store->ops->begin(store, &err), 0);
		insert(w, store, "W1", v, 1);
		CHECK_INT(store->ops->rollback(store, &err), 0);
		store->ops->count(store, "widget", &count, &err);
		CHECK_INT(count, 0);
		CHECK_INT(store->ops->begin(store, &err), 0);
		insert(w, store, "W1", v, 1);
		CHECK_INT(store->ops->commit(store, &err), 0);
		store->ops->count(store, "widget", &count, &err);
		CHECK_INT(count, 1);
		/* rollback outside a transaction is no error */
		CHECK_INT(store->ops->rollback(store, &err), 0);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/*
 * A view beside the writer: a second connection's snapshot begins while
 * the first has an uncommitted row in its open transaction, counts only
 * what was committed, and once it ends the writer commits.
 */
static void test_store__snapshot_beside_the_writer(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		const char *const tables[] = {"widget", "not_made"};
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_value v[7];
		struct crm_store_writer *w;
		struct crm_store *store, *beside;
		int64_t count = -2;
		char url[256];

		if (!(w = open_widget(b, url, &store)))
			continue;
		widget_row(v, "x", NULL, NULL, NULL, NULL, NULL, 0);
		CHECK_INT(store->ops->begin(store, &err), 0);
		insert(w, store, "W1", v, 1);
		CHECK_INT(store->ops->commit(store, &err), 0);
		CHECK_INT(store->ops->begin(store, &err), 0);
		insert(w, store, "W2", v, 1);
		beside = crm_store_open(url, "/tmp", 0, &err);
		CHECK(beside != NULL);
		if (beside) {
			CHECK_INT(beside->ops->begin_snapshot(beside, tables, 2, &err), 0);
			CHECK_STR(err.msg, "");
			CHECK_INT(beside->ops->count(beside, "widget", &count, &err), 0);
			CHECK_INT(count, 1);
			CHECK_INT(beside->ops->rollback(beside, &err), 0);
			crm_store_close(beside);
		}
		CHECK_INT(store->ops->commit(store, &err), 0);
		CHECK_STR(err.msg, "");
		store->ops->count(store, "widget", &count, &err);
		CHECK_INT(count, 2);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/* The identity: none in a new target, made once, the same when opened again. */
static void test_store__identity(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store *store;
		char url[256], made[CRM_STORE_IDENTITY_LEN], read[CRM_STORE_IDENTITY_LEN];

		if (!(store = open_backend(b, url)))
			continue;
		CHECK_INT(store->ops->identity(store, made, 0, &err), 0);
		CHECK_INT(store->ops->identity(store, made, 1, &err), 1);
		CHECK_INT(strlen(made), 36);
		crm_store_close(store);
		store = crm_store_open(url, "/tmp", 0, &err);
		CHECK(store != NULL);
		if (!store)
			continue;
		CHECK_INT(store->ops->identity(store, read, 0, &err), 1);
		CHECK_STR(read, made);
		close_backend(store, url);
	}
}

/*
 * The source index: built with a table, or, for a first load into an empty
 * one that defers it, left out (the writer inserts without a conflict
 * clause) until built whole; then a second row of a source id is turned
 * away again. A backend without the op keeps it with the table.
 */
static void test_store__source_index_deferred_then_built(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_table_spec deferred = widget;
		struct crm_value v[7];
		struct crm_store_writer *w;
		struct crm_store *store;
		char url[256];

		if (!(store = open_backend(b, url)))
			continue;
		if (!store->ops->source_index) {
			close_backend(store, url);
			continue;
		}
		deferred.defer_source_index = 1;
		CHECK_INT(store->ops->ensure_table(store, &deferred, &err), 0);
		CHECK_INT(store->ops->source_index(store, "widget", 0, &err), 0);
		w = store->ops->writer_open(store, &deferred, &err);
		REQUIRE(w != NULL);
		widget_row(v, "x", NULL, NULL, NULL, NULL, NULL, 0);
		insert(w, store, "W1", v, 1);
		CHECK_INT(store->ops->source_index(store, "widget", 1, &err), 0);
		CHECK_INT(store->ops->source_index(store, "widget", 0, &err), 1);
		/* built once: building again is no error */
		CHECK_INT(store->ops->source_index(store, "widget", 1, &err), 0);
		store->ops->writer_close(w);
		/* a table with rows is never left without it (a killed first load's, resumed) */
		CHECK_INT(store->ops->exec(store, "DROP INDEX widget_source_key", &err), 0);
		CHECK_INT(store->ops->source_index(store, "widget", 0, &err), 0);
		CHECK_INT(store->ops->ensure_table(store, &deferred, &err), 0);
		CHECK_INT(store->ops->source_index(store, "widget", 0, &err), 1);
		w = store->ops->writer_open(store, &widget, &err);
		REQUIRE(w != NULL);
		insert(w, store, "W1", v, 0);
		insert(w, store, "W2", v, 1);
		store->ops->writer_close(w);
		/* a table made when the index was a constraint of the table has it */
		CHECK_INT(store->ops->exec(store,
					   "CREATE TABLE older (id INTEGER PRIMARY KEY, source_system TEXT NOT NULL, "
					   "source_id TEXT NOT NULL, UNIQUE (source_system, source_id))",
					   &err),
			  0);
		CHECK_INT(store->ops->source_index(store, "older", 0, &err), 1);
		/* a unique index of other columns is not it */
		CHECK_INT(store->ops->exec(store, "CREATE TABLE other (id INTEGER PRIMARY KEY, source_id TEXT UNIQUE)",
					   &err),
			  0);
		CHECK_INT(store->ops->source_index(store, "other", 0, &err), 0);
		CHECK_STR(err.msg, "");
	cleanup:
		close_backend(store, url);
	}
}

/* Opened to read (no create), a missing SQLite target and state stay missing. */
static void test_store__reading_creates_nothing(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store *store;
	char url[256], state_path[128];

	backend_new_target(BACKEND_SQLITE, url);
	snprintf(state_path, sizeof(state_path), "%s/no-state.db", harness_scratch());
	store = crm_store_open(url, "/tmp", 0, &err);
	REQUIRE(store != NULL);
	CHECK_INT(store->ops->state_open(store, state_path, 0, &err), 1);
	crm_store_close(store);
	CHECK(access(url + 7, F_OK) != 0);
	CHECK(access(state_path, F_OK) != 0);
cleanup:;
}

/* The pre-image's JSON: what jansson's json_dumps writes of the same values, byte for byte, keys sorted. */
static void test_store__row_json_as_jansson_writes_it(void)
{
	static const char all_controls[] = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
					   "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";
	static const char *const texts[] = {
		"plain",
		"quote \" backslash \\ slash / del \x7f",
		"Zoë Ørsted – ☎ 𝄞 日本",
		"",
	};
	static const int64_t integers[] = {0, -1, 42, INT64_MAX, INT64_MIN};
	static const double reals[] = {0.1, 1.0, -0.0, 1e300, 2.5e-10, 123456789012345678.0, 100.0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_json_column cols[8];
	struct crm_buf mine, theirs;
	size_t i;

	crm_buf_init(&mine, 1 << 20);
	crm_buf_init(&theirs, 1 << 20);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]) + 3; i++) {
		json_t *obj = json_object();
		size_t n = 0, len;
		const char *t = i < 4 ? texts[i] : i == 4 ? all_controls : "x";
		len = i == 4 ? sizeof(all_controls) - 1 : strlen(t);
		memset(cols, 0, sizeof(cols));
		/* names out of order, upper before lower case, one a prefix of another */
		cols[n] = (struct crm_json_column){"name", CRM_JSON_TEXT, 0, 0, t, len};
		json_object_set_new(obj, "name", json_stringn(t, len));
		n++;
		cols[n] = (struct crm_json_column){"id", CRM_JSON_INTEGER, integers[i % 5], 0, NULL, 0};
		json_object_set_new(obj, "id", json_integer(integers[i % 5]));
		n++;
		cols[n] = (struct crm_json_column){"Name", CRM_JSON_NULL, 0, 0, NULL, 0};
		json_object_set_new(obj, "Name", json_null());
		n++;
		cols[n] = (struct crm_json_column){"amount", CRM_JSON_REAL, 0, reals[i % 7], NULL, 0};
		json_object_set_new(obj, "amount", json_real(reals[i % 7]));
		n++;
		cols[n] = (struct crm_json_column){"amount_2", CRM_JSON_REAL, 0, reals[(i + 3) % 7], NULL, 0};
		json_object_set_new(obj, "amount_2", json_real(reals[(i + 3) % 7]));
		n++;
		/* a name given twice: the later value, as json_object_set keeps it */
		cols[n] = (struct crm_json_column){"id", CRM_JSON_TEXT, 0, 0, "later", 5};
		json_object_set_new(obj, "id", json_string("later"));
		n++;
		CHECK_INT(crm_store_json_row(cols, n, &mine, &err), 0);
		{
			/* jansson's own dump of the same object */
			char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(obj);
			CHECK(text != NULL);
			crm_buf_reset(&theirs);
			if (text)
				CHECK_INT(crm_buf_addstr(&theirs, text, &err), 0);
			free(text);
		}
		CHECK_INT((int64_t)mine.len, (int64_t)theirs.len);
		CHECK(mine.len == theirs.len && memcmp(mine.ptr, theirs.ptr, mine.len) == 0);
		if (mine.len != theirs.len || memcmp(mine.ptr, theirs.ptr, mine.len) != 0)
			fprintf(stderr, "mine:   %.*s\ntheirs: %.*s\n", (int)mine.len, mine.ptr, (int)theirs.len,
				theirs.ptr);
	}
	/* text that is not UTF-8 is refused, by its column */
	cols[0] = (struct crm_json_column){"bad", CRM_JSON_TEXT, 0, 0, "ok \xc3\x28", 5};
	CHECK_INT(crm_store_json_row(cols, 1, &mine, &err), CRM_EINPUT);
	CHECK(strstr(err.msg, "column bad") != NULL);
	crm_buf_release(&mine);
	crm_buf_release(&theirs);
}

/* Row id's hash, pre-image and whole row (row_json) as the store answers now; the texts into pre and whole. */
static void read_row(struct crm_store *store, struct crm_store_writer *w, int64_t id, uint64_t *hash,
		     struct crm_buf *pre, struct crm_buf *whole, int expect)
{
	struct crm_error err = CRM_ERROR_INIT;

	*hash = 0;
	crm_buf_reset(pre);
	crm_buf_reset(whole);
	CHECK_INT(store->ops->row_hash(w, id, hash, &err), expect);
	CHECK_INT(store->ops->fetch(w, id, pre, &err), expect);
	CHECK_INT(store->ops->row_json(store, "widget", id, whole, &err), expect);
	CHECK_STR(err.msg, "");
}

static int same_text(const struct crm_buf *a, const struct crm_buf *b)
{
	return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/*
 * Rows read ahead answer row_hash, fetch and row_json as the table would,
 * byte for byte, until the next read-ahead; a row written through the
 * store since (updated, removed, restored) is read as it is now.
 */
static void test_store__rows_read_ahead_answer_as_the_table(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_buf pre[3], whole[3], pre_now, whole_now;
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_value v[7];
		struct crm_store_row row;
		uint64_t hash[3], now, written;
		int64_t ids[4];
		char url[256], sql[128];
		int i;

		if (!(w = open_widget(b, url, &store)))
			continue;
		if (!store->ops->read_ahead) {
			/* SQLite reads a row in process: nothing to read ahead */
			CHECK(b == BACKEND_SQLITE);
			store->ops->writer_close(w);
			close_backend(store, url);
			continue;
		}
		crm_buf_init(&pre_now, 1 << 20);
		crm_buf_init(&whole_now, 1 << 20);
		for (i = 0; i < 3; i++) {
			char sid[16];
			crm_buf_init(&pre[i], 1 << 20);
			crm_buf_init(&whole[i], 1 << 20);
			snprintf(sid, sizeof(sid), "R%d", i);
			widget_row(v, i == 1 ? "Zoë \"two\"" : "plain", "7", i ? "2.50" : NULL, "2020-02-29",
				   "2021-02-02T12:30:00Z", i % 2 ? "1" : "0", i ? ids[0] : 0);
			ids[i] = insert(w, store, sid, v, 1);
			read_row(store, w, ids[i], &hash[i], &pre[i], &whole[i], 1);
		}
		ids[3] = ids[2] + 1000; /* no such row */
		CHECK_INT(store->ops->read_ahead(store, "widget", ids, 4, &err), 0);
		for (i = 0; i < 3; i++) {
			read_row(store, w, ids[i], &now, &pre_now, &whole_now, 1);
			CHECK(now == hash[i]);
			CHECK(same_text(&pre_now, &pre[i]));
			CHECK(same_text(&whole_now, &whole[i]));
		}
		read_row(store, w, ids[3], &now, &pre_now, &whole_now, 0);
		/* answered from what was read: a change made behind the store's back is not seen until the next read-ahead */
		snprintf(sql, sizeof(sql), "UPDATE widget SET name = 'behind' WHERE id = %lld", (long long)ids[0]);
		CHECK_INT(store->ops->exec(store, sql, &err), 0);
		read_row(store, w, ids[0], &now, &pre_now, &whole_now, 1);
		CHECK(now == hash[0]);
		/* written through the store: read as it is now */
		widget_row(v, "updated", "8", "9.99", "", "", "1", 0);
		row = (struct crm_store_row){"R1", 2, v, LOAD_TIME};
		CHECK_INT(store->ops->update(w, ids[1], &row, &written, &err), 0);
		read_row(store, w, ids[1], &now, &pre_now, &whole_now, 1);
		CHECK(now == written && now != hash[1]);
		CHECK(strstr(pre_now.ptr, "updated") != NULL);
		CHECK_INT(store->ops->remove_rows(store, "widget", &ids[2], 1, &err), 0);
		read_row(store, w, ids[2], &now, &pre_now, &whole_now, 0);
		CHECK_INT(store->ops->restore_row(store, "widget", ids[2], whole[2].ptr, &err), 0);
		read_row(store, w, ids[2], &now, &pre_now, &whole_now, 1);
		CHECK(now == hash[2]);
		/* an empty read-ahead drops what the last one read */
		CHECK_INT(store->ops->read_ahead(store, "widget", ids, 0, &err), 0);
		read_row(store, w, ids[0], &now, &pre_now, &whole_now, 1);
		CHECK(now != hash[0]);
		CHECK(strstr(pre_now.ptr, "behind") != NULL);
		/* a rollback drops it too: rows read inside the transaction are undone behind it */
		CHECK_INT(store->ops->begin(store, &err), 0);
		CHECK_INT(store->ops->exec(store, "UPDATE widget SET qty = 99", &err), 0);
		CHECK_INT(store->ops->read_ahead(store, "widget", ids, 3, &err), 0);
		CHECK_INT(store->ops->rollback(store, &err), 0);
		read_row(store, w, ids[1], &now, &pre_now, &whole_now, 1);
		CHECK(now == written);
		CHECK_STR(err.msg, "");
		for (i = 0; i < 3; i++) {
			crm_buf_release(&pre[i]);
			crm_buf_release(&whole[i]);
		}
		crm_buf_release(&pre_now);
		crm_buf_release(&whole_now);
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/*
 * ensure_table on a table that exists: a model table another tool made
 * with other types is refused, naming the column; a custom field a later
 * run maps becomes a column once, and a third call adds nothing.
 */
static void test_store__ensure_table_on_a_table_that_exists(void)
{
	static const struct crm_store_column custom[] = {{"x_region", CRM_TYPE_TEXT}};
	static const struct crm_table_spec account = {"account", "test", NULL, 0, 0};
	static const struct crm_table_spec with_custom = {"account", "test", custom, 1, 0};
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store *store;
		char url[256];

		if (!(store = open_backend(b, url)))
			continue;
		CHECK_INT(store->ops->exec(store, "CREATE TABLE account (id bigint PRIMARY KEY, name integer)", &err),
			  0);
		if (b == BACKEND_POSTGRES) {
			CHECK_INT(store->ops->ensure_table(store, &account, &err), CRM_EREFUSED);
			CHECK(strstr(err.msg, "table account in the target was not made by crmshift: name integer "
					      "(crmshift writes text)") != NULL);
		}
		crm_error_clear(&err);
		CHECK_INT(store->ops->exec(store, "DROP TABLE account", &err), 0);
		CHECK_INT(store->ops->ensure_table(store, &account, &err), 0);
		CHECK_INT(store->ops->ensure_table(store, &with_custom, &err), 0);
		CHECK_INT(store->ops->ensure_table(store, &with_custom, &err), 0);
		{
			struct crm_store_stmt *st = crm_stmt_prepare(store, "SELECT x_region FROM account", &err);
			CHECK(st != NULL);
			crm_stmt_finalize(st);
		}
		CHECK_STR(err.msg, "");
		close_backend(store, url);
	}
}

/* The planner's count of widget's rows (reltuples: -1 until statistics were gathered). */
static double counted_rows(struct crm_store *store)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store_stmt *s =
		crm_stmt_prepare(store, "SELECT reltuples FROM pg_class WHERE relname = 'widget'", &err);
	double rows = -2;

	CHECK(s != NULL);
	if (s && crm_stmt_step(s, &err) == 1)
		rows = crm_stmt_col_double(s, 0);
	crm_stmt_finalize(s);
	CHECK_STR(err.msg, "");
	return rows;
}

/*
 * Statistics are gathered when the rows changed could have made them wrong,
 * as autovacuum would (50 and a tenth), and not while another session
 * gathers them.
 */
static void test_store__analyze_when_the_statistics_are_stale(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store_writer *w;
		struct crm_store *store;
		struct crm_value v[7];
		char url[256], sid[16];
		int i;

		if (!(w = open_widget(b, url, &store)))
			continue;
		if (!store->ops->analyze) {
			CHECK(b == BACKEND_SQLITE);
			store->ops->writer_close(w);
			close_backend(store, url);
			continue;
		}
		/* the server's own statistics would change what is counted */
		CHECK_INT(store->ops->exec(store, "ALTER TABLE widget SET (autovacuum_enabled = off)", &err), 0);
		widget_row(v, "n", "1", "1.00", "", "", "0", 0);
		for (i = 0; i < 165; i++) {
			snprintf(sid, sizeof(sid), "A%d", i);
			insert(w, store, sid, v, 1);
			if (i == 9) {
				/* never gathered: a few rows are enough */
				CHECK_INT(store->ops->analyze(store, NULL, "widget", "id", 10, &err), 0);
				CHECK(counted_rows(store) == 10);
			} else if (i == 69) {
				/* 60 more, past 50 and a tenth of 10 */
				CHECK_INT(store->ops->analyze(store, NULL, "widget", "id", 60, &err), 0);
				CHECK(counted_rows(store) == 70);
			} else if (i == 124) {
				/* 55 more are within 50 and a tenth of 70: kept */
				CHECK_INT(store->ops->analyze(store, NULL, "widget", "id", 55, &err), 0);
				CHECK(counted_rows(store) == 70);
			}
		}
		{
			/*
			 * Another session gathering them (autovacuum, here a lock
			 * as its): left to it, without waiting for the lock, which
			 * lock_timeout would turn into an error
			 */
			struct crm_store *other = crm_store_open(url, "/tmp", 0, &err);
			CHECK(other != NULL);
			if (other) {
				CHECK_INT(other->ops->begin(other, &err), 0);
				CHECK_INT(other->ops->exec(other, "LOCK TABLE widget IN SHARE UPDATE EXCLUSIVE MODE",
							   &err),
					  0);
				CHECK_INT(store->ops->exec(store, "SET lock_timeout = '10s'", &err), 0);
				CHECK_INT(store->ops->analyze(store, NULL, "widget", "id", 95, &err), 0);
				CHECK(counted_rows(store) == 70);
				CHECK_INT(other->ops->rollback(other, &err), 0);
				crm_store_close(other);
			}
		}
		CHECK_INT(store->ops->analyze(store, NULL, "widget", "id", 95, &err), 0);
		CHECK(counted_rows(store) == 165);
		CHECK_STR(err.msg, "");
		store->ops->writer_close(w);
		close_backend(store, url);
	}
}

/*
 * foreign_keys says whether a key the store enforces names a table, on
 * either side: a rollback restores the rows of tables none names in any
 * order, and keeps the ledger's order for the others.
 */
static void test_store__foreign_keys_of_a_table(void)
{
	int b;

	for (b = 0; b < BACKEND_COUNT; b++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_store *store;
		char url[256];

		if (!(store = open_backend(b, url)))
			continue;
		if (!store->ops->foreign_keys) {
			/* no set restores to order (SQLite, in process): the ledger's order is kept */
			CHECK(!store->ops->restore_rows);
			close_backend(store, url);
			continue;
		}
		CHECK_INT(
			store->ops->exec(store,
					 "CREATE TABLE parent (id bigint PRIMARY KEY); CREATE TABLE child (id bigint, "
					 "parent_id bigint REFERENCES parent (id)); CREATE TABLE \"Alone\" (id bigint)",
					 &err),
			0);
		CHECK_INT(store->ops->foreign_keys(store, "parent", &err), 1);
		CHECK_INT(store->ops->foreign_keys(store, "child", &err), 1);
		CHECK_INT(store->ops->foreign_keys(store, "Alone", &err), 0);
		CHECK_INT(store->ops->foreign_keys(store, "absent", &err), 0);
		CHECK_STR(err.msg, "");
		close_backend(store, url);
	}
}

static const struct harness_test tests[] = {
	TEST(test_store__values_read_back_as_written),
	TEST(test_store__scan_reads_its_source_only),
	TEST(test_store__queued_inserts_as_one_by_one),
	TEST(test_store__queued_inserts_without_the_source_index),
	TEST(test_store__queued_inserts_tell_hashes_as_read),
	TEST(test_store__streamed_queue_between_statements),
	TEST(test_store__queued_updates_as_one_by_one),
	TEST(test_store__hash_update_restore),
	TEST(test_store__rows_restored_at_once),
	TEST(test_store__insert_tells_the_hash_of_its_row),
	TEST(test_store__insert_tells_no_hash_where_the_table_converts),
	TEST(test_store__hashes_of_part_of_a_table),
	TEST(test_store__added_column_keeps_the_hashes),
	TEST(test_store__transactions),
	TEST(test_store__snapshot_beside_the_writer),
	TEST(test_store__identity),
	TEST(test_store__source_index_deferred_then_built),
	TEST(test_store__reading_creates_nothing),
	TEST(test_store__row_json_as_jansson_writes_it),
	TEST(test_store__rows_read_ahead_answer_as_the_table),
	TEST(test_store__ensure_table_on_a_table_that_exists),
	TEST(test_store__analyze_when_the_statistics_are_stale),
	TEST(test_store__foreign_keys_of_a_table),
};

HARNESS_MAIN
