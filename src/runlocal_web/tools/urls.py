from django.urls import path  # noqa: F401

app_name = "tools"
urlpatterns: list = []  # type: ignore[type-arg]
