"""My notices: the header's badge and toasts, the list, opening one, and my settings.

Notices are private: a member sees and changes only their own (404 for anyone else's).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.accounts.http import AuthenticatedHttpRequest
from playground.notices import selectors, services
from playground.notices.forms import PreferenceForm

# htmx stops polling on this status.
STOP_POLLING = 286


@require_GET
@login_not_required
def badge(request: HttpRequest) -> HttpResponse:
    """The header's badge and any new toasts, asked for by every open tab on a timer. Cheap on
    purpose: no gateway, one indexed query. A tab whose session has ended stops asking, rather
    than have htmx follow the login redirect and put the login page in the header."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return HttpResponse(status=STOP_POLLING)
        return redirect_to_login(request.get_full_path())
    after = request.GET.get("after", "")
    found = selectors.notice_badge(
        user=request.user,
        after=int(after) if after.isdigit() else None,
    )
    context = {"notice_badge": found, "poll_seconds": settings.NOTICE_POLL_SECONDS}
    return render(request, "notices/badge.html", context)


@require_GET
def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All my recent notices, newest first; opening the list marks them all seen."""
    notices = list(selectors.notice_list(user=request.user))
    services.notices_mark_seen(user=request.user)
    return render(request, "notices/list.html", {"nav": "notices", "notices": notices})


@require_GET
def notice_open(request: AuthenticatedHttpRequest, notice_id: int) -> HttpResponse:
    """A toast's link: marks the notice seen and goes to the job or the images."""
    notice = selectors.notice_get(user=request.user, notice_id=notice_id)
    if notice is None:
        raise Http404(gettext("No such notice."))
    services.notices_mark_seen(user=request.user, notice_id=notice.id)
    return redirect(notice.result_url)


@require_POST
def dismiss(request: AuthenticatedHttpRequest, notice_id: int) -> HttpResponse:
    """Closes a toast: the notice is seen. htmx removes the toast; without it, back to the list."""
    if selectors.notice_get(user=request.user, notice_id=notice_id) is None:
        raise Http404(gettext("No such notice."))
    services.notices_mark_seen(user=request.user, notice_id=notice_id)
    if request.htmx:
        return HttpResponse("")
    return redirect("notices:list")


@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    preference = selectors.preference_get(user=request.user)
    # Bound on every POST: unticking both boxes posts nothing, and that is a valid answer.
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user,
            browser_notifications=form.cleaned_data["browser_notifications"],
            email=form.cleaned_data["email"],
        )
        messages.success(request, gettext("Your notice settings are saved."))
        return redirect("notices:settings")
    return render(request, "notices/settings.html", {"nav": "notices_settings", "form": form})
