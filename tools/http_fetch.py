"""First-party pack: ``http.get`` and ``http.post`` with SSRF protection and size caps.

Every hop (the first request and each redirect, followed manually) is checked by
:class:`gemma_agents.tools.netguard.NetworkPolicy`: private, loopback, link-local, metadata
and other internal addresses are refused unless allowlisted, and the connection goes to the
address that was checked (DNS-rebinding safe). Bodies are streamed and cut at a byte cap.
HTML is reduced to text with links; JSON is pretty-printed. Results are marked untrusted:
a web page is data, never instructions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx

from gemma_agents.tools import Tool, ToolInputError, ToolResult, function_to_tool
from gemma_agents.tools.netguard import NetworkPolicy, Resolver

__all__ = ["HttpFetcher", "html_to_text", "http_tools", "pack_tools"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}
)
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
        "footer", "nav", "main", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
        "blockquote", "hr", "dd", "dt", "dl", "figure", "figcaption", "form",
    }
)  # fmt: skip
_USER_AGENT = "gemma-agents-http/0.1 (+https://github.com/gemma-agents)"


class _TextExtractor(HTMLParser):
    """HTML -> readable text: scripts/styles dropped, blocks on new lines, links kept."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False
        self._pre = 0
        self._link: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag == "body":  # recover from a missing </head>
            self._skip = 0
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "pre":
            self._pre += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            absolute = urljoin(self.base_url, href.strip()) if href else ""
            self._link = absolute if absolute.startswith(("http://", "https://")) else None
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag == "a" and self._link is not None:
            text = " ".join("".join(self._link_text).split())
            if text and text != self._link:
                self.parts.append(f" ({self._link})")
            elif not text:
                self.parts.append(self._link)
            self._link = None
        if tag in _BLOCK_TAGS and tag != "li":  # items already start on their own line
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        if self._skip:
            return
        text = data if self._pre else re.sub(r"\s+", " ", data)
        self.parts.append(text)
        if self._link is not None:
            self._link_text.append(text)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).splitlines()]
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        body = "\n".join(out).strip()
        title = " ".join("".join(self.title).split())
        return f"Title: {title}\n\n{body}" if title else body


def html_to_text(html: str, base_url: str = "") -> str:
    """Readable text of an HTML document, with links as ``text (url)``."""
    parser = _TextExtractor(base_url)
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; never let odd markup crash a fetch
        pass
    return parser.text()


class HttpFetcher:
    """Performs policy-checked requests; one instance per configured tool set.

    Attributes:
        policy: The SSRF policy applied to every hop.
        timeout: Per-request network timeout in seconds.
        max_bytes: Body bytes read before stopping (the rest is never downloaded).
        max_chars: Characters of extracted text returned to the model.
        max_redirects: Redirect hops followed.
    """

    def __init__(
        self,
        policy: NetworkPolicy | None = None,
        *,
        timeout: float = 15.0,
        max_bytes: int = 2_000_000,
        max_chars: int = 12_000,
        max_redirects: int = 5,
        user_agent: str = _USER_AGENT,
    ) -> None:
        self.policy = policy or NetworkPolicy()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_chars = max_chars
        self.max_redirects = max_redirects
        self.user_agent = user_agent

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> ToolResult:
        """Request ``url``, following up to ``max_redirects`` checked redirects.

        Raises:
            NetworkPolicyError: a hop was refused by the policy.
            ToolInputError: too many redirects or a network failure.
        """
        current = url
        async with httpx.AsyncClient(
            follow_redirects=False, trust_env=False, timeout=httpx.Timeout(self.timeout)
        ) as client:
            for _hop in range(self.max_redirects + 1):
                target = await self.policy.acheck(current)
                headers = {"User-Agent": self.user_agent, "Accept": "*/*", **target.headers()}
                if body is not None and content_type:
                    headers["Content-Type"] = content_type
                request = client.build_request(
                    method,
                    target.request_url(),
                    headers=headers,
                    content=body,
                    extensions=target.extensions(),
                )
                try:
                    response = await client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    raise ToolInputError(
                        "http", f"request to {target.host} failed: {type(exc).__name__}: {exc}"
                    ) from exc
                try:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        current = urljoin(str(target.url), location)
                        if response.status_code == 303 or (
                            response.status_code in (301, 302) and method == "POST"
                        ):
                            method, body = "GET", None
                        continue
                    raw, truncated = await self._read(response)
                finally:
                    await response.aclose()
                return self._result(str(target.url), response, raw, truncated)
        raise ToolInputError("http", f"too many redirects (more than {self.max_redirects})")

    async def _read(self, response: httpx.Response) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                return b"".join(chunks)[: self.max_bytes], True
        return b"".join(chunks), False

    def _result(
        self, url: str, response: httpx.Response, raw: bytes, truncated: bool
    ) -> ToolResult:
        ctype = response.headers.get("content-type", "")
        mime = ctype.split(";")[0].strip().lower()
        charset = _charset(ctype)
        if "html" in mime:
            text = html_to_text(raw.decode(charset, errors="replace"), url)
        elif "json" in mime:
            decoded = raw.decode(charset, errors="replace")
            try:
                text = json.dumps(json.loads(decoded), indent=2, ensure_ascii=False)
            except ValueError:
                text = decoded
        elif (
            mime.startswith("text/")
            or mime in ("application/xml", "application/javascript")
            or not mime
        ):
            text = raw.decode(charset, errors="replace")
        else:
            text = f"[binary content of type {mime}, {len(raw)} bytes, not shown]"
        notes = []
        if truncated:
            notes.append(f"[body cut at {self.max_bytes} bytes]")
        if len(text) > self.max_chars:
            text = text[: self.max_chars]
            notes.append(f"[text cut at {self.max_chars} characters]")
            truncated = True
        header = f"HTTP {response.status_code} {response.reason_phrase}\nURL: {url}\nContent-Type: {ctype or 'unknown'}"
        content = f"{header}\n\n{text}" + ("\n" + "\n".join(notes) if notes else "")
        return ToolResult(
            content=content,
            untrusted=True,
            source=url,
            truncated=truncated,
            metadata={"status": response.status_code, "content_type": mime, "bytes": len(raw)},
        )


