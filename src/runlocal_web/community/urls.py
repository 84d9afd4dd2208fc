from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
    path("digest/", views.digest, name="digest"),
    path("digest/subscribe/", views.digest_subscribe, name="digest_subscribe"),
    path("digest/check-your-inbox/", views.digest_thanks, name="digest_thanks"),
    path("digest/confirm/<str:token>/", views.digest_confirm, name="digest_confirm"),
    path("digest/unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
