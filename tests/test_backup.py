"""`make backup` / `make restore`: a seeded clinic dumped and restored into a fresh database
opens its demo courses there."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

OPEN_COURSES = """
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from ipt.models import TreatmentCourse
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username="therapist")
courses = list(TreatmentCourse.objects.filter(patient__therapist=user))
assert courses, "no demo courses after restore"
client = Client()
client.force_login(user)
for course in courses:
    response = client.get(f"/courses/{course.pk}/")
    assert response.status_code == 200, (course.pk, response.status_code)
print("opened", len(courses))
"""


def _with_db(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _run(args, url, **kwargs):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    return subprocess.run(
        args, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs
    )


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs bin/with-test-db")
def test_backup_restores_into_a_fresh_database_and_the_demo_courses_open(tmp_path):
    server = os.environ["DATABASE_URL"]
    suffix = uuid.uuid4().hex[:8]
    source, target = f"ipt_src_{suffix}", f"ipt_dst_{suffix}"
    admin = _with_db(server, "postgres")
    psql = ["psql", "-v", "ON_ERROR_STOP=1", "-qAt", admin, "-c"]
    for name in (source, target):
        _run([*psql, f'CREATE DATABASE "{name}"'], admin)
    try:
        src, dst = _with_db(server, source), _with_db(server, target)
        python = sys.executable
        _run([python, "manage.py", "migrate", "-v0", "--noinput"], src)
        _run([python, "manage.py", "seed_demo"], src)
        dump = tmp_path / "ipt.dump"
        _run(["bin/db", "backup", str(dump)], src)
        assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        _run(["bin/db", "restore", str(dump)], dst)
        opened = _run([python, "manage.py", "shell", "-c", OPEN_COURSES], dst)
        assert "opened" in opened.stdout
    finally:
        for name in (source, target):
            subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)
