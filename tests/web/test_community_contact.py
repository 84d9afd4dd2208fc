"""The contact form: valid, invalid and hostile input, CSRF, rate limits, and the admin."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from runlocal_web.community.models import ContactMessage, Correction

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # rate-limit counters from other tests (shared with REDIS_URL)


def message(**fields: str) -> dict[str, str]:
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "topic": "correction",
        "message": "The bandwidth of this card is 1008 GB/s, not 1008 GiB/s.",
        "page_url": "/hardware/testgpu-24gb/",
    }
    data.update(fields)
    return data


def test_it_shows_an_accessible_form_with_every_topic(client) -> None:
    r = client.get("/contact/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'method="post" action="/contact/"' in html
    assert 'href="/static/community/community.css"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for field in ("name", "email", "topic", "message", "page_url"):
        assert f'<label for="id_{field}">' in html, field
    assert 'autocomplete="email"' in html and 'aria-describedby="id_email_helptext"' in html
    for value in ("correction", "question", "partnership", "other"):
        assert f'<option value="{value}"' in html
    doc = client.get("/contact/?format=json").json()
    assert doc["ok"] is True and doc["method"] == "post"
    assert [t["value"] for t in doc["topics"]] == ["correction", "question", "partnership", "other"]


def test_it_stores_a_message_then_redirects_to_a_thank_you_page(client) -> None:
    r = client.post("/contact/", message())
    assert r.status_code == 303 and r["Location"] == "/contact/thanks/"
    stored = ContactMessage.objects.get()
    assert (stored.name, stored.email, stored.topic, stored.status) == (
        "Ada Lovelace",
        "ada@example.org",
        "correction",
        "new",
    )
    assert stored.page_url == "/hardware/testgpu-24gb/"
    page = client.get(r["Location"])
    assert page.status_code == 200 and b"Thank you" in page.content
    assert b'name="robots" content="noindex"' in page.content
    # A correction is also in the corrections queue; a question is not.
    client.post("/contact/", message(topic="question", page_url=""))
    assert list(Correction.objects.values_list("topic", flat=True)) == ["correction"]
    assert ContactMessage.objects.count() == 2


def test_it_shows_inline_errors_and_keeps_what_was_typed(client) -> None:
    bad = message(email="not-an-address", topic="", message="short", page_url="javascript:x")
    r = client.post("/contact/", bad)
    assert r.status_code == 400
    html = r.content.decode()
    assert 'role="alert"' in html and "Please fix 4 problems" in html
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*name="email"|name="email"[^>]*aria-invalid="true"',
        html,
    )
    assert 'id="id_email_error"' in html and "Enter an e-mail address" in html
    assert "Choose what your message is about." in html
    assert 'href="#id_message"' in html
    assert 'value="Ada Lovelace"' in html and 'value="not-an-address"' in html
    assert ContactMessage.objects.count() == 0
    doc = client.post("/contact/?format=json", bad).json()
    assert doc["ok"] is False and set(doc["errors"]) == {"email", "topic", "message", "page_url"}


@pytest.mark.parametrize(
    "fields",
    [
        {"message": "x" * 5001},
        {"name": "n" * 101},
        {"message": "has a \x00 null byte in it"},
        {"page_url": "//evil.example/"},
        {"page_url": "/path with spaces/"},
        {"topic": "complaint"},
        {"email": "a@b.c\nBcc: victim@example.org"},
    ],
)
def test_it_rejects_malformed_input_without_failing(client, fields: dict[str, str]) -> None:
    r = client.post("/contact/", message(**fields))
    assert r.status_code == 400
    assert ContactMessage.objects.count() == 0


def test_it_stores_hostile_text_as_is_and_shows_it_escaped(client, admin_client) -> None:
    page_url = '/models/"><script>alert(2)</script>'
    r = client.post("/contact/", message(name=XSS[:100], message=XSS, page_url=page_url))
    assert r.status_code == 303
    stored = ContactMessage.objects.get()
    assert (stored.name, stored.message, stored.page_url) == (XSS[:100], XSS, page_url)
    for url in (
        "/admin/community/contactmessage/",
        f"/admin/community/contactmessage/{stored.pk}/change/",
        "/admin/community/correction/",
    ):
        html = admin_client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(" in html, url
    # Re-shown in an invalid form, it is escaped too.
    html = client.post("/contact/", message(name=XSS[:100], email="bad")).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_it_refuses_a_post_without_the_csrf_token(db) -> None:
    r = Client(enforce_csrf_checks=True).post("/contact/", message())
    assert r.status_code == 403
    assert ContactMessage.objects.count() == 0


def test_it_rate_limits_posts_per_client_and_keeps_the_text(client) -> None:
    for _ in range(5):
        assert client.post("/contact/", message(), REMOTE_ADDR="192.0.2.7").status_code == 303
    r = client.post("/contact/", message(message="The sixth one, kept."), REMOTE_ADDR="192.0.2.7")
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 600
    html = r.content.decode()
    assert "Please wait about" in html and "The sixth one, kept." in html
    assert ContactMessage.objects.count() == 5
    # Another client is not affected.
    assert client.post("/contact/", message(), REMOTE_ADDR="192.0.2.8").status_code == 303


def test_it_quietly_drops_what_bots_fill_in(client) -> None:
    r = client.post("/contact/", message(website="http://spam.example"))
    assert r.status_code == 303
    assert ContactMessage.objects.count() == 0


def test_it_prefills_a_correction_from_a_page_link(client) -> None:
    html = client.get("/contact/?topic=correction&page=/models/testllama-8b/").content.decode()
    assert '<option value="correction" selected>' in html
    assert 'value="/models/testllama-8b/"' in html
    html = client.get("/contact/?topic=nonsense&page=javascript:alert(1)").content.decode()
    assert 'value="javascript:' not in html and '<option value="" selected>' in html


def test_it_lets_editors_moderate_messages_and_corrections(
    client, admin_client, admin_user
) -> None:
    client.post("/contact/", message())
    client.post("/contact/", message(topic="partnership", page_url=""))
    correction = ContactMessage.objects.get(topic="correction")
    r = admin_client.get("/admin/community/correction/")
    assert r.status_code == 200 and r.context["cl"].result_count == 1
    r = admin_client.get("/admin/community/contactmessage/?status__exact=new&q=Ada")
    assert r.context["cl"].result_count == 2
    r = admin_client.post(
        "/admin/community/correction/",
        {"action": "mark_handled", "_selected_action": [correction.pk]},
    )
    assert r.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "handled" and correction.handled_at is not None
    assert correction.handled_by == admin_user.get_username()
    admin_client.post(
        "/admin/community/contactmessage/",
        {"action": "mark_new", "_selected_action": [correction.pk]},
    )
    correction.refresh_from_db()
    assert (correction.status, correction.handled_at, correction.handled_by) == ("new", None, "")
    # Editors add a note and change the status on the message's own page.
    url = f"/admin/community/contactmessage/{correction.pk}/change/"
    r = admin_client.post(url, {"status": "declined", "editor_note": "Spec sheet agrees with us."})
    assert r.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "declined" and correction.editor_note.startswith("Spec sheet")
    assert correction.message.startswith("The bandwidth")  # what they wrote stays as written
