"""crawler.settings.scrapy_settings and trilha.config: pure, flags > env > file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.settings import scrapy_settings
from trilha.config import SETTINGS, Config, load_config
from trilha.errors import ConfigError


def test_scrapy_listeners_off_and_lean() -> None:
    s = scrapy_settings(Config())
    assert s["REMOTE_CONTROL_ENABLED"] is False
    assert s["TELNETCONSOLE_ENABLED"] is False
    assert s["CONCURRENT_ITEMS"] <= 8
    assert "trilha" in s["USER_AGENT"] and "https://" in s["USER_AGENT"]
    assert s["DOWNLOADER_MIDDLEWARES"]["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] is None
    mws = s["DOWNLOADER_MIDDLEWARES"]
    assert mws["crawler.middlewares.remap.RemapMiddleware"] < mws["crawler.middlewares.guard.AddressGuardMiddleware"]
    assert s["ROBOTSTXT_OBEY"] is False
    assert "ADDONS" not in s


def test_polite_hosts_and_overrides() -> None:
    s = scrapy_settings(Config())
    assert s["DOWNLOAD_SLOTS"]["export.arxiv.org"]["delay"] >= 3
    for host in ("arxiv.org", "github.com", "www.youtube.com", "www.kaggle.com"):
        assert host in s["DOWNLOAD_SLOTS"]


def test_redis_url_wires_the_distributed_addon() -> None:
    s = scrapy_settings(Config(redis_url="redis://127.0.0.1:6379/0"))
    assert s["ADDONS"] == {"crawler.addons.DistributedAddon": 100}


def test_precedence_flags_env_file_defaults(tmp_path: Path) -> None:
    (tmp_path / "trilha.toml").write_text(
        'timeout = 7\nretries = 4\nexclude = ["^https://skip"]\n[hosts."arxiv.org"]\nconcurrency = 1\ndelay = 5\n'
        'headers = { Accept = "text/html" }\naccept = [403]\n', encoding="utf-8")
    config = load_config({"timeout": 3.0}, env={"TRILHA_RETRIES": "1", "GITHUB_TOKEN": "tok"}, cwd=tmp_path)
    assert config.timeout == 3.0            # flag beats file
    assert config.retries == 1              # env beats file
    assert config.exclude == ("^https://skip",)
    assert config.github_token == "tok"
    assert config.host("arxiv.org").delay == 5
    assert config.host("arxiv.org").accept == (403,)
    assert scrapy_settings(config)["DOWNLOAD_SLOTS"]["arxiv.org"]["delay"] == 5
    assert load_config({}, env={}, cwd=tmp_path / "nowhere").timeout == 20.0


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.trilha]\nconcurrency = 3\n', encoding="utf-8")
    assert load_config({}, env={}, cwd=tmp_path).concurrency == 3


@pytest.mark.parametrize(("text", "key"), [("timeout = 'soon'", "timeout"), ("bogus = 1", "bogus"),
                                           ("exclude = ['(']", "exclude"), ("[hosts.x]\nspeed = 1", "hosts.x")])
def test_bad_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    (tmp_path / "trilha.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key):
        load_config({}, env={}, cwd=tmp_path)


def test_every_setting_has_help_and_a_config_field() -> None:
    fields = set(Config.__dataclass_fields__)
    for setting in SETTINGS:
        assert setting.help and setting.name in fields


def test_docs_name_every_verdict_and_setting() -> None:
    from trilha.model import Verdict

    text = (Path(__file__).resolve().parent.parent / "docs" / "verdicts.md").read_text(encoding="utf-8")
    for verdict in Verdict:
        assert f"| `{verdict.value}` |" in text, verdict
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in text, setting.name
