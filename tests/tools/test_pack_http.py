"""http.get / http.post against a real local server: SSRF refusals, pinning, caps, parsing."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from types import ModuleType
from typing import Any

import pytest

from gemma_agents.tools import Tool, ToolInputError, ToolResult, is_untrusted
from gemma_agents.tools.netguard import NetworkPolicy, NetworkPolicyError, blocked_reason


def _tools(packs: dict[str, ModuleType], **options: Any) -> dict[str, Tool]:
    return {t.name: t for t in packs["http_fetch"].http_tools(**options)}


def _resolver(table: dict[str, list[str]]) -> Any:
    calls: list[str] = []

    def resolve(host: str, port: int) -> Sequence[str]:
        calls.append(host)
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def _base(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("100.64.0.7", "carrier-grade NAT"),
        ("100.100.100.200", "cloud metadata"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "address"),
        ("::1", "loopback"),
        ("fd00:ec2::254", "cloud metadata"),
        ("fc00::1", "private"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
    ],
)
def test_blocked_addresses(address: str, reason: str) -> None:
    found = blocked_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.215.14"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_default_policy_refuses_loopback_server(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    before = len(http_server.requests)  # type: ignore[attr-defined]
    get = _tools(packs)["http.get"]
    with pytest.raises(NetworkPolicyError, match="loopback address"):
        get.run({"url": f"{_base(http_server)}/page"})
    with pytest.raises(NetworkPolicyError, match="loopback"):
        get.run({"url": f"http://localhost:{http_server.server_address[1]}/page"})
    with pytest.raises(NetworkPolicyError, match="loopback"):
        get.run({"url": f"http://[::ffff:127.0.0.1]:{http_server.server_address[1]}/page"})
    with pytest.raises(NetworkPolicyError, match="loopback"):
        get.run(
            {"url": f"http://2130706433:{http_server.server_address[1]}/page"}
        )  # 127.0.0.1 as an integer
    assert len(http_server.requests) == before  # type: ignore[attr-defined]  # nothing reached the server


def test_names_resolving_to_internal_addresses_are_refused(packs: dict[str, ModuleType]) -> None:
    resolver = _resolver(
        {
            "intranet.test": ["10.0.0.5"],
            "metadata.test": ["169.254.169.254"],
            "mixed.test": ["93.184.215.14", "192.168.0.10"],
            "cgnat.test": ["100.64.3.3"],
        }
    )
    get = _tools(packs, resolver=resolver)["http.get"]
    for host, reason in [
        ("intranet.test", "intranet.test (10.0.0.5): private address"),
        ("metadata.test", "cloud metadata service"),
        ("mixed.test", "192.168.0.10"),
        ("cgnat.test", "carrier-grade NAT"),
    ]:
        with pytest.raises(NetworkPolicyError) as info:
            get.run({"url": f"http://{host}/x"})
        assert reason in str(info.value)
    with pytest.raises(NetworkPolicyError, match=r"cannot resolve host 'unknown\.test'"):
        get.run({"url": "http://unknown.test/"})


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("ftp://example.com/", "scheme 'ftp'"),
        ("not a url", "scheme"),
        ("http:///nohost", "no host"),
    ],
)
def test_bad_urls_are_refused(packs: dict[str, ModuleType], url: str, needle: str) -> None:
    with pytest.raises(NetworkPolicyError) as info:
        _tools(packs)["http.get"].run({"url": url})
    assert needle in str(info.value)


def test_allowlisted_network_fetches_and_extracts_html(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    get = _tools(packs, allow_cidrs=["127.0.0.1/32"])["http.get"]
    assert get.untrusted_output and get.side_effects == "read" and not get.requires_approval
    result = get.run({"url": f"{_base(http_server)}/page"})
    assert isinstance(result, ToolResult) and result.untrusted and is_untrusted(result)
    text = result.text
    assert text.startswith(f"HTTP 200 OK\nURL: {_base(http_server)}/page\nContent-Type: text/html")
    assert "Title: Test page" in text
    assert "Hello" in text and "Some bold text" in text
    assert f"relative link ({_base(http_server)}/docs/a)" in text
    assert "- one\n- two" in text
    assert "alert" not in text and "color:red" not in text


def test_json_is_pretty_printed_and_binary_is_summarised(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    get = _tools(packs, allow_cidrs=["127.0.0.0/8"])["http.get"]
    text = get.run({"url": f"{_base(http_server)}/json"}).text
    assert text.endswith('{\n  "b": [\n    1,\n    2\n  ],\n  "a": "x"\n}')
    binary = get.run({"url": f"{_base(http_server)}/binary"}).text
    assert "[binary content of type image/png, 1024 bytes, not shown]" in binary


def test_redirect_to_internal_address_is_refused(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    """An allowlisted host redirects to 127.0.0.1, which is not allowlisted: refused."""
    port = http_server.server_address[1]
    resolver = _resolver({"allowed.test": ["127.0.0.1"]})
    get = _tools(packs, allow_hosts=["allowed.test"], resolver=resolver)["http.get"]
    before = [r[1] for r in http_server.requests]  # type: ignore[attr-defined]
    with pytest.raises(NetworkPolicyError, match=r"refusing to connect to 127\.0\.0\.1: loopback"):
        get.run({"url": f"http://allowed.test:{port}/redirect-to-secret"})
    after = [r[1] for r in http_server.requests]  # type: ignore[attr-defined]
    assert after[len(before) :] == ["/redirect-to-secret"]  # /secret was never requested
    # a redirect that stays on the allowlisted host is followed
    ok = get.run({"url": f"http://allowed.test:{port}/redirect-local"}).text
    assert f"URL: http://allowed.test:{port}/json" in ok and '"a": "x"' in ok


def test_connection_is_pinned_to_the_checked_address(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    """``pinned.test`` exists only in our resolver: the request can only succeed if it goes to
    the address we checked, with the original name in the Host header."""
    port = http_server.server_address[1]
    resolver = _resolver({"pinned.test": ["127.0.0.1"]})
    get = _tools(packs, allow_cidrs=["127.0.0.1/32"], resolver=resolver)["http.get"]
    text = get.run({"url": f"http://pinned.test:{port}/echo-host"}).text
    assert text.endswith(f"pinned.test:{port}")
    assert resolver.calls == ["pinned.test"]  # resolved once, by us


def test_rebinding_resolver_cannot_swap_the_address(packs: dict[str, ModuleType]) -> None:
    """A resolver that answers public first, private second: every answer is checked."""
    answers = iter([["93.184.215.14", "127.0.0.1"]])
    policy = NetworkPolicy.build(resolver=lambda host, port: next(answers))
    with pytest.raises(NetworkPolicyError, match="loopback"):
        policy.check("http://rebind.test/")


def test_body_is_capped_while_streaming(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    get = _tools(packs, allow_cidrs=["127.0.0.1/32"], max_bytes=10_000, max_chars=5_000)["http.get"]
    result = get.run({"url": f"{_base(http_server)}/big"})
    assert result.truncated
    assert result.metadata["bytes"] == 10_000
    assert "[body cut at 10000 bytes]" in result.text
    assert "[text cut at 5000 characters]" in result.text
    assert result.text.split("\n\n", 1)[1].split("\n")[0] == "x" * 5_000


def test_too_many_redirects(packs: dict[str, ModuleType], http_server: ThreadingHTTPServer) -> None:
    get = _tools(packs, allow_cidrs=["127.0.0.1/32"], max_redirects=3)["http.get"]
    with pytest.raises(ToolInputError, match="too many redirects"):
        get.run({"url": f"{_base(http_server)}/loop"})


def test_post_requires_approval_and_sends_the_body(
    packs: dict[str, ModuleType], http_server: ThreadingHTTPServer
) -> None:
    tools = _tools(packs, allow_cidrs=["127.0.0.1/32"])
    post = tools["http.post"]
    assert (post.side_effects, post.requires_approval, post.idempotent) == ("external", True, False)
    text = post.run({"url": f"{_base(http_server)}/submit", "body": '{"k": 1}'}).text
    payload = json.loads(text.split("\n\n", 1)[1])
    assert payload == {"received": '{"k": 1}', "type": "application/json"}
    # 303 after POST continues as GET without the body
    after = post.run({"url": f"{_base(http_server)}/post-redirect", "body": "x"}).text
    assert '"a": "x"' in after
    assert http_server.requests[-1][:2] == ("GET", "/json")  # type: ignore[attr-defined]
    assert "http.post" not in _tools(packs, allow_post=False)


def test_network_errors_are_tool_errors(packs: dict[str, ModuleType], free_port: int) -> None:
    get = _tools(packs, allow_cidrs=["127.0.0.1/32"], timeout=2)["http.get"]
    with pytest.raises(ToolInputError, match=r"request to 127\.0\.0\.1 failed: ConnectError"):
        get.run({"url": f"http://127.0.0.1:{free_port}/"})
