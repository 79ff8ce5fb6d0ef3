"""Benchmark of the team history at 10,000 and 1,000,000 items, on PostgreSQL.

Not a test: it prints figures and asserts nothing about timing. See bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/history.py
    .venv/bin/python bench/history.py --sizes 10000,100000 --requests 100

It creates a fresh database `bench_history_<random>` on DATABASE_URL's server, migrates it,
seeds items with one INSERT ... SELECT generate_series per size (realistic users, models,
states and prompts), and requests each page in-process through Django's test client, counting
queries with CaptureQueriesContext. The database is dropped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = ["ada", "bo", "chen", "dara", "eli", "fatou", "gus", "hana", "ivo", "jun", "kai", "lea"]
MODELS = {
    "chat": ["gpt-4o-mini", "claude-3-5-sonnet-20241022", "deepseek-chat", "gemini-2.0-flash"],
    "image": ["doubao-seedream-4-0-250828", "doubao-seedream-4-5-251128"],
    "video": ["doubao-seedance-1-0-pro-250528", "kling-v1-6", "kling-v2-1-master"],
}
STATES = {
    "chat": ["done", "done", "done", "done", "failed", "stopped"],
    "image": ["done", "done", "done", "failed", "unknown"],
    "video": ["succeeded", "succeeded", "succeeded", "failed", "cancelled", "unknown"],
}
SUBJECTS = [
    "a red fox", "a cat", "an old lighthouse", "two robots", "a koi pond", "a tram",
    "a violinist", "a paper boat", "a glacier", "a night market", "a hummingbird",
    "an astronaut", "a bakery", "a dragon kite", "a desert road", "a jellyfish",
]  # fmt: skip
ACTIONS = [
    "walking through", "painted over", "floating above", "hiding in", "dancing on",
    "racing across", "sleeping under", "glowing inside",
]  # fmt: skip
PLACES = [
    "the snow at dawn", "a neon city in the rain", "a misty forest", "the piano keys",
    "a sunflower field", "an empty cathedral", "the surface of Mars", "a tiny kitchen",
]  # fmt: skip
SEARCHES = ["fox", "lighthouse rain", "robots", "jellyfish", "piano", "glacier dawn", "tram"]


def note(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    import psycopg
    from psycopg import sql

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("bench/history.py needs DATABASE_URL pointing at a PostgreSQL server.")
    parts = urlsplit(url)
    name = f"bench_history_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    note(f"database {name} on {parts.hostname}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))
        note(f"dropped {name}")


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def seed(start: int, stop: int, user_ids: list[int]) -> float:
    """Items start..stop-1, newest for the highest n, one a minute or so over the past years."""
    from django.db import connection

    kinds = ["chat", "image", "video"]
    model_case = " ".join(
        f"WHEN '{kind}' THEN ({sql_array(MODELS[kind])})[1 + (n * 7) % {len(MODELS[kind])}]"
        for kind in kinds
    )
    state_case = " ".join(
        f"WHEN '{kind}' THEN ({sql_array(STATES[kind])})[1 + (n * 13) % {len(STATES[kind])}]"
        for kind in kinds
    )
    users = "ARRAY[" + ",".join(map(str, user_ids)) + "]"
    # Built from this file's constants and integers only: nothing comes from outside.
    statement = f"""
        INSERT INTO history_item (kind, source_id, user_id, model, state, in_flight, title,
                                  created_at, finished_at, duration_ms, media)
        SELECT * FROM (
        SELECT kind, 'bench-' || n, ({users})[1 + (n * 31) % {len(user_ids)}],
               CASE kind {model_case} END, CASE kind {state_case} END, false,
               ({sql_array(SUBJECTS)})[1 + (n * 17) % {len(SUBJECTS)}] || ' '
                 || ({sql_array(ACTIONS)})[1 + (n * 5) % {len(ACTIONS)}] || ' '
                 || ({sql_array(PLACES)})[1 + (n * 11) % {len(PLACES)}] || ', take ' || n
                 AS title,
               created, created + duration,
               (extract(epoch FROM duration) * 1000)::bigint, ''
        FROM (
            SELECT n, (ARRAY['chat','image','video'])[1 + n % 3] AS kind,
                   now() - make_interval(secs => ({stop} - n) * 45 + (n % 7)) AS created,
                   make_interval(secs => 2 + (n * 37) % 300) AS duration
            FROM generate_series({start}, {stop - 1}) AS n
        ) AS seeded
        ) AS items
    """  # noqa: S608
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement)
        cursor.execute("ANALYZE history_item")
    return time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client: Any, urls: Callable[[int], str], count: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(10):  # warm up: connection, templates, caches
        client.get(urls(n))
    times: list[float] = []
    queries: list[int] = []
    for n in range(count):
        url = urls(n)
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured.captured_queries))
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": max(queries),
    }


def in_flight_and_detail(user_id: int, total: int) -> tuple[list[int], list[int]]:
    """20 video jobs in flight and 20 finished with a timeline, through the real services."""
    from datetime import timedelta

    from django.utils import timezone

    from playground.history.models import Item
    from playground.history.services import item_record
    from playground.videos.models import VideoJob

    detail = []
    for n in range(40):
        running = n < 20
        job = VideoJob.objects.create(
            user_id=user_id,
            action="seedance",
            model=MODELS["video"][0],
            prompt=" ".join(
                (SUBJECTS[n % len(SUBJECTS)], ACTIONS[n % len(ACTIONS)], PLACES[n % len(PLACES)])
            ),
            params={"model": MODELS["video"][0], "prompt": "x", "duration": 5},
            request_body={
                "model": MODELS["video"][0],
                "content": [{"type": "text", "text": "x"}],
                "duration": 5,
            },
            state="running" if running else "succeeded",
            upstream_task_id=f"cgt-bench-{total}-{n}",
            deadline_at=timezone.now() + timedelta(hours=1),
            finished_at=None if running else timezone.now(),
        )
        item = item_record(kind="video", source_id=job.id)
        assert item is not None
        if not running:
            detail.append(item.id)
    flight = list(Item.objects.filter(in_flight=True).values_list("id", flat=True))
    return flight, detail


def run_size(client: Any, total: int, count: int, user_ids: list[int]) -> dict[str, Any]:
    from playground.history.models import Item

    have = Item.objects.count()
    seconds = seed(have, total, user_ids) if total > have else 0.0
    note(f"seeded {total:,} items in {seconds:.1f} s")
    flight, detail = in_flight_and_detail(user_ids[0], total)
    status_url = "/history/status/?ids=" + ",".join(map(str, flight))
    from django.utils.http import urlencode

    from playground.history.selectors import Filters, item_page

    older = "/history/?" + urlencode({"before": item_page(filters=Filters()).next_cursor})
    figures = {
        "history": measure(client, lambda n: "/history/", count),
        "older_page": measure(client, lambda n: older, count),
        "filtered_search": measure(
            client,
            lambda n: (
                f"/history/?kind={('video', 'image', 'chat')[n % 3]}&state="
                f"{('succeeded', 'done', 'done')[n % 3]}&q={SEARCHES[n % len(SEARCHES)]}"
            ),
            count,
        ),
        "user_filter": measure(client, lambda n: f"/history/?user={USERS[n % len(USERS)]}", count),
        "status_partial": measure(client, lambda n: status_url, count),
        "detail": measure(client, lambda n: f"/history/{detail[n % len(detail)]}/", count),
    }
    return {"items": Item.objects.count(), "seed_seconds": round(seconds, 1), "pages": figures}


def export_csv(client: Any) -> dict[str, Any]:
    import tracemalloc

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    began = time.perf_counter()
    response = client.get("/history/export.csv")
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows - 1,
        "mb": round(size / 2**20, 1),
        "seconds": round(seconds, 1),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "rss_growth_mb": round((after - before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-export", action="store_true")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    with fresh_database() as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        from playground.accounts.models import User

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        User.objects.bulk_create(User(username=name) for name in USERS)
        user_ids = list(User.objects.order_by("id").values_list("id", flat=True))
        client = Client()
        client.force_login(User.objects.get(username=USERS[0]))

        results = [run_size(client, size, options.requests, user_ids) for size in sizes]
        export = None if options.no_export else export_csv(client)

    print(f"{'page':<18}" + "".join(f"{r['items']:>12,} items p50/p95 ms  q" for r in results))
    for page in results[0]["pages"]:
        cells = "".join(
            f"{r['pages'][page]['p50_ms']:>19.1f} {r['pages'][page]['p95_ms']:>7.1f} "
            f"{r['pages'][page]['queries']:>3}"
            for r in results
        )
        print(f"{page:<18}{cells}")
    if len(results) > 1:
        ratio = {
            page: round(
                results[-1]["pages"][page]["p95_ms"] / results[0]["pages"][page]["p95_ms"], 2
            )
            for page in results[0]["pages"]
        }
        print("p95 ratio largest/smallest:", ratio)
    if export:
        print(
            f"CSV export: {export['rows']:,} rows, {export['mb']} MB in {export['seconds']} s, "
            f"peak traced {export['tracemalloc_peak_mb']} MB, "
            f"RSS growth {export['rss_growth_mb']} MB"
        )
    print(json.dumps({"sizes": results, "export_csv": export}))


if __name__ == "__main__":
    main()
