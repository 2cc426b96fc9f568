"""First-party pack: ``calculator``, arithmetic through a safe AST evaluator.

Small models are bad at arithmetic and good at writing expressions, so this is the most
useful tool a small Gemma can have. It never calls ``eval``: the expression is parsed with
``ast`` and only numbers, the arithmetic operators, a fixed set of ``math`` functions and
the constants ``pi``, ``e``, ``tau`` are evaluated. Work is bounded: expression length,
exponent size and result size are capped, so ``9**9**9`` is refused in microseconds instead
of eating the CPU.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from gemma_agents.tools import ToolInputError, tool

__all__ = ["MAX_DIGITS", "MAX_LENGTH", "calculator", "evaluate", "format_number", "pack_tools"]

MAX_LENGTH = 500
"""Longest expression accepted, in characters."""
MAX_DIGITS = 1000
"""Largest integer result, in decimal digits."""
_MAX_BITS = int(MAX_DIGITS * math.log2(10)) + 1
_MAX_FACTORIAL = 450  # 450! has about 1000 digits

Number = int | float

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _log(x: Number, base: Number | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


def _factorial(n: Number) -> int:
    if isinstance(n, float):
        if not n.is_integer():
            raise ValueError("factorial() needs a whole number")
        n = int(n)
    if n > _MAX_FACTORIAL:
        raise _TooBig(f"factorial({n}) is too large (limit {_MAX_FACTORIAL})")
    return math.factorial(n)


def _round(x: Number, ndigits: int | None = None) -> Number:
    return round(x) if ndigits is None else round(x, int(ndigits))


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "atan2": math.atan2,
    "ceil": math.ceil,
    "cos": math.cos,
    "cosh": math.cosh,
    "degrees": math.degrees,
    "exp": math.exp,
    "factorial": _factorial,
    "floor": math.floor,
    "gcd": math.gcd,
    "hypot": math.hypot,
    "lcm": math.lcm,
    "ln": math.log,
    "log": _log,
    "log10": math.log10,
    "log2": math.log2,
    "max": max,
    "min": min,
    "radians": math.radians,
    "round": _round,
    "sin": math.sin,
    "sinh": math.sinh,
    "sqrt": math.sqrt,
    "tan": math.tan,
    "tanh": math.tanh,
}


class _TooBig(ArithmeticError):
    """A result or intermediate value would exceed the size limits."""


def evaluate(expression: str) -> Number:
    """Evaluate an arithmetic expression safely.

    ``^`` means power (as people and models write it), ``×``/``÷``/``−`` are accepted.

    Raises:
        ToolInputError: syntax errors, unknown names, division by zero, domain errors and
            results too large, each with a message that tells the model what to fix.
    """
    if not isinstance(expression, str) or not expression.strip():
        raise _error("the expression is empty", "send e.g. '355/113'")
    if len(expression) > MAX_LENGTH:
        raise _error(f"the expression is longer than {MAX_LENGTH} characters")
    text = expression.replace("×", "*").replace("÷", "/").replace("−", "-").replace("^", "**")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise _error(
            f"cannot parse {expression!r}: {exc.msg if isinstance(exc, SyntaxError) else exc}",
            "use numbers, + - * / // % ** and functions like sqrt(2)",
        ) from exc
    except RecursionError as exc:
        raise _error("the expression is nested too deeply") from exc
    try:
        return _eval(tree.body)
    except ZeroDivisionError as exc:
        raise _error("division by zero") from exc
    except _TooBig as exc:
        raise _error(str(exc)) from exc
    except OverflowError as exc:
        raise _error("the result is too large (floating-point overflow)") from exc
    except RecursionError as exc:
        raise _error("the expression is nested too deeply") from exc
    except (ValueError, TypeError) as exc:
        raise _error(f"math error in {expression!r}: {exc}") from exc


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _error(f"{node.value!r} is not a number")
        return node.value
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise _error(f"unknown name {node.id!r}", f"constants: {', '.join(_CONSTANTS)}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        op = _BINARY.get(type(node.op))
        if op is None:
            raise _error(f"operator {type(node.op).__name__} is not supported")
        if (
            isinstance(node.op, ast.Mult)
            and isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() + right.bit_length() > _MAX_BITS
        ):
            raise _TooBig(f"the result would have more than {MAX_DIGITS} digits")
        return _checked(op(left, right))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise _error(
                f"unknown function {name!r}", f"available: {', '.join(sorted(_FUNCTIONS))}"
            )
        if node.keywords:
            raise _error("functions take positional arguments only")
        args = [_eval(arg) for arg in node.args]
        return _checked(_FUNCTIONS[node.func.id](*args))
    raise _error(f"{ast.unparse(node)!r} is not arithmetic")


def _power(base: Number, exponent: Number) -> Number:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and exponent * math.log2(abs(base)) > _MAX_BITS
    ):
        raise _TooBig(f"{base}**{exponent} would have more than {MAX_DIGITS} digits")
    if abs(exponent) > 1_000_000 and not (isinstance(base, int | float) and abs(base) in (0, 1)):
        raise _TooBig(f"the exponent {exponent} is too large")
    result = base**exponent
    if isinstance(result, complex):
        raise ValueError(
            "the result is a complex number (negative base with a fractional exponent)"
        )
    return _checked(result)


def _checked(value: Any) -> Number:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if value.bit_length() > _MAX_BITS:
            raise _TooBig(f"the result has more than {MAX_DIGITS} digits")
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("the result is not a number")
        if math.isinf(value):
            raise OverflowError
        return value
    raise TypeError(f"unexpected result {value!r}")


def format_number(value: Number) -> str:
    """Shortest exact text: ints as-is, whole floats without ``.0``, others by ``repr``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _error(message: str, hint: str | None = None) -> ToolInputError:
    return ToolInputError("calculator", message, hint=hint)


@tool(tags=("math", "builtin"))
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression and return the exact result.

    Supports + - * / // % ** (or ^), parentheses, the constants pi, e and tau, and the
    functions sqrt, sin, cos, tan, asin, acos, atan, atan2, exp, log, log10, log2, ln,
    abs, round, floor, ceil, factorial, gcd, lcm, hypot, degrees, radians, min and max.

    Args:
        expression: The expression to evaluate, e.g. "355/113" or "sqrt(2) * 3".
    """
    return format_number(evaluate(expression))


def pack_tools(config: Any = None) -> list[Any]:
    """The tools of this pack (no settings needed)."""
    return [calculator]
