from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "runlocal_web.reference"
    label = "reference"
    verbose_name = "Reference: runtimes, glossary, errors, benchmarks, guides, editorial"
