"""Who is the client, and did it come over HTTPS: the trusted-proxy rule. No Streamlit.

Behind a reverse proxy that terminates TLS (nginx, Caddy, a load balancer) the app sees the
proxy's address and plain HTTP. The proxy tells the real client address and scheme in
``X-Forwarded-For`` and ``X-Forwarded-Proto``, but anyone can send those headers, so they
count only when the peer (the TCP connection's other end) is a trusted proxy:

- ``TUTOR_TRUSTED_PROXIES``: a comma list of addresses or networks (``127.0.0.1``,
  ``10.0.0.0/8``, ``::1``); empty (the default): no proxy is trusted, the headers are ignored.
- ``TUTOR_COOKIE_SECURE``: ``auto`` (the default: ``Secure`` when the request came over
  HTTPS, directly or as a trusted proxy says), ``true`` (always), ``false`` (never; for a
  plain-HTTP test box only).

``client_address`` is what sign-in and sign-up throttle per address: from a trusted proxy
the right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy (the one
the first trusted proxy saw), otherwise the peer.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from tutor.errors import ConfigError

PROXIES_ENV = "TUTOR_TRUSTED_PROXIES"
COOKIE_SECURE_ENV = "TUTOR_COOKIE_SECURE"
_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def trusted_proxies(environ: Mapping[str, str] | None = None) -> tuple[_Net, ...]:
    """The networks of ``TUTOR_TRUSTED_PROXIES`` (ConfigError for an entry that is not one)."""
    raw = _env(environ).get(PROXIES_ENV) or ""
    nets = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part.strip("[]"), strict=False))
        except ValueError:
            raise ConfigError(
                f"{PROXIES_ENV}: {part!r} is not an address or network.",
                f"Write addresses or CIDR networks separated by commas, e.g. {PROXIES_ENV}=127.0.0.1,10.0.0.0/8.",
                key=PROXIES_ENV,
            ) from None
    return tuple(nets)


def cookie_secure_setting(environ: Mapping[str, str] | None = None) -> str:
    """``auto``, ``true`` or ``false`` from ``TUTOR_COOKIE_SECURE`` (ConfigError otherwise)."""
    raw = (_env(environ).get(COOKIE_SECURE_ENV) or "auto").strip().lower()
    aliases = {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false", "off": "false"}
    value = aliases.get(raw, raw)
    if value not in ("auto", "true", "false"):
        raise ConfigError(
            f"{COOKIE_SECURE_ENV}={raw!r} is not auto, true or false.",
            f"Use {COOKIE_SECURE_ENV}=auto (Secure over HTTPS, also as a trusted proxy says), true or false.",
            key=COOKIE_SECURE_ENV,
        )
    return value


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 1.2.3.4:5678
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(peer: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """Is ``peer`` (the connection's other end) one of ``TUTOR_TRUSTED_PROXIES``?"""
    ip = _ip(peer)
    return ip is not None and any(ip in net for net in trusted_proxies(environ))


def client_address(
    peer: str | None, headers: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> str:
    """The client's address for throttling: ``X-Forwarded-For`` only from a trusted proxy."""
    peer = (peer or "").strip() or "unknown"
    nets = trusted_proxies(environ)
    if not nets or not is_trusted(peer, environ):
        return peer
    hops = [h.strip() for h in (headers.get("x-forwarded-for") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return peer  # a hop we cannot read: fall back to what we know
        if not any(ip in net for net in nets):
            return str(ip)
    return str(_ip(hops[0])) if hops else peer


def is_https(
    scheme: str, peer: str | None, headers: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> bool:
    """Did the client reach us over HTTPS (directly, or as a trusted proxy says)?"""
    if scheme == "https":
        return True
    if not is_trusted(peer, environ):
        return False
    proto = (headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return proto == "https"


def cookie_secure(
    scheme: str, peer: str | None, headers: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> bool:
    """Whether the sign-in cookie gets ``Secure`` (``TUTOR_COOKIE_SECURE``, see the module doc)."""
    setting = cookie_secure_setting(environ)
    if setting != "auto":
        return setting == "true"
    return is_https(scheme, peer, headers, environ)
