from django.apps import AppConfig


class IptConfig(AppConfig):
    name = "ipt"
    verbose_name = "IPT"

    def ready(self):
        from ipt.accounts import signals  # noqa: F401  (connects the audit of logins)
