/*
 * test-refkey.c: what ref(Object.field) resolves by. The map takes each
 * value the kept values have to the one loaded record that has it (none
 * when several do, or the record is not loaded); a change event's value
 * replaces the record's, and what changed reaches the state at a flush.
 */
#include "compat.h"
#include "harness.h"
#include "engine/refkey.h"
#include "state/state.h"
#include "store/store.h"
#include "util/alloc.h"

#include <string.h>
#include <unistd.h>

static int64_t mapped(const struct crm_xref_cache *map, const char *value)
{
	int64_t target = 0;

	return crm_xref_cache_get(map, value, strlen(value), &target) ? target : 0;
}

static void test_refkey__values_and_map(void)
{
	static const struct crm_state_refkey run1[] = {{"A1", "ORA-1", 2, 5},
						       {"A2", "ORA-2", 2, 5},
						       {"A3", "ORA-2", 2, 5},
						       {"A4", "", 2, 0},
						       {"A5", "ORA-5", 2, 5}};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store *store;
	struct crm_state *state = NULL;
	struct crm_refkey_values *values = NULL;
	struct crm_xref_cache *ids = crm_xref_cache_new(), *map = NULL;
	char url[128], state_path[128];
	int64_t key = 0, target = 0;

	snprintf(url, sizeof(url), "sqlite:%s/refkey-target.db", harness_scratch());
	snprintf(state_path, sizeof(state_path), "%s/refkey-state.db", harness_scratch());
	unlink(url + 7);
	unlink(state_path);
	store = crm_store_open(url, "/tmp", 1, &err);
	CHECK(store != NULL && ids != NULL);
	if (!store || !ids)
		goto out;
	CHECK_INT(crm_state_open(store, state_path, 1, &state, &err), 0);
	if (!state)
		goto out;
	crm_state_object_key(state, "Account", "account", 1, &key, &err);
	CHECK_INT(crm_state_refkeys_put(state, 1, key, "Oracle_Id__c", run1, 5, &err), 0);
	/* loaded: A1 to A4 (A5 is in the export, not in the target) */
	crm_xref_cache_put(ids, "A1", 2, 11, &err);
	crm_xref_cache_put(ids, "A2", 2, 12, &err);
	crm_xref_cache_put(ids, "A3", 2, 13, &err);
	crm_xref_cache_put(ids, "A4", 2, 14, &err);
	values = crm_refkey_values_load(state, key, "Oracle_Id__c", &err);
	CHECK(values != NULL);
	if (!values)
		goto out;
	CHECK_INT(crm_refkey_values_count(values), 5);
	map = crm_refkey_map(values, ids, &err);
	CHECK(map != NULL);
	if (!map)
		goto out;
	CHECK_INT(mapped(map, "ORA-1"), 11);
	CHECK_INT(mapped(map, "ORA-2"), CRM_REFKEY_AMBIGUOUS);
	CHECK_INT(mapped(map, "ORA-5"), 0);
	CHECK_INT(crm_xref_cache_get(map, "", 0, &target), 0);

	/* A3 renumbered: it replaced a value (the map must be built again), and ORA-2 is A2's alone */
	CHECK_INT(crm_refkey_values_set(values, "A3", 2, "ORA-3", 5, &err), 1);
	/* A6 is new, A4 had none: no map names them yet, so none needs building again */
	CHECK_INT(crm_refkey_values_set(values, "A6", 2, "ORA-6", 5, &err), 0);
	CHECK_INT(crm_refkey_values_set(values, "A4", 2, "ORA-4", 5, &err), 0);
	CHECK_INT(crm_refkey_values_set(values, "A1", 2, "ORA-1", 5, &err), 0);
	crm_xref_cache_free(map);
	map = crm_refkey_map(values, ids, &err);
	CHECK(map != NULL);
	if (!map)
		goto out;
	CHECK_INT(mapped(map, "ORA-2"), 12);
	CHECK_INT(mapped(map, "ORA-3"), 13);
	CHECK_INT(mapped(map, "ORA-4"), 14);
	CHECK_INT(mapped(map, "ORA-6"), 0);
	/* A6 loaded: the map learns it as a rebuild would; a record no value names teaches nothing */
	CHECK_INT(crm_refkey_map_note(map, values, crm_xref_cache_hash("A6", 2), 16, &err), 0);
	CHECK_INT(crm_refkey_map_note(map, values, crm_xref_cache_hash("A7", 2), 17, &err), 0);
	CHECK_INT(mapped(map, "ORA-6"), 16);
	/* a second record with ORA-1 makes it name none */
	CHECK_INT(crm_refkey_values_set(values, "A7", 2, "ORA-1", 5, &err), 0);
	CHECK_INT(crm_refkey_map_note(map, values, crm_xref_cache_hash("A7", 2), 17, &err), 0);
	CHECK_INT(mapped(map, "ORA-1"), CRM_REFKEY_AMBIGUOUS);

	/* flushed, what changed is in the state: values read back from it give the same map */
	CHECK_INT(crm_refkey_values_flush(values, state, 2, &err), 0);
	crm_refkey_values_free(values);
	values = crm_refkey_values_load(state, key, "Oracle_Id__c", &err);
	CHECK(values != NULL);
	if (!values)
		goto out;
	CHECK_INT(crm_refkey_values_count(values), 7);
	crm_xref_cache_put(ids, "A6", 2, 16, &err);
	crm_xref_cache_put(ids, "A7", 2, 17, &err);
	crm_xref_cache_free(map);
	map = crm_refkey_map(values, ids, &err);
	CHECK(map != NULL);
	if (!map)
		goto out;
	CHECK_INT(mapped(map, "ORA-1"), CRM_REFKEY_AMBIGUOUS);
	CHECK_INT(mapped(map, "ORA-2"), 12);
	CHECK_INT(mapped(map, "ORA-3"), 13);
	CHECK_INT(mapped(map, "ORA-4"), 14);
	CHECK_INT(mapped(map, "ORA-6"), 16);
out:
	if (err.code)
		fprintf(stderr, "%s\n", err.msg);
	crm_xref_cache_free(map);
	crm_xref_cache_free(ids);
	crm_refkey_values_free(values);
	crm_state_close(state);
	crm_store_close(store);
	unlink(url + 7);
	unlink(state_path);
}

static const struct harness_test tests[] = {
	TEST(test_refkey__values_and_map),
};

HARNESS_MAIN
