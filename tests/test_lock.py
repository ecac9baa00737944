"""The locks (``make lock``) still satisfy ``pyproject.toml``: a dependency added or a
floor raised there without refreshing them fails here, not in tomorrow's deploy."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
# The platform the locks are made for (see `make lock`).
TARGET = {
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def read_lock(text: str) -> dict[str, Version]:
    """Name -> pinned version; every pin must carry a hash, or pip's --require-hashes fails."""
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = _PIN.match(block)
        if match is None:
            continue
        assert "--hash=sha256:" in block, f"{match[1]} has no hash"
        pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def problems(pyproject: dict, lock: dict[str, Version], extras: tuple[str, ...]) -> list[str]:
    project = pyproject["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    found = []
    for line in wanted:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({**TARGET, "extra": ""}):
            continue
        pinned = lock.get(canonicalize_name(req.name))
        if pinned is None:
            found.append(f"{req.name}: missing from the lock")
        elif not req.specifier.contains(pinned, prereleases=True):
            found.append(f"{req.name}: locked {pinned}, pyproject.toml wants {req.specifier}")
    return found


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))]
)
def test_lock_satisfies_pyproject(lock, extras):
    pins = read_lock((ROOT / lock).read_text(encoding="utf-8"))
    assert problems(PYPROJECT, pins, extras) == [], f"{lock} is stale: run `make lock`"


def test_a_stale_lock_is_caught():
    pins = read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    changed = {"project": {**PYPROJECT["project"]}}
    changed["project"]["dependencies"] = [
        *PYPROJECT["project"]["dependencies"],
        "scikit-learn>=1.5",
        f"httpx>{pins['httpx']}",
    ]
    assert problems(changed, pins, ()) == [
        "scikit-learn: missing from the lock",
        f"httpx: locked {pins['httpx']}, pyproject.toml wants >{pins['httpx']}",
    ]


def test_pagefind_is_pinned_to_the_minor_the_search_wrapper_knows():
    wrapper = (ROOT / "generator/theme/assets/pagefind-lazy/pagefind.js").read_text(
        encoding="utf-8"
    )
    minor = re.search(r"Pagefind UI (\d+\.\d+)\.x internals", wrapper)
    assert minor, "the wrapper names the Pagefind minor version it relies on"
    req = next(
        Requirement(d) for d in PYPROJECT["project"]["dependencies"] if d.startswith("pagefind")
    )
    assert req.specifier == f">={minor[1]},<{Version(minor[1]).major}.{Version(minor[1]).minor + 1}"
    for lock in ("requirements.lock", "requirements-test.lock"):
        pinned = read_lock((ROOT / lock).read_text(encoding="utf-8"))["pagefind"]
        assert f"{pinned.major}.{pinned.minor}" == minor[1]
