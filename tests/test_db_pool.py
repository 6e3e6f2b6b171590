"""Connection pooling: DATABASE_POOL=1 gives each process psycopg's pool (ipt/settings.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from psycopg_pool import ConnectionPool

ROOT = Path(__file__).resolve().parent.parent


def _settings_in_a_fresh_process(**env):
    code = (
        "import django, json, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'ipt.settings'\n"
        "django.setup()\n"
        "from django.db import connection\n"
        "d = connection.settings_dict\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT 1 + 1')\n"
        "    answer = c.fetchone()[0]\n"
        "pool = connection.pool\n"
        "print(json.dumps({'pooled': pool is not None, 'answer': answer,\n"
        "    'conn_max_age': d['CONN_MAX_AGE'], 'server_side_cursors': not d['DISABLE_SERVER_SIDE_CURSORS'],\n"
        "    'max_size': pool.max_size if pool else None}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_pool_1_connects_through_psycopgs_pool_and_runs_a_query():
    found = _settings_in_a_fresh_process(DATABASE_POOL="1", DATABASE_POOL_MAX_SIZE="3")
    assert found == {
        "pooled": True,
        "answer": 2,
        "conn_max_age": 0,  # persistent connections and the pool do not mix
        "server_side_cursors": True,
        "max_size": 3,
    }


def test_without_database_pool_connections_persist_unpooled():
    found = _settings_in_a_fresh_process(DATABASE_POOL="", CONN_MAX_AGE="600")
    assert found["pooled"] is False and found["answer"] == 2 and found["conn_max_age"] == 600


def test_pgbouncer_1_turns_server_side_cursors_off():
    found = _settings_in_a_fresh_process(DATABASE_POOL="", PGBOUNCER="1")
    assert found["server_side_cursors"] is False


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_goes_back_to_the_pool_and_is_reused():
    if connection.pool is not None:  # `make test-pool`: the suite's own connection is pooled
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert isinstance(connection.pool, ConnectionPool)
        return
    settings = {
        **connection.settings_dict,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 1, "timeout": 5}},
    }
    # A second wrapper of the test database (the alias must be one Django knows: the pool
    # looks itself up by it), pooled where the suite's own connection is not.
    pooled = DatabaseWrapper(settings, alias="default")
    try:
        assert isinstance(pooled.pool, ConnectionPool)
        backends = set()
        for _ in range(3):
            with pooled.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid(), current_database()")
                pid, name = cursor.fetchone()
            backends.add(pid)
            assert name == connection.settings_dict["NAME"]
            pooled.close()  # hands the connection back to the pool
        assert len(backends) == 1  # the same server connection, three requests in turn
        assert pooled.pool.get_stats()["pool_size"] == 1
    finally:
        pooled.close_pool()
