"""Watchlists: each criterion, the AND/OR rule, modality threshold, validation, supplier lists (no servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachlens.delivery.alerts import Watchlist, WatchlistError, load_supplier_list, match
from breachlens.records import Conflict, Evidence, Fact, Incident, MergedIncident

SRC = "news/veldra.txt"


def _ev(quote: str) -> tuple[Evidence, ...]:
    return (Evidence(SRC, quote, 0, len(quote)),)


def _fact(value: object, modality: str = "confirmed", as_written: str | None = None) -> Fact:
    return Fact(value, modality, _ev(f"quote for {value}"), as_written=as_written)


def _incident(victim: str = "Veldra Parts", **fields: object) -> MergedIncident:
    inc = Incident(victim=victim, field_evidence=(("victim", _ev(f"{victim} confirmed a breach")),), **fields)  # type: ignore[arg-type]
    return MergedIncident(id="veldra-parts-2025-06", incident=inc, sources=(SRC,), conflicts=())


@pytest.mark.parametrize(
    ("watch", "incident", "expected"),
    [
        # organisations: name, legal suffix, brand -> parent (curated), parent stated in the text, domain
        (Watchlist("w", orgs=("Veldra Parts Ltd",)), _incident(), ["organisation Veldra Parts"]),
        (Watchlist("w", orgs=("Kering",)), _incident("Gucci"), ["organisation Gucci, a brand of Kering"]),
        (Watchlist("w", orgs=("Harrowgate",)), _incident("Loomfield Outdoor", parent="Harrowgate Group"),
         ["organisation Loomfield Outdoor, a brand of Harrowgate Group"]),
        (Watchlist("w", domains=("https://www.veldra-parts.example/",)), _incident("veldra-parts.example"),
         ["organisation veldra-parts.example (watched as https://www.veldra-parts.example/)"]),
        (Watchlist("w", domains=("veldra.example",)), _incident("Veldra"), ["organisation Veldra (watched as veldra.example)"]),
        (Watchlist("w", orgs=("Pentacle Foods",)), _incident(), None),
        # actors: galaxy aliases, case/space/hyphen ignored
        (Watchlist("w", actors=("ShinyHunters",)),
         _incident(threat_actors=(_fact("ShinyHunters", as_written="Shiny Hunters"),)),
         ["actor ShinyHunters (written 'Shiny Hunters')"]),
        (Watchlist("w", actors=("Scattered Spider",)), _incident(threat_actors=(_fact("Octo Tempest"),)),
         ["actor Octo Tempest (watched as Scattered Spider)"]),
        (Watchlist("w", actors=("shiny-hunters",)), _incident(threat_actors=(_fact("ShinyHunters"),)),
         ["actor ShinyHunters"]),
        (Watchlist("w", actors=("Scattered Spider",)), _incident(threat_actors=(_fact("ShinyHunters"),)), None),
        # sector AND data AND records; modality threshold
        (Watchlist("w", sectors=("retail",), data_types=("payment_card",), min_records=10_000),
         _incident(sector="retail", data_exposed=(_fact("payment_card"),), records_affected=_fact(20_000)),
         ["sector retail", "data payment_card", "records 20,000"]),
        (Watchlist("w", sectors=("retail",), data_types=("payment_card",), min_records=10_000),
         _incident(sector="retail", data_exposed=(_fact("payment_card"),), records_affected=_fact(9_999)), None),
        (Watchlist("w", data_types=("email",), min_modality="confirmed"),
         _incident(data_exposed=(_fact("email", "reported"),)), None),
        (Watchlist("w", data_types=("email",), min_modality="reported"),
         _incident(data_exposed=(_fact("email", "reported"),)), ["data email"]),
        (Watchlist("w", min_records=1), _incident(), None),
        (Watchlist("w", countries=("gb",)), _incident(victim_country="GB"), ["country GB"]),
    ],
)
def test_alerts_watchlists_match(watch: Watchlist, incident: MergedIncident, expected: list[str] | None) -> None:
    reasons = match(watch, incident)
    assert (None if reasons is None else [f"{r.criterion} {r.value}" for r in reasons]) == expected


def test_alerts_watchlists_match_cites_evidence() -> None:
    incident = _incident(threat_actors=(_fact("ShinyHunters", as_written="Shiny Hunters"),))
    (org,) = match(Watchlist("w", orgs=("Veldra Parts",)), incident) or ()
    (actor,) = match(Watchlist("w", actors=("ShinyHunters",)), incident) or ()
    assert org.evidence[0].quote == "Veldra Parts confirmed a breach"
    assert actor.evidence[0].quote == "quote for ShinyHunters"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, "watchlist w: give at least one criterion (org, domain, sector, country, actor, data type or minimum "
             "records)"),
        ({"sectors": ("fashion",)}, "watchlist w: unknown sector(s) fashion"),
        ({"data_types": ("emails",)}, "watchlist w: unknown data type(s) emails"),
        ({"countries": ("GBR",)}, "watchlist w: countries are ISO alpha-2 codes, got GBR"),
        ({"orgs": ("A",), "min_modality": "sure"},
         "watchlist w: unknown modality 'sure' (one of confirmed, reported, claimed, suspected)"),
    ],
)
def test_alerts_watchlists_refuse_unusable(kwargs: dict[str, object], error: str) -> None:
    with pytest.raises(WatchlistError) as info:
        Watchlist("w", **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == error


def test_alerts_watchlists_round_trip() -> None:
    wl = Watchlist("luxury", orgs=("Kering",), sectors=("luxury-fashion",), data_types=("payment_card",),
                   min_records=10_000, min_modality="confirmed")
    assert Watchlist.from_dict(wl.as_dict()) == wl


@pytest.mark.parametrize(
    ("text", "names", "domains"),
    [
        ("Veldra Parts\n# a comment\n\nHarrowgate Group\nVeldra Parts\n", ("Veldra Parts", "Harrowgate Group"), ()),
        ("Supplier,Domain,Owner\nVeldra Parts,veldra.example,ops\n\"Pentacle Foods, Ltd\",,finance\n",
         ("Veldra Parts", "Pentacle Foods, Ltd"), ("veldra.example",)),
        ("\ufeffname\nLoomfield Outdoor\n", ("Loomfield Outdoor",), ()),
    ],
)
def test_alerts_watchlists_supplier_list(tmp_path: Path, text: str, names: tuple[str, ...],
                                         domains: tuple[str, ...]) -> None:
    path = tmp_path / "suppliers.csv"
    path.write_text(text, encoding="utf-8")
    assert load_supplier_list(path) == (names, domains)


def test_alerts_watchlists_empty_supplier_list(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(WatchlistError) as info:
        load_supplier_list(path)
    assert str(info.value) == f"{path}: no organisation names in it"


def test_alerts_watchlists_conflict_is_not_a_criterion() -> None:
    incident = _incident()
    conflicted = MergedIncident(incident.id, incident.incident, incident.sources,
                                (Conflict("records_affected", ((1, (SRC,)), (2, ("b",)))),))
    assert match(Watchlist("w", orgs=("Veldra Parts",)), conflicted) is not None
