"""ChatGemma inside a plain LangGraph graph (StateGraph + ToolNode), no Agent class.

    python examples/langgraph_toolnode.py [--scripted]

ChatGemma is a standard LangChain chat model: bind_tools() renders the tools into the
prompt in the model's dialect and parses the calls back into AIMessage.tool_calls, so
LangGraph's prebuilt ToolNode and tools_condition work unchanged.
"""

from __future__ import annotations

import os
import sys

from langchain_core.messages import BaseMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from gemma_agents import ChatGemma


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is 18°C and sunny in {city}."


def make_model() -> ChatGemma:
    if "--scripted" in sys.argv:
        from gemma_agents.testing import ScriptedGemma

        return ScriptedGemma(['[get_weather(city="Lisbon")]', "Lisbon: 18°C and sunny."])
    return ChatGemma(model=os.environ.get("GEMMA_AGENTS_MODEL", "llamacpp:gemma3-270m"))


def main() -> None:
    model = make_model().bind_tools([get_weather])

    def call_model(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [model.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("model", call_model)
    builder.add_node("tools", ToolNode([get_weather]))
    builder.add_edge(START, "model")
    builder.add_conditional_edges("model", tools_condition)
    builder.add_edge("tools", "model")
    graph = builder.compile()

    final = graph.invoke({"messages": [("user", "What's the weather in Lisbon?")]})
    for message in final["messages"]:
        calls = getattr(message, "tool_calls", None)
        print(f"{message.type:>5}: {message.content}" + (f" {calls}" if calls else ""))


if __name__ == "__main__":
    main()
