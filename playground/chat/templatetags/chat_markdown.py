from django import template
from django.utils.safestring import SafeString

from playground.chat.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Untrusted Markdown as sanitised HTML."""
    return render_markdown(text or "")
