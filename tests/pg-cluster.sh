#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests: initdb and pg_ctl in a
# temporary folder, listening on 127.0.0.1 only, on a free port, run by a
# user that is not root (the server refuses root; as root we use the
# postgres user the Debian package creates).
#
#   tests/pg-cluster.sh start DIR   prints "URL" lines to source: PGHOST, PGPORT, PGUSER, PGPASSFILE
#   tests/pg-cluster.sh stop DIR
#
# Connections from 127.0.0.1 need a password (scram-sha-256), given by
# the PGPASSFILE it writes, so the tests go through libpq's password path.
# The server speaks TLS with a certificate of a private CA ($dir/root.crt),
# for sslmode=verify-full.
# Exit 3 with a reason on stderr when no server binary is installed.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder}

bindir=""
for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
	if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
		bindir=$candidate
		break
	fi
done

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "$cmd" in
start)
	if [ -z "$bindir" ]; then
		echo "no PostgreSQL server installed (initdb and pg_ctl not found under /usr/lib/postgresql)" >&2
		exit 3
	fi
	mkdir -p "$dir"
	chmod 700 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf '%s\n' "$password" >"$dir/pwfile"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
	as_owner "$bindir/initdb" -D "$dir/data" -U crmshift --pwfile="$dir/pwfile" --auth-local=trust \
		--auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	rm -f "$dir/pwfile"
	# TLS: a private CA and a server certificate for 127.0.0.1, so sslmode=verify-full can be tested
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=crmshift test CA" \
		-keyout "$dir/ca.key" -out "$dir/root.crt" >/dev/null 2>&1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" \
		-out "$dir/server.csr" >/dev/null 2>&1
	printf 'subjectAltName=IP:127.0.0.1\n' >"$dir/san.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/root.crt" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" >/dev/null 2>&1
	chmod 600 "$dir/server.key"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/server.key" "$dir/server.crt"
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" \
		start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	# the tests read the password from this file, as a user's ~/.pgpass
	printf '127.0.0.1:%s:*:crmshift:%s\n' "$port" "$password" >"$dir/pgpass"
	chmod 600 "$dir/pgpass"
	echo "$port" >"$dir/port"
	echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=crmshift PGPASSFILE=$dir/pgpass PGDATABASE=postgres"
	echo "export CRMSHIFT_PG_BIN=$bindir CRMSHIFT_PG_DIR=$dir"
	;;
stop)
	if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
