"""Everything the simulator remembers between requests, behind one lock.

Handler threads share one State: the config, the video tasks (indexed by id and by Kling
`external_task_id`), the request log, the counters of `GET /_sim/stats`, the countdown of
`fault_times` and the scheduler of Kling callbacks. Every lookup is a dict access, so ten
thousand tasks cost nothing per request.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.simulator.background import Scheduler, Workers
from playground.simulator.config import Config, config_merge

LOG_SIZE = 200
LOG_STRING_LIMIT = 500  # base64 images would make the request log huge
COUNTER_KEYS_LIMIT = 100_000  # entries per by-prompt / by-external-id counter
CALLBACK_WORKERS = 4


@dataclass
class Task:
    """A video task; its status is derived from the time since `submitted_at`."""

    id: str
    provider: str  # seedance | kling
    action: str  # generate | text2video | image2video | multi-image2video
    model: str
    prompt: str
    ratio: str
    duration: int
    submitted_at: float
    clock: float  # seconds from submit to done, fixed at submit
    media: str  # the media name of the video this task produces
    params: dict[str, Any] = field(default_factory=dict)
    fault: str | None = None  # task-failure | task-not-exist, remembered from create
    callback_url: str | None = None
    external_task_id: str | None = None


class State:
    def __init__(self, defaults: Config) -> None:
        self._lock = threading.Lock()
        self._defaults = dict(defaults)
        self._config = dict(defaults)
        self._tasks: dict[str, Task] = {}
        self._external_ids: dict[str, str] = {}  # Kling external_task_id -> task id
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self._stats = _Stats()
        # Jobs at due times (Kling callbacks); reset cancels the pending ones.
        self.scheduler = Scheduler(Workers(CALLBACK_WORKERS, "callback"))

    # -- config ------------------------------------------------------------------------------

    def config(self) -> Config:
        with self._lock:
            return dict(self._config)

    def configure(self, changes: Any) -> Config:
        """Merges changes into the config (raises ConfigError) and returns the whole config."""
        with self._lock:
            self._config = config_merge(self._config, changes)
            return dict(self._config)

    def reset(self) -> None:
        with self._lock:
            self._config = dict(self._defaults)
            self._tasks.clear()
            self._external_ids.clear()
            self._log.clear()
            self._stats = _Stats()
            self.scheduler.cancel_all()

    def take_config_fault(self, group: str, applies: Callable[[str], bool]) -> str | None:
        """The configured fault for a request in `group`, counting down `fault_times`.

        `applies(fault)` says whether the fault means anything for this request; if not, the
        request is served normally and does not use up a count.
        """
        with self._lock:
            fault = self._config["fault"]
            routes = self._config["fault_routes"]
            if fault is None or (routes != "all" and group not in routes.split(",")):
                return None
            if not applies(fault):
                return None
            times = self._config["fault_times"]
            if times is not None:
                if times <= 0:
                    return None
                self._config["fault_times"] = times - 1
                if times == 1:
                    self._config["fault"] = None
                    self._config["fault_times"] = None
            return str(fault)

    # -- tasks -------------------------------------------------------------------------------

    def add_task(self, task: Task) -> bool:
        """Adds the task and counts the create; False (and nothing added) if its Kling
        `external_task_id` is already used by a current task."""
        with self._lock:
            external = task.external_task_id
            if external is not None:
                if external in self._external_ids:
                    return False
                self._external_ids[external] = task.id
            self._tasks[task.id] = task
            self._stats.count_create(task)
            return True

    def task(self, task_id: str, provider: str) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
        return task if task is not None and task.provider == provider else None

    def external_id_taken(self, external_task_id: str) -> bool:
        with self._lock:
            return external_task_id in self._external_ids

    def tasks(self) -> list[Task]:
        """Every current task, oldest first."""
        with self._lock:
            return list(self._tasks.values())

    # -- request log -------------------------------------------------------------------------

    def record(self, entry: dict[str, Any]) -> None:
        entry = {**entry, "body": _shorten(entry.get("body"))}
        with self._lock:
            self._log.append(entry)

    def count_request(self, route: str, method: str) -> None:
        """Counted when a request arrives, so a client that has its answer sees it counted."""
        with self._lock:
            self._stats.count_request(route, method)

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._log)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return self._stats.as_json()


class _Stats:
    """Counters since the last reset, unlike the request log not limited to recent entries."""

    def __init__(self) -> None:
        self.requests: dict[str, dict[str, int]] = {}
        self.creates = {"seedance": 0, "kling": 0}
        self.by_external: dict[str, int] = {}
        self.by_prompt: dict[str, int] = {}
        # Creates not counted per key because the map was full.
        self.overflow = {"creates_by_external_task_id": 0, "creates_by_prompt": 0}

    def count_request(self, route: str, method: str) -> None:
        methods = self.requests.setdefault(route, {})
        methods[method] = methods.get(method, 0) + 1

    def count_create(self, task: Task) -> None:
        self.creates[task.provider] = self.creates.get(task.provider, 0) + 1
        if task.external_task_id is not None:
            self._bump(self.by_external, task.external_task_id, "creates_by_external_task_id")
        self._bump(self.by_prompt, task.prompt, "creates_by_prompt")

    def _bump(self, counts: dict[str, int], key: str, name: str) -> None:
        if key in counts or len(counts) < COUNTER_KEYS_LIMIT:
            counts[key] = counts.get(key, 0) + 1
        else:
            self.overflow[name] += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": {route: dict(methods) for route, methods in self.requests.items()},
            "creates": dict(self.creates),
            "creates_by_external_task_id": dict(self.by_external),
            "creates_by_prompt": dict(self.by_prompt),
            "overflow": dict(self.overflow),
        }


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LOG_STRING_LIMIT:
        return f"{value[:LOG_STRING_LIMIT]}…({len(value)} chars)"
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    return value
