from django.urls import path

from . import views_build, views_choose, views_compare, views_cost, views_run_check

app_name = "tools"
urlpatterns = [
    path("compare/", views_compare.compare, name="compare"),
    path("compare/hardware/", views_compare.compare, name="compare_hardware"),
    path("compare/hardware/<str:pair>/", views_compare.compare_pair, name="compare_pair"),
    path("cost/", views_cost.cost, name="cost"),
    path("choose-my-gpu/", views_choose.choose_my_gpu, name="choose_my_gpu"),
    path("will-it-run/custom/", views_build.custom_build, name="custom_build"),
    path("run-check/", views_run_check.run_check_page, name="run_check"),
]
