"""Security headers on every response, and a content security policy for GraphiQL.

JSON responses get `default-src 'none'; frame-ancestors 'none'`. The GraphiQL page
loads its scripts and styles from this service only (GraphiQL's vendored files under
`/graphiql-assets/`, ours under `/graphiql-page/`, each with subresource integrity) and
runs no inline script; its policy allows exactly that: scripts, styles and fonts from
this origin, inline styles (GraphiQL's editors set style attributes), data: images and
fonts, and requests back to this origin. Nothing is fetched from another host.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"
IDE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


class SecurityHeaders:
    """Add the headers a response has not set itself; HSTS when `hsts_max_age` > 0."""

    def __init__(self, app: ASGIApp, hsts_max_age: int = 0) -> None:
        self.app = app
        defaults = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", JSON_POLICY.encode()),
            (b"cache-control", b"no-store"),
        ]
        if hsts_max_age > 0:
            defaults.append((b"strict-transport-security", f"max-age={hsts_max_age}".encode()))
        self.defaults = defaults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [item for item in self.defaults if item[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
