"""The login page refuses every attempt, the right password too, once a username or an address
has failed too often within the window."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
WRONG = "not-the-password"


def log_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> str:
    """Posts the login form; returns "in" on success, else the page's text."""
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    return "in" if response.status_code == 302 else response.content.decode()


@pytest.fixture
def grace() -> str:
    UserFactory.create(username="grace", password=PASSWORD)
    return "grace"


class TestByUsername:
    def test_five_wrong_passwords_are_answered_as_wrong(self, client: Client, grace: str) -> None:
        for _ in range(5):
            assert "Please enter a correct username and password" in log_in(client, grace, WRONG)

    def test_the_sixth_attempt_is_refused_with_when_to_try_again(
        self, client: Client, grace: str
    ) -> None:
        for _ in range(5):
            log_in(client, grace, WRONG)
        page = log_in(client, grace, WRONG)
        assert "Too many failed logins for this username: try again in 15 minutes." in page
        assert "Please enter a correct username" not in page

    def test_then_even_the_right_password_is_refused(self, client: Client, grace: str) -> None:
        for _ in range(5):
            log_in(client, grace, WRONG)
        assert "Too many failed logins" in log_in(client, grace, PASSWORD)
        assert "_auth_user_id" not in client.session

    def test_it_is_refused_from_another_address_too(self, client: Client, grace: str) -> None:
        for _ in range(5):
            log_in(client, grace, WRONG)
        assert "Too many failed logins" in log_in(client, grace, PASSWORD, ip="10.9.9.9")

    def test_it_ignores_the_usernames_case(self, client: Client, grace: str) -> None:
        for _ in range(5):
            log_in(client, "GRACE", WRONG)
        assert "Too many failed logins" in log_in(client, grace, PASSWORD)

    def test_an_unknown_username_is_throttled_the_same(self, client: Client) -> None:
        for _ in range(5):
            log_in(client, "nobody", WRONG)
        assert "Too many failed logins for this username" in log_in(client, "nobody", WRONG)

    def test_other_usernames_are_not_affected(self, client: Client, grace: str) -> None:
        UserFactory.create(username="ada", password=PASSWORD)
        for _ in range(5):
            log_in(client, grace, WRONG)
        assert log_in(client, "ada", PASSWORD) == "in"

    def test_a_success_clears_the_count(self, client: Client, grace: str) -> None:
        for _ in range(4):
            log_in(client, grace, WRONG)
        assert log_in(client, grace, PASSWORD) == "in"
        client.logout()
        for _ in range(4):
            assert "Please enter a correct username" in log_in(client, grace, WRONG)
        assert log_in(client, grace, PASSWORD) == "in"

    def test_it_lets_people_in_again_after_the_window(
        self, client: Client, grace: str, settings: Settings
    ) -> None:
        settings.LOGIN_THROTTLE_WINDOW_SECONDS = 1
        for _ in range(5):
            log_in(client, grace, WRONG)
        assert "try again in 1 second." in log_in(client, grace, PASSWORD)
        time.sleep(1.2)
        assert log_in(client, grace, PASSWORD) == "in"

    def test_the_limit_is_a_setting(self, client: Client, grace: str, settings: Settings) -> None:
        settings.LOGIN_THROTTLE_USERNAME_FAILURES = 2
        log_in(client, grace, WRONG)
        log_in(client, grace, WRONG)
        assert "Too many failed logins" in log_in(client, grace, PASSWORD)


class TestByAddress:
    def test_twenty_failures_from_one_address_refuse_every_username(
        self, client: Client, grace: str
    ) -> None:
        for n in range(20):
            log_in(client, f"guess{n}", WRONG)
        page = log_in(client, grace, PASSWORD)
        assert "Too many failed logins from your address: try again in 15 minutes." in page

    def test_another_address_still_gets_in(self, client: Client, grace: str) -> None:
        for n in range(20):
            log_in(client, f"guess{n}", WRONG)
        assert log_in(client, grace, PASSWORD, ip="10.0.0.2") == "in"

    def test_a_success_does_not_clear_the_addresss_count(
        self, client: Client, grace: str, settings: Settings
    ) -> None:
        settings.LOGIN_THROTTLE_IP_FAILURES = 3
        log_in(client, "guess1", WRONG)
        log_in(client, "guess2", WRONG)
        assert log_in(client, grace, PASSWORD) == "in"
        client.logout()
        log_in(client, "guess3", WRONG)
        assert "from your address" in log_in(client, grace, PASSWORD)


class TestEmptyForm:
    def test_missing_fields_are_not_counted(self, client: Client, grace: str) -> None:
        for _ in range(10):
            assert "This field is required." in log_in(client, grace, "")
        assert log_in(client, grace, PASSWORD) == "in"
