from django.urls import path

from . import remote, views

app_name = "catalogdb"
urlpatterns = [
    path("models/", views.model_list, name="model_list"),
    # Before the catalog's own pages: "remote" is not a model id.
    path("models/remote/", remote.remote_model, name="remote_model"),
    path("models/<str:slug>/", views.model_detail, name="model_detail"),
    path("hardware/", views.hardware_list, name="hardware_list"),
    path("hardware/<str:slug>/", views.hardware_detail, name="hardware_detail"),
]
