from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("sessions_app/_autosave_field.html", takes_context=True)
def autosave_field(context, obj, field, target, label, help="", rows=3):
    """A textarea saved as it is typed (static/js/autosave.js), with its own save status."""
    session = context["session"]
    can_write = context.get("can_write", False)
    return {
        "id": f"as-{target.replace(':', '-')}-{field}",
        "value": getattr(obj, field),
        "version": obj.version_of(field),
        "target": target,
        "field": field,
        "label": label,
        "help": help,
        "rows": rows,
        "url": reverse("sessions_app:autosave", args=[session.pk]),
        "can_write": can_write,
    }


@register.filter
def signed(number):
    """A change in score with its sign: '+3', '−4' (true minus), '0'."""
    if number is None:
        return ""
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"−{-number}"
    return "0"
