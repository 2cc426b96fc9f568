"""The built-in few-shot bank for constrained mode: small generic tasks, worked end to end.

Each example ("shot") is a complete little task (its tools, the request, the JSON call or
calls, the tool results, the final answer). The tools are generic (calculator, weather,
search, stocks...) and deliberately unrelated to any benchmark; some have optional
parameters the examples leave out, and :data:`MULTI` shows several calls made in one
step. :mod:`.fewshot` picks and renders them per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..calls._types import ToolSpec

__all__ = ["BANK", "DIRECT", "MULTI", "Shot", "Step"]

Step = tuple[str, Any]
"""One transcript line: ``("request", text)``, ``("call", (name, args))``, ``("result",
text)``, ``("answer", text)``, ``("instructions", text)``, or ``("calls", [(name, args),
...])`` for several calls made in one step."""


def _tool(name: str, description: str, **params: str) -> ToolSpec:
    props = {}
    required = []
    for pname, ptype in params.items():
        optional = ptype.endswith("?")
        props[pname] = {"type": ptype.rstrip("?")}
        if not optional:
            required.append(pname)
    return ToolSpec(
        name, description, {"type": "object", "properties": props, "required": required}
    )


@dataclass(frozen=True)
class Shot:
    """One worked example.

    Attributes:
        tools: The tools listed for the example task.
        request: The user's request.
        call: ``(tool name, arguments)`` when the example calls a tool.
        result: The tool's result shown after the call.
        answer: The final answer (after the result, or directly).
        keywords: Extra words that make this shot match tools of its kind.
        more_calls: Further calls made in the same step as ``call`` (a multi-call shot).
        more_results: The results of ``more_calls``, in order.
    """

    tools: tuple[ToolSpec, ...]
    request: str
    call: tuple[str, dict[str, Any]] | None = None
    result: str | None = None
    answer: str | None = None
    keywords: str = ""
    more_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    more_results: tuple[str, ...] = ()

    def steps(self) -> list[Step]:
        out: list[Step] = [("request", self.request)]
        if self.call is not None:
            if self.more_calls:
                out.append(("calls", [self.call, *self.more_calls]))
            else:
                out.append(("call", self.call))
            if self.result is not None:
                out.append(("result", self.result))
            out.extend(("result", r) for r in self.more_results)
        if self.answer is not None:
            out.append(("answer", self.answer))
        return out


_CALC = _tool("calculator", "Evaluate an arithmetic expression.", expression="string")
# Optional parameters (``?``) the examples leave out: small models otherwise fill every
# argument they see, inventing values the request never gave.
_WEATHER = _tool(
    "get_weather", "Get the current weather in a city.", city="string", units="string?"
)
_SEARCH = _tool(
    "search_web", "Search the web and return the top result.", query="string", limit="integer?"
)
_AREA = _tool("rectangle_area", "Area of a rectangle.", width="number", height="number")
_EMAIL = _tool("send_email", "Send an email.", to="string", subject="string", body="string")
_STOCK = _tool(
    "get_stock_price",
    "Latest stock price for a ticker symbol.",
    symbol="string",
    exchange="string?",
)
_TIME = _tool("get_time", "Current local time in a time zone.", timezone="string")
_FX = _tool(
    "convert_currency",
    "Convert an amount of money between currencies.",
    amount="number",
    from_currency="string",
    to_currency="string",
)

BANK: tuple[Shot, ...] = (
    Shot(
        (_CALC,),
        "What is 12 divided by 4?",
        ("calculator", {"expression": "12/4"}),
        "3.0",
        "12 divided by 4 is 3.0.",
        "math arithmetic compute calculate evaluate divide multiply power square root percent",
    ),
    Shot(
        (_CALC,),
        "How much is 15 times 3 plus 2?",
        ("calculator", {"expression": "15*3+2"}),
        "47",
        "15 times 3 plus 2 is 47.",
        "math arithmetic compute calculate sum plus minus times product number",
    ),
    Shot(
        (_WEATHER,),
        "Is it raining in Paris right now?",
        ("get_weather", {"city": "Paris"}),
        '{"condition": "rain", "temperature_c": 12}',
        "Yes, it is raining in Paris (12 C).",
        "weather forecast temperature rain location",
    ),
    Shot(
        (_SEARCH,),
        "Search for the tallest building in the world.",
        ("search_web", {"query": "tallest building in the world"}),
        "Burj Khalifa, 828 m",
        "The tallest building in the world is the Burj Khalifa (828 m).",
        "search find look up web internet query information",
    ),
    Shot(
        (_AREA,),
        "What is the area of a rectangle 3 m wide and 4.5 m high?",
        ("rectangle_area", {"width": 3, "height": 4.5}),
        "13.5",
        "The area is 13.5 square meters.",
        "geometry area size shape length number",
    ),
    Shot(
        (_EMAIL,),
        "Email bob@example.com that the meeting moved to 3pm.",
        (
            "send_email",
            {
                "to": "bob@example.com",
                "subject": "Meeting moved",
                "body": "The meeting moved to 3pm.",
            },
        ),
        "sent",
        "Done: I emailed bob@example.com.",
        "email mail message send notify",
    ),
    Shot(
        (_STOCK,),
        "What is the stock price of Apple?",
        ("get_stock_price", {"symbol": "AAPL"}),
        "189.5",
        "Apple (AAPL) trades at 189.5.",
        "stock price market finance ticker share",
    ),
    Shot(
        (_TIME,),
        "What time is it in Tokyo?",
        ("get_time", {"timezone": "Asia/Tokyo"}),
        "2025-05-01 21:04 JST",
        "It is 21:04 in Tokyo.",
        "time clock date hour timezone zone now",
    ),
    Shot(
        (_FX,),
        "Convert 50 euros to US dollars.",
        ("convert_currency", {"amount": 50, "from_currency": "EUR", "to_currency": "USD"}),
        "54.2",
        "50 EUR is about 54.20 USD.",
        "currency money exchange rate convert",
    ),
)

MULTI: tuple[Shot, ...] = (
    Shot(
        (_WEATHER,),
        "What is the weather in Oslo and in Lima?",
        ("get_weather", {"city": "Oslo"}),
        '{"condition": "snow", "temperature_c": -3}',
        "Oslo has snow (-3 C) and Lima is sunny (22 C).",
        "weather forecast temperature rain location",
        more_calls=(("get_weather", {"city": "Lima"}),),
        more_results=('{"condition": "sunny", "temperature_c": 22}',),
    ),
    Shot(
        (_STOCK,),
        "Get the stock prices of Microsoft, Nvidia and Intel.",
        ("get_stock_price", {"symbol": "MSFT"}),
        "410.2",
        "MSFT 410.2, NVDA 121.4, INTC 30.9.",
        "stock price market finance ticker share",
        more_calls=(
            ("get_stock_price", {"symbol": "NVDA"}),
            ("get_stock_price", {"symbol": "INTC"}),
        ),
        more_results=("121.4", "30.9"),
    ),
    Shot(
        (_AREA,),
        "Find the areas of a 2 by 3 rectangle and of a 4 by 5 rectangle.",
        ("rectangle_area", {"width": 2, "height": 3}),
        "6",
        "The areas are 6 and 20.",
        "geometry area size shape length number calculate compute",
        more_calls=(("rectangle_area", {"width": 4, "height": 5}),),
        more_results=("20",),
    ),
    Shot(
        (_FX,),
        "Convert 20 euros to dollars, and also 100 dollars to yen.",
        ("convert_currency", {"amount": 20, "from_currency": "EUR", "to_currency": "USD"}),
        "21.7",
        "20 EUR is 21.70 USD and 100 USD is 15,400 JPY.",
        "currency money exchange rate convert",
        more_calls=(
            ("convert_currency", {"amount": 100, "from_currency": "USD", "to_currency": "JPY"}),
        ),
        more_results=("15400",),
    ),
)

DIRECT: tuple[Shot, ...] = (
    Shot((_WEATHER,), "Hello, who are you?", answer="Hello! I am a helpful assistant."),
    Shot((_CALC,), "Tell me a fun fact.", answer="Honey never spoils."),
    Shot((_SEARCH,), "Thank you for the help!", answer="You're welcome!"),
    Shot(
        (_STOCK,),
        "Write a short poem about the sea.",
        answer="Waves fold into foam, the tide keeps time, the sea sings home.",
    ),
)
