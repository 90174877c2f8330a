"""Form parsing helpers. A form's problems are values (``FormErrors``), not exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(slots=True)
class FormErrors:
    """Messages (already translated) by field name; ``""`` holds errors about the whole form."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def of(self, name: str) -> list[str]:
        return self.by_field.get(name, [])


def safe_next_path(value: str | None) -> str:
    """Only a path on this site may follow a sign-in: never another host (open redirect).

    >>> safe_next_path("/o/demo"), safe_next_path("//evil.example/x"), safe_next_path("https://x/")
    ('/o/demo', '/', '/')
    """
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value:
        return "/"
    return value
