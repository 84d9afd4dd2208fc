"""Staff promote a model read remotely to a draft entry (POST from its page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from runlocal_web.catalogdb.remote import read_for_visitor
from runlocal_web.lib.pages import Page, respond

from .store import draft_from_remote, save_draft


@require_POST
def promote(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_active and request.user.is_staff):
        path = reverse("drafts:promote")
        page = Page(
            title="For editors only",
            description="Only staff can promote a model to a catalog draft.",
            breadcrumbs=[("Home", "/"), ("For editors only", path)],
            canonical_path=path,
            noindex=True,
        )
        data = {"error": "only staff can promote a model to a catalog draft"}
        return respond(request, "catalogdb/remote_error.html", page, data, status=403)
    text = request.POST.get("ref", "").strip()
    got = read_for_visitor(request, text)
    if isinstance(got, HttpResponse):
        return got
    draft, _created = save_draft(got.source, got.label, draft_from_remote(got))
    return HttpResponseRedirect(reverse("admin:drafts_draftentry_change", args=[draft.pk]))
