from django.conf import settings


def clinic(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "idle_seconds": settings.SESSION_COOKIE_AGE,
    }
