from django.apps import AppConfig


class CheckerConfig(AppConfig):
    name = "runlocal_web.checker"
    label = "checker"
    verbose_name = "Will it run?"
