"""The committed gunicorn configuration (gunicorn.conf.py) and the preloaded WSGI module."""

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


def config(monkeypatch, **env):
    for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_listens_on_localhost_only_by_default(monkeypatch):
    assert config(monkeypatch)["bind"].startswith("127.0.0.1:")


def test_gunicorn_workers_default_to_twice_the_cores_plus_one_capped(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    assert config(monkeypatch)["workers"] == min(2 * cores + 1, 8)
    assert config(monkeypatch, WEB_CONCURRENCY="2")["workers"] == 2


def test_gunicorn_retires_workers_and_preloads_the_app(monkeypatch):
    settings = config(monkeypatch, GUNICORN_MAX_REQUESTS="500")
    assert settings["max_requests"] == 500 and settings["max_requests_jitter"] > 0
    assert settings["preload_app"] is True
    assert 0 < settings["graceful_timeout"] <= settings["timeout"]


def _python(code):
    env = {**os.environ, "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def test_the_wsgi_module_imports_the_views_and_weasyprint_without_a_database_connection():
    out = _python(
        "import sys, ipt.wsgi\n"
        "from django.db import connection\n"
        "print('weasyprint' in sys.modules, 'ipt.pdf' in sys.modules, 'ipt.urls' in sys.modules,"
        " connection.connection is None)"
    )
    assert out.split() == ["True", "True", "True", "True"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_login_page_with_the_committed_config():
    port = _free_port()
    env = {**os.environ, "DEBUG": "1", "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ipt.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert b"Booting worker" in err
