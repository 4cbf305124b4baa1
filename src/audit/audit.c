/*
 * audit.c: the hash-chained audit log and its head.
 */
#include "compat.h"
#include "audit/audit.h"
#include "transform/datetime.h"
#include "util/alloc.h"
#include "util/path.h"
#include "util/sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static int log_paths(const char *dir, char *log, char *head, size_t cap, struct crm_error *err)
{
	return crm_path_format(log, cap, err, "%s/.crmshift/audit.log", dir) ||
			       crm_path_format(head, cap, err, "%s/.crmshift/audit.head", dir)
		       ? err->code
		       : 0;
}

/* The hash of an entry: SHA-256 of its compact, key-sorted JSON without "hash". */
static int entry_hash(const json_t *entry, char out[CRM_SHA256_HEX])
{
	json_t *copy = json_deep_copy(entry);
	char *text;

	if (!copy)
		return -1;
	json_object_del(copy, "hash");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text)
		return -1;
	crm_sha256_hex(text, strlen(text), out);
	free(text);
	return 0;
}

/*
 * The head: seq and hash of the last entry written. An entry is announced
 * before it is written (pending, with the hash of the entry before it) and
 * the head is marked done once the entry is on disk, so a stop at any point
 * leaves a head that tells a crash from a change: pending with the log at
 * the entry (only the mark was lost), or at the one before (the entry was
 * never written, or cut short). 1 when there is no head.
 */
struct audit_head {
	int64_t seq;
	char hash[CRM_SHA256_HEX];
	char prev[CRM_SHA256_HEX]; /* of the entry before: the log's end while the entry is pending */
	int pending;
};

static int read_head(const char *path, struct audit_head *h, struct crm_error *err)
{
	FILE *f = fopen(path, "r");
	char state[16] = "done";
	long long s;
	int n;

	memset(h, 0, sizeof(*h));
	if (!f) {
		if (errno == ENOENT)
			return 1;
		return crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
	}
	/* "seq hash" (a head written before pending entries), or "seq hash prev pending|done" */
	n = fscanf(f, "%lld %64s %64s %15s", &s, h->hash, h->prev, state);
	fclose(f);
	if ((n != 2 && n != 4) || strlen(h->hash) != 64 || (n == 4 && strlen(h->prev) != 64) ||
	    (strcmp(state, "done") && strcmp(state, "pending")))
		return crm_error_set(err, CRM_EREFUSED, "%s is damaged: run 'crmshift audit verify'", path);
	h->seq = (int64_t)s;
	h->pending = !strcmp(state, "pending");
	return 0;
}

/*
 * The last line of the log open on fd (size bytes), parsed: NULL with
 * *whole = 0 when the file does not end with a whole JSON entry.
 */
static json_t *last_entry(int fd, off_t size, int *whole)
{
	char *buf;
	off_t start, at;
	json_t *entry = NULL;

	*whole = 0;
	/* entries are short; read back in growing windows until a line break before the last one */
	for (at = 4096;; at *= 2) {
		ssize_t got;
		start = size > at ? size - at : 0;
		buf = crm_malloc((size_t)(size - start) + 1);
		if (!buf)
			return NULL;
		got = pread(fd, buf, (size_t)(size - start), start);
		if (got != size - start) {
			crm_free(buf);
			return NULL;
		}
		buf[got] = '\0';
		if (got == 0 || buf[got - 1] != '\n') {
			crm_free(buf);
			return NULL;
		}
		buf[got - 1] = '\0';
		{
			char *nl = strrchr(buf, '\n');
			if (nl || start == 0) {
				entry = json_loads(nl ? nl + 1 : buf, 0, NULL);
				crm_free(buf);
				break;
			}
		}
		crm_free(buf);
	}
	*whole = json_is_object(entry) && json_is_integer(json_object_get(entry, "seq")) &&
		 json_is_string(json_object_get(entry, "hash"));
	return entry;
}

