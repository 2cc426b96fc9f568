"""SSRF protection for tools that make HTTP requests on a model's behalf.

A model can be talked (by a web page it just read) into fetching
``http://169.254.169.254/latest/meta-data/`` or an admin page on the LAN. The defence:

1. resolve the host ourselves and refuse loopback, private, link-local, multicast,
   reserved, unspecified, carrier-grade NAT and cloud-metadata addresses, unless the host
   or network is explicitly allowlisted;
2. connect to *the address we checked* (the URL is rewritten to the IP; ``Host`` and TLS SNI
   keep the name, so certificates still verify), so a DNS answer that changes between
   check and connect (DNS rebinding) cannot redirect the request;
3. check every redirect hop the same way (callers follow redirects manually).

IPv4-mapped, 6to4 and Teredo IPv6 addresses are judged by the IPv4 address they embed.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from .results import ToolInputError

__all__ = [
    "NetworkPolicy",
    "NetworkPolicyError",
    "Resolver",
    "Target",
    "blocked_reason",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]
"""``resolver(host, port) -> [ip, ...]``; the default uses ``socket.getaddrinfo``."""

_METADATA = {
    ipaddress.ip_address("169.254.169.254"): "cloud metadata service",
    ipaddress.ip_address("fd00:ec2::254"): "cloud metadata service",
    ipaddress.ip_address("100.100.100.200"): "cloud metadata service",
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class NetworkPolicyError(ToolInputError):
    """A request was refused by the SSRF policy (the message says which rule)."""


def blocked_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted by default, or ``None`` for a public address."""
    if ip in _METADATA:
        return _METADATA[ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = blocked_reason(embedded)
            return f"{reason} (embedded IPv4 {embedded})" if reason else None
    checks = (
        (ip.is_unspecified, "unspecified address"),
        (ip.is_loopback, "loopback address"),
        (ip.is_link_local, "link-local address"),
        (ip.is_multicast, "multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT address"),
        (ip.is_private, "private address"),
        (ip.is_reserved, "reserved address"),
        (not ip.is_global, "non-public address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system (``getaddrinfo``), keeping the order it returns."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for info in infos:
        seen.setdefault(str(info[4][0]).split("%")[0], None)
    return list(seen)


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``ip`` while speaking to ``host``.

    Attributes:
        url: The URL as requested.
        host: Its host name (lower case, no trailing dot).
        port: The effective port.
        ip: The checked address to connect to.
        allowlisted: The host or address was allowlisted (checks were skipped).
    """

    url: httpx.URL
    host: str
    port: int
    ip: str
    allowlisted: bool = False

    def request_url(self) -> httpx.URL:
        """The URL with the host replaced by the pinned IP."""
        return self.url.copy_with(host=self.ip)

    def headers(self) -> dict[str, str]:
        """The ``Host`` header that keeps virtual hosting working on the pinned IP."""
        default = 443 if self.url.scheme == "https" else 80
        return {"Host": self.host if self.port == default else f"{self.host}:{self.port}"}

    def extensions(self) -> dict[str, Any]:
        """``sni_hostname`` so TLS sends and verifies the real name."""
        return {"sni_hostname": self.host} if self.url.scheme == "https" else {}


@dataclass(frozen=True)
class NetworkPolicy:
    """Where HTTP tools may go.

    Attributes:
        allow_hosts: Host names (globs like ``*.internal.example``) exempt from the address
            checks; also accepts literal IPs.
        allow_cidrs: Networks whose addresses are allowed (``10.0.0.0/8``, ``127.0.0.1/32``).
        allow_schemes: URL schemes allowed.
        allow_ports: Ports allowed (``None``: any).
        resolver: Name resolver; tests pass one that maps names to chosen addresses.
    """

    allow_hosts: tuple[str, ...] = ()
    allow_cidrs: tuple[IPNetwork, ...] = ()
    allow_schemes: tuple[str, ...] = ("http", "https")
    allow_ports: tuple[int, ...] | None = None
    resolver: Resolver | None = field(default=None, compare=False)

    @classmethod
    def build(
        cls,
        *,
        allow_hosts: Iterable[str] = (),
        allow_cidrs: Iterable[str] = (),
        allow_ports: Iterable[int] | None = None,
        resolver: Resolver | None = None,
    ) -> NetworkPolicy:
        """Build from plain strings (as found in config files).

        Raises:
            ValueError: a CIDR is malformed.
        """
        return cls(
            allow_hosts=tuple(h.lower().rstrip(".") for h in allow_hosts),
            allow_cidrs=tuple(ipaddress.ip_network(c, strict=False) for c in allow_cidrs),
            allow_ports=tuple(allow_ports) if allow_ports is not None else None,
            resolver=resolver,
        )

    def host_allowed(self, host: str) -> bool:
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.allow_hosts)

    def ip_allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allow_cidrs)

    def check(self, url: str | httpx.URL) -> Target:
        """Validate ``url`` and pick the address to connect to (blocking DNS lookup).

        Raises:
            NetworkPolicyError: bad URL, scheme or port; unresolvable host; or an address
                the policy refuses.
        """
        parsed, host, port = self._parse(url)
        addresses = self._resolve(host, port)
        return self._judge(parsed, host, port, addresses)

    async def acheck(self, url: str | httpx.URL) -> Target:
        """:meth:`check` with the DNS lookup in a worker thread."""
        parsed, host, port = self._parse(url)
        addresses = await asyncio.to_thread(self._resolve, host, port)
        return self._judge(parsed, host, port, addresses)

    def _parse(self, url: str | httpx.URL) -> tuple[httpx.URL, str, int]:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise _refuse(f"invalid URL {str(url)[:200]!r}: {exc}") from exc
        if parsed.scheme not in self.allow_schemes:
            raise _refuse(
                f"scheme {parsed.scheme or '(none)'!r} is not allowed; use {' or '.join(self.allow_schemes)}"
            )
        host = parsed.host.lower().rstrip(".")
        if not host:
            raise _refuse(f"URL {str(url)[:200]!r} has no host")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if self.allow_ports is not None and port not in self.allow_ports:
            raise _refuse(f"port {port} is not allowed (allowed: {list(self.allow_ports)})")
        return parsed, host, port

    def _resolve(self, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            found = list((self.resolver or system_resolver)(host, port))
        except (OSError, UnicodeError) as exc:
            raise _refuse(f"cannot resolve host {host!r}: {exc}") from exc
        if not found:
            raise _refuse(f"host {host!r} has no addresses")
        return found

    def _judge(self, url: httpx.URL, host: str, port: int, addresses: list[str]) -> Target:
        if self.host_allowed(host):
            return Target(url, host, port, addresses[0], allowlisted=True)
        for raw in addresses:
            try:
                ip = ipaddress.ip_address(raw)
            except ValueError as exc:
                raise _refuse(f"resolver returned a bad address {raw!r} for {host!r}") from exc
            if self.ip_allowed(ip):
                continue
            reason = blocked_reason(ip)
            if reason:
                shown = host if host == str(ip) else f"{host} ({ip})"
                raise _refuse(
                    f"refusing to connect to {shown}: {reason}",
                    hint="ask the operator to allowlist the host or network if this is intended",
                )
        return Target(url, host, port, addresses[0], allowlisted=False)


def _refuse(message: str, hint: str | None = None) -> NetworkPolicyError:
    return NetworkPolicyError("http", message, hint=hint)
