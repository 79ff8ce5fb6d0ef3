"""POST /v1/chat/completions, raw and through the official OpenAI SDK."""

from __future__ import annotations

import json
import time
from typing import Any

import openai
import pytest
import requests

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "first question"},
    {"role": "assistant", "content": "first answer"},
    {"role": "user", "content": "tell me about owls"},
]


def events(response: requests.Response) -> list[Any]:
    """The JSON payloads of an SSE response, with "[DONE]" kept as a string."""
    lines = [line for line in response.iter_lines(decode_unicode=True) if line]
    assert all(line.startswith("data: ") for line in lines)
    return [line[6:] if line[6:] == "[DONE]" else json.loads(line[6:]) for line in lines]


@pytest.fixture
def client(sim):
    with openai.OpenAI(base_url=f"{sim.url}/v1", api_key=sim.key, max_retries=0) as client:
        yield client


class TestCompletion:
    def test_it_echoes_the_last_user_message(self, sim, api):
        response = api.post("/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MESSAGES})
        assert response.status_code == 200
        body = response.json()
        assert body["object"] == "chat.completion"
        assert body["id"].startswith("chatcmpl-")
        assert body["model"] == "gpt-4o-mini"
        choice = body["choices"][0]
        assert choice["index"] == 0
        assert choice["message"]["role"] == "assistant"
        assert choice["message"]["content"].startswith(
            'Simulated reply from gpt-4o-mini: you said "tell me about owls".'
        )
        assert choice["finish_reason"] == "stop"

    def test_it_counts_tokens_as_words(self, sim, api):
        body = api.post("/v1/chat/completions", {"model": "m", "messages": MESSAGES}).json()
        usage = body["usage"]
        assert usage["prompt_tokens"] == 3 + 2 + 2 + 4
        assert usage["completion_tokens"] == len(body["choices"][0]["message"]["content"].split())
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

    def test_max_tokens_truncates_with_finish_reason_length(self, sim, api):
        body = api.post(
            "/v1/chat/completions", {"model": "m", "messages": MESSAGES, "max_tokens": 4}
        ).json()
        assert body["choices"][0]["message"]["content"] == "Simulated reply from m:"
        assert body["choices"][0]["finish_reason"] == "length"
        assert body["usage"]["completion_tokens"] == 4

    def test_it_accepts_any_model_name(self, sim, api):
        body = api.post(
            "/v1/chat/completions", {"model": "my-own-model", "messages": MESSAGES}
        ).json()
        assert body["model"] == "my-own-model"

    def test_it_accepts_content_as_text_parts(self, sim, api):
        message = {"role": "user", "content": [{"type": "text", "text": "parts work"}]}
        body = api.post("/v1/chat/completions", {"model": "m", "messages": [message]}).json()
        assert 'you said "parts work"' in body["choices"][0]["message"]["content"]

    def test_it_strips_a_fault_marker_from_the_echo(self, sim, api):
        message = {"role": "user", "content": "hello [fault:stream-error] there"}
        body = api.post("/v1/chat/completions", {"model": "m", "messages": [message]}).json()
        assert 'you said "hello there"' in body["choices"][0]["message"]["content"]

    @pytest.mark.parametrize(
        ("change", "param"),
        [
            ({"model": ""}, "model"),
            ({"model": 5}, "model"),
            ({"messages": []}, "messages"),
            ({"messages": "hi"}, "messages"),
            ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
            ({"messages": [{"role": "user", "content": 3}]}, "messages[0].content"),
            ({"messages": ["hi"]}, "messages[0]"),
            ({"temperature": 2.5}, "temperature"),
            ({"temperature": -0.1}, "temperature"),
            ({"temperature": "hot"}, "temperature"),
            ({"top_p": 1.5}, "top_p"),
            ({"max_tokens": 0}, "max_tokens"),
            ({"max_tokens": 1.5}, "max_tokens"),
            ({"stream": "yes"}, "stream"),
        ],
    )
    def test_it_rejects_bad_parameters_naming_the_param(self, sim, api, change, param):
        body = {"model": "m", "messages": MESSAGES, **change}
        response = api.post("/v1/chat/completions", body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error"
        assert error["param"] == param
        assert error["message"]

    def test_it_rejects_a_body_that_is_not_json(self, sim, api):
        response = api.post("/v1/chat/completions", data="{not json")
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "invalid_request_error"

    def test_it_accepts_the_edges_of_each_range(self, sim, api):
        body = {"model": "m", "messages": MESSAGES, "temperature": 2, "top_p": 0, "max_tokens": 1}
        assert api.post("/v1/chat/completions", body).status_code == 200


class TestStreaming:
    def test_it_streams_role_pieces_finish_and_done(self, sim, api):
        body = {"model": "m", "messages": MESSAGES, "stream": True}
        response = api.post("/v1/chat/completions", body, stream=True)
        assert response.headers["Content-Type"].startswith("text/event-stream")
        payloads = events(response)
        assert payloads[-1] == "[DONE]"
        chunks = payloads[:-1]
        assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
        assert len({chunk["id"] for chunk in chunks}) == 1
        assert len({chunk["created"] for chunk in chunks}) == 1
        assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
        pieces = [chunk["choices"][0]["delta"]["content"] for chunk in chunks[1:-1]]
        assert len(pieces) >= 3
        assert "".join(pieces).startswith('Simulated reply from m: you said "tell me about owls".')
        assert chunks[-1]["choices"][0] == {
            "index": 0,
            "delta": {},
            "logprobs": None,
            "finish_reason": "stop",
        }
        assert all("usage" not in chunk for chunk in chunks)

    def test_it_adds_a_usage_chunk_when_asked(self, sim, api):
        body = {
            "model": "m",
            "messages": MESSAGES,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        payloads = events(api.post("/v1/chat/completions", body, stream=True))
        assert payloads[-1] == "[DONE]"
        assert payloads[-2]["choices"] == []
        assert payloads[-2]["usage"]["prompt_tokens"] == 11
        assert payloads[-3]["choices"][0]["finish_reason"] == "stop"

    def test_the_streamed_text_matches_the_whole_answer(self, sim, api):
        whole = api.post("/v1/chat/completions", {"model": "m", "messages": MESSAGES}).json()
        body = {"model": "m", "messages": MESSAGES, "stream": True, "max_tokens": 7}
        payloads = events(api.post("/v1/chat/completions", body, stream=True))
        text = "".join(p["choices"][0]["delta"].get("content", "") for p in payloads[:-1])
        words = whole["choices"][0]["message"]["content"].split()
        assert text == " ".join(words[:7])
        assert payloads[-2]["choices"][0]["finish_reason"] == "length"

    def test_it_keeps_the_connection_usable_after_a_stream(self, sim, api):
        body = {"model": "m", "messages": MESSAGES, "stream": True}
        events(api.post("/v1/chat/completions", body, stream=True))
        assert api.get("/v1/models").status_code == 200


class TestOpenAISDK:
    def test_it_answers_a_completion(self, client):
        completion = client.chat.completions.create(
            model="claude-3-5-sonnet-20241022",
            messages=[{"role": "user", "content": "hi from the SDK"}],
            temperature=0.7,
            max_tokens=1024,
            top_p=1,
        )
        assert completion.choices[0].message.content.startswith(
            'Simulated reply from claude-3-5-sonnet-20241022: you said "hi from the SDK".'
        )
        assert completion.choices[0].finish_reason == "stop"
        assert completion.usage.total_tokens > 0

    def test_it_streams(self, client):
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "stream please"}],
            stream=True,
        )
        chunks = list(stream)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
        assert text.startswith('Simulated reply from gpt-4o-mini: you said "stream please".')
        assert chunks[-1].choices[0].finish_reason == "stop"

    def test_it_streams_with_usage(self, client):
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "count me"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
        assert chunks[-1].choices == []
        assert chunks[-1].usage.prompt_tokens == 2
        assert chunks[-1].usage.completion_tokens > 0
        assert chunks[-2].choices[0].finish_reason == "stop"

    def test_it_raises_on_an_error_in_the_middle_of_a_stream(self, client):
        stream = client.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "break [fault:stream-error]"}],
            stream=True,
        )
        received = [next(stream), next(stream)]
        assert (received[1].choices[0].delta.content or "").startswith("Simulated reply")
        with pytest.raises(openai.APIError, match="closed the stream"):
            list(stream)

    def test_it_raises_bad_request_with_the_param(self, client):
        with pytest.raises(openai.BadRequestError) as raised:
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "x"}], temperature=3
            )
        assert raised.value.param == "temperature"

    def test_it_raises_authentication_error_for_a_wrong_key(self, sim):
        bad = openai.OpenAI(base_url=f"{sim.url}/v1", api_key="sk-wrong", max_retries=0)
        with bad, pytest.raises(openai.AuthenticationError):
            bad.models.list()

    def test_it_lists_models(self, client):
        assert "gpt-4o-mini" in {model.id for model in client.models.list()}


class TestContentFilterAndPace:
    def test_content_filter_cuts_the_answer_with_its_finish_reason(self, sim, api):
        body = {
            "model": "m",
            "messages": [{"role": "user", "content": "hi [fault:content-filter]"}],
        }
        answer = api.post("/v1/chat/completions", body).json()
        choice = answer["choices"][0]
        assert choice["finish_reason"] == "content_filter"
        assert choice["message"]["content"] == 'Simulated reply from m: you said "hi".'
        assert answer["usage"]["completion_tokens"] == 7

    def test_content_filter_ends_a_stream_with_its_finish_reason(self, sim, api):
        body = {
            "model": "m",
            "messages": [{"role": "user", "content": "hi [fault:content-filter]"}],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        payloads = events(api.post("/v1/chat/completions", body, stream=True))
        finishes = [p["choices"][0]["finish_reason"] for p in payloads[:-2] if p["choices"]]
        assert finishes[-1] == "content_filter"
        assert payloads[-2]["usage"]["completion_tokens"] == 7
        assert payloads[-1] == "[DONE]"

    def test_stream_delay_ms_sets_the_pace_of_a_stream(self, sim, api):
        sim.configure(stream_delay_ms=100)
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
        started = time.monotonic()
        payloads = events(api.post("/v1/chat/completions", body, stream=True))
        assert time.monotonic() - started >= 0.1 * (len(payloads) - 1)
