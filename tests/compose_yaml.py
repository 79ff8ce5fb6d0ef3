"""Reads docker-compose.yml without PyYAML, which the project does not depend on.

It understands the subset of YAML the compose file is written in, and refuses anything else:
block mappings and sequences, one-line flow sequences and mappings, quoted and plain scalars,
folded block scalars (`>`, `>-`), comments, anchors, aliases and `<<` merge keys. Plain
scalars are strings (`5s`, `8000:8080`) except decimal integers and true/false; an empty value
is None. tests/test_deploy.py checks it agrees with PyYAML wherever PyYAML exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

KEY = re.compile(r"""^(?P<key>"[^"]*"|'[^']*'|[^\s"'#][^:#]*?)\s*:(?:\s+|$)(?P<rest>.*)$""")


class ComposeYamlError(ValueError):
    pass


def strip_comment(text: str) -> str:
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
    return text.rstrip()


def unquote(text: str) -> str:
    if text.startswith('"'):
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    return text


def split_flow(text: str) -> list[str]:
    """The items of a one-line flow collection's inside, split on commas outside quotes."""
    items, current, quote, depth = [], "", "", 0
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        items.append(current.strip())
    return items


class Reader:
    def __init__(self, text: str) -> None:
        self.lines: list[tuple[int, str]] = []
        self.raw: list[str] = text.splitlines()
        self.anchors: dict[str, Any] = {}
        self.position = 0

    def scalar(self, text: str) -> Any:
        text = text.strip()
        if text.startswith("*"):
            if text[1:] not in self.anchors:
                raise ComposeYamlError(f"unknown alias {text}")
            return self.anchors[text[1:]]
        if text.startswith("["):
            if not text.endswith("]"):
                raise ComposeYamlError(f"multi-line flow sequence: {text}")
            return [self.scalar(item) for item in split_flow(text[1:-1])]
        if text.startswith("{"):
            if not text.endswith("}"):
                raise ComposeYamlError(f"multi-line flow mapping: {text}")
            mapping: dict[str, Any] = {}
            for item in split_flow(text[1:-1]):
                match = KEY.match(item)
                if match is None:
                    raise ComposeYamlError(f"not a key: value pair: {item}")
                mapping[unquote(match["key"])] = self.scalar(match["rest"])
            return mapping
        if text == "" or text in ("~", "null"):
            return None
        if text[0] in "\"'":
            if text[-1] != text[0] or len(text) < 2:
                raise ComposeYamlError(f"unterminated string: {text}")
            return unquote(text)
        if text[0] in "&!|%@`":
            raise ComposeYamlError(f"unsupported YAML: {text}")
        if re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        if text in ("true", "false"):
            return text == "true"
        return text

    def parse(self) -> Any:
        return self.block(self.next_indent(), top=True)

    def next_indent(self) -> int:
        while self.position < len(self.raw):
            line = strip_comment(self.raw[self.position])
            if line.strip():
                if "\t" in line[: len(line) - len(line.lstrip())]:
                    raise ComposeYamlError("tabs in indentation")
                return len(line) - len(line.lstrip())
            self.position += 1
        return -1

    def current(self) -> str:
        return strip_comment(self.raw[self.position]).strip()

    def folded(self, indent: int, style: str) -> str:
        """A `>` or `>-` block scalar: the following lines indented deeper, joined by spaces."""
        if style not in (">", ">-"):
            raise ComposeYamlError(f"unsupported block scalar {style}")
        parts: list[str] = []
        while self.position < len(self.raw):
            line = self.raw[self.position]
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            parts.append(line.strip())
            self.position += 1
        text = " ".join(part for part in parts if part)
        return text if style == ">-" else text + "\n"

    def value(self, rest: str, indent: int) -> Any:
        """The value after `key:` or `- `, which may be a nested block below."""
        anchor = ""
        if rest.startswith("&"):
            anchor, _, rest = rest.partition(" ")
            anchor = anchor[1:]
        if rest in (">", ">-", "|", "|-"):
            result: Any = self.folded(indent, rest)
        elif rest == "":
            deeper = self.next_indent()
            result = self.block(deeper) if deeper > indent else None
        else:
            result = self.scalar(rest)
        if anchor:
            self.anchors[anchor] = result
        return result

    def block(self, indent: int, top: bool = False) -> Any:
        if self.next_indent() < 0:
            return None
        if self.current().startswith("- ") or self.current() == "-":
            return self.sequence(indent)
        return self.mapping(indent)

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while self.next_indent() == indent and (
            self.current().startswith("- ") or self.current() == "-"
        ):
            rest = self.current()[1:].strip()
            self.position += 1
            if KEY.match(rest) and not rest.startswith(("'", '"', "[", "{")):
                raise ComposeYamlError(f"mappings in sequences are not supported: {rest}")
            items.append(self.value(rest, indent))
        if self.next_indent() > indent:
            raise ComposeYamlError(f"bad indentation at line {self.position + 1}")
        return items

    def mapping(self, indent: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        while self.next_indent() == indent:
            line = self.current()
            match = KEY.match(line)
            if match is None:
                raise ComposeYamlError(f"expected key: value at line {self.position + 1}: {line}")
            self.position += 1
            key = unquote(match["key"])
            if key in mapping:
                raise ComposeYamlError(f"duplicate key {key!r}")
            value = self.value(match["rest"].strip(), indent)
            if key == "<<":
                if not isinstance(value, dict):
                    raise ComposeYamlError("<< merges a mapping")
                merged = value | merged
            else:
                mapping[key] = value
        if self.next_indent() > indent:
            raise ComposeYamlError(f"bad indentation at line {self.position + 1}")
        return merged | mapping


def load(text: str) -> Any:
    return Reader(text).parse()


def load_file(path: Path) -> Any:
    return load(path.read_text())
