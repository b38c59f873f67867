from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: builds the demo data by calling every app's real services (seed_demo)."""

    name = "demo"
