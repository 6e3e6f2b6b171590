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
