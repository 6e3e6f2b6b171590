"""Settings of the gunicorn that `manage.py bench` starts for its load phase (load.py).

The app's own settings as `make bench` loads them (DEBUG=1 in the environment, so no secrets
are needed and MFA stays optional, as for the in-process timings), then what production has:
DEBUG off. Plus the floor page's URLs and the benchmark's own database.
"""

import os

from ipt.settings import *  # noqa: F403
from ipt.settings import DATABASES

DEBUG = False
ROOT_URLCONF = "ipt.devtools.bench.urls"
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Errors only: every 4xx would otherwise be logged, and the load phase counts them itself.
    "root": {"handlers": ["console"], "level": "ERROR"},
}
