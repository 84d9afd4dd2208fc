"""The packaged catalog through the reference pages: every page the sitemap lists renders,
and every internal link in the editorial text leads somewhere.

The only web test that reads the real catalog (on purpose): it catches a catalog file that
breaks a page, and Markdown links to pages that do not exist.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

from runlocal.catalog import CATALOG_DIR
from runlocal_web.catalogdb.models import Hardware, Model

from . import factory

pytestmark = pytest.mark.django_db
HREF = re.compile(r'href="([^"]*)"')
# Model and hardware pages belong to catalogdb and run the engine many times each: their
# existence is checked in the database instead of rendering all of them.
ENTRY_PAGE = re.compile(r"^/(models|hardware)/([^/?]+)/$")


@pytest.fixture
def real(settings, db) -> None:
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    factory.sync()


def _exists(path: str, client) -> bool:
    m = ENTRY_PAGE.match(path)
    if m:
        table = Model if m.group(1) == "models" else Hardware
        return table.objects.filter(pk=m.group(2)).exists()
    return client.get(path, follow=True).status_code == 200


def test_it_renders_every_reference_page_of_the_packaged_catalog(client, real) -> None:
    sitemap = client.get("/sitemap.xml").content.decode()
    paths = [urlsplit(unescape(loc)).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    pages = [p for p in paths if not ENTRY_PAGE.match(p)]
    assert len(pages) > 50
    checked: dict[str, bool] = {}
    broken = []
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        html = r.content.decode()
        main = html[html.find('<main id="main"') : html.find("</main>")]
        for raw in HREF.findall(main):
            href = unescape(raw)
            if not href.startswith("/") or href.startswith("//"):
                continue
            target = href.split("#", 1)[0] or path
            if target not in checked:
                checked[target] = _exists(target, client)
            if not checked[target]:
                broken.append((path, href))
    assert not broken, broken
