"""The command line through click's CliRunner: exit codes, exact error lines, JSON shapes, reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from breachlens.cli import cli

OUTLETS = Path(__file__).parent / "fixtures" / "outlets"
ARTICLE = OUTLETS / "f_other_victim_pellucid_water.txt"
CONTRACT_INCIDENT_KEYS = {
    "victim",
    "parent",
    "brands",
    "sector",
    "victim_country",
    "disclosure_date",
    "incident_date",
    "records_affected",
    "data_exposed",
    "data_not_exposed",
    "threat_actors",
    "campaigns",
    "initial_access",
    "ransom",
    "response_actions",
    "iocs",
}


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_cli_analyze_prints_the_contract(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", str(ARTICLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (doc,) = data["documents"]
    assert {"source", "title", "published", "incidents"} <= set(doc)
    (main,) = [i for i in doc["incidents"] if i["role"] == "main"]
    assert CONTRACT_INCIDENT_KEYS <= set(main)
    (incident,) = data["incidents"]
    assert {"id", "sources", "conflicts"} <= set(incident) and incident["sources"] == [str(ARTICLE)]
    for fact in main["data_exposed"]:
        for ev in fact["evidence"]:
            assert ARTICLE.read_text()[ev["start"] : ev["end"]] == ev["quote"]


def test_cli_analyze_markdown_report_cites_quotes_from_the_sources(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", str(OUTLETS), "--format", "md"])
    assert result.exit_code == 0, result.output
    sources = "\n".join(p.read_text() for p in OUTLETS.glob("*.txt"))
    quotes = re.findall(r'^- \[\d+\] "(.*)" — ', result.stdout, flags=re.MULTILINE)
    assert quotes, "the report cites nothing"
    for quote in quotes:
        assert quote in sources
    assert "# Incident report: Morrowind Energy" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("junk.txt", bytes(range(256)) * 8, "binary data"),
    ],
)
def test_cli_analyze_reports_bad_input_and_goes_on(
    runner: CliRunner, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    result = runner.invoke(cli, ["analyze", str(bad), str(ARTICLE), "--format", "json"])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}: ") and reason in line
    assert [d["source"] for d in json.loads(result.stdout)["documents"]] == [str(ARTICLE)]


def test_cli_analyze_missing_path(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(cli, ["analyze", str(missing), str(ARTICLE)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {missing}: no such file or directory"


def test_cli_analyze_size_limit(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", str(ARTICLE), "--max-bytes", "100"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {ARTICLE}: ") and "100-byte limit" in result.stderr


def test_cli_ingest_list_show_report_search(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    result = runner.invoke(cli, ["ingest", str(OUTLETS), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["new"], summary["failed"], summary["not_about_a_breach"], summary["incidents"]) == (
        6,
        0,
        1,
        3,
    )

    listed = json.loads(runner.invoke(cli, ["incidents", "--db", db, "--json"]).stdout)
    assert {i["id"] for i in listed} >= {"morrowind-energy-2025-09", "pellucid-water-2025-09"}
    water = json.loads(runner.invoke(cli, ["incidents", "--db", db, "--json", "--search", "Pellucid"]).stdout)
    assert [i["id"] for i in water] == ["pellucid-water-2025-09"]

    shown = runner.invoke(cli, ["show", "morrowind-energy-2025-09", "--db", db, "--json"])
    assert json.loads(shown.stdout)["conflicts"][0]["field"] == "records_affected"
    text = runner.invoke(cli, ["show", "morrowind-energy-2025-09", "--db", db]).stdout
    assert "Conflicts" in text and "records_affected" in text and "Timeline" in text

    report = runner.invoke(cli, ["report", "morrowind-energy-2025-09", "--db", db, "--format", "md"])
    assert report.exit_code == 0 and report.stdout.startswith("# Incident report: Morrowind Energy")

    hits = json.loads(runner.invoke(cli, ["search", "billing platform", "--db", db, "--json"]).stdout)
    assert {Path(h["source"]).name for h in hits} >= {"a_wirefeed_morrowind_energy.txt"}


def test_cli_show_unknown_incident(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    result = runner.invoke(cli, ["show", "no-such-incident", "--db", db])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"Error: no-such-incident: no such incident in {db} (see `breachlens incidents`)"
    )


def test_cli_bench_reports_ratios(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["bench", str(OUTLETS), "--no-resolve", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["documents"] == 6
    assert (
        figures["ratio_to_spacy"] > 0 and figures["single_doc_ms_p95"] >= figures["single_doc_ms_median"]
    )


from web_server import LocalServer, server  # noqa: E402,F401 - `server` is a fixture

PAGE = (
    "<html><head><title>Ledger Daily: Pellucid Water breach</title></head><body><article><h1>Pellucid Water breach</h1>"
    "<p>Pellucid Water said on 8 September 2025 that an attacker used stolen credentials to reach its customer "
    "portal and copied the names and phone numbers of 12,500 customers.</p>"
    "<p>The utility has informed affected customers and the regulator.</p></article></body></html>"
)


def test_cli_analyze_url_needs_allow_private_for_a_local_address(runner: CliRunner, server: LocalServer) -> None:
    server.route("/news/water.html", PAGE, content_type="text/html; charset=utf-8")
    url = server.url("/news/water.html")
    refused = runner.invoke(cli, ["analyze", url])
    assert refused.exit_code == 1 and refused.stderr.startswith(f"error: {url}: refused: 127.0.0.1 is a loopback")
    allowed = runner.invoke(cli, ["analyze", url, "--allow-private", "--format", "json"])
    assert allowed.exit_code == 0, allowed.stderr
    (doc,) = json.loads(allowed.stdout)["documents"]
    assert doc["source"] == url and doc["incidents"][0]["victim"] == "Pellucid Water"


def test_cli_watch_once_ingests_a_feed(runner: CliRunner, server: LocalServer, tmp_path: Path) -> None:
    server.route("/news/water.html", PAGE, content_type="text/html; charset=utf-8")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title><link>{base}</link>'
        "<item><title>Pellucid Water breach</title><link>{base}/news/water.html</link></item></channel></rss>"
    ).format(base=server.url(""))
    server.route("/feed.xml", feed, content_type="application/rss+xml")
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# our feeds\n{server.url('/feed.xml')}\n")
    db = str(tmp_path / "watch.db")
    result = runner.invoke(cli, ["watch", str(feeds), "--db", db, "--once", "--allow-private", "--every", "1s"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(cli, ["incidents", "--db", db, "--json"]).stdout)
    assert [i["victim"] for i in listed] == ["Pellucid Water"]


@pytest.mark.parametrize("fmt", ["stix", "misp", "veris"])
def test_cli_report_exports_a_stored_incident(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    db = str(tmp_path / "x.db")
    assert runner.invoke(cli, ["ingest", str(OUTLETS), "--db", db, "-q"]).exit_code == 0
    result = runner.invoke(cli, ["report", "pellucid-water-2025-09", "--db", db, "--format", fmt])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Pellucid Water" in text
    json.loads(text)
    again = runner.invoke(cli, ["report", "pellucid-water-2025-09", "--db", db, "--format", fmt]).stdout
    assert again == text  # deterministic: a re-export updates objects in a platform instead of duplicating them


def test_cli_export_navigator_layer_over_stored_incidents(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "nav.db")
    assert runner.invoke(cli, ["ingest", str(OUTLETS), "--db", db, "-q"]).exit_code == 0
    result = runner.invoke(cli, ["export", "--db", db, "--format", "navigator", "--since", "2025"])
    assert result.exit_code == 0, result.output
    layer = json.loads(result.stdout)
    scored = {t["techniqueID"]: t for t in layer["techniques"]}
    assert "T1078" in scored and "pellucid-water-2025-09" in scored["T1078"]["comment"]


def test_cli_ingest_raises_watchlist_alerts_once(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "alerts.db")
    added = runner.invoke(cli, ["watchlist", "add", "utilities", "--db", db, "--org", "Pellucid Water"])
    assert added.exit_code == 0, added.output
    first = runner.invoke(cli, ["ingest", str(OUTLETS), "--db", db, "-q"])
    assert first.exit_code == 0, first.output
    listed = json.loads(runner.invoke(cli, ["alerts", "--db", db, "--json"]).stdout)
    assert [a["incident_id"] for a in listed] == ["pellucid-water-2025-09"]
    again = runner.invoke(cli, ["ingest", str(OUTLETS), "--db", db, "-q"])
    assert again.exit_code == 0
    assert len(json.loads(runner.invoke(cli, ["alerts", "--db", db, "--json"]).stdout)) == 1


def test_cli_ingest_with_workers_stores_what_a_serial_run_stores(runner: CliRunner, tmp_path: Path) -> None:
    stored = []
    for workers in ("1", "2"):
        db = str(tmp_path / f"w{workers}.db")
        result = runner.invoke(cli, ["ingest", str(OUTLETS), "--db", db, "--workers", workers, "-q"])
        assert result.exit_code == 0, result.output
        stored.append(runner.invoke(cli, ["incidents", "--db", db, "--json"]).stdout)
    assert stored[0] == stored[1]


def test_issue15_incidents_table_shows_the_date_since_filters_on(runner: CliRunner, tmp_path: Path) -> None:
    """An incident dated only by its source's publication: `incidents` lists it under --since and shows that date
    (the store's first date, the one the web filters and sorts on too), not "-"."""
    from breachlens.store import open_store
    from store_helpers import make_document, make_incident

    db = str(tmp_path / "dates.db")
    with open_store(db) as store:
        store.add_documents([make_document("a.html", "Acme breach notice", "Acme", published="2025-06-10")])
        store.replace_incidents([make_incident("acme", "Acme", ("a.html",), disclosure_date=None)])
    listed = runner.invoke(cli, ["incidents", "--db", db, "--since", "2025-06"])
    assert listed.exit_code == 0, listed.output
    (row,) = [line for line in listed.stdout.splitlines() if "acme" in line]
    assert "2025-06-10" in row
    later = runner.invoke(cli, ["incidents", "--db", db, "--since", "2025-07"])
    assert later.exit_code == 0 and "acme" not in later.stdout
