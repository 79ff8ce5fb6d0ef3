"""Payloads that try to run script through a prompt or an answer, and a checker of HTML."""

from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg onload=alert('xss-3')><circle r=1 /></svg>",
    "<svg><script>alert('xss-4')</script></svg>",
    "[click me](javascript:alert('xss-5'))",
    "[click me](JaVaScRiPt:alert('xss-6'))",
    "[click me](  javascript:alert('xss-7'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzLTgnKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert('xss-9'))",
    '[ref][1]\n\n[1]: javascript:alert("xss-10")',
    "<a href=\"javascript:alert('xss-11')\">link</a>",
    "<div onmouseover=\"alert('xss-12')\">hover</div>",
    "<iframe src=\"javascript:alert('xss-13')\"></iframe>",
    "`<script>alert('xss-14')</script>`",
    "```html\n<script>alert('xss-15')</script>\n```",
    '<a href="https://ok.example" onclick="alert(\'xss-16\')">ok</a>',
    "[x](https://ok.example \"title\" onclick=alert('xss-17'))",
    "<details open ontoggle=alert('xss-18')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-19')>",
    "<<script>script>alert('xss-20')<</script>/script>",
]
DANGEROUS_TAGS = {"script", "svg", "iframe", "img", "math", "style", "object", "embed"}


class Checker(HTMLParser):
    """Collects every way the HTML could run script. Static <script src> files are allowed."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and (named.get("src") or "").startswith("/static/"):
            return
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            cleaned = "".join((value or "").split()).lower()
            if name in ("href", "src", "action", "formaction") and cleaned.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.problems.append(f"{tag} {name}={value}")


def script_risks(html: str) -> list[str]:
    checker = Checker()
    checker.feed(html)
    return checker.problems
