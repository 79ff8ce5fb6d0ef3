"""When a running job is looked at next: aimed at its estimated end, within the min and max."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from playground.videos.schedule import poll_delay, retry_delay


@pytest.fixture(autouse=True)
def default_intervals(settings: Any) -> None:
    """The shipped defaults, whatever the environment says."""
    settings.VIDEO_POLL_FIRST_SECONDS = 10
    settings.VIDEO_POLL_MIN_SECONDS = 2
    settings.VIDEO_POLL_MAX_SECONDS = 60
    settings.VIDEO_CALLBACK_FALLBACK_SECONDS = 60


def delay(
    *,
    elapsed: float,
    progress: int = 0,
    expected: float | None = None,
    polls: int = 1,
    callbacks: bool = False,
) -> float:
    return poll_delay(
        elapsed=elapsed, progress=progress, expected=expected, polls=polls, callbacks=callbacks
    )


def simulator_progress(at: float, length: float) -> int:
    """Like the simulator: queued (0%) for the first tenth, then 10% rising to 99%, then done."""
    fraction = at / length
    if fraction >= 1:
        return 100
    if fraction < 0.1:
        return 0
    return 10 + int(89 * (fraction - 0.1) / 0.9)


class TestPollDelay:
    def test_it_aims_at_the_end_estimated_from_progress(self) -> None:
        # 40% in 20 s: 30 s to go.
        assert delay(elapsed=20, progress=40) == pytest.approx(30)

    def test_progress_wins_over_the_models_history(self) -> None:
        assert delay(elapsed=20, progress=40, expected=200) == pytest.approx(30)

    def test_without_progress_it_aims_at_the_end_the_models_history_suggests(self) -> None:
        assert delay(elapsed=20, expected=50) == pytest.approx(30)

    def test_it_takes_a_short_first_look_with_neither(self) -> None:
        # Spread around the setting, so jobs sent together do not all come due at once.
        looks = {delay(elapsed=0, polls=0) for _ in range(50)}

        assert all(7.5 <= look <= 12.5 for look in looks)
        assert len(looks) > 1

    def test_it_grows_the_gap_with_neither(self) -> None:
        gaps = [delay(elapsed=elapsed) for elapsed in (10, 20, 25)]

        assert gaps == sorted(gaps)
        assert gaps[0] < gaps[-1]

    def test_it_looks_again_soon_once_past_the_estimate(self) -> None:
        assert delay(elapsed=100, expected=90) == pytest.approx(10)

    def test_a_job_running_late_is_looked_at_less_often(self) -> None:
        assert delay(elapsed=300, expected=90) > delay(elapsed=100, expected=90)

    def test_it_never_polls_sooner_than_the_minimum(self) -> None:
        assert delay(elapsed=10, progress=99) == 2
        assert delay(elapsed=10, expected=10.5) == 2

    def test_it_never_waits_longer_than_the_maximum(self) -> None:
        assert delay(elapsed=100, progress=1) == 60
        assert delay(elapsed=0, expected=900) == 60
        assert delay(elapsed=500) == 60

    def test_the_interval_settings_are_read_at_call_time(self, settings: Any) -> None:
        settings.VIDEO_POLL_MAX_SECONDS = 5

        assert delay(elapsed=100, progress=1) == 5

    def test_it_polls_much_less_when_callbacks_say_when_a_job_ends(self) -> None:
        without = delay(elapsed=20, progress=40)

        with_callbacks = delay(elapsed=20, progress=40, callbacks=True)

        assert with_callbacks >= 2 * without
        assert with_callbacks >= 60  # the fallback for a lost callback

    def test_callbacks_double_even_the_longest_gap(self) -> None:
        assert delay(elapsed=100, progress=1, callbacks=True) == 120


class TestRetryDelay:
    def test_it_honours_retry_after(self) -> None:
        assert retry_delay(1, retry_after=30) == 30

    def test_it_honours_a_retry_after_longer_than_the_maximum(self) -> None:
        assert retry_delay(1, retry_after=120) == 120

    def test_a_tiny_retry_after_still_waits_the_minimum(self) -> None:
        assert retry_delay(1, retry_after=0) == 2

    @pytest.mark.parametrize("attempt", range(8))
    def test_it_backs_off_within_half_to_all_of_a_doubling_ceiling(self, attempt: int) -> None:
        ceiling = min(60, 2 * 2**attempt)

        for _ in range(50):
            assert ceiling / 2 <= retry_delay(attempt) <= ceiling

    def test_it_grows_with_attempts(self) -> None:
        # The least the third attempt waits is more than the most the first one does.
        assert min(retry_delay(3) for _ in range(50)) > max(retry_delay(1) for _ in range(50))

    def test_it_stays_within_the_maximum(self) -> None:
        assert all(retry_delay(attempt) <= 60 for attempt in range(30) for _ in range(10))


class TestAFiveMinuteJob:
    """A 300 s job on the simulator's clock, with no history for its model and no callbacks,
    for every first look the jitter can give (75% to 125% of VIDEO_POLL_FIRST_SECONDS)."""

    FIRST_LOOKS = [7.5 + 0.25 * step for step in range(21)]

    def polls(self, length: float, first: float) -> list[float]:
        at = first
        times = [at]
        while at < length:
            progress = simulator_progress(at, length)
            at += delay(elapsed=at, progress=progress, polls=len(times))
            times.append(at)
        return times

    @pytest.mark.parametrize("first", FIRST_LOOKS)
    def test_it_is_looked_at_at_most_7_times(self, first: float) -> None:
        assert len(self.polls(300, first)) <= 7

    @pytest.mark.parametrize("first", FIRST_LOOKS)
    def test_its_end_is_seen_within_10_seconds(self, first: float) -> None:
        assert 300 <= self.polls(300, first)[-1] <= 310

    def test_no_two_polls_are_closer_than_the_minimum(self) -> None:
        times = [0.0, *self.polls(300, 10)]

        assert all(b - a >= 2 for a, b in pairwise(times))
