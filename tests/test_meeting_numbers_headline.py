"""The meeting's headline: fixed rules over the week's numbers, each sentence naming the
section that backs it. The inputs are small frames written by hand in the shapes the numbers
module returns."""

from typing import NamedTuple

import pandas as pd
import pytest

from revcycle.meeting import headline, shown
from revcycle.meeting.headline import NO_LEAK, SECTIONS, Sentence
from revcycle.meeting.numbers import (
    QUALITY_CHANNEL_COLUMNS,
    QUALITY_REASON_COLUMNS,
    TILE_COLUMNS,
    Quality,
)


def tiles(**metrics) -> pd.DataFrame:
    """Tiles in week_tiles' shape; each keyword is a metric with (this_week, four_week_average,
    share_of_target, unit, currency)."""
    labels = {"won_revenue": "Won revenue", "sqls": "SQLs", "mqls": "MQLs", "leads": "Leads"}
    rows = [
        {
            "metric": metric,
            "label": labels[metric],
            "this_week": this_week,
            "four_week_average": average,
            "share_of_target": share,
            "unit": unit,
            "currency": currency,
        }
        for metric, (this_week, average, share, unit, currency) in metrics.items()
    ]
    return pd.DataFrame(rows).reindex(columns=list(TILE_COLUMNS))


class Leak(NamedTuple):
    channel: str
    words: str


def breaches(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["owner", "count_breaches", "count_leads_measured", "count_still_waiting"]
    )


def quality(mqls, rejected, pending, reasons=(), cannot=None) -> Quality:
    by_channel = pd.DataFrame(
        [
            (
                "(all channels)",
                mqls,
                mqls - rejected - pending,
                rejected,
                pending,
                None,
                None,
                None,
                True,
            )
        ],
        columns=list(QUALITY_CHANNEL_COLUMNS),
    )
    by_reason = pd.DataFrame(
        [("(all channels)", reason, count, agreed, True) for reason, count, agreed in reasons],
        columns=list(QUALITY_REASON_COLUMNS),
    )
    return Quality(by_channel, by_reason, None, cannot)


WON_UNDER = tiles(
    won_revenue=(84_213.0, 70_000.0, 0.88, "money", "EUR"), leads=(120.0, 100.0, 1.1, "count", None)
)
BRAM_MOST = breaches(("Bram", 9, 20, 2), ("Ann", 3, 15, 0), ("Cas", 2, 9, 1))
SOME_REJECTED = quality(30, 6, 10, [("No budget", 4, True), ("Too small", 2, False)])


def test_the_example_week_reads_as_five_sentences_in_section_order():
    said = headline.headline(
        WON_UNDER,
        [Leak("Paid search", "Paid search MQL → SQL fell from 41% to 22%")],
        BRAM_MOST,
        SOME_REJECTED,
        3,
    )
    assert said == [
        Sentence("Won revenue €84k, 12% under target.", "tiles"),
        Sentence("The biggest leak this week: Paid search MQL → SQL fell from 41% to 22%.", "leak"),
        Sentence("14 leads waited past the agreed response time, 9 of them Bram's.", "breaches"),
        Sentence(
            "Sales rejected 6 of 30 MQLs (20%), most for ‘No budget’; 2 for a reason the "
            "agreement does not list.",
            "quality",
        ),
        Sentence("3 actions from earlier weeks are overdue.", "actions"),
    ]
    assert {sentence.section for sentence in said} <= set(SECTIONS)


def test_with_nothing_beyond_chance_the_leak_sentence_says_so():
    said = headline.headline(WON_UNDER, [], BRAM_MOST, SOME_REJECTED, 0)
    assert Sentence(NO_LEAK, "leak") in said
    assert len(said) == 4  # no overdue action, no sentence about actions


def test_a_report_s_flagged_leaks_are_read_too():
    class Report(NamedTuple):
        flagged: list

    said = headline.leak_sentence(Report([Leak("Email", "Email lead → MQL fell from 30% to 10%")]))
    assert said.text == "The biggest leak this week: Email lead → MQL fell from 30% to 10%."


def test_without_a_target_the_number_is_set_against_its_baseline():
    # 5,500 against a 4-week average of 5,000: 10% over.
    said = headline.tiles_sentence(tiles(won_revenue=(5_500.0, 5_000.0, None, "money", "USD")))
    assert said.text == "Won revenue $5.5k, 10% over the 4-week average."


def test_when_revenue_cannot_be_measured_the_next_number_leads():
    said = headline.tiles_sentence(
        tiles(
            won_revenue=(float("nan"), None, None, "money", None),
            sqls=(18.0, 20.0, 0.9, "count", None),
        )
    )
    assert said.text == "SQLs 18, 10% under target."


@pytest.mark.parametrize(
    ("amount", "currency", "words"),
    [
        (84_213, "EUR", "€84k"),
        (1_250_000, "GBP", "£1.2M"),
        (2_400, "BRL", "BRL 2.4k"),
        (950, None, "950"),
        (9_999, "EUR", "€10k"),
    ],
)
def test_money_is_said_short(amount, currency, words):
    assert headline.money_words(amount, currency) == words


