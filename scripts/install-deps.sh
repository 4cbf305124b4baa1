#!/usr/bin/env bash
# Installs what crmshift builds, tests and benchmarks with: Debian 12
# packages only (run as root). The README says why each is used.
set -euo pipefail
packages=(
	# the C toolchain and library discovery
	build-essential pkg-config
	# the embedded target and the state database; the sqlite3 shell for tests and bench
	libsqlite3-dev sqlite3
	# PostgreSQL client library (the production target), and the server the tests start privately
	libpq-dev postgresql-15
	# tests/pg-cluster.sh picks a free port with python3
	python3
	# random UUIDs now; hashing, signing and encryption for the evidence controls
	libsodium-dev
	# SHA-256 of export files at hardware speed (the source snapshot and freeze check)
	libssl-dev
	# content hashes of records
	libxxhash-dev
	# UTF-8 validation, NFC normalisation, case mapping
	libutf8proc-dev
	# regex() validations
	libpcre2-dev
	# crmshift.ini
	libinih-dev
	# --json output and pre-images
	libjansson-dev
	# the time zone database for datetime(Zone)
	tzdata
	# tests and benchmarks: read JSON, measure peak memory
	jq time bc
	# the huge-pages scenario watches crmshift run itself again (execve and its environment)
	strace
	# make bench's reference for a transforming load into PostgreSQL
	pgloader
	# the evidence test checks the pack's Ed25519 signature with openssl, independently of crmshift
	openssl
	# the reconcile HTML report is loaded and screenshot in headless Chromium by the tests
	chromium
	# make fuzz: clang and its libFuzzer runtime
	clang libclang-rt-14-dev
)
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
