from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from playground.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view sees once LoginRequiredMiddleware has let it through."""

    user: User
    htmx: HtmxDetails
