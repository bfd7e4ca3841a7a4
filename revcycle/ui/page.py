"""What every page does the same way: the frame (page config, navigation, the shared filters,
the freshness banner, the error guard), its heading, the period line and the empty state."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from revcycle import audit, colors, deal_gaps, filter_values, lead_gaps, settings
from revcycle.agreements.sample import SAMPLE_AGREEMENT_LINE
from revcycle.db import QueryError
from revcycle.health import DatabaseInUse, DatabaseUnusable
from revcycle.ui import access, agreements, data, filters, format
from revcycle.ui.data import one_data_version, run
from revcycle.ui.filters import Filters

log = logging.getLogger("revcycle")


class PageLink(NamedTuple):
    path: str  # relative to dashboard.py, as st.page_link wants it
    label: str
    icon: str


# The sidebar's navigation, in the order people know. Streamlit's own list is turned off
# (client.showSidebarNavigation) because its links cannot carry the filters.
NAVIGATION = (
    PageLink("pages/this_week.py", "This week", ":material/event_upcoming:"),
    PageLink("dashboard.py", "Overview", ":material/cycle:"),
    PageLink("pages/conversion.py", "Conversion by source", ":material/filter_alt:"),
    PageLink("pages/follow_up.py", "Follow-up speed", ":material/timer:"),
    PageLink("pages/revenue.py", "Revenue by channel", ":material/euro:"),
    PageLink("pages/attribution.py", "Attribution", ":material/call_split:"),
    PageLink("pages/upload.py", "Upload exports", ":material/upload:"),
    PageLink("pages/agreements.py", "Agreements", ":material/handshake:"),
)

COVERAGE_LINK = PageLink("pages/upload.py", "See data coverage", ":material/table_chart:")
EMPTY_STATE = "No leads or deals match these filters. Widen the period or clear a filter."
# Nothing to show because no leads or deals export is loaded at all: the filters are not why.
NOTHING_LOADED = (
    "No leads or deals export is loaded, so there is nothing to count here yet: load one on "
    "the Upload page."
)
LOW_VOLUME_LEADS = 30  # below this many leads a rate is shown, but flagged as shaky


# Names a heading gives of one filter; more are counted, as the sidebar lists them all (nine
# channels took three lines of the heading at 1280 px, pushing the tiles off a shared screen).
NAMED_IN_HEADING = 3


def describe(filters: Filters) -> str:
    """What the filters show, as a heading names it: "Paid search, Events · last 12 weeks"."""
    channels = filters.channels
    parts = [audit.named(channels, NAMED_IN_HEADING, "channel") if channels else "all channels"]
    for name, chosen in (("owner", filters.owners), ("segment", filters.segments)):
        if chosen:
            named = audit.named(chosen, NAMED_IN_HEADING, name)
            parts.append(f"{name}{'s' if len(chosen) > 1 else ''} {named}")
    return "; ".join(parts) + " · " + filters.period_label


def heading(title: str, filters: Filters, note: str = "") -> None:
    """The page's title, naming the view it shows, and the period's dates under it."""
    # Channel, owner and segment names come from uploads: shown as text, never Markdown.
    st.title(f"{title} — {format.plain(describe(filters))}", anchor=False)
    st.caption(f"{filters.start_date:%d %b %Y} – {filters.end_date:%d %b %Y}. {note}".strip())


def channel_colors() -> dict[str, str]:
    """Every channel in the data with its colour, in legend order: the same on every chart,
    a channel only touches have (attribution's) included."""
    return colors.assign([*filter_values.offered(run)["channel"], "(all channels)"])


def left_out(count, rows: tuple[str, str], left_out_of: str) -> None:
    """Say how many rows a duration left out because their dates are impossible, e.g.
    ``rows=("deal closed before it was created", "deals closed before they were created")``."""
    if pd.isna(count) or int(count) == 0:
        return
    count = int(count)
    singular, plural = rows
    verb = "is" if count == 1 else "are"
    st.caption(
        f"{count:,} {singular if count == 1 else plural} {verb} left out of {left_out_of}: "
        "an end before its start is a date error in the export, not a duration.",
    )


def undated_wins_note(params: dict, has_won_tiles: bool = True) -> None:
    """Say how many won deals have no close date: no period holds them, so their revenue is
    on no tile, and a reader must not take the total for the deals file's; with
    ``has_won_tiles``, why a period's won tiles may read "–"."""
    scope = {key: params[key] for key in ("channels", "owners", "segments")}
    if sentence := deal_gaps.undated_wins(run, scope):
        st.caption(f"{sentence}. {deal_gaps.UNKNOWN_WINS if has_won_tiles else ''}".strip())


SAMPLE_LINE = (
    "This is the bundled sample data, not yours: the first export you load replaces all of it."
)


# What cannot be measured while no export of a kind is loaded at all, said above every page
# (a number it would give is "–", never 0), and the icon it is said with.
NOT_LOADED = {
    "leads": (
        "No leads export is loaded, so leads, MQLs, SQLs and follow-up cannot be measured. "
        "Load one on the Upload page (HubSpot contacts, Salesforce leads, Pipedrive leads or "
        "any spreadsheet of leads).",
        ":material/person_off:",
    ),
    "deals": (
        "No deals export is loaded, so revenue cannot be measured, nor which leads became "
        "opportunities or customers. Load one on the Upload page (HubSpot deals, Salesforce "
        "opportunities, Pipedrive deals or any spreadsheet of deals).",
        ":material/handshake:",
    ),
    # Said only when some deal is loaded: without any, the line above says enough.
    "deal_outcomes": (
        "The deals loaded have no stage, won or closed value, so no deal is known to be won, "
        "lost or open: won deals, won revenue, win rate and open pipeline cannot be measured. "
        "Load a deals export with its stage column (HubSpot's Deal Stage, Salesforce's Stage, "
        "Pipedrive's Status), or map that column to stage on the Upload page.",
        ":material/help:",
    ),
}


def not_loaded(row: pd.Series) -> list[str]:
    """The kinds of NOT_LOADED that data_freshness's ``row`` says are missing."""
    missing = [kind for kind in NOT_LOADED if not row[f"has_{kind}"]]
    return [kind for kind in missing if kind != "deal_outcomes" or row["has_deals"]]


def loaded_instant(loaded_at) -> datetime:
    """When an export was last loaded (data_freshness's loaded_at), stamped as a wall time of
    the data's time zone (settings.wall_clock_now), as the instant it was there: the time since
    then counts as it passed across a night the clocks change. A stamp in the hour the clocks
    repeat reads as its first pass (zoneinfo's fold 0): the stamp cannot say which it was."""
    return pd.Timestamp(loaded_at).to_pydatetime().replace(tzinfo=ZoneInfo(settings.timezone()))


def freshness_banner() -> None:
    """How fresh the data is, on every page, so nobody argues over last month's export; and,
    above the page, one line while the sample is loaded and one for each kind of export not
    loaded at all."""
    row = run("metrics/data_freshness").iloc[0]
    if row["is_sample"]:
        st.info(SAMPLE_LINE, icon=":material/science:")
    elif data.sample_agreement_judges():
        st.info(SAMPLE_AGREEMENT_LINE, icon=":material/handshake:")
    for kind in not_loaded(row):
        st.info(NOT_LOADED[kind][0], icon=NOT_LOADED[kind][1])
    if pd.isna(row["last_lead_date"]):
        return
    st.sidebar.info(
        f"Leads up to {pd.Timestamp(row['last_lead_date']):%d %b %Y}, loaded "
        f"{format.ago(loaded_instant(row['loaded_at']))}.",
        icon=":material/update:",
    )
    missing = int(row["count_leads_missing_a_date_column"])
    if missing:
        who = "lead comes from a file" if missing == 1 else "leads come from files"
        st.sidebar.warning(
            f"{missing:,} {who} with no column for a date the pages measure "
            "(first contact, MQL or SQL).",
            icon=":material/event_busy:",
        )
        _link(COVERAGE_LINK, filters.in_url())


# Which measured date each count of leads_without_date_columns lacks, as a sentence names it.
UNMEASURABLE = (
    ("count_without_contact_column", "Follow-up speed", "first-contact"),
    ("count_without_mql_column", "MQL", "MQL date"),
    ("count_without_sql_column", "SQL", "SQL date"),
)


def unmeasurable_note(params: dict) -> None:
    """Say, for the leads in view, what their uploads cannot tell (no column for a date):
    those leads count neither as hits nor as misses, so the reader must know how many; and how
    many reached MQL or SQL on no known day, which the period's counts leave out."""
    row = run("metrics/leads_without_date_columns", **params).iloc[0]
    for column, what, date in UNMEASURABLE:
        if row[column]:
            with_stage = row.get(f"{column}_with_stage", 0)
            staged = (
                f" For {int(with_stage):,} of them a lifecycle stage says whether they got "
                "there: cohorts count those, with the date unknown."
                if with_stage
                else ""
            )
            st.caption(
                f"{what} cannot be measured for {int(row[column]):,} of "
                f"{int(row['count_leads']):,} leads: their upload has no {date} column.{staged}"
            )
    if unknown := int(row["count_contact_time_unknown"]):
        st.caption(lead_gaps.contact_time_unknown(unknown, row["count_leads"]))
    for stage in ("MQL", "SQL"):
        if undated := int(row[f"count_reached_{stage.lower()}_without_date"]):
            st.caption(lead_gaps.reached_without_date(stage, undated, row["count_leads"], "period"))


def deals_without_outcome_note(revenue: pd.DataFrame) -> None:
    """Say how many of the period's deals created (revenue_by_channel's total row) have no
    stage, won or closed value: they are opportunities, but counted as none of won, lost and
    open, so the revenue and pipeline tiles leave them out. When no deal has one, the banner
    above the page has said so already."""
    total = revenue[revenue["is_total"]]
    if total.empty or pd.isna(total.iloc[0]["count_closed_deals"]):
        return
    unknown, created = (
        int(total.iloc[0][column])
        for column in ("count_opportunities_without_outcome", "count_opportunities")
    )
    if unknown:
        st.caption(
            f"{unknown:,} of the {created:,} deals created in the period "
            f"{'has' if unknown == 1 else 'have'} no stage, won or closed value in the export, "
            f"so {'it counts' if unknown == 1 else 'they count'} as "
            f"{'an opportunity' if unknown == 1 else 'opportunities'} but not as won, lost or "
            "open pipeline."
        )


def deals_without_amount_note(revenue: pd.DataFrame) -> None:
    """Say what the won revenue and the open pipeline (revenue_by_channel's total row) leave
    out because some of the period's won or open deals have no amount in the export."""
    total = revenue[revenue["is_total"]]
    if total.empty:
        return
    for sentence in deal_gaps.unpriced_in_period(total.iloc[0]):
        st.caption(sentence)


class PageEnds(Exception):
    """The page has nothing more to draw: the frame says ``text`` (an info box; nothing when
    None, the reason being said above already) and the page ends; the frame still says what
    the link changed, which st.stop() would prevent (after it Streamlit refuses every write)."""

    def __init__(self, text: str | None, icon: str | None = None):
        super().__init__(text)
        self.text, self.icon = text, icon


def end(text: str, icon: str) -> None:
    """End the page with one plain sentence of ours (no uploaded text: it is Markdown)."""
    raise PageEnds(text, icon)


def end_unless_loaded(*kinds: str) -> None:
    """End the page when any of ``kinds`` (of NOT_LOADED) is missing and the page has nothing
    to draw without it: the banner above says so, and its empty tables are no match for the
    filters, so nobody is told to widen them."""
    if not is_loaded(*kinds):
        raise PageEnds(None)


def is_loaded(*kinds: str) -> bool:
    """Whether every one of ``kinds`` (of NOT_LOADED) is loaded."""
    return not set(kinds) & set(not_loaded(run("metrics/data_freshness").iloc[0]))


def stop_if_empty(frame: pd.DataFrame) -> None:
    """Say plainly that nothing matches, instead of drawing empty charts."""
    if frame.empty:
        if not (is_loaded("leads") or is_loaded("deals")):
            end(NOTHING_LOADED, ":material/upload_file:")
        end(EMPTY_STATE, ":material/filter_alt_off:")


FOLLOWS_LEADS = (
    "This page follows leads and deals by their source, so it has nothing to show for {it}. "
    "{Its} share of the revenue is on Attribution, and {its} cost against what {they} brought "
    "back on Revenue by channel."
)


def end_if_no_lead_source(filters: Filters, then: str = FOLLOWS_LEADS, draw=None) -> None:
    """On a page that follows leads and deals by their source: when every chosen channel is
    one no lead or deal has (a touch's or spend's alone), say so (``then``: what the page does
    about it, its {it} and {its} the channels') and end, after ``draw`` draws what the page
    has for them; never zeros, nor "nothing matches" as if the period were to blame. When
    some chosen channels are such, say the page shows the others'."""
    if not filters.not_lead_sources:
        return
    words = filter_values.channel_words(tuple(map(format.plain, filters.not_lead_sources)))
    said = filter_values.NOT_LEAD_SOURCES
    if not filters.chooses_no_lead_source:
        st.caption(f"{said} {filter_values.OTHERS_SHOWN}".format(**words))
        return
    st.info(f"{said} {then}".format(**words), icon=":material/alt_route:")
    if draw is not None:
        draw()
    raise PageEnds(None)


def end_if_no_leads(filters: Filters) -> None:
    """On a page that follows leads alone (follow-up): when no lead has any chosen channel,
    as "(no lead)", whose rows are deals that match no lead, say so and end, rather than tell
    the person to widen a period that holds no lead for it either."""
    if not filters.chooses_no_leads or filters.chooses_no_lead_source:  # that one says why
        return
    words = filter_values.channel_words(tuple(map(format.plain, filters.without_leads)))
    said = (
        "No lead has {listed} as its channel, so this page, which follows leads up, has "
        "nothing to show for {it}. {Its} deals are on the Overview and Revenue by channel."
    )
    end(said.format(**words), ":material/person_off:")


def _navigation_links() -> None:
    """The links to every page, carrying the filters in their URLs."""
    carried = filters.in_url()
    for link in NAVIGATION:
        _link(link, carried, st)


def _link(link: PageLink, carried: dict | None = None, where=st.sidebar) -> None:
    try:
        where.page_link(link.path, label=link.label, icon=link.icon, query_params=carried)
    except StreamlitPageNotFoundError:
        # A page file run on its own (AppTest opens one so) knows no other page.
        # tests/test_conventions.py checks that every link names a page file.
        return


@contextmanager
def frame(title: str) -> Iterator[Filters]:
    """Draw what every page shares and yield the filters; the page draws itself inside.

    Each page file opens with ``with page.frame(...) as filters:``, so a page opened by its
    own URL on a fresh server has everything the others have. A failure anywhere shows one
    sentence; the traceback goes to the server log, never to the person.
    """
    st.set_page_config(page_title=f"{title} · Revcycle", page_icon="📈", layout="wide")
    tighten_top_margin()
    notice, drawn = None, False
    try:
        with one_data_version():
            navigation = st.sidebar.container()
            chosen, notice = filters.sidebar(title)
            with navigation:
                _navigation_links()
            freshness_banner()
            access.sign_in_controls()
            drawn = True
            yield chosen
    except PageEnds as ending:
        if ending.text is not None:
            st.info(ending.text, icon=ending.icon)
    except QueryError as error:
        log.exception("query failed")
        st.error(f"{error} The details are in the server log.")
    # REVCYCLE_DB names a folder or a file of another kind, or another process holds it.
    except (DatabaseUnusable, DatabaseInUse) as error:
        st.error(format.plain(str(error)))
    except Exception:  # no traceback reaches a person; the log keeps it
        log.exception("page failed")
        st.error("Something went wrong while drawing this page. The details are in the server log.")
    finally:
        # Last: the page's own choices (filters.linked_choice) have read the link now. A page
        # that ended early (an error, an empty view) ends by its exception, not st.stop(),
        # after which Streamlit refuses every write, this line too.
        if notice is not None:
            notice.say()
    if not drawn:  # the frame itself failed: the page's own part must not run
        st.stop()


class Agreed(NamedTuple):
    """The agreement version in force at the period's end (None while none is saved), for the
    tiles of a page that measures against it."""

    in_force: pd.Series | None


def tiles(numbers: list[tuple], agreed: Agreed | None = None) -> None:
    """Big numbers in a row, each as (label, shown value, one-line definition), optionally
    followed by the change against the previous period, whether lower is better, and a line
    against the target with its own help. With ``agreed``, each tile's help on hover gives its
    definition and the definition agreed in force ("MQL, as agreed on …")."""
    for column, (label, value, definition, *change) in zip(
        st.columns(len(numbers)), numbers, strict=True
    ):
        delta, lower_is_better, target = (change + [None, False, None])[:3]
        hover = agreed and agreements.definition_help(label, definition, agreed.in_force)
        with column, st.container(border=True, height="stretch"):
            st.metric(
                label,
                value,
                delta=delta,
                delta_color="inverse" if lower_is_better else "normal",
                help=hover,
            )
            if target is not None:
                st.caption(target[0], help=target[1])
            st.caption(definition)


# Streamlit's badge colours for the agreement's status colours.
BADGE = {"green": "green", "amber": "orange", "red": "red"}


def agreement_in_force(filters: Filters) -> Agreed:
    """The agreement version in force on the period's last day."""
    return Agreed(agreement_in_force_on(filters.end_date))


def agreement_in_force_on(day) -> pd.Series | None:
    """The agreement version in force on ``day`` (None while none is saved)."""
    rows = run("metrics/agreement_in_force", end_date=day)
    return None if rows.empty else rows.iloc[0]


def targets_in_view(filters: Filters) -> pd.DataFrame:
    """Every target of the period, prorated by working days (see targets_in_period.sql)."""
    return run(
        "metrics/targets_in_period",
        start_date=filters.start_date,
        end_date=filters.end_date,
        channels=filters.channels,
    )


def against_target(actual, target, shown_target: str, in_force) -> tuple[str, str] | None:
    """A tile's line under its number: "🟢 104% of target · target 1,234", and on hover what
    the colours mean; None where no target is set, so no status is ever made up."""
    found = agreements.status(actual, target, in_force)
    if in_force is None or pd.isna(target):
        return None
    badge = "" if found is None else f":{BADGE[found.colour]}-badge[{found.words()}] "
    return f"{badge}target {format.plain(shown_target)}", agreements.status_help(in_force)


MAIN = ".block-container, [data-testid='stMainBlockContainer']"
TILE = "[data-testid='stMetric']"
CHIP = "[data-testid='stSidebar'] [data-testid='stMultiSelectTagsContainer'] [data-tag]"


def tighten_top_margin() -> None:
    """Less blank space above the title and, on a laptop screen, at the sides, and tile values
    that size to their tile, so the numbers and every table column fit a shared screen
    (1280 × 720 with the sidebar open); a heading that names the filters stays on one line
    where it can; the sidebar's chosen values are shown whole."""
    st.html(
        f"<style>{MAIN} {{padding-top: 2.5rem;}}"
        f"{MAIN} h1 {{font-size: 2rem;}}"
        f"@media (max-width: 1440px) {{{MAIN} {{padding-left: 1.5rem; padding-right: 1.5rem;}}}}"
        # A tile's value shrinks with its tile (cqi: a hundredth of the tile's width) so
        # "€2,466,215.73" fits a quarter of a laptop screen, not "€2,466,…": about 5.3 em
        # (Source Sans digits are about 0.45 em wide, its commas and point a quarter), 85% of
        # the tile at 16cqi; a longer one wraps, never cut off.
        f"{TILE} {{container-type: inline-size;}}"
        f"{TILE} [data-testid='stMetricValue'] {{font-size: min(2.25rem, 16cqi);}}"
        f"{TILE} [data-testid='stMetricValue'] * {{white-space: normal; overflow-wrap: anywhere;}}"
        # A chosen filter value wraps in its chip rather than end in "…": "Paid social (not a
        # lead source)" is read whole from across the room.
        f"{CHIP}, {CHIP} > span {{height: auto; white-space: normal; overflow-wrap: anywhere;}}"
        "</style>"
    )
