"""The error pages: 403 and 404 in the site's layout, with a sentence on why and a way back.

400, 500 and the CSRF failure keep Django's own views, which render templates/400.html,
500.html and 403_csrf.html.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token

# Why a member is refused, by the URL namespace of the page they opened.
ADMIN_ONLY = {
    "teamkey": _("Only admins can manage the team key."),
    "admin": _("Only admins can use the Django admin."),
}


def _namespace(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).namespace
    except Resolver404:
        return ""


@requires_csrf_token  # the header's logout form needs a token, as on any other page
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the reason the view gave, else why its part of the site is for admins only."""
    reason = str(exception) or str(ADMIN_ONLY.get(_namespace(request), ""))
    return render(request, "403.html", {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: a view's own sentence ("No such video job."), never the URL patterns tried."""
    reason = ""
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404):
        message = exception.args[0] if exception.args else ""
        reason = message if isinstance(message, str) else ""
    return render(request, "404.html", {"reason": reason}, status=404)


class NoTracebackForRefusals(logging.Filter):
    """Keeps the dev server's log to one line for a 403: a refusal is not a bug, and Django
    logs each one with the traceback of its PermissionDenied. 500s keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
