from django.apps import AppConfig


class AirtngConfig(AppConfig):
    name = "airtng"
    verbose_name = "Airtng"

    def ready(self):
        from . import deploy_checks  # noqa: F401 (registers the checks)
