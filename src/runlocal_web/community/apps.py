from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "runlocal_web.community"
    label = "community"
    verbose_name = "Community: contact, digest subscribers, corrections"
