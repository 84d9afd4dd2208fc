from django.urls import include, path

urlpatterns = [
    path("", include("runlocal_web.pages.urls")),
    path("", include("runlocal_web.checker.urls")),
    path("", include("runlocal_web.catalogdb.urls")),
]

handler404 = "runlocal_web.pages.views.not_found"
handler500 = "runlocal_web.pages.views.server_error"
