from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "runlocal_web.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        _api_answers_503()


def _api_answers_503() -> None:
    """The API (django-ninja) turns every exception into its own 500 before middleware sees
    it; a more specific handler for database and Redis outages makes those a 503 instead."""
    try:
        from runlocal_web.api.api import api
    except ImportError:  # the API app is not installed
        return
    from .middleware import UNAVAILABLE_ERRORS, unavailable

    for exc_class in UNAVAILABLE_ERRORS:
        api.add_exception_handler(exc_class, lambda request, exc: unavailable(request, exc))
