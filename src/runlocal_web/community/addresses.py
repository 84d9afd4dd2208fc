"""E-mail addresses as mailboxes: one spelling to send to, and one key per mailbox.

Many strings reach the same mailbox: `"target"@example.org`, `"t\\arget"@example.org`,
`Target@EXAMPLE.org`, `target@bücher.example` and `target@xn--bcher-kva.example`. The list
keys subscribers by the mailbox, not the string, so none of those spellings gets a second
row or a second confirmation e-mail. email-validator does the parsing (RFC 5321/5322, quoted
local parts and their escapes, IDNA 2008 for the domain); on top of it the local part is
compared without case, as every mail server in practice does.

Refused: IP-literal domains (`victim@[127.0.0.1]`), domains without a dot, quoted local parts
that need their quotes (spaces and the like), and non-ASCII local parts (they need SMTPUTF8,
which the site's mail server may not offer). Nothing here looks up DNS.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email

INVALID = "Enter an e-mail address such as you@example.org."


@dataclass(frozen=True)
class Address:
    send_to: str  # the normalised address, with the ASCII (punycode) domain
    mailbox: str  # the key: local part without case, ASCII domain


def parse(value: str) -> Address:
    """The address's normalised form and mailbox key; ValidationError when it is not one."""
    try:
        found = validate_email(
            value.strip(),
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=True,
            allow_domain_literal=False,
            allow_display_name=False,
            globally_deliverable=True,
        )
    except EmailNotValidError:
        raise ValidationError(INVALID, code="invalid") from None
    local = found.ascii_local_part or found.local_part
    if local.startswith('"'):  # quotes that cannot be dropped: spaces, '@' and the like
        raise ValidationError(INVALID, code="invalid")
    domain = found.ascii_domain.lower()
    return Address(send_to=f"{local}@{domain}", mailbox=f"{local.lower()}@{domain}")
