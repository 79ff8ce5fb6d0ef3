"""Sentences stored in English (by workers, which have no reader's language), translated when
shown.

A stored sentence is either a msgid ("The gateway did not answer.") or a msgid with its
`%(name)s` values filled in ("Checking again in 5 s: The gateway is overloaded (503)."). The
second kind is found by matching the stored text against every msgid with placeholders, the
values translated in turn, since one sentence often carries another. `%(upstream)s` holds the
gateway's own words and is shown exactly as it came.

Templates use it as `{{ job.error|translate_stored }}` (a builtin filter, see settings).
"""

import functools
import gettext as gettext_module
import re

from django import template
from django.conf import settings
from django.utils.translation import get_language, gettext, to_locale

register = template.Library()

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
VERBATIM = frozenset({"upstream"})
# A msgid matches stored text only if its fixed part has a word in it: "%(user)s, %(day)s:
# %(value)s %(label)s" would otherwise rewrite any upstream text with a comma and a colon.
# The one stored msgid made of punctuation alone, allowed by name, and only around sentences
# that are ours:
JOINERS = frozenset({"%(unconfirmed)s (%(why)s)"})
WORD = re.compile(r"[A-Za-z]{3,}")


@register.filter
def translate_stored(text: str) -> str:
    """The stored English sentence in the reader's language; unknown text comes back as is."""
    if not text or (get_language() or "en").startswith("en"):
        return text
    translated = gettext(text)
    if translated != text:
        return translated
    for pattern, msgid in _patterns(get_language() or ""):
        match = pattern.fullmatch(text)
        if match:
            found = match.groupdict()
            values = {
                name: value if name in VERBATIM else translate_stored(value)
                for name, value in found.items()
            }
            # A joiner holds only sentences: if one is not ours, neither is the whole.
            if msgid in JOINERS and any(values[name] == found[name] for name in found):
                continue
            return gettext(msgid) % values
    # A first sentence without its full stop (the usage page groups failures by those).
    if text[-1].isalnum() or text[-1] == ")":
        whole = translate_stored(text + ".")
        if whole != text + ".":
            return whole.rstrip("。.")
    return text


@functools.cache
def _patterns(language: str) -> list[tuple[re.Pattern[str], str]]:
    """The project's msgids with placeholders, as patterns, the most specific first: only
    ours (Django's own catalog has generic ones like "%(name)s: %(value)s")."""
    try:
        catalog = gettext_module.translation(
            "django", str(settings.LOCALE_PATHS[0]), [to_locale(language)]
        )
    except OSError:  # no compiled catalog: nothing to translate into
        return []
    msgids = [
        msgid
        for msgid in catalog._catalog  # type: ignore[attr-defined]
        if isinstance(msgid, str)
        and PLACEHOLDER.search(msgid)
        and "%%" not in msgid
        and (WORD.search(PLACEHOLDER.sub("", msgid)) or msgid in JOINERS)
    ]
    patterns = [(_compile(msgid), msgid) for msgid in msgids]
    return sorted(patterns, key=lambda item: -len(PLACEHOLDER.sub("", item[1])))


def _compile(msgid: str) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    last = 0
    for match in PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[last : match.start()]))
        name = match.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        last = match.end()
    parts.append(re.escape(msgid[last:]))
    return re.compile("".join(parts), re.DOTALL)
