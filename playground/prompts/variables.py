"""`{{name}}` variables in a saved prompt: which ones it has, and the text with them filled in.

A name is letters (of any script), digits and underscores; spaces inside the braces are allowed
(`{{ subject }}`). Anything else between braces is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class MissingValueError(ValueError):
    """Some variables have no value: filling them with nothing would change the prompt silently."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def variables(text: str) -> list[str]:
    """The variables' names in the order they first appear, each once."""
    return list(dict.fromkeys(VARIABLE.findall(text)))


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with every variable replaced by its value, in one pass: a value that itself
    looks like `{{name}}` is kept as written. Raises MissingValueError for blank or absent
    values."""
    missing = [name for name in variables(text) if not values.get(name, "").strip()]
    if missing:
        raise MissingValueError(missing)
    return VARIABLE.sub(lambda match: values[match.group(1)], text)
