# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
from factory.declarations import LazyAttribute, SelfAttribute, SubFactory
from factory.django import DjangoModelFactory

from playground.chat.models import ChatExchange, Conversation
from tests.factories import UserFactory


class ConversationFactory(DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    user = SubFactory(UserFactory)
    title = "A chat about owls"
    model = "gpt-4o-mini"


class ExchangeFactory(DjangoModelFactory[ChatExchange]):
    class Meta:
        model = ChatExchange

    conversation = SubFactory(ConversationFactory)
    user = SelfAttribute("conversation.user")
    status = ChatExchange.Status.DONE
    model = SelfAttribute("conversation.model")
    temperature = 0.7
    top_p = 1.0
    max_tokens = 256
    message = "Tell me about owls"
    reply = LazyAttribute(lambda e: f'you said "{e.message}"' if e.status == "done" else "")
