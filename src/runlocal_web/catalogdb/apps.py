from django.apps import AppConfig


class CatalogdbConfig(AppConfig):
    name = "runlocal_web.catalogdb"
    label = "catalogdb"
    verbose_name = "Catalog"
