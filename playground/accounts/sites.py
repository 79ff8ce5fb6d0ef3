"""The Django admin, for admins only: members get 403, and everyone logs in on the
playground's own login page."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    site_header = _("Starrise Playground admin")
    site_title = _("Starrise Playground admin")

    def admin_view[V: Callable[..., HttpResponseBase]](self, view: V, cacheable: bool = False) -> V:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guard(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Django would show a logged-in member the admin's login form; refuse instead.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return cast(V, guard)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super().get_urls()
        for url in urls:
            # Django points anonymous visitors of its site-wide views at the admin's own login
            # form (via LoginRequiredMiddleware); there is one login page, the playground's.
            if isinstance(url, URLPattern) and hasattr(url.callback, "login_url"):
                url.callback.login_url = settings.LOGIN_URL
        return urls

    @login_not_required
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Imported here: this module is loaded with INSTALLED_APPS, before models can be.
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            return redirect_to_login(next_url, settings.LOGIN_URL)
        if not self.has_permission(request):
            raise PermissionDenied
        return super().login(request, extra_context)


class AdminConfig(BaseAdminConfig):
    default_site = "playground.accounts.sites.AdminSite"