static int write_head(const char *path, int64_t seq, const char *hash, const char *prev, int pending,
		      struct crm_error *err)
{
	struct crm_atomic_file af;

	if (crm_atomic_open(&af, path, err))
		return err->code;
	if (fprintf(af.f, "%lld %s %s %s\n", (long long)seq, hash, prev, pending ? "pending" : "done") < 0)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return crm_atomic_commit(&af, err);
}

/* The offset just past the log's last line break (0 when it has none): where a cut last line starts. */
static off_t whole_lines_end(int fd, off_t size)
{
	char buf[4096];
	off_t end = size;

	while (end > 0) {
		off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		size_t n = (size_t)(end - start);
		if (pread(fd, buf, n, start) != (ssize_t)n)
			return -1;
		while (n > 0)
			if (buf[--n] == '\n')
				return start + (off_t)n + 1;
		end = start;
	}
	return 0;
}

/* The seq and hash of the log's last whole entry into *seq, hash (0 and the zero hash for an empty log). */
static int log_end(int fd, off_t size, int64_t *seq, char hash[CRM_SHA256_HEX])
{
	json_t *last;
	int whole;

	*seq = 0;
	snprintf(hash, CRM_SHA256_HEX, "%s", ZERO_HASH);
	if (size == 0)
		return 0;
	last = last_entry(fd, size, &whole);
	if (whole) {
		*seq = json_integer_value(json_object_get(last, "seq"));
		snprintf(hash, CRM_SHA256_HEX, "%s", json_string_value(json_object_get(last, "hash")));
	}
	json_decref(last);
	return whole ? 0 : -1;
}

/*
 * A head left pending by a stop: the entry is on disk (only the done mark
 * was lost), or it never was, or only in part (the head goes back to the
 * entry before, and a cut line of the pending entry is trimmed). Anything
 * else is left for the check that follows to refuse.
 */
static int finish_pending(int fd, const char *log, const char *head, struct audit_head *h, struct crm_error *err)
{
	struct stat st;
	int64_t seq;
	char hash[CRM_SHA256_HEX];
	off_t end;

	if (fstat(fd, &st) != 0)
		return crm_error_set(err, CRM_EIO, "%s: %s", log, strerror(errno));
	if (log_end(fd, st.st_size, &seq, hash) == 0 && seq == h->seq && !strcmp(hash, h->hash)) {
		h->pending = 0;
		return write_head(head, h->seq, h->hash, h->prev, 0, err);
	}
	end = whole_lines_end(fd, st.st_size);
	if (end < 0 || log_end(fd, end, &seq, hash) != 0 || seq != h->seq - 1 || strcmp(hash, h->prev) != 0)
		return 0;
	if (end < st.st_size && ftruncate(fd, end) != 0)
		return crm_error_set(err, CRM_EIO, "cannot trim '%s': %s", log, strerror(errno));
	h->seq = seq;
	snprintf(h->hash, sizeof(h->hash), "%s", hash);
	h->pending = 0;
	return write_head(head, h->seq, h->hash, ZERO_HASH, 0, err);
}

/*
 * Appends one entry: announced in the head (pending), written and synced,
 * then marked done, so a stop anywhere leaves a log and head that the next
 * append completes (finish_pending) and verify accepts.
 */
