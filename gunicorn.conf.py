"""gunicorn's settings for IPT: `gunicorn ipt.wsgi` reads this file from the project root.

Every value can be changed from the environment without editing it (see README, Deployment).
"""

import os


def _int(name, default):
    return int(os.environ.get(name, default))


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (containers)
    except AttributeError:
        return os.cpu_count() or 1


# Behind a reverse proxy on the same host: never listen on a public address by default.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Sync workers, one request each. The usual 2 x cores + 1, capped: each worker holds the whole
# app and WeasyPrint (about 150 MB) and one PostgreSQL connection.
workers = _int("WEB_CONCURRENCY", min(2 * _cores() + 1, 8))

# A request still running after `timeout` seconds is killed (the slowest page, a PDF, takes
# well under a second); a restart lets running requests finish for `graceful_timeout`.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)

# Each worker is replaced after about this many requests, so that whatever memory it gathers
# (fragmentation, caches of fonts and templates) cannot grow without bound. The jitter spreads
# the restarts so that the workers never all restart at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load the app once in the master, before forking: ipt/wsgi.py imports the URL conf (every
# view) and WeasyPrint there, so a fresh worker, including one that replaces a retired worker,
# answers its first request without seconds of imports. No database connection is opened
# before the fork (ipt/wsgi.py touches none), so no worker inherits a socket of another.
preload_app = True

# The workers' heartbeat files in memory, not on a disk that may stall (containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs to the console, for systemd or the container to collect. The access log is off by
# default: its lines would carry patient record ids in the URLs.
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicornc's control socket is not used; two servers on one host would share its path.
control_socket_disable = True
