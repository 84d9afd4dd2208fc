"""The tokens in confirm and unsubscribe links: a subscriber's random key, signed.

The key alone (from a database dump) is not a valid link, and SECRET_KEY alone cannot make
one; replacing the key (models.new_key) revokes every link made from it. Confirm links
expire; unsubscribe links never do, so an old digest can always unsubscribe.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing

CONFIRM_SALT = "runlocal.community.digest.confirm"
UNSUBSCRIBE_SALT = "runlocal.community.digest.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=7)
# "." never occurs in a key, a timestamp or a signature, and reads well in a URL.
SEP = "."


class BadToken(Exception):
    pass


class ExpiredToken(BadToken):
    pass


def confirm_token(key: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT, sep=SEP).sign(key)


def unsubscribe_token(key: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT, sep=SEP).sign(key)


def confirm_key(token: str) -> str:
    """The key a confirm token carries; ExpiredToken after CONFIRM_MAX_AGE, BadToken if forged."""
    try:
        return signing.TimestampSigner(salt=CONFIRM_SALT, sep=SEP).unsign(
            token, max_age=CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ExpiredToken(token) from None
    except signing.BadSignature:
        raise BadToken(token) from None


def unsubscribe_key(token: str) -> str:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT, sep=SEP).unsign(token)
    except signing.BadSignature:
        raise BadToken(token) from None
