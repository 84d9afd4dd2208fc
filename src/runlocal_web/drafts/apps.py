from django.apps import AppConfig


class DraftsConfig(AppConfig):
    name = "runlocal_web.drafts"
    label = "drafts"
    verbose_name = "Drafts: models promoted toward the catalog"
