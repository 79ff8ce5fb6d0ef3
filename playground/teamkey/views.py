from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from playground.accounts.decorators import admin_required
from playground.accounts.http import AuthenticatedHttpRequest
from playground.stored_text import translate_stored
from playground.teamkey.forms import RevokeForm, TeamKeyForm
from playground.teamkey.selectors import key_audit_event_list, team_key_status
from playground.teamkey.services import team_key_revoke, team_key_set, team_key_test


def _render(
    request: AuthenticatedHttpRequest, template: str, *, form: TeamKeyForm, status: int = 200
) -> HttpResponse:
    key_status = team_key_status()
    context = {
        "nav": "teamkey",
        "team_key": key_status.team_key,
        "key_problem": key_status.problem,
        "events": key_audit_event_list(),
        "form": form,
        "revoke_form": RevokeForm(),
    }
    return render(request, template, context, status=status)


@admin_required
@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render(request, "teamkey/page.html", form=TeamKeyForm())


@admin_required
@require_POST
@sensitive_post_parameters("key")
def set_key(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TeamKeyForm(request.POST)
    if form.is_valid():
        try:
            team_key_set(actor=request.user, plaintext=form.cleaned_data["key"])
        except ValidationError as error:
            form.add_error("key", error)
        else:
            messages.success(request, _("The team key is saved. Test it to see that it works."))
            return redirect("teamkey:page")
    return _render(request, "teamkey/page.html", form=form, status=400)


@admin_required
@require_POST
def test_key(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = team_key_test(actor=request.user)
    if request.htmx:
        return _render(request, "teamkey/page.html#tested", form=TeamKeyForm())
    level = messages.SUCCESS if result.ok else messages.ERROR
    messages.add_message(
        request, level, _("Key test: %(result)s") % {"result": translate_stored(result.message)}
    )
    return redirect("teamkey:page")


@admin_required
@require_POST
def revoke_key(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not RevokeForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm, then revoke."))
        return redirect("teamkey:page")
    try:
        team_key_revoke(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The team key is revoked."))
    return redirect("teamkey:page")
