from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "runlocal_web.pages"
    label = "pages"
    verbose_name = "Pages"