def test_all_breaches_of_one_owner_say_all():
    said = headline.breaches_sentence(breaches(("Bram", 3, 5, 0), ("Ann", 0, 4, 0)))
    assert said.text == "3 leads waited past the agreed response time, all of them Bram's."


def test_a_tie_names_both_owners_and_unassigned_reads_as_a_word():
    tie = headline.breaches_sentence(breaches(("Ann", 2, 5, 0), ("Bram", 2, 4, 0)))
    assert tie.text == "4 leads waited past the agreed response time, 2 each for Ann and Bram."
    nobody = headline.breaches_sentence(breaches(("(unassigned)", 3, 3, 3), ("Ann", 1, 4, 0)))
    assert nobody.text == "4 leads waited past the agreed response time, 3 of them unassigned."


def test_no_breach_is_said_apart_from_nothing_to_judge():
    none_late = headline.breaches_sentence(breaches(("Ann", 0, 4, 0)))
    assert none_late.text == "Every lead of this week was contacted within its agreed time."
    nothing = headline.breaches_sentence(breaches())
    assert nothing.text.startswith("No lead of this week could be judged")


def test_no_breach_among_some_leads_judged_says_the_others_were_not():
    partly = "3 of the week's 4 leads come from files without a first-contact column: …"
    said = headline.breaches_sentence(breaches(("Ann", 0, 1, 0)), partly)
    assert said.text == (
        "Every lead judged this week was contacted within its agreed time. 3 of the week's 4 "
        "leads come from files without a first-contact column: …"
    )


def test_quality_that_cannot_be_measured_says_why():
    said = headline.quality_sentence(quality(0, 0, 0, cannot="No status column."))
    assert said == Sentence("No status column.", "quality")


def test_no_rejection_says_how_many_still_wait():
    said = headline.quality_sentence(quality(12, 0, 5))
    assert said.text == "Sales rejected none of 12 MQLs; 5 still wait for an answer."


def test_one_overdue_action_is_singular():
    assert headline.actions_sentence(1).text == "1 action from an earlier week is overdue."
    assert headline.actions_sentence(0) is None


def test_with_no_contact_column_the_breach_sentence_says_why_not_none():
    reason = "The uploads of this week's leads have no first-contact column, so …"
    no_contacts = pd.concat(
        [
            WON_UNDER,
            tiles(leads=(3.0, None, None, "count", None)).assign(
                metric="share_contacted_in_time", cannot_measure=reason
            ),
        ]
    )
    said = headline.headline(no_contacts, [], breaches(), SOME_REJECTED, 0)
    assert Sentence(reason, "breaches") in said


@pytest.mark.parametrize(
    ("reasons", "ending"),
    [
        (
            [("Not a fit", 3, True), ("No budget", 3, True)],
            ", most for ‘No budget’ and ‘Not a fit’.",
        ),
        (
            [("(no reason given)", 4, False), ("No budget", 1, True)],
            ", most with no reason given; 4 for a reason the agreement does not list.",
        ),
        ([("A", 1, True), ("B", 1, True), ("C", 1, True)], "."),
    ],
)
def test_the_reason_named_is_the_one_most_given(reasons, ending):
    count = sum(count for _, count, _ in reasons)
    said = headline.quality_sentence(quality(20, count, 0, reasons))
    assert said.text == f"Sales rejected {count} of 20 MQLs ({count / 20:.0%}){ending}"


def test_a_week_the_data_ends_in_is_said_so_far_not_against_a_whole_week():
    partial = tiles(won_revenue=(2_000.0, 5_000.0, None, "money", "EUR")).assign(is_complete=False)
    said = headline.tiles_sentence(partial)
    assert said.text == "Won revenue €2k so far this week."


@pytest.mark.parametrize(
    ("number", "unit", "currency", "expected"),
    [
        (0.5, "count", None, "0.5"),  # SQLs of 1, 1, 0, 0 over four weeks: never "0"
        (1.5, "count", None, "1.5"),
        (2.0, "count", None, "2"),
        (1234.5, "money", "EUR", "€1,234.50"),  # booked money: to the cent
        (1234.005, "money", "EUR", "€1,234.01"),  # half a cent rounds up, as written
        (-2.5, "money", "EUR", "€-2.50"),
    ],
)
def test_a_tile_rounds_half_away_from_zero_and_keeps_an_average_count_s_half(
    number, unit, currency, expected
):
    assert shown.value(number, unit, currency) == expected


@pytest.mark.parametrize(
    ("number", "currency", "expected"),
    [
        (1234.5, "EUR", "€1,235"),  # half a euro rounds up, not to the even 1,234
        (2.5, "USD", "$3"),
        (-2.5, "EUR", "€-3"),
    ],
)
def test_a_target_in_whole_units_rounds_half_away_from_zero(number, currency, expected):
    assert shown.value(number, "money", currency, whole=True) == expected
