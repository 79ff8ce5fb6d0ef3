from typing import Any

import pytest

from playground.chat.selectors import answering_get
from tests.chat.factories import ConversationFactory, ExchangeFactory

pytestmark = pytest.mark.django_db


class TestAnsweringGet:
    def test_it_reads_the_exchange_with_the_ones_before_it_oldest_first(self) -> None:
        conversation = ConversationFactory.create()
        first, second = ExchangeFactory.create_batch(2, conversation=conversation)
        pending = ExchangeFactory.create(conversation=conversation, status="pending")
        answering = answering_get(exchange_id=pending.id)
        assert answering is not None
        assert answering.exchange == pending
        assert answering.earlier == [first, second]

    def test_it_leaves_out_later_exchanges_and_other_conversations(self) -> None:
        conversation = ConversationFactory.create()
        first = ExchangeFactory.create(conversation=conversation)
        ExchangeFactory.create()  # someone else's chat
        ExchangeFactory.create(conversation=conversation, status="pending")  # a later one
        answering = answering_get(exchange_id=first.id)
        assert answering is not None
        assert answering.exchange == first
        assert answering.earlier == []

    def test_it_reads_them_in_one_query(self, django_assert_num_queries: Any) -> None:
        conversation = ConversationFactory.create()
        ExchangeFactory.create_batch(3, conversation=conversation)
        pending = ExchangeFactory.create(conversation=conversation, status="pending")
        with django_assert_num_queries(1):
            answering = answering_get(exchange_id=pending.id)
            assert answering is not None
            assert [e.reply for e in answering.earlier] == ['you said "Tell me about owls"'] * 3

    def test_it_is_none_for_a_missing_exchange(self) -> None:
        assert answering_get(exchange_id=404_404) is None