static int append_locked(int fd, const char *log, const char *head, json_t *fields, struct crm_error *err)
{
	char prev[CRM_SHA256_HEX] = ZERO_HASH, hash[CRM_SHA256_HEX], now[CRM_DT_MAX];
	int64_t seq = 1, end_seq;
	json_t *entry = NULL;
	struct audit_head h;
	struct stat st;
	char *line = NULL;
	size_t len, done = 0;
	int rc;

	rc = read_head(head, &h, err);
	if (rc < 0)
		return rc;
	if (rc == 0 && h.pending && finish_pending(fd, log, head, &h, err))
		return err->code;
	if (fstat(fd, &st) != 0)
		return crm_error_set(err, CRM_EIO, "%s: %s", log, strerror(errno));
	if (log_end(fd, st.st_size, &end_seq, prev) != 0)
		return crm_error_set(err, CRM_EREFUSED,
				     "%s does not end with a whole entry: it was damaged, and the chain cannot "
				     "continue from it; run 'crmshift audit verify'",
				     log);
	seq = end_seq + 1;
	/* the log's end must be the entry crmshift wrote last */
	if ((rc == 0 && (h.pending || end_seq != h.seq || (end_seq > 0 && strcmp(prev, h.hash) != 0))) ||
	    (rc == 1 && end_seq > 0))
		return crm_error_set(err, CRM_EREFUSED,
				     "%s does not end with the last entry crmshift wrote (audit.head): it was changed; "
				     "run 'crmshift audit verify'",
				     log);
	entry = json_deep_copy(fields);
	if (!entry)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_dt_now(NULL, now);
	json_object_set_new(entry, "seq", json_integer(seq));
	json_object_set_new(entry, "time", json_string(now));
	json_object_set_new(entry, "prev_hash", json_string(prev));
	if (entry_hash(entry, hash) || json_object_set_new(entry, "hash", json_string(hash)) ||
	    !(line = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS))) {
		json_decref(entry);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	json_decref(entry);
	if (write_head(head, seq, hash, prev, 1, err)) {
		free(line);
		return err->code;
	}
	len = strlen(line);
	line[len++] = '\n'; /* in the terminator's byte: written by length, not as a C string */
	while (done < len) {
		ssize_t n = write(fd, line + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			crm_error_set(err, CRM_EIO, "cannot write '%s': %s", log, strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	free(line);
	if (!err->code && fsync(fd) != 0)
		crm_error_set(err, CRM_EIO, "cannot sync '%s': %s", log, strerror(errno));
	return err->code ? err->code : write_head(head, seq, hash, prev, 0, err);
}

int crm_audit_append(const char *dir, json_t *fields, struct crm_error *err)
{
	char log[PATH_MAX], head[PATH_MAX], folder[PATH_MAX];
	int fd;

	if (log_paths(dir, log, head, sizeof(log), err) ||
	    crm_path_format(folder, sizeof(folder), err, "%s/.crmshift", dir) || crm_mkdir_private(folder, err))
		return err->code;
	fd = open(log, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return crm_error_set(err, CRM_EIO, "cannot open '%s': %s", log, strerror(errno));
	if (flock(fd, LOCK_EX) != 0)
		crm_error_set(err, CRM_EIO, "cannot lock '%s': %s", log, strerror(errno));
	else
		append_locked(fd, log, head, fields, err);
	close(fd); /* releases the lock */
	return err->code;
}

/* A line of the log: its entry (NULL when it is not a JSON object) and seq (-1 when it has none). */
struct log_line {
	json_t *entry;
	int64_t seq;
};

struct log_lines {
	struct log_line *items;
	size_t count, cap;
	int cut; /* the last line has no line break */
};

static void lines_release(struct log_lines *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		json_decref(l->items[i].entry);
	crm_free(l->items);
	memset(l, 0, sizeof(*l));
}

static int read_lines(const char *path, struct log_lines *l, struct crm_error *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t linecap = 0;
	ssize_t n;

	memset(l, 0, sizeof(*l));
	if (!f)
		return errno == ENOENT ? 0 : crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
	while ((n = getline(&line, &linecap, f)) > 0) {
		struct log_line *ll;
		json_t *seq;
		if (crm_grow(&l->items, l->count, &l->cap, sizeof(*l->items), 64)) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		l->cut = line[n - 1] != '\n';
		if (!l->cut)
			line[n - 1] = '\0';
		ll = &l->items[l->count++];
		ll->entry = json_loads(line, 0, NULL);
		if (!json_is_object(ll->entry)) {
			json_decref(ll->entry);
			ll->entry = NULL;
		}
		seq = json_object_get(ll->entry, "seq");
		ll->seq = json_is_integer(seq) ? json_integer_value(seq) : -1;
	}
	free(line);
	if (!err->code && ferror(f))
		crm_error_set(err, CRM_EIO, "cannot read '%s': %s", path, strerror(errno));
	fclose(f);
	return err->code;
}

static void broken(struct crm_audit_verdict *v, const char *kind, unsigned long line, int64_t seq, const char *fmt, ...)
	CRM_PRINTF(5, 6);

static void broken(struct crm_audit_verdict *v, const char *kind, unsigned long line, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	v->intact = 0;
	v->line = line;
	v->seq = seq;
	snprintf(v->kind, sizeof(v->kind), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

/* Where seq is, at or after line from (0-based); -1 when nowhere. */
static long find_seq(const struct log_lines *l, size_t from, int64_t seq)
{
	size_t i;

	for (i = from; i < l->count; i++)
		if (l->items[i].seq == seq)
			return (long)i;
	return -1;
}

/* Checks line i (0-based) against the entry before it; 1 when it breaks the chain (v says how). */
static int check_line(const struct log_lines *l, size_t i, int head_known, int64_t head_seq, int64_t prev_seq,
		      const char *prev_hash, struct crm_audit_verdict *v)
{
	const json_t *e = l->items[i].entry;
	unsigned long line = (unsigned long)i + 1;
	int64_t seq = l->items[i].seq, expected = prev_seq + 1;
	const char *stored = json_string_value(json_object_get(e, "hash"));
	const char *chained = json_string_value(json_object_get(e, "prev_hash"));
	char hash[CRM_SHA256_HEX];
	long at;

	if (i + 1 == l->count && l->cut) {
		broken(v, "truncated", line, seq,
		       "line %lu is cut short: the file was truncated in the middle of an entry", line);
		return 1;
	}
	if (!e || seq < 1 || !stored || !chained) {
		broken(v, "edited", line, seq,
		       "line %lu is not an audit entry (no seq, hash or prev_hash): it was edited", line);
		return 1;
	}
	if (head_known && (seq > head_seq || prev_seq >= head_seq)) {
		broken(v, "appended", line, seq,
		       "entry %lld (line %lu) comes after the last entry crmshift wrote (%lld, in audit.head): it was "
		       "appended by something else",
		       (long long)seq, line, (long long)head_seq);
		return 1;
	}
	if (seq != expected) {
		at = find_seq(l, i + 1, expected);
		if (at >= 0 || seq < expected)
			broken(v, "reordered", line, seq,
			       "entry %lld is at line %lu, where entry %lld belongs%s: the entries were reordered",
			       (long long)seq, line, (long long)expected,
			       at >= 0 ? " (that one comes further down)" : "");
		else if (seq - expected == 1)
			broken(v, "deleted", line, seq,
			       "entry %lld (line %lu) follows entry %lld: entry %lld was deleted", (long long)seq, line,
			       (long long)prev_seq, (long long)expected);
		else
			broken(v, "deleted", line, seq,
			       "entry %lld (line %lu) follows entry %lld: entries %lld to %lld were deleted",
			       (long long)seq, line, (long long)prev_seq, (long long)expected, (long long)(seq - 1));
		return 1;
	}
	if (entry_hash(e, hash) == 0 && strcmp(hash, stored) != 0) {
		broken(v, "edited", line, seq, "entry %lld (line %lu) does not match its hash: it was edited",
		       (long long)seq, line);
		return 1;
	}
	if (strcmp(chained, prev_hash) != 0) {
		/* this entry is intact: the one before it was rewritten with a new hash */
		broken(v, "edited", line - 1, seq - 1,
		       "entry %lld (line %lu) was rewritten: entry %lld's prev_hash does not match its hash",
		       (long long)(seq - 1), line - 1, (long long)seq);
		return 1;
	}
	return 0;
}

int crm_audit_verify(const char *dir, struct crm_audit_verdict *v, struct crm_error *err)
{
	char log[PATH_MAX], head[PATH_MAX], head_hash[CRM_SHA256_HEX] = "", prev_hash[CRM_SHA256_HEX] = ZERO_HASH;
	struct log_lines l;
	struct audit_head h;
	int64_t head_seq = 0, prev_seq = 0;
	size_t i;
	int head_rc;

	memset(v, 0, sizeof(*v));
	v->intact = 1;
	if (log_paths(dir, log, head, sizeof(log), err))
		return err->code;
	head_rc = read_head(head, &h, err);
	if (head_rc < 0) {
		if (err->code != CRM_EREFUSED)
			return err->code;
		crm_error_clear(err);
		broken(v, "edited", 0, 0, "audit.head is not what crmshift writes: it was edited");
		return 0;
	}
	if (read_lines(log, &l, err))
		return err->code;
	head_seq = h.seq;
	snprintf(head_hash, sizeof(head_hash), "%s", h.hash);
	if (head_rc == 0 && h.pending) {
		/* a command stopped while writing its entry: the log is whole at the entry, or at the one before */
		size_t whole = l.count - (size_t)l.cut;
		const json_t *last = whole ? l.items[whole - 1].entry : NULL;
		const char *last_hash = last ? json_string_value(json_object_get(last, "hash")) : ZERO_HASH;
		int64_t last_seq = last ? l.items[whole - 1].seq : 0;
		if (!l.cut && last_hash && last_seq == h.seq && !strcmp(last_hash, h.hash)) {
			/* only the done mark was lost */
		} else if (last_hash && last_seq == h.seq - 1 && !strcmp(last_hash, h.prev)) {
			head_seq = last_seq; /* the entry was never written, or cut short: as if not begun */
			snprintf(head_hash, sizeof(head_hash), "%s", last_hash);
			if (l.cut) {
				json_decref(l.items[--l.count].entry);
				l.cut = 0;
			}
		}
	}
	for (i = 0; i < l.count; i++) {
		if (check_line(&l, i, head_rc == 0, head_seq, prev_seq, prev_hash, v))
			break;
		prev_seq = l.items[i].seq;
		snprintf(prev_hash, sizeof(prev_hash), "%s",
			 json_string_value(json_object_get(l.items[i].entry, "hash")));
		v->entries++;
		v->last_seq = prev_seq;
	}
	if (v->intact && head_rc == 1 && l.count > 0)
		broken(v, "truncated", 0, 0,
		       "audit.head is missing: entries cut off the end of the log could not be seen; it was removed");
	else if (v->intact && head_rc == 0 && prev_seq < head_seq)
		broken(v, "truncated", (unsigned long)l.count, prev_seq,
		       "the log ends at entry %lld but crmshift wrote up to entry %lld (audit.head): entries were cut "
		       "off the end",
		       (long long)prev_seq, (long long)head_seq);
	else if (v->intact && head_rc == 0 && head_seq > 0 && strcmp(prev_hash, head_hash) != 0)
		broken(v, "edited", (unsigned long)l.count, prev_seq,
		       "entry %lld (line %zu) is not the last entry crmshift wrote (its hash differs from audit.head)",
		       (long long)prev_seq, l.count);
	lines_release(&l);
	return 0;
}

int crm_audit_each(const char *dir, crm_audit_entry_fn fn, void *ctx, struct crm_error *err)
{
	char log[PATH_MAX], head[PATH_MAX];
	struct log_lines l;
	size_t i;

	if (log_paths(dir, log, head, sizeof(log), err) || read_lines(log, &l, err))
		return err->code;
	for (i = 0; i < l.count; i++)
		if (l.items[i].entry && fn(ctx, l.items[i].entry))
			break;
	lines_release(&l);
	return 0;
}
