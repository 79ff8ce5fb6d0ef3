import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from playground.accounts.decorators import admin_required
from playground.accounts.http import AuthenticatedHttpRequest
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


@admin_required
def secret(request: AuthenticatedHttpRequest) -> HttpResponse:
    return HttpResponse(f"hello {request.user.username}")


class TestAdminRequired:
    def test_it_lets_an_admin_in(self, rf: RequestFactory) -> None:
        request = rf.get("/")
        request.user = AdminFactory.create(username="ada")
        assert secret(request).content == b"hello ada"

    @pytest.mark.parametrize(
        "make_user",
        [UserFactory.create, lambda: AdminFactory.create(is_active=False), AnonymousUser],
        ids=["member", "inactive staff", "anonymous"],
    )
    def test_it_forbids_everyone_else(self, rf: RequestFactory, make_user) -> None:
        request = rf.get("/")
        request.user = make_user()
        with pytest.raises(PermissionDenied):
            secret(request)
