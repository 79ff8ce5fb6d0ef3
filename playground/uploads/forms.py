"""Image inputs for forms: a file, a URL, or (on a rerun) an earlier upload, exactly one of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from playground.uploads.models import Upload
from playground.uploads.rules import ImageRules, image_check
from playground.uploads.selectors import upload_get
from playground.uploads.services import upload_create, upload_create_from_url

if TYPE_CHECKING:
    from playground.accounts.models import User

DEFAULT_ACCEPT = "image/png,image/jpeg"


class ImageInputError(ValidationError):
    """A ValidationError that knows which of the three fields it belongs to (`field`)."""

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


def image_fields(
    prefix: str,
    label: str,
    required: bool = False,
    *,
    rules: ImageRules | None = None,
) -> dict[str, forms.Field]:
    """The three fields of one image input, to add to a form class or in its __init__.

    None of them is required on its own: `resolve_image` enforces "exactly one" (and
    `required`) in the form's clean(). `rules`, when given, sets the file input's `accept`.
    """
    accept = rules.accept if rules is not None else DEFAULT_ACCEPT
    # Built in a form's __init__, so in the reader's language.
    if required:
        file_label, url_label = label, gettext("%(label)s URL") % {"label": label}
    else:
        file_label = gettext("%(label)s (optional)") % {"label": label}
        url_label = gettext("%(label)s URL (optional)") % {"label": label}
    return {
        f"{prefix}_file": forms.FileField(
            label=file_label,
            required=False,
            widget=forms.FileInput(attrs={"accept": accept}),
        ),
        f"{prefix}_url": forms.URLField(
            label=url_label,
            required=False,
            assume_scheme="https",
            max_length=2000,
        ),
        f"{prefix}_upload": forms.UUIDField(label=label, required=False, widget=forms.HiddenInput),
    }


def resolve_image(
    *,
    user: User | None,
    cleaned: dict[str, Any],
    prefix: str,
    rules: ImageRules,
    required: bool = False,
) -> tuple[Upload | None, str | None]:
    """Stores (or finds) the image given in one image input and checks it against `rules`.

    Returns the Upload and the URL as typed (None unless the image came from the URL field; an
    earlier upload is sent as its stored bytes). Raises ImageInputError, whose `field` names the
    field to attach it to; in a form's clean():

        try:
            upload, url = resolve_image(user=..., cleaned=self.cleaned_data, prefix="first_frame",
                                        rules=KLING_IMAGE)
        except ImageInputError as error:
            self.add_error(error.field, error)
    """
    file = cleaned.get(f"{prefix}_file") or None
    url = (cleaned.get(f"{prefix}_url") or "").strip() or None
    upload_id = cleaned.get(f"{prefix}_upload") or None
    given = [name for name, value in (("file", file), ("url", url), ("upload", upload_id)) if value]
    if len(given) > 1:
        raise ImageInputError(
            gettext("Give one image: a file, a URL or the earlier image, not several."),
            field=f"{prefix}_{'file' if 'file' in given else 'url'}",
            code="several",
        )
    if not given:
        if required:
            raise ImageInputError(
                gettext("Choose an image file or paste an image URL."),
                field=f"{prefix}_file",
                code="required",
            )
        return None, None
    if file is not None:
        stored = _checked(
            lambda: upload_create(user=user, file=file, rules=rules), f"{prefix}_file"
        )
        return stored, None
    if url is not None:
        upload = _checked(
            lambda: upload_create_from_url(user=user, url=url, rules=rules), f"{prefix}_url"
        )
        return upload, url
    return _earlier(upload_id, prefix=prefix, rules=rules), None


def _checked(store: Callable[[], Upload], field: str) -> Upload:
    try:
        return store()
    except ValidationError as error:
        raise ImageInputError(" ".join(error.messages), field=field, code=error.code) from None


def _earlier(upload_id: Any, *, prefix: str, rules: ImageRules) -> Upload:
    field = f"{prefix}_upload"
    upload = upload_get(upload_id=upload_id)
    if upload is None:
        raise ImageInputError(
            gettext("The earlier image is no longer available; choose the image again."),
            field=field,
            code="missing",
        )
    try:
        # Another model may have other rules than the job the image was first used with.
        image_check(upload.read(), rules)
    except FileNotFoundError:
        raise ImageInputError(
            gettext("The earlier image is no longer available; choose the image again."),
            field=field,
            code="missing",
        ) from None
    except ValidationError as error:
        raise ImageInputError(" ".join(error.messages), field=field, code=error.code) from None
    return upload
