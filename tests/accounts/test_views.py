import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


class TestLogin:
    def test_it_shows_the_login_form(self, client: Client) -> None:
        response = client.get(reverse("login"))
        body = response.content.decode()
        assert response.status_code == 200
        assert 'class="login panel"' in body
        assert 'name="password"' in body

    def test_it_logs_in_and_goes_to_the_chat(self, client: Client) -> None:
        UserFactory.create(username="grace", password=PASSWORD)
        response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("chat:page")

    def test_it_returns_to_the_page_asked_for(self, client: Client) -> None:
        AdminFactory.create(username="ada", password=PASSWORD)
        response = client.post(
            reverse("login"),
            {"username": "ada", "password": PASSWORD, "next": reverse("teamkey:page")},
        )
        assert response["Location"] == reverse("teamkey:page")

    def test_it_rejects_a_wrong_password(self, client: Client) -> None:
        UserFactory.create(username="grace", password=PASSWORD)
        response = client.post(reverse("login"), {"username": "grace", "password": "nope"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    def test_it_sends_a_logged_in_user_on(self, client: Client) -> None:
        client.force_login(UserFactory.create())
        response = client.get(reverse("login"))
        assert response["Location"] == reverse("chat:page")


class TestLogout:
    def test_it_logs_out_and_shows_the_login_page(self, client: Client) -> None:
        client.force_login(UserFactory.create())
        response = client.post(reverse("logout"))
        assert response["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session

    def test_it_rejects_get(self, client: Client) -> None:
        client.force_login(UserFactory.create())
        assert client.get(reverse("logout")).status_code == 405
