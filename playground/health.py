"""GET /healthz: is this web process up and does it reach the database? No login needed.

The container health check runs `python -m playground.health`, which asks the web server on
this machine the same question.
"""

from __future__ import annotations

import os
import sys
import urllib.request

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def probe(url: str = "http://127.0.0.1:8000/healthz") -> bool:
    """True when the web server at url answers 200, sent with a host Django accepts."""
    allowed = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    hosts = [host.lstrip(".") for host in allowed if host not in ("", "*")]
    headers = {"Host": hosts[0]} if hosts else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a fixed http URL)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if probe(*sys.argv[1:]) else 1)
