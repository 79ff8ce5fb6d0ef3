"""Every error page shows in the site's layout, says why in words, offers a way back, and never
shows debug detail (a traceback, the URL patterns, settings)."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse

from playground.urls import handler403, handler404
from playground.urls import urlpatterns as site_urlpatterns
from tests.factories import UserFactory

DEBUG_DETAIL = [
    "Traceback",
    "URLconf",
    "URL patterns",
    "urlpatterns",
    "DEBUG",
    "Request Method",
    "settings.py",
]


# A test-only URLconf: the site's URLs plus views that fail (see @pytest.mark.urls below).
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def refuse_with_a_reason(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Only the job's owner or an admin can cancel it.")


urlpatterns = [
    *site_urlpatterns,
    path("test/boom/", boom),
    path("test/bad/", bad),
    path("test/refuse/", refuse_with_a_reason),
]
__all__ = ["handler403", "handler404"]  # this URLconf uses the site's handlers too

FAILING_URLS = pytest.mark.urls("tests.test_errors")


def assert_in_the_layout_with_a_way_back(body: str) -> None:
    assert '<header class="topbar">' in body
    assert "/static/css/app.css" in body
    assert "Back to the playground</a>" in body
    for detail in DEBUG_DETAIL:
        assert detail not in body, detail


@pytest.mark.django_db
class TestForbidden:
    def test_it_tells_a_member_why_the_team_key_page_is_closed(self, member: Client) -> None:
        response = member.get(reverse("teamkey:page"))
        body = response.content.decode()
        assert response.status_code == 403
        assert "Only admins can manage the team key." in body
        assert_in_the_layout_with_a_way_back(body)

    def test_it_tells_a_member_why_the_admin_is_closed(self, member: Client) -> None:
        response = member.get(reverse("admin:index"))
        assert response.status_code == 403
        assert "Only admins can use the Django admin." in response.content.decode()

    def test_it_keeps_the_members_navigation(self, member: Client) -> None:
        body = member.get(reverse("teamkey:page")).content.decode()
        assert "Log out" in body
        assert f'href="{reverse("videos:page")}"' in body
        assert 'name="csrfmiddlewaretoken"' in body

    @FAILING_URLS
    def test_it_shows_the_reason_a_view_gave(self, member: Client) -> None:
        response = member.get("/test/refuse/")
        assert response.status_code == 403
        assert "Only the job&#x27;s owner or an admin can cancel it." in response.content.decode()


@pytest.mark.django_db
class TestNotFound:
    def test_it_shows_a_missing_video_job_in_the_layout(self, member: Client) -> None:
        response = member.get(reverse("videos:job", args=[uuid.uuid4()]))
        body = response.content.decode()
        assert response.status_code == 404
        assert "No such video job." in body
        assert_in_the_layout_with_a_way_back(body)

    def test_it_never_lists_the_url_patterns_for_an_unknown_address(self, member: Client) -> None:
        response = member.get("/no/such/page/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "There is nothing at this address" in body
        assert "Resolver404" not in body
        assert_in_the_layout_with_a_way_back(body)

    def test_it_shows_anonymous_people_the_page_without_a_menu(self, client: Client) -> None:
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        assert "Log out" not in response.content.decode()


@FAILING_URLS
@pytest.mark.django_db
class TestServerError:
    def test_it_shows_a_raised_error_in_the_layout(self, member: Client) -> None:
        member.raise_request_exception = False
        response = member.get("/test/boom/")
        body = response.content.decode()
        assert response.status_code == 500
        assert "Something went wrong on our side" in body
        assert "a bug in a view" not in body
        assert_in_the_layout_with_a_way_back(body)

    def test_it_carries_the_strict_csp(self, member: Client) -> None:
        member.raise_request_exception = False
        response = member.get("/test/boom/")
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_500_page_renders_with_no_context_request_or_database() -> None:
    # No django_db mark: any query would fail this test.
    body = render_to_string("500.html")
    assert_in_the_layout_with_a_way_back(body)
    assert "Log out" not in body


def test_the_400_page_renders_with_no_context_request_or_database() -> None:
    body = render_to_string("400.html")
    assert "couldn't read that request" in body
    assert_in_the_layout_with_a_way_back(body)


@FAILING_URLS
@pytest.mark.django_db
def test_a_bad_request_shows_the_400_page(member: Client) -> None:
    response = member.get("/test/bad/")
    assert response.status_code == 400
    assert_in_the_layout_with_a_way_back(response.content.decode())


@pytest.mark.django_db
class TestCsrfFailure:
    def test_it_says_the_form_expired_and_to_reload(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(UserFactory.create())
        response = client.post(reverse("chat:send"), {"message": "hi"})
        body = response.content.decode()
        assert response.status_code == 403
        assert "This form has expired" in body
        assert "reload the page" in body
        assert "Nothing was changed." in body
        assert_in_the_layout_with_a_way_back(body)

    def test_it_says_so_on_the_login_form_too(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("login"), {"username": "a", "password": "b"})
        assert response.status_code == 403
        assert "This form has expired" in response.content.decode()


@pytest.mark.django_db
class TestTheLog:
    def test_it_logs_a_refusal_in_one_line(
        self, member: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        member.get(reverse("teamkey:page"))
        [record] = [r for r in caplog.records if r.name == "django.request"]
        assert record.getMessage() == "Forbidden (Permission denied): /team-key/"
        assert record.exc_info is None

    @FAILING_URLS
    def test_it_keeps_the_traceback_of_a_server_error(
        self, member: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        member.raise_request_exception = False
        member.get("/test/boom/")
        [record] = [r for r in caplog.records if r.name == "django.request"]
        assert record.exc_info is not None
