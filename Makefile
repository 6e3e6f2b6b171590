.PHONY: run test bench lint format sync check clean

# Start the app: environment, local PostgreSQL, migrations, demo clinic, server on $PORT.
run:
	bin/run

# Lint, then the whole suite (browser tests included) on a throwaway PostgreSQL.
test: lint
	DEBUG=1 bin/with-test-db bin/uv run --frozen pytest

# Seed a clinic-sized database of its own (40 therapists, 2,000 courses, 20,000 sessions) on a
# throwaway PostgreSQL and time the main pages; BENCH_ARGS="--requests 10" for a quicker run.
bench:
	DEBUG=1 bin/with-test-db bin/uv run --frozen python manage.py bench $(BENCH_ARGS)

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
