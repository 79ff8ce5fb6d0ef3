"""GET /_sim/stats and GET /_sim/tasks, and what keeps thousands of tasks cheap."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
import requests

from playground.simulator import state as state_module
from playground.simulator.background import Scheduler, Workers
from playground.simulator.config import config_from_env
from playground.simulator.state import State, Task
from tests.conftest import Simulator
from tests.simulator.conftest import KLING_BODY, SEEDANCE_BODY


def stats(sim: Simulator) -> dict[str, Any]:
    response = requests.get(f"{sim.url}/_sim/stats", timeout=5)
    assert response.status_code == 200
    return dict(response.json())


def tasks(sim: Simulator) -> list[dict[str, Any]]:
    response = requests.get(f"{sim.url}/_sim/tasks", timeout=5)
    assert response.status_code == 200
    return list(response.json())


def seedance(prompt: str, **change: Any) -> dict[str, Any]:
    return {**SEEDANCE_BODY, "content": [{"type": "text", "text": prompt}], **change}


class TestStats:
    def test_it_starts_empty_after_a_reset(self, sim):
        assert stats(sim) == {
            "requests": {},
            "creates": {"seedance": 0, "kling": 0},
            "creates_by_external_task_id": {},
            "creates_by_prompt": {},
            "overflow": {"creates_by_external_task_id": 0, "creates_by_prompt": 0},
        }

    def test_it_counts_requests_per_route_and_method_beyond_the_log_size(self, sim, api):
        for _ in range(250):
            api.get("/v1/models")
        api.post("/v1/models")  # unknown URL
        requests.get(f"{sim.url}/_sim/requests", timeout=5)  # control: not counted
        counted = stats(sim)["requests"]
        assert counted == {"models": {"GET": 250}, "unknown": {"POST": 1}}
        assert len(requests.get(f"{sim.url}/_sim/requests", timeout=5).json()) == 200

    def test_it_counts_successful_creates_by_provider_prompt_and_external_id(self, sim, api):
        api.post("/v1/video/generations", seedance("twice"))
        api.post("/v1/video/generations", seedance("twice [fault:task-failure]"))
        api.post("/v1/video/generations", seedance("once --ratio 1:1"))
        api.post("/kling/v1/videos/text2video", {**KLING_BODY, "external_task_id": "job-1"})
        api.post("/kling/v1/videos/text2video", {**KLING_BODY, "prompt": "other"})
        counted = stats(sim)
        assert counted["creates"] == {"seedance": 3, "kling": 2}
        assert counted["creates_by_prompt"] == {
            "twice": 2,  # markers and flags are not part of the prompt
            "once": 1,
            KLING_BODY["prompt"]: 1,
            "other": 1,
        }
        assert counted["creates_by_external_task_id"] == {"job-1": 1}
        assert counted["requests"] == {"seedance.create": {"POST": 3}, "kling.create": {"POST": 2}}

    def test_rejected_and_failed_creates_are_not_creates(self, sim, api):
        assert api.post("/v1/video/generations", seedance("bad", duration=99)).status_code == 400
        body = {**KLING_BODY, "external_task_id": "dup"}
        assert api.post("/kling/v1/videos/text2video", body).status_code == 200
        assert api.post("/kling/v1/videos/text2video", body).status_code == 400
        headers = {"X-Sim-Fault": "503"}
        assert api.post("/v1/video/generations", seedance("x"), headers=headers).status_code == 503
        counted = stats(sim)
        assert counted["creates"] == {"seedance": 0, "kling": 1}
        assert counted["creates_by_external_task_id"] == {"dup": 1}
        assert counted["requests"]["seedance.create"] == {"POST": 2}
        assert counted["requests"]["kling.create"] == {"POST": 2}

    def test_a_malformed_answer_still_made_a_task(self, sim, api):
        headers = {"X-Sim-Fault": "malformed-json"}
        api.post("/v1/video/generations", seedance("half"), headers=headers)
        assert stats(sim)["creates_by_prompt"] == {"half": 1}

    def test_media_downloads_and_queries_are_counted(self, sim, api):
        sim.configure(video_seconds=0.2)
        task_id = api.post("/v1/video/generations", seedance(f"m {uuid.uuid4()}")).json()["id"]
        seen = api.poll(
            f"/v1/video/generations/{task_id}", lambda b: b["data"]["status"] == "SUCCESS"
        )
        requests.head(seen[-1]["data"]["result_url"], timeout=20)
        counted = stats(sim)["requests"]
        assert counted["seedance.query"]["GET"] == len(seen)
        assert counted["media"] == {"HEAD": 1}

    def test_a_reset_clears_the_counters(self, sim, api):
        api.post("/v1/video/generations", seedance("gone"))
        sim.reset()
        assert stats(sim)["creates"] == {"seedance": 0, "kling": 0}
        assert stats(sim)["creates_by_prompt"] == {}


class TestTasks:
    def test_it_lists_every_current_task_with_its_clock(self, sim, api):
        sim.configure(video_seconds=7)
        before = time.time()
        seedance_id = api.post("/v1/video/generations", seedance("listed")).json()["id"]
        body = {**KLING_BODY, "prompt": "[fault:task-failure] doomed", "external_task_id": "e-1"}
        kling_id = api.post("/kling/v1/videos/image2video", {**body, "image": "https://e.com/a"})
        kling_id = kling_id.json()["task_id"]
        after = time.time()
        listed = {task["id"]: task for task in tasks(sim)}
        assert set(listed) == {seedance_id, kling_id}
        first, second = listed[seedance_id], listed[kling_id]
        assert first["provider"] == "seedance"
        assert first["action"] == "generate"
        assert first["external_task_id"] is None
        assert first["failed"] is False
        assert before <= first["submitted_at"] <= after
        assert first["finishes_at"] == pytest.approx(first["submitted_at"] + 7)
        assert second["provider"] == "kling"
        assert second["action"] == "image2video"
        assert second["external_task_id"] == "e-1"
        assert second["failed"] is True

    def test_a_task_carries_the_clock_it_was_created_with(self, sim, api):
        sim.configure(video_seconds=3)
        api.post("/v1/video/generations", seedance("three"))
        sim.configure(video_seconds=9)
        (task,) = tasks(sim)
        assert task["finishes_at"] - task["submitted_at"] == pytest.approx(3)

    def test_a_reset_empties_it(self, sim, api):
        api.post("/v1/video/generations", seedance("x"))
        sim.reset()
        assert tasks(sim) == []

    def test_control_routes_are_not_logged(self, sim):
        tasks(sim)
        stats(sim)
        assert requests.get(f"{sim.url}/_sim/requests", timeout=5).json() == []


class TestThousandsOfTasks:
    """In-process: the State and the Scheduler, with far more tasks than a test would send."""

    @staticmethod
    def task(n: int, **change: Any) -> Task:
        fields: dict[str, Any] = {
            "id": str(n),
            "provider": "kling",
            "action": "text2video",
            "model": "kling-v1-6",
            "prompt": f"prompt {n}",
            "ratio": "16:9",
            "duration": 5,
            "submitted_at": time.time(),
            "clock": 60.0,
            "media": "0" * 32,
            "external_task_id": f"ext-{n}",
        }
        return Task(**{**fields, **change})

    def test_lookups_stay_fast_with_ten_thousand_tasks(self):
        state = State(config_from_env({}))
        for n in range(10_000):
            assert state.add_task(self.task(n))
        started = time.perf_counter()
        for n in range(10_000):
            assert state.external_id_taken(f"ext-{n}")
            assert state.task(str(n), "kling") is not None
        assert time.perf_counter() - started < 1  # a scan per lookup would take many seconds
        assert not state.external_id_taken("ext-new")
        assert not state.add_task(self.task(10_001, external_task_id="ext-5"))
        assert state.stats()["creates"]["kling"] == 10_000
        state.reset()
        assert not state.external_id_taken("ext-5")
        assert state.tasks() == []

    def test_the_counters_stop_adding_keys_at_their_cap(self, monkeypatch):
        monkeypatch.setattr(state_module, "COUNTER_KEYS_LIMIT", 3)
        state = State(config_from_env({}))
        for n in range(5):
            state.add_task(self.task(n))
        state.add_task(self.task(5, prompt="prompt 0", external_task_id=None))
        counted = state.stats()
        assert counted["creates_by_prompt"] == {"prompt 0": 2, "prompt 1": 1, "prompt 2": 1}
        assert len(counted["creates_by_external_task_id"]) == 3
        assert counted["overflow"] == {"creates_by_external_task_id": 2, "creates_by_prompt": 2}
        assert counted["creates"]["kling"] == 6

    def test_the_scheduler_runs_many_jobs_in_due_order_on_few_threads(self):
        ran: list[int] = []
        lock = threading.Lock()
        done = threading.Event()
        now = time.time()

        def job(n: int) -> Any:
            def run() -> None:
                with lock:
                    ran.append(n)
                    if len(ran) == 5_000:
                        done.set()

            return run

        threads_before = threading.active_count()
        scheduler = Scheduler(Workers(1, "test"))
        for n in reversed(range(5_000)):
            scheduler.at(now + 0.2 + n / 100_000, job(n))
        assert threading.active_count() - threads_before <= 2
        assert done.wait(10)
        assert ran == list(range(5_000))

    def test_cancel_all_drops_what_is_not_due_yet(self):
        ran: list[str] = []
        scheduler = Scheduler(Workers(2, "test"))
        scheduler.at(time.time(), lambda: ran.append("now"))
        scheduler.at(time.time() + 0.3, lambda: ran.append("later"))
        time.sleep(0.1)
        scheduler.cancel_all()
        assert scheduler.pending() == 0
        time.sleep(0.4)
        assert ran == ["now"]
