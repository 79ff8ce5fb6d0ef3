from collections.abc import Callable
from functools import wraps
from typing import Concatenate, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from playground.accounts.http import AuthenticatedHttpRequest
from playground.accounts.models import User

type View[**P] = Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]


def admin_required[**P](
    view: View[P],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """403 for anyone but an admin. Anonymous users never get here: LoginRequiredMiddleware
    sends them to the login page first."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not (isinstance(request.user, User) and request.user.is_admin):
            raise PermissionDenied
        return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)

    return wrapper
