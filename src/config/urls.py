"""URL configuration: the web app at /, the REST API at /api/, the admin site (platform admins only) at /admin/."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "委托 weituo — 委托生产质量管理与监督"
admin.site.site_title = "weituo"
admin.site.index_title = "平台管理 Platform administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("weituo.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("weituo.web.urls")),
]
