"""Token expansion for name templates such as ``"{project}-{stage}-{model}"``.

A token may carry a default: ``"{trial:none}"`` expands to ``none`` when the
context has no ``trial``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

__all__ = ["TOKEN_PATTERN", "MissingTokenError", "list_tokens", "expand_tokens", "build_context"]

TOKEN_PATTERN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")


class MissingTokenError(KeyError):
    """Raised when a template references a token that the context does not provide."""

    def __init__(self, token: str, template: str):
        super().__init__(token)
        self.token = token
        self.template = template

    def __str__(self) -> str:
        return f"token {self.token!r} missing from context for template {self.template!r}"


def list_tokens(template: str) -> List[str]:
    """Unique token names in order of first appearance."""
    seen: List[str] = []
    for match in TOKEN_PATTERN.finditer(template):
        name = match.group(1)
        if name not in seen:
            seen.append(name)
    return seen


def expand_tokens(template: str, context: Mapping[str, Any], strict: bool = True) -> str:
    """Replace ``{token}`` / ``{token:default}`` occurrences using ``context``.

    With ``strict=False`` unknown tokens without default are left untouched.
    """

    def _replace(match: "re.Match[str]") -> str:
        name, default = match.group(1), match.group(2)
        value = context.get(name)
        if value is not None and value != "":
            return str(value)
        if default is not None:
            return default
        if strict:
            raise MissingTokenError(name, template)
        return match.group(0)

    return TOKEN_PATTERN.sub(_replace, template)


def build_context(**values: Any) -> Dict[str, str]:
    """Build a token context, dropping ``None`` values and stringifying the rest."""
    return {key: str(value) for key, value in values.items() if value is not None}
