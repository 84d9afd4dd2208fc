from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "runlocal_web.tools"
    label = "tools"
    verbose_name = "Tools: compare, cost, choose a GPU, custom build"
