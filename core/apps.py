from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Floor 0: pure helpers every app may use (money display, masking, form rendering). No models."""

    name = "core"
