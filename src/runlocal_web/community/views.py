"""Contact form and the monthly digest's pages (sign-up, confirm, unsubscribe).

Forms POST and redirect to a thank-you page (POST/redirect/GET); every page also answers
as JSON with ?format=json through `respond`. Both forms are rate-limited per client.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from runlocal_web.lib.origin import same_site
from runlocal_web.lib.pages import Page, path_with_query, requested_format, respond
from runlocal_web.ops import limits

from . import digest as digest_mod
from . import subscriptions, tokens
from .forms import ContactForm, SubscribeForm
from .models import ContactMessage, Subscriber

HOME = ("Home", "/")


def _see_other(request: HttpRequest, url: str) -> HttpResponseRedirect:
    """303 to a thank-you page, keeping ?format=json for JSON clients."""
    if requested_format(request) == "json":
        url = path_with_query(url, {"format": "json"})
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def _errors(form: Any) -> dict[str, list[str]]:
    return {k: [str(e) for e in v] for k, v in form.errors.items()}


def _limited(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- contact ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    path = reverse("community:contact")
    retry_after = None
    status = 200
    if request.method == "POST":
        retry_after = limits.hit("contact", request)
        if retry_after is not None:
            # Keep what they wrote, unsaved, and say when to send it.
            kept = {k: v for k, v in request.POST.items() if k in ContactForm.base_fields}
            kept.pop("website", None)
            form = ContactForm(initial=kept)
            status = 429
        else:
            form = ContactForm(request.POST)
            if form.is_valid():
                if not form.is_bot:
                    data = form.cleaned_data
                    ContactMessage.objects.create(
                        name=data["name"],
                        email=data["email"],
                        topic=data["topic"],
                        message=data["message"],
                        page_url=data["page_url"],
                    )
                return _see_other(request, reverse("community:contact_thanks"))
            status = 400
    else:
        form = ContactForm()
        form.initial_from_query(request.GET)
    page = Page(
        title="Contact",
        description=(
            "Write to the runlocal editors: report a mistake on a page, ask a question, or "
            "propose a partnership. Corrections are checked within 7 days."
        ),
        breadcrumbs=[HOME, ("Contact", path)],
        canonical_path=path,
        noindex=status != 200,
    )
    data: dict[str, Any] = {
        "action": path,
        "method": "post",
        "fields": [name for name in ContactForm.base_fields if name != "website"],
        "topics": [{"value": v, "label": label} for v, label in ContactMessage.TOPICS],
    }
    if status == 400:
        data["errors"] = _errors(form)
    if retry_after is not None:
        data["error"] = "too many messages from your address; try again later"
        data["retry_after"] = retry_after
    context = {"form": form, "retry_minutes": _minutes(retry_after) if retry_after else None}
    response = respond(
        request, "community/contact.html", page, data, context=context, status=status
    )
    return _limited(response, retry_after)


def contact_thanks(request: HttpRequest) -> HttpResponse:
    path = reverse("community:contact_thanks")
    page = Page(
        title="Thank you: message received",
        description="Your message reached the runlocal editors.",
        breadcrumbs=[HOME, ("Contact", reverse("community:contact")), ("Thank you", path)],
        canonical_path=path,
        noindex=True,
    )
    return respond(request, "community/contact_thanks.html", page, {"received": True})


# --- the digest ---------------------------------------------------------------------------


def _last_month_summary() -> dict[str, Any]:
    """What the most recent finished month's digest covers, to show what a reader gets."""
    today = timezone.now().date()
    first = digest_mod.parse_month(f"{today:%Y-%m}")
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    d = digest_mod.compose(previous, "")
    return {"month": d.key, "label": d.label, "summary": d.summary(), "count": d.count}


def _digest_page(
    request: HttpRequest,
    form: SubscribeForm,
    status: int = 200,
    retry_after: int | None = None,
) -> HttpResponse:
    path = reverse("community:digest")
    page = Page(
        title="Monthly digest",
        description=(
            "Get the month's local AI changes in the runlocal catalog by e-mail: new models "
            "and hardware, updated entries, removals. Once a month. No spam."
        ),
        breadcrumbs=[HOME, ("Monthly digest", path)],
        canonical_path=path,
        noindex=status != 200,
    )
    data: dict[str, Any] = {
        "frequency": "monthly",
        "subscribe": {"action": reverse("community:digest_subscribe"), "fields": ["email"]},
        "last_month": _last_month_summary(),
        "pulse_url": reverse("reference:pulse"),
    }
    if status == 400:
        data["errors"] = _errors(form)
    if retry_after is not None:
        data["error"] = "too many sign-ups from your address; try again later"
        data["retry_after"] = retry_after
    context = {"form": form, "retry_minutes": _minutes(retry_after) if retry_after else None}
    response = respond(request, "community/digest.html", page, data, context=context, status=status)
    return _limited(response, retry_after)


