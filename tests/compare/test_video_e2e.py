"""A video comparison end to end: Seedance and Kling jobs run by the real Celery worker against
the simulator, each column watched on the page until its video plays."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from playground.accounts.models import User
from playground.compare.models import Comparison
from playground.history.models import Item
from playground.videos.models import VideoJob
from tests.conftest import Simulator
from tests.videos.helpers import wait_final
from tests.workers import Celery


def test_seedance_and_kling_columns_end_as_playing_videos(
    e2e: Celery, sim: Simulator, owner: User, client: Client
) -> None:
    client.force_login(owner)
    data = {
        "kind": "video",
        "comparison_id": "2b9f0a34-7a1c-4c55-9d7e-3c8f6b1e2a90",
        "prompt": "A fox trots through snow",
        "c1-model": "doubao-seedance-1-0-pro-fast-251015",
        "c1-duration": "5",
        "c1-ratio": "16:9",
        "c2-model": "kling-v2-master",
        "c2-duration": "5",
        "c2-ratio": "1:1",
    }
    assert client.post(reverse("compare:create"), data).status_code == 302
    comparison = Comparison.objects.get()
    columns = list(comparison.columns.all())

    jobs = wait_final(list(VideoJob.objects.filter(column__in=columns)), timeout=40)
    assert [job.state for job in jobs] == [VideoJob.State.SUCCEEDED] * 2
    for column in columns:
        html = client.get(reverse("compare:column", args=[column.id])).content.decode()
        assert "<video" in html
        assert reverse("videos:video", args=[column.video_job_id]) in html
        assert "hx-trigger" not in html, "a playing video stops the polling"
    comparison.refresh_from_db()
    assert comparison.state == Comparison.State.DONE
    item = Item.objects.get(kind="compare", source_id=str(comparison.id))
    assert (item.state, item.in_flight) == ("done", False)
