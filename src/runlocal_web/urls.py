from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("runlocal_web.pages.urls")),
    path("", include("runlocal_web.checker.urls")),
    # Before the catalog's /models/<slug>/ pages.
    path("", include("runlocal_web.drafts.urls")),
    path("", include("runlocal_web.catalogdb.urls")),
    path("", include("runlocal_web.tools.urls")),
    path("", include("runlocal_web.reference.urls")),
    path("", include("runlocal_web.community.urls")),
    path("api/v1/", include("runlocal_web.api.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "runlocal_web.pages.views.not_found"
handler500 = "runlocal_web.pages.views.server_error"
