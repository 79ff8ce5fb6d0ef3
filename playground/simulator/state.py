"""Everything the simulator remembers between requests, behind one lock.

Handler threads share one State: the config, the video tasks, the request log and the
countdown of `fault_times`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.simulator.config import Config, config_merge

LOG_SIZE = 200
LOG_STRING_LIMIT = 500  # base64 images would make the request log huge


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
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        # Set on reset, so callback threads of cleared tasks stop.
        self.cleared = threading.Event()

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
            self._log.clear()
            self.cleared.set()
            self.cleared = threading.Event()

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

    def add_task(self, task: Task) -> None:
        with self._lock:
            self._tasks[task.id] = task

    def task(self, task_id: str, provider: str) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
        return task if task is not None and task.provider == provider else None

    def external_id_taken(self, external_task_id: str) -> bool:
        with self._lock:
            return any(t.external_task_id == external_task_id for t in self._tasks.values())

    # -- request log -------------------------------------------------------------------------

    def record(self, entry: dict[str, Any]) -> None:
        entry = {**entry, "body": _shorten(entry.get("body"))}
        with self._lock:
            self._log.append(entry)

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._log)


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LOG_STRING_LIMIT:
        return f"{value[:LOG_STRING_LIMIT]}…({len(value)} chars)"
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    return value
