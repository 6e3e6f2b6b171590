"""The app's URLs plus a floor page, for `manage.py bench` only (never the ROOT_URLCONF).

The floor is Django's minimal template response: a one-line template rendered with the
request's context processors, through the same middleware as every page. What a page costs
above it is the page's own work.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from ipt.urls import handler403, handler404, handler500
from ipt.urls import urlpatterns as app_urlpatterns

FLOOR = "<!doctype html><title>Floor</title><p>{{ user.get_username }}</p>"
_compiled = {}


def floor(request):
    # Compiled once per template engine, as the cached loader does for the app's templates.
    engine = engines["django"]
    if engine not in _compiled:
        _compiled.clear()
        _compiled[engine] = engine.from_string(FLOOR)
    return HttpResponse(_compiled[engine].render({}, request))


urlpatterns = [path("__floor__/", floor, name="bench_floor"), *app_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