def _charset(content_type: str) -> str:
    match = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    if match:
        try:
            "".encode(match.group(1))
            return match.group(1)
        except LookupError:
            pass
    return "utf-8"


def http_tools(
    policy: NetworkPolicy | None = None,
    *,
    allow_hosts: Sequence[str] = (),
    allow_cidrs: Sequence[str] = (),
    resolver: Resolver | None = None,
    allow_post: bool = True,
    timeout: float = 15.0,
    max_bytes: int = 2_000_000,
    max_chars: int = 12_000,
    max_redirects: int = 5,
) -> list[Tool]:
    """Build ``http.get`` (and ``http.post``) bound to one policy.

    Args:
        policy: A ready policy; else one is built from the allowlists and resolver.
        allow_hosts: Host globs exempt from the address checks.
        allow_cidrs: Networks allowed despite being private.
        resolver: Custom DNS resolver ``(host, port) -> [ip, ...]``.
        allow_post: Include ``http.post`` (always requires approval).
        timeout: Network timeout per request.
        max_bytes: Body download cap.
        max_chars: Text returned to the model.
        max_redirects: Redirect hops followed (each one checked).
    """
    policy = policy or NetworkPolicy.build(
        allow_hosts=allow_hosts, allow_cidrs=allow_cidrs, resolver=resolver
    )
    fetcher = HttpFetcher(
        policy,
        timeout=timeout,
        max_bytes=max_bytes,
        max_chars=max_chars,
        max_redirects=max_redirects,
    )

    async def http_get(url: str) -> ToolResult:
        """Fetch a web page or JSON API with HTTP GET and return its text.

        HTML is converted to plain text with links; JSON is pretty-printed. Only public
        http(s) addresses can be reached.

        Args:
            url: The full http:// or https:// URL to fetch.
        """
        return await fetcher.fetch(url)

    async def http_post(
        url: str, body: str = "", content_type: str = "application/json"
    ) -> ToolResult:
        """Send data to a URL with HTTP POST and return the response text.

        Args:
            url: The full http:// or https:// URL.
            body: The request body (JSON text for JSON APIs).
            content_type: The body's media type.
        """
        return await fetcher.fetch(
            url, method="POST", body=body.encode(), content_type=content_type
        )

    limit = timeout * (max_redirects + 1) + 5
    tools = [
        function_to_tool(
            http_get, name="http.get", side_effects="read", idempotent=True,
            untrusted_output=True, timeout=limit, tags=("web", "builtin"),
        )
    ]  # fmt: skip
    if allow_post:
        tools.append(
            function_to_tool(
                http_post, name="http.post", side_effects="external", requires_approval=True,
                idempotent=False, untrusted_output=True, timeout=limit, tags=("web", "builtin"),
            )
        )  # fmt: skip
    return tools


def pack_tools(config: Any = None) -> list[Tool]:
    """The pack's tools for a :class:`~gemma_agents.tools.ToolsConfig` (off when ``http=False``)."""
    if config is None:
        return http_tools()
    if not getattr(config, "http", True):
        return []
    return http_tools(
        allow_hosts=tuple(getattr(config, "http_allow_hosts", ()) or ()),
        allow_cidrs=tuple(getattr(config, "http_allow_cidrs", ()) or ()),
        allow_post=bool(getattr(config, "http_allow_post", True)),
    )


TOOLS = http_tools()
"""Default-policy tools, collected when this folder is loaded as plugins."""
