"""GET /uploads/<uuid>/: the stored image, for signed-in members only."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.uploads.factories import UploadFactory

pytestmark = pytest.mark.django_db


class TestFile:
    def test_it_serves_the_image_to_a_member(self, member: Client) -> None:
        upload = UploadFactory.create()

        response = member.get(reverse("uploads:file", args=[upload.id]))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == upload.read()  # type: ignore[attr-defined]
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == "inline"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, max-age=3600"

    def test_it_serves_an_upload_made_by_someone_else_on_the_team(self, member: Client) -> None:
        upload = UploadFactory.create()  # created by another user

        assert member.get(reverse("uploads:file", args=[upload.id])).status_code == 200

    def test_it_redirects_anonymous_visitors_to_the_login_page(self, client: Client) -> None:
        upload = UploadFactory.create()
        url = reverse("uploads:file", args=[upload.id])

        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"

    def test_it_answers_404_for_an_unknown_upload(self, member: Client) -> None:
        response = member.get(reverse("uploads:file", args=[uuid.uuid4()]))

        assert response.status_code == 404

    def test_it_answers_404_when_the_stored_file_is_gone(self, member: Client) -> None:
        upload = UploadFactory.create()
        upload.file.delete(save=False)

        assert member.get(reverse("uploads:file", args=[upload.id])).status_code == 404

    def test_it_rejects_post(self, member: Client) -> None:
        upload = UploadFactory.create()

        assert member.post(reverse("uploads:file", args=[upload.id])).status_code == 405
