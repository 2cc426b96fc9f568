"""Loop-control building blocks: fingerprints, escalation, budget line, recursion limit."""

from __future__ import annotations

from gemma_agents.graph.loop import (
    LEVEL_CONSTRAINED,
    LEVEL_HINT,
    LEVEL_STOP,
    budget_line,
    call_fingerprint,
    error_fingerprint,
    observe,
    recursion_limit,
)


def test_call_fingerprint_ignores_key_order_but_not_values() -> None:
    a = call_fingerprint("calc", {"x": 1, "y": [1, 2]})
    assert a == call_fingerprint("calc", {"y": [1, 2], "x": 1})
    assert a != call_fingerprint("calc", {"x": 2, "y": [1, 2]})
    assert a != call_fingerprint("other", {"x": 1, "y": [1, 2]})


def test_error_fingerprint_ignores_call_ids_and_timings() -> None:
    first = error_fingerprint("t", "call_0123456789ab failed after 1.52s")
    again = error_fingerprint("t", "call_ffffffffffff failed after 0.03s")
    assert first == again
    assert first != error_fingerprint("t", "a different failure")


def test_escalation_hint_then_constrained_then_stop() -> None:
    seen: dict[str, int] = {}
    levels = []
    peak = 0
    for step in range(4):
        obs = observe(seen, [(f"id{step}", "search", {"q": "same"})], previous_level=peak)
        seen, peak = obs.fingerprints, max(peak, obs.level)
        levels.append(obs.level)
    assert levels == [0, LEVEL_HINT, LEVEL_CONSTRAINED, LEVEL_STOP]


def test_new_calls_do_not_escalate_and_repeats_are_reported_per_call() -> None:
    obs = observe({}, [("a", "f", {"x": 1}), ("b", "f", {"x": 2})])
    assert obs.level == 0 and obs.repeats == {"a": 0, "b": 0}
    obs2 = observe(obs.fingerprints, [("c", "f", {"x": 1}), ("d", "g", {})])
    assert obs2.level == LEVEL_HINT
    assert obs2.repeats == {"c": 1, "d": 0}


def test_repeated_identical_errors_escalate_like_calls() -> None:
    obs = observe({}, [], [("t", "Error: bad value")])
    assert obs.level == 0
    obs = observe(obs.fingerprints, [], [("t", "Error: bad value")])
    assert obs.level == LEVEL_HINT


def test_alternating_loops_still_escalate_from_the_previous_level() -> None:
    seen: dict[str, int] = {}
    peak = 0
    for args in ({"q": "a"}, {"q": "b"}, {"q": "a"}, {"q": "b"}):
        obs = observe(seen, [("i", "s", args)], previous_level=peak)
        seen, peak = obs.fingerprints, max(peak, obs.level)
    assert peak == LEVEL_CONSTRAINED


def test_budget_line_counts_down_and_says_when_to_stop() -> None:
    assert "step 1 of 4" in budget_line(0, 4)
    assert "at most 2 more rounds" in budget_line(1, 4)
    last = budget_line(3, 4)
    assert "last step" in last and "do not call tools" in last


def test_recursion_limit_exceeds_the_longest_routed_path() -> None:
    for steps in (1, 3, 8, 20):
        longest = 4 * steps + 6  # every step with guard+approval, plus the fixed nodes
        assert recursion_limit(steps) > longest
