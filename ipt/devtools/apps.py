from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The demo clinic and the benchmark: management commands only, never imported by the
    product (tests/test_architecture.py checks that)."""

    name = "ipt.devtools"
    label = "devtools"
    verbose_name = "Developer tools"
