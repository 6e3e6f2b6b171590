from django.conf import settings
from django.contrib.auth import middleware
from django.http import HttpResponse


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, but an expired session answers htmx with 401.

    htmx would otherwise follow the redirect and swap the login page into the form, and the
    text the therapist was typing would be gone. With 401 the page stays as it is; the
    front end offers a fresh login and retries.
    """

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            response = HttpResponse("Your login has expired.", status=401)
            response["HX-Reswap"] = "none"
            return response
        return super().handle_no_permission(request, view_func)


# The browser features no page of ours uses: refused outright, so injected content cannot.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)


def patient_data_headers(get_response):
    """Headers every response carries: pages a logged-in user sees hold patient data, so no
    browser or proxy keeps a copy (``Cache-Control: no-store``); and a Permissions-Policy."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
        ):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware
