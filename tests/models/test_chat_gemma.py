"""ChatGemma end to end on scripted raw model output (the real parse/validate/repair path)."""

from __future__ import annotations

import base64
import json
import operator
from typing import Annotated, TypedDict

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    AnyMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from gemma_agents.calls import parse_tool_calls
from gemma_agents.exceptions import ConfigError, UnsupportedFeature
from gemma_agents.models import ChatGemma
from gemma_agents.testing import ScriptedGemma, ScriptedRuntime

WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "integer", "description": "Forecast days"},
        },
        "required": ["city"],
    },
}
TIME = {
    "name": "get_time",
    "description": "Current time in a timezone.",
    "parameters": {
        "type": "object",
        "properties": {"tz": {"type": "string"}},
        "required": ["tz"],
    },
}

DIALECT_OUTPUTS = {
    "gemma3": 'I will check.\n[get_weather(city="Paris", days=2)]',
    "json": '{"name": "get_weather", "parameters": {"city": "Paris", "days": 2}}',
    "functiongemma": (
        "<start_function_call>call:get_weather{city:<escape>Paris<escape>,days:2}"
        "<end_function_call>"
    ),
    "gemma4": '<|tool_call>call:get_weather{city:<|"|>Paris<|"|>,days:2}<tool_call|>',
    "hermes": '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}'
    "</tool_call>",
    "line": 'FUNCTION_CALL: get_weather(city="Paris", days=2)',
}


@pytest.mark.parametrize("dialect", sorted(DIALECT_OUTPUTS))
def test_each_dialect_end_to_end(dialect: str) -> None:
    llm = ScriptedGemma([DIALECT_OUTPUTS[dialect]], dialect=dialect)
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Paris for two days?")

    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [
        ("get_weather", {"city": "Paris", "days": 2})
    ]
    assert msg.tool_calls[0]["id"]
    assert msg.invalid_tool_calls == []
    assert "get_weather" not in msg.content
    assert msg.response_metadata["dialect"] == dialect
    assert msg.response_metadata["mode"] == "prompted"
    # The tool declarations reached the model in the dialect's place for system text.
    sent = llm.scripted.calls[0][0]
    declared = [m for m in sent if "get_weather" in m.content]
    assert declared, "tools were not rendered into the prompt"
    expected_role = {"functiongemma": "developer", "gemma4": "system", "hermes": "system"}
    assert declared[0].role == expected_role.get(dialect, "user")


def test_prose_is_kept_without_markup() -> None:
    llm = ScriptedGemma([DIALECT_OUTPUTS["gemma3"]])
    msg = llm.bind_tools([WEATHER]).invoke("Weather?")
    assert msg.content == "I will check."


def test_plain_answer_has_no_calls_and_usage() -> None:
    llm = ScriptedGemma(["Paris is the capital of France."])
    msg = llm.bind_tools([WEATHER]).invoke("What is the capital of France?")
    assert msg.tool_calls == [] and msg.invalid_tool_calls == []
    assert msg.content == "Paris is the capital of France."
    usage = msg.usage_metadata
    assert usage is not None
    assert usage["output_tokens"] == 6  # ScriptedRuntime counts words
    assert usage["input_tokens"] > 6  # the prompt includes the rendered tool list
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert msg.response_metadata["model"] == "gemma3:scripted"
    assert msg.response_metadata["done_reason"] == "stop"


def test_history_is_replayed_in_the_dialect() -> None:
    llm = ScriptedGemma(["It is sunny in Paris and 10:00 in Tokyo."])
    history = [
        SystemMessage("Be brief."),
        HumanMessage("Weather in Paris and time in Tokyo?"),
        AIMessage(
            "",
            tool_calls=[
                {"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"},
                {"name": "get_time", "args": {"tz": "Asia/Tokyo"}, "id": "c2"},
            ],
        ),
        ToolMessage("sunny", tool_call_id="c1"),
        ToolMessage("10:00", tool_call_id="c2"),
    ]
    msg = llm.bind_tools([WEATHER, TIME]).invoke(history)
    assert msg.content.startswith("It is sunny")
    sent = llm.scripted.calls[0][0]
    assert [m.role for m in sent] == ["user", "assistant", "user"]
    assert sent[0].content.rstrip().endswith("Weather in Paris and time in Tokyo?")
    assert "Be brief." in sent[0].content
    replayed = parse_tool_calls(sent[1].content, dialect="gemma3")
    assert [(c.name, c.arguments) for c in replayed] == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {"tz": "Asia/Tokyo"}),
    ]
    # Both results in ONE user turn, as ```tool_output blocks.
    assert sent[2].content.count("```tool_output") == 2
    assert "sunny" in sent[2].content and "10:00" in sent[2].content


def test_toolnode_runs_chatgemma_calls_in_a_stategraph() -> None:
    seen: list[str] = []

    @tool
    def get_weather(city: str, days: int = 1) -> str:
        """Get the current weather in a city.

        Args:
            city: City name.
            days: Forecast days.
        """
        seen.append(city)
        return f"sunny in {city}"

    llm = ScriptedGemma(['[get_weather(city="Paris")]', "It is sunny in Paris."])
    bound = llm.bind_tools([get_weather])

    class State(TypedDict):
        messages: Annotated[list[AnyMessage], operator.add]

    def agent(state: State) -> dict:
        return {"messages": [bound.invoke(state["messages"])]}

    graph = StateGraph(State)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode([get_weather]))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition)
    graph.add_edge("tools", "agent")
    result = graph.compile().invoke({"messages": [HumanMessage("Weather in Paris?")]})

    assert seen == ["Paris"]
    kinds = [type(m).__name__ for m in result["messages"]]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert result["messages"][2].content == "sunny in Paris"
    assert result["messages"][-1].content == "It is sunny in Paris."
    # The second model call saw the tool result in the gemma3 format.
    second = llm.scripted.calls[1][0]
    assert "```tool_output\nsunny in Paris\n```" in second[-1].content
    assert END  # the graph ended through tools_condition


def test_invalid_arguments_are_repaired_on_second_try() -> None:
    llm = ScriptedGemma(
        [
            '[get_weather(town="Paris")]',  # missing required "city"
            '{"town": "Paris"}',  # first repair still wrong
            '{"city": "Paris"}',  # second repair valid
        ]
    )
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Paris?")
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [("get_weather", {"city": "Paris"})]
    assert msg.invalid_tool_calls == []
    repairs = msg.response_metadata["repairs"]
    assert [(r["attempt"], r["ok"]) for r in repairs] == [(1, False), (2, True)]
    assert "city" in repairs[0]["feedback"]
    # Repairs ask for the arguments only, under the tool's JSON schema.
    _, fmt, _ = llm.scripted.calls[1]
    assert fmt["type"] == "object" and fmt["required"] == ["city"]
    assert set(fmt["properties"]) == {"city", "days"}
    repair_prompt = llm.scripted.calls[1][0][-1].content
    assert "get_weather" in repair_prompt and "city" in repair_prompt
    # Usage counts every model call of the step.
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_tokens"] == 1 + 2 + 2  # words, over the 3 calls


def test_repair_gives_up_visibly() -> None:
    llm = ScriptedGemma(['[get_weather(town="Paris")]', "no idea", '{"town": 1}'])
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Paris?")
    assert msg.tool_calls == []
    assert len(msg.invalid_tool_calls) == 1
    bad = msg.invalid_tool_calls[0]
    assert bad["name"] == "get_weather"
    assert "city" in (bad["error"] or "")
    assert [r["ok"] for r in msg.response_metadata["repairs"]] == [False, False]
    assert len(llm.scripted.calls) == 3


def test_repair_disabled_reports_feedback_without_model_calls() -> None:
    llm = ScriptedGemma(['[get_weather(town="Paris")]'], repair_attempts=0)
    msg = llm.bind_tools([WEATHER]).invoke("Weather?")
    assert msg.tool_calls == [] and len(msg.invalid_tool_calls) == 1
    assert len(llm.scripted.calls) == 1


def test_unknown_tool_gets_feedback() -> None:
    llm = ScriptedGemma(
        ['<tool_call>{"name": "get_wether", "arguments": {"city": "Paris"}}</tool_call>'],
        dialect="hermes",
    )
    msg = llm.bind_tools([WEATHER, TIME]).invoke("Weather?")
    assert msg.tool_calls == []
    (bad,) = msg.invalid_tool_calls
    assert bad["name"] == "get_wether"
    assert "get_weather" in (bad["error"] or "")
    assert "Unknown tool" in (bad["error"] or "")
    assert len(llm.scripted.calls) == 1  # no repair against a tool that does not exist


def test_streaming_hides_markup_and_emits_calls() -> None:
    llm = ScriptedGemma(['Let me check that. [get_weather(city="Paris")] Done.'], chunk_size=3)
    chunks = list(llm.bind_tools([WEATHER]).stream("Weather in Paris?"))
    texts = [c.content for c in chunks if c.content]
    assert texts, "no prose was streamed"
    assert all("[" not in t and "get_weather" not in t for t in texts)
    assert "".join(texts).startswith("Let me check that.")
    call_positions = [i for i, c in enumerate(chunks) if c.tool_call_chunks]
    assert call_positions and call_positions[0] < len(chunks) - 1
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert merged.usage_metadata is not None and merged.usage_metadata["output_tokens"] > 0
    assert chunks[-1].usage_metadata is not None
    assert chunks[-1].response_metadata["mode"] == "prompted"


def test_streaming_releases_false_alarms_at_the_end() -> None:
    llm = ScriptedGemma(["See [the docs](https://x.org) or use {braces}."], chunk_size=2)
    chunks = list(llm.bind_tools([WEATHER]).stream("Help?"))
    assert (
        "".join(str(c.content) for c in chunks) == "See [the docs](https://x.org) or use {braces}."
    )
    assert all(not c.tool_call_chunks for c in chunks)


def test_streaming_invalid_call_never_becomes_runnable() -> None:
    llm = ScriptedGemma(['[get_weather(town="Paris")]'], repair_attempts=0)
    chunks = list(llm.bind_tools([WEATHER]).stream("Weather?"))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.tool_calls == []
    assert len(merged.invalid_tool_calls) == 1
    assert "city" in merged.invalid_tool_calls[0]["args"]
    assert chunks[-1].response_metadata["invalid_tool_calls"][0]["error"]


async def test_async_invoke_and_stream() -> None:
    llm = ScriptedGemma(['[get_weather(city="Oslo")]', 'Sure: [get_time(tz="UTC")]'])
    bound = llm.bind_tools([WEATHER, TIME])
    msg = await bound.ainvoke("Weather in Oslo?")
    assert msg.tool_calls[0]["args"] == {"city": "Oslo"}
    chunks = [c async for c in bound.astream("Time?")]
    assert all("[" not in str(c.content) for c in chunks)
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.tool_calls[0]["args"] == {"tz": "UTC"}


def test_tool_choice_named_and_required() -> None:
    llm = ScriptedGemma(['[get_time(tz="UTC")]', '[get_time(tz="UTC")]'])
    llm.bind_tools([WEATHER, TIME], tool_choice="get_time").invoke("Time?")
    prompt = llm.scripted.calls[0][0][0].content
    assert '"get_time"' in prompt and '"get_weather"' not in prompt
    assert "You must call get_time" in prompt
    llm.bind_tools([WEATHER, TIME], tool_choice="any").invoke("Time?")
    assert "You must call get_weather or get_time" in llm.scripted.calls[1][0][0].content
    with pytest.raises(ConfigError, match="unknown tool"):
        llm.bind_tools([WEATHER], tool_choice="nope").invoke("x")


def test_constrained_mode_call_then_final_answer() -> None:
    llm = ScriptedGemma(
        [
            '{"tool": "get_weather", "arguments": {"city": "Paris"}}',
            '{"final_answer": "It is sunny in Paris."}',
        ],
        mode="constrained",
    )
    bound = llm.bind_tools([WEATHER, TIME])
    first = bound.invoke("Weather in Paris?")
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert first.response_metadata["mode"] == "constrained"
    messages, schema, _ = llm.scripted.calls[0]
    prompt = messages[0].content
    assert prompt.endswith("Request: Weather in Paris?\nJSON:")
    assert "Request: Is it raining in Paris right now?" in prompt  # a matching few-shot example
    tools_in_schema = [
        o["properties"]["tool"]["const"] for o in schema["anyOf"] if "tool" in o["properties"]
    ]
    assert tools_in_schema == ["get_weather", "get_time"]
    assert any("final_answer" in o["properties"] for o in schema["anyOf"])

    tool_msg = ToolMessage("sunny, 21 C", tool_call_id=first.tool_calls[0]["id"])
    final = bound.invoke([HumanMessage("Weather in Paris?"), first, tool_msg])
    assert final.content == "It is sunny in Paris." and final.tool_calls == []
    messages, schema, _ = llm.scripted.calls[1]
    assert schema["required"] == ["final_answer"]  # after a result: answer only
    assert messages[0].content.endswith(
        'JSON: {"tool": "get_weather", "arguments": {"city": "Paris"}}\nResult: sunny, 21 C\nJSON:'
    )


def test_constrained_required_tool_excludes_final_answer() -> None:
    llm = ScriptedGemma(['{"tool": "get_time", "arguments": {"tz": "UTC"}}'], mode="constrained")
    msg = llm.bind_tools([WEATHER, TIME], tool_choice="required").invoke("Hi")
    assert msg.tool_calls[0]["name"] == "get_time"
    _, schema, _ = llm.scripted.calls[0]
    assert all("final_answer" not in o["properties"] for o in schema["anyOf"])


def test_constrained_invalid_json_is_reported() -> None:
    llm = ScriptedGemma(['{"tool": "get_weather", "argu'], mode="constrained")
    msg = llm.bind_tools([WEATHER]).invoke("Weather?")
    assert msg.tool_calls == []
    assert "could not be read" in (msg.invalid_tool_calls[0]["error"] or "")


def test_images_become_runtime_images() -> None:
    payload = base64.b64encode(b"\x89PNG fake").decode()
    llm = ScriptedGemma(["A cat."])
    llm.invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{payload}"}},
                ]
            )
        ]
    )
    sent = llm.scripted.calls[0][0][0]
    assert sent.images == [payload] and sent.content == "What is this?"
    with pytest.raises(UnsupportedFeature, match="remote image"):
        llm.invoke(
            [HumanMessage(content=[{"type": "image_url", "image_url": {"url": "https://x/y.png"}}])]
        )


def test_runtime_object_and_bad_model() -> None:
    runtime = ScriptedRuntime(["ok"])
    assert ChatGemma(runtime).invoke("hi").content == "ok"
    with pytest.raises(ConfigError):
        ChatGemma(42)  # type: ignore[arg-type]


def test_accepts_our_tool_objects_and_functions() -> None:
    def get_time(tz: str) -> str:
        """Current time in a timezone.

        Args:
            tz: IANA timezone name.
        """
        return "10:00"

    llm = ScriptedGemma(['[get_time(tz="UTC")]'])
    msg = llm.bind_tools([get_time]).invoke("Time in UTC?")
    assert msg.tool_calls[0]["args"] == {"tz": "UTC"}
    assert json.loads(json.dumps(msg.tool_calls[0]["args"])) == {"tz": "UTC"}


def test_constrained_mode_streams_calls_and_answers() -> None:
    llm = ScriptedGemma(
        [
            '{"tool": "get_weather", "arguments": {"city": "Paris"}}',
            '{"final_answer": "Sunny."}',
        ],
        mode="constrained",
    )
    bound = llm.bind_tools([WEATHER])
    chunks = list(bound.stream("Weather in Paris?"))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert merged.content == "" and chunks[-1].usage_metadata is not None
    answer = "".join(str(c.content) for c in bound.stream("Anything else?"))
    assert answer == "Sunny."


def test_constrained_mode_without_tools_is_plain_chat() -> None:
    llm = ScriptedGemma(["Hi there."], mode="constrained")
    msg = llm.invoke("Hello")
    assert msg.content == "Hi there." and msg.tool_calls == []
    _, fmt, _ = llm.scripted.calls[0]
    assert fmt is None


def test_with_structured_output_in_both_modes() -> None:
    from pydantic import BaseModel

    class Person(BaseModel):
        """A person."""

        name: str
        age: int

    prompted = ScriptedGemma(['[Person(name="Ann", age=3)]'])
    assert prompted.with_structured_output(Person).invoke("Ann is 3") == Person(name="Ann", age=3)
    constrained = ScriptedGemma(
        ['{"tool": "Person", "arguments": {"name": "Ann", "age": 3}}'], mode="constrained"
    )
    result = constrained.with_structured_output(Person).invoke("Ann is 3")
    assert result == Person(name="Ann", age=3)
    _, schema, _ = constrained.scripted.calls[0]
    assert schema["properties"]["tool"] == {"const": "Person"}  # a call is forced


def test_constrained_prompt_keeps_instructions_first_and_skips_context_notes() -> None:
    """The agent's system prompt and per-step budget note must not break the pattern.

    Placed between the examples and the live request, instructions made the 270M answer
    directly instead of calling the calculator; a budget note read as a request would also
    reset the tool-round count.
    """
    from langchain_core.messages import SystemMessage

    from gemma_agents.models.messages import CONTEXT_NOTE

    llm = ScriptedGemma(
        [
            '{"tool": "get_weather", "arguments": {"city": "Paris"}}',
            '{"final_answer": "Sunny."}',
        ],
        mode="constrained",
    )
    bound = llm.bind_tools([WEATHER, TIME])
    system = SystemMessage("Be brief.")
    note = HumanMessage("Step budget: step 1 of 8.", name=CONTEXT_NOTE)
    first = bound.invoke([system, HumanMessage("Weather in Paris?"), note])
    prompt = llm.scripted.calls[0][0][0].content
    assert prompt.startswith("Instructions: Be brief.\n")
    assert prompt.endswith("Request: Weather in Paris?\nJSON:")
    assert "Step budget" not in prompt

    result = ToolMessage("sunny", tool_call_id=first.tool_calls[0]["id"])
    note2 = HumanMessage("Step budget: step 2 of 8.", name=CONTEXT_NOTE)
    bound.invoke([system, HumanMessage("Weather in Paris?"), first, result, note2])
    schema = llm.scripted.calls[1][1]
    assert schema["required"] == ["final_answer"]  # the note did not count as a new request


def test_context_note_joins_the_latest_user_turn_in_text_dialects() -> None:
    from gemma_agents.models.messages import CONTEXT_NOTE

    llm = ScriptedGemma(["[get_weather(city='Paris')]", "Sunny."])
    bound = llm.bind_tools([WEATHER])
    first = bound.invoke("Weather in Paris?")
    result = ToolMessage("sunny", tool_call_id=first.tool_calls[0]["id"])
    note = HumanMessage("Step budget: step 2 of 8.", name=CONTEXT_NOTE)
    bound.invoke([HumanMessage("Weather in Paris?"), first, result, note])
    roles = [m.role for m in llm.scripted.calls[1][0]]
    assert roles == ["user", "assistant", "user"]  # turns still alternate
    last = llm.scripted.calls[1][0][-1].content
    assert last.startswith("```tool_output") and last.endswith("Step budget: step 2 of 8.")
