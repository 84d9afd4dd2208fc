from django.urls import path

from . import views

app_name = "checker"
urlpatterns = [
    path("will-it-run/", views.will_it_run, name="will_it_run"),
]
