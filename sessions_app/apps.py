from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Sessions"

    def ready(self):
        from sessions_app import plan, watch

        watch.install()
        plan.install()
