from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


class OpsConfig(AppConfig):
    name = "runlocal_web.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import dbdeadline

        dbdeadline.connect()
        _api_answers_503()
        register(site_url_is_set, Tags.security, deploy=True)


def site_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy`: links in e-mails and the sitemap should not come from Host headers."""
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        CheckWarning(
            "SITE_URL is not set: links in e-mails, the sitemap and canonical addresses are "
            "built from each request's Host header.",
            hint="Set SITE_URL to the public address, e.g. https://runlocal.example.",
            id="runlocal.W001",
        )
    ]


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
