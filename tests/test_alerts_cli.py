"""The watchlist group and the alerts command through CliRunner; notifier specs and config (no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from breachlens.delivery.alerts import AlertRun, NotifyConfig, NotifyError, notifiers_from_specs
from breachlens.delivery.alerts.cli import alerts, watchlist
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import open_store

ARTICLES = Path(__file__).parent / "fixtures" / "alerts"


@click.group()
def main() -> None:
    """The two commands as the main CLI registers them."""


main.add_command(watchlist)
main.add_command(alerts)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_alerts_cli_watchlist_add_list_remove(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text("name,domain\nVeldra Parts,veldra.example\nPentacle Foods,\n", encoding="utf-8")
    code, out, _ = _run("watchlist", "add", "vendors", "--db", db, "--org", "Harrowgate Group", "--org-file",
                        str(suppliers), "--min-modality", "confirmed")
    assert (code, out) == (0, "watchlist vendors: orgs: Harrowgate Group, Veldra Parts, Pentacle Foods; "
                              "domains: veldra.example; only confirmed facts or stronger\n")
    code, out, _ = _run("watchlist", "list", "--db", db, "--json")
    assert code == 0 and json.loads(out)[0]["orgs"] == ["Harrowgate Group", "Veldra Parts", "Pentacle Foods"]
    assert _run("watchlist", "remove", "vendors", "--db", db)[:2] == (0, "removed watchlist vendors\n")
    assert _run("watchlist", "remove", "vendors", "--db", db) == (1, "", f"Error: vendors: no such watchlist in {db}\n")


def test_alerts_cli_watchlist_refuses_bad_criteria(tmp_path: Path) -> None:
    code, _, err = _run("watchlist", "add", "lux", "--db", str(tmp_path / "w.db"), "--sector", "fashion")
    assert (code, err) == (1, "Error: watchlist lux: unknown sector(s) fashion\n")


def test_alerts_cli_alerts_lists_newest_first_and_pending(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert _run("watchlist", "add", "vendors", "--db", db, "--org", "Veldra Parts")[0] == 0
    settings = Settings.load()
    down = notifiers_from_specs(["webhook:http://127.0.0.1:9/hook"])  # port 9 (discard): nothing listens
    with open_store(db) as store:
        for day, name in ((1, "a_first_report_veldra_parts.txt"), (2, "b_revision_veldra_parts.txt")):
            run = AlertRun(store, settings, down)
            ingest_sources([str(ARTICLES / name)], store, settings)
            run.after(datetime(2025, 6, day, tzinfo=UTC))
    code, out, _ = _run("alerts", "--db", db, "--pending", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(a["created_at"], a["kind"], a["pending"]) for a in listed] == [
        ("2025-06-02T00:00:00+00:00", "update", True), ("2025-06-01T00:00:00+00:00", "first_match", True)]
    assert [a["kind"] for a in json.loads(_run("alerts", "--db", db, "--since", "2025-06-02", "--json")[1])] == [
        "update"]
    code, out, _ = _run("alerts", "--db", db)
    assert code == 0 and out.splitlines()[0].endswith("(pending)")
    code, _, err = _run("alerts", "--db", db, "--deliver", "--notify", "webhook:http://127.0.0.1:9/hook")
    lines = err.splitlines()  # the receiver is down: the first try fails and the channel waits for the next pass
    assert code == 0 and "0 delivered, 1 failed, 2 pending" in lines
    assert [ln for ln in lines if ln.startswith("error: ")] == [
        "error: webhook:http://127.0.0.1:9#a94bb7e8: ConnectError: [Errno 111] Connection refused"]


@pytest.mark.parametrize(
    ("spec", "channel", "digest"),
    [
        ("webhook:https://hooks.example/T0/B0/secret-token", "webhook:https://hooks.example#", False),
        ("digest:email:soc@example.org,ciso@example.org", "digest:email:soc@example.org,ciso@example.org", True),
    ],
)
def test_alerts_cli_notify_specs(spec: str, channel: str, digest: bool) -> None:
    (notifier,) = notifiers_from_specs([spec])
    assert notifier.channel.startswith(channel) and notifier.digest is digest
    assert "secret-token" not in notifier.channel


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("slack:#soc", "slack:#soc: expected webhook:URL or email:ADDRESS (optionally prefixed by digest:)"),
        ("email:soc", "email:soc: expected email:ADDRESS[,ADDRESS...]"),
        ("webhook:ftp://x/secret", "webhook: expected an http(s) URL, got 'ftp://x/…'"),
    ],
)
def test_alerts_cli_notify_specs_refused(spec: str, error: str) -> None:
    with pytest.raises(NotifyError) as info:
        notifiers_from_specs([spec])
    assert str(info.value) == error


def test_alerts_cli_notify_config_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "notify.toml"
    path.write_text('[smtp]\nhost = "mail.example.org"\nport = 587\nusername = "file-user"\npassword = "file-pw"\n'
                    '[webhook]\nsecret = "file-secret"\n', encoding="utf-8")
    env = {"BREACHLENS_SMTP_USER": "env-user", "BREACHLENS_SMTP_PASSWORD": "env-pw"}
    config = NotifyConfig.load(path, env)
    assert (config.smtp.host, config.smtp.port, config.smtp.username, config.smtp.password) == (
        "mail.example.org", 587, "env-user", "env-pw")
    assert config.webhook_secret == "file-secret"
    assert "env-pw" not in repr(config) and "file-secret" not in repr(config) and "env-user" not in repr(config)