def digest(request: HttpRequest) -> HttpResponse:
    # The footer's sign-up box (a GET form on every page) arrives as ?email=: fill it in here,
    # where the real form POSTs with its CSRF token.
    email = str(request.GET.get("email", "")).strip()[:254]
    return _digest_page(request, SubscribeForm(initial={"email": email} if email else None))


def _token_checked(request: HttpRequest) -> None:
    """Stands for a view Django's CSRF check applies to (digest_subscribe itself is exempt)."""


# Every page's footer posts here in one step. Pages are cached for every visitor, so the footer
# carries no CSRF token: a browser's Origin / Sec-Fetch-Site naming this site proves the form
# is ours; without them (no browser says where it posted from), Django's token check applies,
# as for the digest page's own form.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def digest_subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("community:digest")
    origin = same_site(request)
    if origin is False:
        return HttpResponseForbidden("cross-site sign-ups are not accepted")
    if origin is None:
        refused = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
            request, _token_checked, (), {}
        )
        if refused is not None:
            return refused
    retry_after = limits.hit("subscribe", request)
    if retry_after is not None:
        form = SubscribeForm(initial={"email": request.POST.get("email", "")[:254]})
        return _digest_page(request, form, status=429, retry_after=retry_after)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _digest_page(request, form, status=400)
    # The same answer whatever happened: new, pending, confirmed or unsubscribed before.
    subscriptions.subscribe(form.cleaned_data["email"], subscriptions.site_url(request))
    return _see_other(request, reverse("community:digest_thanks"))


def digest_thanks(request: HttpRequest) -> HttpResponse:
    path = reverse("community:digest_thanks")
    page = Page(
        title="Check your inbox",
        description="Confirm your subscription to the runlocal monthly digest.",
        breadcrumbs=[
            HOME,
            ("Monthly digest", reverse("community:digest")),
            ("Check your inbox", path),
        ],
        canonical_path=path,
        noindex=True,
    )
    data = {"valid_days": tokens.CONFIRM_MAX_AGE.days}
    return respond(request, "community/digest_thanks.html", page, data)


def _token_page(
    request: HttpRequest, title: str, template: str, data: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Pages behind a token: never indexed, and canonical to the digest page (the token
    stays out of <link rel=canonical> and og:url)."""
    digest_path = reverse("community:digest")
    page = Page(
        title=title,
        description="The runlocal monthly digest.",
        breadcrumbs=[HOME, ("Monthly digest", digest_path), (title, request.path)],
        canonical_path=digest_path,
        noindex=True,
    )
    return respond(request, template, page, data, status=status)


def _bad_link(request: HttpRequest, *, expired: bool = False) -> HttpResponse:
    if expired:
        message = (
            f"This confirmation link is more than {tokens.CONFIRM_MAX_AGE.days} days old. "
            "Sign up again and we will send a fresh one."
        )
        return _token_page(
            request,
            "Link expired",
            "community/link_problem.html",
            {"error": message, "expired": True},
            status=410,
        )
    message = (
        "This link is not valid: it may be incomplete (some mail programs cut long links), "
        "or it was replaced by a newer one."
    )
    return _token_page(
        request,
        "Link not valid",
        "community/link_problem.html",
        {"error": message, "expired": False},
        status=404,
    )


@require_http_methods(["GET", "HEAD"])
def digest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key = tokens.confirm_key(token)
    except tokens.ExpiredToken:
        return _bad_link(request, expired=True)
    except tokens.BadToken:
        return _bad_link(request)
    if request.method == "GET":
        sub = subscriptions.confirm(key)
    else:  # HEAD (link checkers): look, but change nothing
        sub = (
            Subscriber.objects.filter(confirm_key=key)
            .exclude(status=Subscriber.UNSUBSCRIBED)
            .first()
        )
    if sub is None:
        return _bad_link(request)
    unsubscribe = reverse(
        "community:digest_unsubscribe", args=[tokens.unsubscribe_token(sub.unsubscribe_key)]
    )
    data = {
        "status": sub.status,
        "email": subscriptions.masked(sub.email),
        "unsubscribe_url": unsubscribe,
    }
    return _token_page(request, "Subscription confirmed", "community/digest_confirmed.html", data)


@csrf_exempt  # the token is the credential; mail clients' one-click POST carries no cookie
@require_http_methods(["GET", "HEAD", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners prefetch links); only POST unsubscribes. RFC 8058 one-click
    unsubscribe POSTs here too."""
    try:
        key = tokens.unsubscribe_key(token)
    except tokens.BadToken:
        return _bad_link(request)
    sub = Subscriber.objects.filter(unsubscribe_key=key).first()
    if sub is None:
        return _bad_link(request)
    done = request.method == "POST"
    if done:
        subscriptions.unsubscribe(sub)
        sub.refresh_from_db()
    data = {
        "status": sub.status,
        "email": subscriptions.masked(sub.email),
        "action": request.path,
        "unsubscribed": sub.status == Subscriber.UNSUBSCRIBED,
        "just_now": done,
    }
    title = "Unsubscribed" if data["unsubscribed"] else "Unsubscribe"
    return _token_page(request, title, "community/digest_unsubscribe.html", data)
