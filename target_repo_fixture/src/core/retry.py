"""Retry helper for flaky remote calls (Azure ML, MLflow server)."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any, Callable, Optional, Tuple, Type, TypeVar

__all__ = ["retry"]

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def retry(
    attempts: int = 3,
    exceptions: Tuple[Type[BaseException], ...] = (Exception,),
    backoff: float = 0.5,
    sleep: Optional[Callable[[float], None]] = None,
) -> Callable[[F], F]:
    """Retry the decorated function ``attempts`` times with exponential backoff."""
    if attempts < 1:
        raise ValueError("attempts must be >= 1")

    def decorator(func: F) -> F:
        name = getattr(func, "__name__", repr(func))

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            pause = sleep or time.sleep
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions as exc:
                    if attempt == attempts:
                        raise
                    delay = backoff * (2 ** (attempt - 1))
                    logger.warning("%s failed (%s), retry %d/%d in %.1fs", name, exc, attempt, attempts - 1, delay)
                    pause(delay)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper  # type: ignore[return-value]

    return decorator
