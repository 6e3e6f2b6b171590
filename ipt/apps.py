from django.apps import AppConfig


class IptConfig(AppConfig):
    name = "ipt"
    verbose_name = "IPT"
