.PHONY: run test test-fast test-pool bench lint format sync check clean backup restore

# Start the app: environment, local PostgreSQL, migrations, demo clinic, server on $PORT.
run:
	bin/run

# Lint and check, then the whole suite (browser tests included) on a throwaway PostgreSQL.
test: lint check
	DEBUG=1 bin/with-test-db bin/uv run --frozen pytest -n auto

# The edit-test loop: lint and check, then the suite without the browser tests.
test-fast: lint check
	DEBUG=1 bin/with-test-db bin/uv run --frozen pytest -n auto --ignore=tests/browser

# The suite without the browser tests, every connection taken from psycopg's pool
# (DATABASE_POOL=1, README: Connection pooling): run it once when the database setup changes.
test-pool: sync
	DEBUG=1 DATABASE_POOL=1 bin/with-test-db bin/uv run --frozen pytest -n auto --ignore=tests/browser

# Django's system checks, and no model change without its migration (makemigrations --check
# fails on one; it reads the migration history, hence the throwaway PostgreSQL).
check: sync
	DEBUG=1 bin/with-test-db sh -c 'bin/uv run --frozen python manage.py check && \
		bin/uv run --frozen python manage.py makemigrations --check --dry-run'

# Seed a clinic-sized database of its own (40 therapists, 2,000 courses, 20,000 sessions) on a
# throwaway PostgreSQL and time the main pages; BENCH_ARGS="--requests 10" for a quicker run.
bench:
	DEBUG=1 bin/with-test-db bin/uv run --frozen python manage.py bench $(BENCH_ARGS)

# Dump the database ($$DATABASE_URL, else the local cluster) in pg_dump's custom format to
# var/backups/ (or FILE=...); restore one with `make restore FILE=var/backups/ipt-....dump`.
backup:
	bin/db backup $(FILE)

restore:
	bin/db restore $(FILE)

sync:
	bin/uv sync --frozen --quiet

lint: sync
	bin/uv run --frozen ruff check .
	bin/uv run --frozen ruff format --check .
	bin/uv run --frozen djlint --lint templates

format: sync
	bin/uv run --frozen ruff check --fix .
	bin/uv run --frozen ruff format .

clean:
	-bin/pg stop var/pg
	rm -rf var .venv
