"""How the Daily Papers client behaves on the network; kept import-light for the CLI."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_LIMIT = 100


@dataclass(frozen=True)
class ClientSettings:
    """The defaults suit huggingface.co; tests and benchmarks shrink them."""

    timeout: float = 20.0  # seconds, for connect, each read and each write
    deadline: float = 60.0  # seconds for a whole attempt, however slowly the body arrives
    retries: int = 5  # further attempts after the first, per page
    backoff: float = 1.0  # first retry delay in seconds, doubling each time, plus jitter
    backoff_max: float = 60.0
    budget_calls: int = 500  # Hugging Face: 500 anonymous calls ...
    budget_window: float = 300.0  # ... per 5-minute window
    page_limit: int = PAGE_LIMIT
