from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "runlocal_web.api"
    label = "api"
    verbose_name = "JSON API v1 and benchmark submissions"
