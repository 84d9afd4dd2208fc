"""Background tasks (Django's tasks framework, the django-tasks backport): e-mail leaves the
web request. `runlocal serve` starts a worker (`runlocal manage db_worker`) beside the site."""

from __future__ import annotations

from django_tasks import task

from . import subscriptions


@task()
def deliver_confirmation(
    subscriber_id: int, request_id: str, base: str, attempt: int = 1
) -> bool | None:
    """Send one confirmation e-mail (subscriptions.deliver: once, claimed before sending)."""
    return subscriptions.deliver(subscriber_id, request_id, base, attempt)
