"""URL configuration: for now the Django admin, which is the demo's user interface."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "委托 weituo — 委托生产质量管理与监督"
admin.site.site_title = "weituo"
admin.site.index_title = "登记信息 Registry"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
