"""Configuration: the site's values come from MkDocs' own loader; the CLI starts light."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import make_root, page, paper, write_paper

from generator.build import build_site, generate
from generator.cli import cli
from generator.config import ConfigError, site_config

FORK_URL = "https://fork.example.org/mirror/"
SAMPLE_URL = "https://example.github.io/paper-archive/"
ENV_LINE = "site_url: !ENV [PAPER_ARCHIVE_TEST_SITE_URL, 'http://127.0.0.1:8000/']"


def _env_site_url(paths) -> None:
    text = paths.mkdocs_yml.read_text(encoding="utf-8")
    assert f"site_url: {SAMPLE_URL}\n" in text
    paths.mkdocs_yml.write_text(
        text.replace(f"site_url: {SAMPLE_URL}\n", ENV_LINE + "\n"), encoding="utf-8"
    )


def _text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def test_site_url_from_env_reaches_every_feed_canonical_link_and_the_open_data(
    tmp_path, monkeypatch
):
    paths = make_root(tmp_path)
    _env_site_url(paths)
    monkeypatch.setenv("PAPER_ARCHIVE_TEST_SITE_URL", FORK_URL)
    write_paper(paths, paper("2603.00101", "2026-03-06", title="Reasoning with chains"))
    write_paper(paths, paper("2603.00102", "2026-03-07", title="Agents that plan"))

    build_site(paths)

    feeds = [
        *paths.site.glob("feed.*"),
        *paths.site.glob("topics/*/feed.*"),
        *paths.site.glob("tags/*/feed.*"),
    ]
    assert {p.suffix for p in feeds} == {".xml", ".atom", ".json"}
    data = [paths.site / "data/index.json", *paths.site.glob("data/*.jsonl.gz")]
    assert len(data) == 2
    for path in [*feeds, paths.site / "feeds.opml", *data]:
        text = _text(path)
        assert FORK_URL in text, path
        assert "127.0.0.1:8000" not in text and SAMPLE_URL not in text, path
    records = [
        json.loads(line) for line in _text(paths.site / "data/papers-2026.jsonl.gz").splitlines()
    ]
    assert [r["url"] for r in records] == [
        f"{FORK_URL}papers/2603.00101/",
        f"{FORK_URL}papers/2603.00102/",
    ]
    for url in ("", "papers/2603.00101/", "days/2026/03/07/"):
        html = page(paths.site, url)
        assert html.find("link", rel="canonical")["href"] == FORK_URL + url
    og = page(paths.site, "papers/2603.00101/").find("meta", property="og:url")
    assert og["content"] == f"{FORK_URL}papers/2603.00101/"


def test_site_config_reads_what_mkdocs_reads(tmp_path, monkeypatch):
    paths = make_root(tmp_path)
    _env_site_url(paths)
    monkeypatch.delenv("PAPER_ARCHIVE_TEST_SITE_URL", raising=False)
    assert site_config(paths).site_url == "http://127.0.0.1:8000/"  # the tag's default
    monkeypatch.setenv("PAPER_ARCHIVE_TEST_SITE_URL", "https://fork.example.org/no-slash")
    config = site_config(paths)
    assert config.site_url == "https://fork.example.org/no-slash/"
    assert config.site_name == "Daily Papers archive"
    assert config.edit_url("papers/x.md") == (
        "https://github.com/example/paper-archive/edit/main/papers/x.md"
    )


def test_a_config_mkdocs_rejects_fails_the_build_naming_file_and_value(tmp_path):
    paths = make_root(tmp_path)
    text = paths.mkdocs_yml.read_text(encoding="utf-8")
    paths.mkdocs_yml.write_text(text.replace(f"site_url: {SAMPLE_URL}", "site_url: [1, 2]"))
    write_paper(paths, paper("2603.00101", "2026-03-06"))
    with pytest.raises(ConfigError, match=r"mkdocs\.yml: MkDocs cannot load it:\n.*site_url"):
        generate(paths)
    assert not (paths.docs / "papers").exists()  # nothing was generated

    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "build"])
    assert result.exit_code == 1
    assert "mkdocs.yml: MkDocs cannot load it" in result.output
    assert "Traceback" not in result.output


HEAVY = ("httpx", "jinja2", "mkdocs")
COMMANDS = ("fetch", "build", "serve", "update", "enrich", "validate", "annotate")


def test_help_imports_no_http_client_template_engine_or_mkdocs():
    script = (
        "import sys\n"
        "from generator.cli import main\n"
        f"for args in [[], *[[c] for c in {COMMANDS!r}]]:\n"
        "    sys.argv = ['paper-archive', *args, '--help']\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "Usage: paper-archive" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "[]", result.stdout[-300:]
