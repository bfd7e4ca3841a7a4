"""An injection corpus: names that are Markdown, HTML or Plotly markup, loaded through the real
importer as channels, owners, segments, campaigns, companies, a currency and file names.

Every link and image in it points at ``127.0.0.1:<port>``, where a test can listen: a request
there means a name was rendered instead of shown as text.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from revcycle.build import build
from revcycle.db import connect
from revcycle.importer import channels
from revcycle.ui.format import WORD_JOINER

# Each one is Markdown or HTML that would draw a link or an image, or text that a renderer cuts
# or restyles: "a=b=c" was a facet title cut at "=", "$x$" maths, ":red[x]" coloured text.
TEMPLATES = (
    "![x](http://127.0.0.1:{port}/img)",
    "[click](http://127.0.0.1:{port}/l)",
    "<img src=http://127.0.0.1:{port}/h>",
    '<a href="http://127.0.0.1:{port}/a">x</a>',
    "a=b=c",
    "**bold**",
    "$x$",
    ":red[x]",
)
# Uppercased by staging, as currency codes are; an image all the same. The importer refuses
# it now (a currency is a three-letter code), but a database loaded before it did still holds
# such text: build_database writes it into the loaded deals, as that database would.
CURRENCY_TEMPLATE = "<img src=http://127.0.0.1:{port}/cur>"
LEADS_PER_NAME = 3


@dataclass(frozen=True)
class Corpus:
    names: list[str]  # each one is a channel, an owner, a segment, a campaign and a company
    currency: str  # as the pages show it (uppercased)
    file_names: list[str]  # the leads and the deals file, as the upload history names them


def names(port: int) -> list[str]:
    return [template.format(port=port) for template in TEMPLATES]


def _file_name(name: str) -> str:
    # A file name cannot hold "/": a backslash instead, which a browser reads as "/" in a URL.
    return name.replace("/", "\\")


def _rows(corpus: list[str], currency: str) -> tuple[list[dict], list[dict]]:
    """Three leads per name (created, MQL and contacted in October 2026) and a won deal for
    the first of them in November, so every page draws each name: in charts, tables and
    headings, and in cohorts old enough to count."""
    leads, deals = [], []
    for number, name in enumerate(corpus):
        for lead in range(LEADS_PER_NAME):
            day = 5 + lead
            leads.append(
                {
                    "lead_id": f"L{number}-{lead}",
                    "created_at": f"2026-10-{day:02d} 09:00",
                    "channel": f"source {chr(ord('a') + number)}",  # mapped to ``name`` below
                    "campaign": name,
                    "owner": name,
                    "segment": name,
                    "company": name,
                    "email": f"lead{number}-{lead}@example.com",
                    "mql_at": f"2026-10-{day:02d} 12:00",
                    "first_contacted_at": f"2026-10-{day:02d} 15:00" if lead else "",
                }
            )
        deals.append(
            {
                "deal_id": f"D{number}",
                "lead_id": f"L{number}-0",
                "created_at": "2026-11-13 10:00",
                "stage": "Closed Won",
                "amount": f"{1000 * (number + 1)}.00",
                "currency": currency,
                "closed_at": "2026-11-14 10:00",
                "owner": name,
            }
        )
    return leads, deals


def build_database(path: Path, port: int, write_export: Callable[..., Path]) -> Corpus:
    """A database at ``path`` holding the corpus, loaded as a person would: export files through
    the importer, and a channel rule per name. The files are written beside it by
    ``write_export(path, kind, rows)`` (the tests' own, tests/conftest.py)."""
    corpus = names(port)
    currency = CURRENCY_TEMPLATE.format(port=port)
    leads, deals = _rows(corpus, "EUR")
    file_names = [_file_name(corpus[1]) + ".csv", _file_name(corpus[2]) + ".csv"]
    exports = {
        "leads": write_export(path.parent / file_names[0], "leads", leads),
        "deals": write_export(path.parent / file_names[1], "deals", deals),
    }
    con = connect(path)
    try:
        build(con, exports)
        con.execute("update upload_rows_deals set currency = ?", [currency])
        rules = [(lead["channel"], lead["owner"]) for lead in leads[::LEADS_PER_NAME]]
        # Saving the rules rebuilds the marts, which then hold the currency too.
        channels.replace_rules(con, channels.all_rules(con) + rules, changed_by=corpus[0])
    finally:
        con.close()
    return Corpus(corpus, currency.upper(), file_names)


def unescaped(markdown: str) -> str:
    """What a reader sees of Markdown made plain by ``format.plain``: its punctuation escaped
    with a backslash, and an invisible word joiner in each would-be link."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown.replace(WORD_JOINER, ""))
