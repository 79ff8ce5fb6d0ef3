"""Background work with a fixed number of threads, however many tasks there are.

`Workers` is a small pool of daemon threads fed by a queue (daemon, so the simulator stops at
once); `Scheduler` is one daemon thread that keeps due times in a heap and hands each job to
its `Workers` when it is due. Ten thousand pending Kling callbacks are then ten thousand heap
entries, not ten thousand sleeping threads.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
import traceback
from collections.abc import Callable

Job = Callable[[], None]


class Workers:
    """`size` daemon threads running submitted jobs in order; a failing job is logged."""

    def __init__(self, size: int, name: str) -> None:
        self._size = size
        self._name = name
        self._queue: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()

    def submit(self, job: Job) -> None:
        self._start()
        self._queue.put(job)

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            self._started = True
            for i in range(self._size):
                threading.Thread(target=self._run, name=f"{self._name}-{i}", daemon=True).start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                job()
            except Exception:
                traceback.print_exc()


class Scheduler:
    """Runs jobs on `workers` at wall-clock times (`time.time()` seconds)."""

    def __init__(self, workers: Workers) -> None:
        self._workers = workers
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Job]] = []
        self._order = itertools.count()  # ties keep the order jobs were scheduled in
        self._thread: threading.Thread | None = None

    def at(self, due: float, job: Job) -> None:
        with self._condition:
            heapq.heappush(self._heap, (due, next(self._order), job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
                self._thread.start()
            self._condition.notify()

    def cancel_all(self) -> None:
        """Forgets every job not yet handed to the workers."""
        with self._condition:
            self._heap.clear()
            self._condition.notify()

    def pending(self) -> int:
        with self._condition:
            return len(self._heap)

    def _run(self) -> None:
        while True:
            with self._condition:
                while True:
                    if not self._heap:
                        self._condition.wait()
                        continue
                    delay = self._heap[0][0] - time.time()
                    if delay <= 0:
                        job = heapq.heappop(self._heap)[2]
                        break
                    self._condition.wait(delay)
            self._workers.submit(job)
