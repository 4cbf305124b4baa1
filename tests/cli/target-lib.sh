# The target of a test project, on either backend: a query of it, its
# tables, a dump of it, and a new empty PostgreSQL database to point a
# project at. Sourced by scenario-lib.sh and, through run-all.sh, by the
# end-to-end cases (tests/cli/cases/*/cmd), whose projects run on PostgreSQL
# when the case lists it in its file "backends".

# The url in project's crmshift.ini, or crmshift's default.
target_url() {
	local url
	url=$(sed -n 's/^url = //p' "$1/crmshift.ini" | head -n 1)
	echo "${url:-sqlite:target.db}"
}

# A query of project's target, rows as a|b lines: sqlite3 on its file or
# pg_sql (in UTC) on its url. Write SQL both answer alike: a boolean read
# as CASE WHEN b THEN 1 ELSE 0 END, a number that may be NULL as
# CAST(n AS text), a time as
# replace(replace(CAST(t AS text), ' ', 'T'), '+00', 'Z').
target_sql() { # project query
	local url
	url=$(target_url "$1")
	case "$url" in
	postgres*) pg_sql "$url" "$2" ;;
	*) sqlite3 "$1/${url#sqlite:}" "$2" ;;
	esac
}

# The model tables of project's target, one a line, by name.
target_tables() { # project
	if [[ "$(target_url "$1")" == postgres* ]]; then
		target_sql "$1" "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name"
	else
		target_sql "$1" "select name from sqlite_master where type = 'table' order by name"
	fi
}

# Every column of every row of project's target, by table and id: exactly
# what it holds (for before and after on one target).
target_dump() { # project
	local t
	target_tables "$1" | while read -r t; do
		echo "== $t"
		target_sql "$1" "select * from \"$t\" order by id"
	done
}

# A new empty database with a linguistic default collation, as production
# databases have; prints its url for [target] url.
pg_new_db() { # name
	# unique by time, spelt in letters: a digit run in a url could match a personal value pii-nowhere searches for
	local db="${1:0:30}_$(date +%s%N | tr 0-9 a-j)_$(echo $RANDOM | tr 0-9 a-j)"
	psql -q -d postgres -c "CREATE DATABASE $db LOCALE_PROVIDER icu ICU_LOCALE 'und' TEMPLATE template0" >/dev/null
	echo "postgres://$PGUSER@127.0.0.1:$PGPORT/$db"
}

pg_sql() { # url query
	PGTZ=UTC PGDATESTYLE=ISO psql -X -q -At -F '|' -d "$1" -c "$2"
}

# Points project's [target] url at url (adding the key, or the section, where the default was used).
use_target() { # project url
	local escaped=${2//&/\\&} ini="$1/crmshift.ini"
	if grep -q '^url = ' "$ini"; then
		sed -i "s#^url = .*#url = $escaped#" "$ini"
	elif grep -q '^\[target\]' "$ini"; then
		sed -i "s#^\[target\]\$#&\nurl = $escaped#" "$ini"
	else
		printf '\n[target]\nurl = %s\n' "$2" >>"$ini"
	fi
}
