"""The WSGI application, for gunicorn (gunicorn.conf.py at the project root).

Everything a request would otherwise import lazily is imported here: the URL conf (with it
every view and ipt/pdf.py) and WeasyPrint. gunicorn preloads this module in its master
process, so each forked worker starts with them in memory instead of paying seconds of imports
on its first request. Nothing here opens a database connection.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipt.settings")

application = get_wsgi_application()


def _preload():
    import weasyprint  # noqa: F401  (also imported by ipt/pdf.py: made explicit here)
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports ROOT_URLCONF and every view)


_preload()
