# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
from factory.declarations import SubFactory
from factory.django import DjangoModelFactory

from playground.prompts.models import Prompt
from tests.factories import UserFactory


class PromptFactory(DjangoModelFactory[Prompt]):
    """A prompt with two variables; pass `kind=Prompt.Kind.SYSTEM` for a system prompt."""

    class Meta:
        model = Prompt

    title = "Fox at dawn"
    kind = Prompt.Kind.PROMPT
    text = "A {{animal}} in the snow at dawn, {{style}}"
    tags = "winter,animals"
    author = SubFactory(UserFactory)
