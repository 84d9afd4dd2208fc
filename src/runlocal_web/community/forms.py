"""The contact and digest sign-up forms. Text is kept exactly as typed (after trimming)."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from . import addresses
from .models import ContactMessage

MAX_MESSAGE = 5000


def clean_page_url(value: str) -> str:
    """A path on this site (/models/x/) or an http(s) address; '' when left empty."""
    value = value.strip()
    if not value:
        return ""
    if value.startswith("/") and not value.startswith("//"):
        if any(c.isspace() or ord(c) < 32 for c in value):
            raise ValidationError("A page address has no spaces.", code="invalid")
        return value
    if urlsplit(value).scheme.lower() in ("http", "https"):
        URLValidator(schemes=["http", "https"], message="Enter a valid web address.")(value)
        return value
    raise ValidationError(
        "Enter the page's address: a path such as /models/llama-3.1-8b/ or a full "
        "https:// address.",
        code="invalid",
    )


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your e-mail",
        max_length=254,
        help_text="Only to answer you. Never shared, never added to a list.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(
        label="Topic", choices=[("", "Choose a topic"), *ContactMessage.TOPICS]
    )
    message = forms.CharField(
        label="Message",
        min_length=10,
        max_length=MAX_MESSAGE,
        help_text=f"Up to {MAX_MESSAGE:,} characters. For a correction: what is wrong, and "
        "the source that shows it.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    page_url = forms.CharField(
        label="Page (optional)",
        required=False,
        max_length=500,
        help_text="The page this is about, e.g. /models/llama-3.1-8b/.",
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    # A field people never see or fill in; form-filling bots usually do.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Tell us your name."
        self.fields["email"].error_messages["required"] = "We need an address to answer you."
        self.fields["email"].error_messages["invalid"] = (
            "Enter an e-mail address such as you@example.org."
        )
        self.fields["topic"].error_messages["required"] = "Choose what your message is about."
        self.fields["message"].error_messages["required"] = "Write your message."

    def clean_page_url(self) -> str:
        return clean_page_url(self.cleaned_data.get("page_url", ""))

    @property
    def is_bot(self) -> bool:
        return bool(self.is_bound and str(self.data.get("website", "")).strip())

    def initial_from_query(self, query: Any) -> None:
        """/contact/?topic=correction&page=/models/x/ pre-fills the form (links from pages)."""
        topic = query.get("topic", "")
        if topic in dict(ContactMessage.TOPICS):
            self.initial["topic"] = topic
        page = str(query.get("page", ""))[:500]
        with contextlib.suppress(ValidationError):
            self.initial["page_url"] = clean_page_url(page)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="We send one e-mail with a link to confirm the address; nothing else "
        "arrives until you follow it. Every digest has a one-click unsubscribe link.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter your e-mail address."
        self.fields["email"].error_messages["invalid"] = (
            "Enter an e-mail address such as you@example.org."
        )

    def clean_email(self) -> str:
        """The address as it will be written to: quotes that change nothing dropped, the
        domain in ASCII. IP-literal and dot-less domains are refused (addresses.parse)."""
        return addresses.parse(str(self.cleaned_data.get("email", ""))).send_to
