from django.urls import path

from . import views

app_name = "drafts"
urlpatterns = [
    path("models/remote/draft/", views.promote, name="promote"),
]
