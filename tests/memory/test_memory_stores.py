"""Store semantics, run against both InMemoryMemory and a real Chroma PersistentClient."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from gemma_agents.exceptions import UserError
from gemma_agents.memory import MemoryStore

FACTS = {
    "ada": [
        "Ada's cat is a grey tabby called Pixel.",
        "Ada works as a marine biologist in Plymouth.",
        "Ada is allergic to shellfish.",
    ],
    "bo": [
        "Bo's cat is a black kitten called Ember.",
        "Bo drives a yellow electric scooter.",
    ],
}


def _fill(store):
    ids = {}
    for user, facts in FACTS.items():
        ids[user] = [store.add(f, user=user) for f in facts]
    return ids


def test_implements_protocol(make_store):
    assert isinstance(make_store(), MemoryStore)


def test_search_finds_the_relevant_fact_first_with_scores_in_unit_range(make_store):
    store = make_store()
    ids = _fill(store)
    hits = store.search("what is the name of Ada's cat?", user="ada", k=3)
    assert hits[0].id == ids["ada"][0]
    assert hits[0].text == FACTS["ada"][0]
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    meta = hits[0].metadata
    assert meta["user"] == "ada" and meta["kind"] == "fact"
    assert isinstance(meta["time"], float) and meta["time_iso"].startswith("20")


def test_users_never_see_each_others_memories(make_store):
    store = make_store()
    ids = _fill(store)
    # The query is about Bo's cat, but asked in Ada's namespace, with a huge k.
    hits = store.search("Bo's black kitten Ember", user="ada", k=100)
    assert {h.id for h in hits} <= set(ids["ada"])
    assert all(h.metadata["user"] == "ada" for h in hits)
    assert store.search("Ember", user="nobody", k=5) == []


def test_threshold_and_kinds_filter(make_store):
    store = make_store()
    store.add("Ada's cat is a grey tabby called Pixel.", user="ada", kind="fact")
    store.add("Ada asked about cat food brands; we compared three.", user="ada", kind="episode")
    only_episodes = store.search("cat", user="ada", kinds=["episode"], k=5)
    assert [h.metadata["kind"] for h in only_episodes] == ["episode"]
    assert store.search("cat", user="ada", threshold=0.999, k=5) == []
    with pytest.raises(UserError, match="unknown memory kind"):
        store.search("cat", user="ada", kinds=["secret"])


def test_near_duplicates_are_merged_and_timestamp_refreshed(make_store):
    store = make_store(dedupe_threshold=0.9)
    first = store.add("Ada's cat is called Pixel.", user="ada")
    before = store.search("Pixel", user="ada")[0].metadata
    time.sleep(0.01)
    again = store.add("Ada's cat is called Pixel!", user="ada")
    assert again == first
    assert store.count() == 1
    after = store.search("Pixel", user="ada")[0].metadata
    assert after["time"] > before["time"]
    assert after["seen"] == 2
    assert after["created"] == before["created"]
    # Same text for another user is a different memory: namespaces are never merged.
    other = store.add("Ada's cat is called Pixel.", user="bo")
    assert other != first and store.count() == 2


def test_add_many_dedupes_within_the_batch_and_against_the_store(make_store):
    store = make_store()
    existing = store.add("The office wifi is called kuusk-guest.", user="u")
    ids = store.add_many(
        [
            "Lunch is at noon on Fridays.",
            "The office wifi is called kuusk-guest.",
            "Lunch is at noon on Fridays.",
            "The printer toner is in the kitchen cabinet.",
        ],
        user="u",
        batch_size=3,
    )
    assert ids[1] == existing
    assert ids[2] == ids[0]
    assert store.get(ids[0]).metadata["seen"] == 2
    assert store.get(existing).metadata["seen"] == 2
    assert len(set(ids)) == 3
    assert store.count() == 3
    plain = store.add_many(["Lunch is at noon on Fridays."], user="u", dedupe=False)
    assert plain[0] != ids[0] and store.count() == 4


def test_dedupe_can_be_disabled(make_store):
    store = make_store(dedupe_threshold=None)
    a = store.add("same text", user="u")
    b = store.add("same text", user="u")
    assert a != b and store.count() == 2


def test_ttl_skips_expired_memories_and_prune_deletes_them(make_store):
    store = make_store(ttl=timedelta(seconds=1.5))
    old = store.add("The old door code was 4411.", user="u")
    time.sleep(1.7)
    fresh = store.add("The new door code is 9082.", user="u")
    hits = store.search("door code", user="u", k=5)
    assert [h.id for h in hits] == [fresh]
    assert store.count() == 2  # still stored until pruned
    assert store.prune() == 1
    assert store.count() == 1
    assert store.forget([old]) == 0


def test_prune_without_ttl_is_a_no_op(make_store):
    store = make_store()
    store.add("kept forever", user="u")
    assert store.prune() == 0 and store.count() == 1


def test_forget_by_id_user_and_filter(make_store):
    store = make_store()
    ids = _fill(store)
    store.add("Ada's thread note", user="ada", thread="t-1", metadata={"topic": "pets"})
    assert store.forget([ids["ada"][1], "mem_does_not_exist"]) == 1
    # ids and user combine with AND: Bo's id is not deleted when scoped to Ada.
    assert store.forget([ids["bo"][0]], user="ada") == 0
    assert store.forget(where={"topic": "pets"}) == 1
    assert store.forget(user="bo") == 2
    assert store.count() == 2
    assert store.forget(where={"kind": {"$in": ["fact"]}}, user="ada") == 2
    assert store.count() == 0
    with pytest.raises(UserError, match="needs ids, a user or a where filter"):
        store.forget()


def _redact(text: str) -> str:
    text = re.sub(r"[\w.+-]+@[\w-]+\.[\w.]+", "[EMAIL]", text)
    return re.sub(r"\bsk-[A-Za-z0-9]{8,}\b", "[SECRET]", text)


def test_redactor_runs_before_storage(make_store):
    store = make_store(redactor=_redact)
    memory_id = store.add(
        "Ada's API key is sk-abcdef1234567890, mail ada@example.org",
        user="ada",
        source="chat with ada@example.org",
        metadata={"note": "key sk-abcdef1234567890"},
    )
    stored = store.get(memory_id)
    assert stored.text == "Ada's API key is [SECRET], mail [EMAIL]"
    assert stored.metadata["source"] == "chat with [EMAIL]"
    assert stored.metadata["note"] == "key [SECRET]"
    hits = store.search("API key", user="ada")
    assert "sk-abcdef" not in hits[0].text


def test_redaction_reaches_chroma_itself(tmp_path):
    from gemma_agents.memory import ChromaMemory, HashingEmbedder

    store = ChromaMemory(tmp_path, embedder=HashingEmbedder(), redactor=_redact)
    store.add("Mail bo@example.com the key sk-QWERTYUIOP123", user="bo")
    # Read the raw rows back through Chroma, bypassing our API entirely.
    raw = store.client.get_collection("memories", embedding_function=None).get(
        include=["documents", "metadatas"]
    )
    dump = repr(raw)
    assert "bo@example.com" not in dump and "sk-QWERTYUIOP123" not in dump
    assert raw["documents"] == ["Mail [EMAIL] the key [SECRET]"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "memory text is empty"),
        ({"text": 42}, "must be a string"),
        ({"text": "x", "user": ""}, "non-empty string"),
        ({"text": "x", "kind": "secret"}, "unknown memory kind"),
        ({"text": "x", "metadata": {"user": "mallory"}}, "reserved"),
        ({"text": "x", "metadata": {"tags": ["a", "b"]}}, "must be str, int, float or bool"),
    ],
)
def test_bad_input_gets_a_specific_error(make_store, kwargs, message):
    store = make_store()
    args = dict(kwargs)
    text = args.pop("text")
    with pytest.raises(UserError, match=message):
        store.add(text, **args)
    assert store.count() == 0


def test_add_many_checks_its_arguments(make_store):
    store = make_store()
    with pytest.raises(UserError, match="sequence of texts"):
        store.add_many("one string")
    with pytest.raises(UserError, match="2 entries for 1 texts"):
        store.add_many(["a"], metadatas=[{}, {}])
    with pytest.raises(UserError, match="query is empty"):
        store.search("  ")
    with pytest.raises(UserError, match="k must be"):
        store.search("x", k=0)


def test_stats_counts_users_and_kinds(make_store):
    store = make_store()
    _fill(store)
    store.add("Ada asked about tides.", user="ada", kind="episode")
    stats = store.stats()
    assert stats["count"] == 6
    assert stats["users"] == {"ada": 4, "bo": 2}
    assert stats["kinds"] == {"fact": 5, "episode": 1}
    assert stats["embedder"] == "hashing-v1" and stats["dimension"] == 256
