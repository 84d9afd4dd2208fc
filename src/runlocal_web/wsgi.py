"""WSGI entry point: `gunicorn runlocal_web.wsgi`, with a deadline for request bodies
(ops/slowbody.py)."""

import os

from django.core.wsgi import get_wsgi_application

from runlocal_web.ops.slowbody import BodyDeadline

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "runlocal_web.settings")

application = BodyDeadline(get_wsgi_application())
