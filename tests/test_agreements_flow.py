"""The Agreements page's flow without a browser: the agreement into the editor and back, what
the editor cannot read, messages by field, the agreement in words, and actual against target."""

import datetime
from dataclasses import replace

import pandas as pd
import pytest

from revcycle.agreements.model import (
    TARGET_METRICS,
    Budget,
    ClosingDay,
    FollowUp,
    Target,
    Version,
    WorkingHours,
)
from revcycle.agreements.validate import Problem
from revcycle.ui import agreements as flow
from tests.support import agreements as support

NINE, FIVE = support.NINE, support.FIVE


def agreement():
    """The shared test agreement, with the hours, follow-up, closing day and targets these
    tests read back in words."""
    return support.agreement(
        effective_from=datetime.date(2026, 9, 1),
        note="Tighter forms",
        working_hours=(
            WorkingHours(1, NINE, datetime.time(12, 30)),
            WorkingHours(1, datetime.time(13), FIVE),
            WorkingHours(2, NINE, None),
        ),
        closing_days=(ClosingDay(datetime.date(2026, 12, 24), "Christmas Eve"),),
        follow_up=(
            FollowUp("Website contact form", "call", 1.0, "working"),
            FollowUp("Content marketing", "nurture", None, "working"),
            FollowUp(None, "email", 24.0, "calendar"),
        ),
        targets=(
            Target(datetime.date(2026, 9, 1), None, "leads", 200.0),
            Target(
                datetime.date(2026, 9, 1), "Website contact form", "share_contacted_in_time", 0.9
            ),
        ),
        budgets=(
            Budget(datetime.date(2026, 9, 1), "Paid search", 6000.0, "EUR"),
            Budget(datetime.date(2026, 9, 1), "Trade show", 9000.5, None),
        ),
    )


def test_the_editor_gives_back_the_agreement_it_was_filled_with():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    form.note = "Tighter forms"  # the editor starts with an empty note: a new version's own
    read, problems = flow.agreement_from(form)
    assert problems == []
    assert read == agreement()


def test_working_hours_are_written_as_the_file_writes_them():
    form = flow.form_from(agreement(), None)
    assert form.hours["monday"] == "09:00-12:30, 13:00-17:00"
    assert form.hours["tuesday"] == "09:00-24:00"
    assert form.hours["sunday"] == ""


def test_the_rows_without_channel_are_named_in_the_tables():
    form = flow.form_from(agreement(), None)
    assert form.follow_up["channel"].tolist()[-1] == flow.DEFAULT_CHANNEL
    assert form.targets["channel"].tolist()[0] == flow.ALL_CHANNELS


@pytest.mark.parametrize("text", ["9 to 5", "09:00-25:00", "09:00"])
def test_hours_that_do_not_read_as_a_span_are_said_beside_their_day(text):
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    form.hours["wednesday"] = text
    read, problems = flow.agreement_from(form)
    assert read is None
    assert [problem.field for problem in problems] == ["working_hours.wednesday"]
    assert text in problems[0].message


def test_an_added_row_left_empty_is_no_row():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    form.follow_up = pd.concat(
        [form.follow_up, pd.DataFrame([{"channel": None, "kind": None}])], ignore_index=True
    )
    read, problems = flow.agreement_from(form)
    assert problems == [] and len(read.follow_up) == 3


def test_the_targets_editor_has_a_row_per_month_and_channel_and_a_column_per_metric():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    assert form.targets.columns.tolist() == ["month", "channel", *TARGET_METRICS]
    assert form.targets["channel"].tolist() == [flow.ALL_CHANNELS, "Website contact form"]
    assert form.targets.at[0, "leads"] == 200.0 and pd.isna(form.targets.at[1, "leads"])
    assert form.targets.at[1, "share_contacted_in_time"] == 0.9
    # An added row for October: two targets of one row are two targets.
    october = {"month": datetime.date(2026, 10, 1), "channel": "Email", "leads": 30, "mqls": 12}
    form.targets = pd.concat([form.targets, pd.DataFrame([october])], ignore_index=True)
    read, problems = flow.agreement_from(form)
    assert problems == []
    assert sorted(read.targets, key=repr) == sorted(
        [
            *agreement().targets,
            Target(datetime.date(2026, 10, 1), "Email", "leads", 30.0),
            Target(datetime.date(2026, 10, 1), "Email", "mqls", 12.0),
        ],
        key=repr,
    )


def test_a_target_row_without_month_or_target_names_its_row():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    form.targets.loc[1, "share_contacted_in_time"] = None  # its one cell emptied in the editor
    form.targets.loc[0, "month"] = None
    _, problems = flow.agreement_from(form)
    assert [(problem.field, problem.message) for problem in problems] == [
        ("targets.0.month", "Row 1: give the month."),
        ("targets.1", "Row 2: give a target."),
    ]


def test_a_missing_effective_date_is_said_beside_the_date():
    _, problems = flow.agreement_from(flow.form_from(agreement(), None))
    assert [problem.field for problem in problems] == ["effective_from"]


def test_messages_go_to_their_field_and_the_rest_to_the_button():
    problems = [
        Problem("follow_up.Paid search.response_hours", "must be more than 0"),
        Problem("follow_up.default", "Add a default row"),
        Problem("working_hours.monday", "overlap"),
        Problem("mystery", "something else"),
    ]
    assert flow.messages(problems, "follow_up") == ["must be more than 0", "Add a default row"]
    assert flow.messages(problems, "working_hours.monday") == ["overlap"]
    assert flow.messages(problems, "working_hours.mon") == []
    assert flow.unplaced(problems, ("follow_up", "working_hours")) == [problems[3]]


def test_the_agreement_in_words():
    parts = dict(flow.in_words(agreement()))
    assert parts["Follow-up per channel"] == [
        "Content marketing: nurture: no salesperson, no response time.",
        "Website contact form: a call within 1 working hour.",
        "Every other channel: an email within 24 calendar hours.",
    ]
    assert "Monday: 09:00-12:30, 13:00-17:00." in parts["Working calendar"]
    assert "Closed 24 Dec 2026: Christmas Eve." in parts["Working calendar"]
    # A row per month and channel: tables (targets_shown, budgets_shown), never lines.
    assert "Targets per month" not in parts and "Marketing budgets per month" not in parts


def test_the_targets_as_a_table_the_latest_month_first():
    october = Target(datetime.date(2026, 10, 1), None, "leads", 220.0)
    shown = flow.targets_shown(replace(agreement(), targets=(*agreement().targets, october)))
    assert shown.columns.tolist() == ["month", "channel", "leads", "share_contacted_in_time"]
    assert shown[["month", "channel"]].values.tolist() == [
        ["Oct 2026", flow.ALL_CHANNELS],
        ["Sep 2026", flow.ALL_CHANNELS],
        ["Sep 2026", "Website contact form"],
    ]
    assert shown["leads"].tolist()[:2] == [220.0, 200.0] and pd.isna(shown["leads"].iloc[2])
    assert shown["share_contacted_in_time"].iloc[2] == 0.9
    assert shown["share_contacted_in_time"].iloc[:2].isna().all()


def test_history_lists_the_newest_version_first():
    saved = datetime.datetime(2026, 9, 1, 10, 30)
    versions = [
        Version(1, "mia", saved, agreement()),
        Version(2, "sam", saved, agreement()),
    ]
    assert flow.history_frame(versions)["version"].tolist() == [2, 1]
    assert flow.history_frame(versions)["saved_by"].tolist() == ["sam", "mia"]


IN_FORCE = pd.Series(
    {
        "version": 3,
        "effective_from": datetime.date(2026, 9, 1),
        "mql_definition": "Asked for a *demo*",
        "sql_definition": "Accepted",
        "won_definition": "Signed",
        "green_from": 1.0,
        "amber_from": 0.9,
    }
)


@pytest.mark.parametrize(
    ("actual", "target", "colour"),
    [(100, 100, "green"), (120, 100, "green"), (90, 100, "amber"), (89, 100, "red")],
)
def test_status_colours_follow_the_agreed_thresholds(actual, target, colour):
    assert flow.status(actual, target, IN_FORCE).colour == colour


@pytest.mark.parametrize(
    ("actual", "target", "in_force"),
    [(10, None, IN_FORCE), (None, 100, IN_FORCE), (10, 0, IN_FORCE), (10, 100, None)],
)
def test_no_target_no_status(actual, target, in_force):
    assert flow.status(actual, target, in_force) is None


def test_a_metric_help_quotes_the_definition_in_force_as_text():
    shown = flow.definition_help("MQLs", "Leads marketing qualified.", IN_FORCE)
    assert shown.endswith(r"MQL, as agreed on 1 Sep 2026, version 3: Asked for a \*demo\*")


def test_a_table_problem_names_its_row_under_the_table():
    problems = [
        Problem("targets.1.value", "A share is between 0 and 1."),
        Problem("follow_up.Paid search.response_hours", "Give a time above 0."),
        Problem("follow_up.default.basis", "'weekly' is not working or calendar."),
        Problem("effective_from", "Too early."),
    ]
    assert [problem.message for problem in flow.named_rows(problems, agreement())] == [
        "Sep 2026, Website contact form, Share of leads contacted within the agreed time: "
        "A share is between 0 and 1.",
        "Paid search: Give a time above 0.",
        "(every other channel): 'weekly' is not working or calendar.",
        "Too early.",
    ]


TARGETS = pd.DataFrame(
    [
        ("leads", None, False, 50.0),
        ("leads", "Paid search", False, 10.0),
        ("leads", None, True, 50.0),
        ("mqls", "Paid search", False, None),  # a month of the period has none: no target
    ],
    columns=["metric", "channel", "is_view", "target_in_period"],
)
COUNTS = pd.DataFrame(
    {
        "is_total": [False, False, True],
        "channel": ["Paid search", "Events", "(all channels)"],
        "lead": [12, 3, 15],
        "mql": [4, 1, 5],
        "sql": [1, 0, 1],
    }
)
NO_CUT = {"channels": None, "owners": None, "segments": None}


def test_each_row_of_the_conversion_table_meets_its_own_target():
    shown = flow.with_targets(COUNTS, TARGETS, IN_FORCE, NO_CUT).set_index("channel")
    # Paid search: 12 of 10 is 120%, green; Events has no target; all channels 15 of 50, red.
    assert shown["lead_status"].to_dict() == {
        "Paid search": "🟢 120% of 10",
        "Events": "",
        "(all channels)": "🔴 30% of 50",
    }
    assert shown["mql_status"].tolist() == ["", "", ""]


def test_a_view_cut_by_owner_has_no_target():
    cut = NO_CUT | {"owners": ["Anna"]}
    assert flow.view_targets(TARGETS, cut) == {}
    assert flow.view_targets(TARGETS, NO_CUT) == {"leads": 50.0}
    shown = flow.with_targets(COUNTS, TARGETS, IN_FORCE, cut)
    assert shown["lead_status"].tolist() == ["", "", ""]


def test_the_budgets_table_holds_one_row_per_month_and_channel():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    assert form.budgets.to_dict("records") == [
        {
            "month": datetime.date(2026, 9, 1),
            "channel": "Paid search",
            "amount": 6000.0,
            "currency": "EUR",
        },
        {
            "month": datetime.date(2026, 9, 1),
            "channel": "Trade show",
            "amount": 9000.5,
            "currency": None,
        },
    ]


def test_a_budget_row_added_in_the_table_is_read_on_the_first_of_its_month():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    added = {
        "month": datetime.date(2026, 10, 15),
        "channel": " Paid search ",
        "amount": 6500.0,
        "currency": "",
    }
    form.budgets = pd.concat([form.budgets, pd.DataFrame([added])], ignore_index=True)
    read, problems = flow.agreement_from(form)
    assert problems == []
    # The date picked mid-month means its month; an empty currency is the data's.
    assert read.budgets[-1] == Budget(datetime.date(2026, 10, 1), "Paid search", 6500.0, None)


def test_a_budget_without_month_or_amount_names_its_row():
    form = flow.form_from(agreement(), datetime.date(2026, 9, 1))
    form.budgets.loc[0, "amount"] = None
    form.budgets.loc[1, "month"] = None
    read, problems = flow.agreement_from(form)
    assert read is None
    assert [(problem.field, problem.message) for problem in problems] == [
        ("budgets.0.amount", "Row 1: give the amount."),
        ("budgets.1.month", "Row 2: give the month."),
    ]


def test_a_budget_problem_names_its_row_under_the_table():
    problems = [Problem("budgets.1.currency", "'eur' is not a currency code.")]
    assert [problem.message for problem in flow.named_rows(problems, agreement())] == [
        "Sep 2026, Trade show, budget: 'eur' is not a currency code."
    ]


def test_the_budgets_as_a_table():
    assert flow.budgets_shown(agreement()).values.tolist() == [
        ["Sep 2026", "Paid search", "EUR 6,000"],
        ["Sep 2026", "Trade show", "9,000.50 in the data's currency"],
    ]
    assert flow.budgets_shown(support.agreement()).empty
    # A later month comes first, in the editor as on the page.
    october = Budget(datetime.date(2026, 10, 1), "Email", 1500.0, "EUR")
    later = replace(agreement(), budgets=(*agreement().budgets, october))
    assert flow.budgets_frame(later)["channel"].tolist() == ["Email", "Paid search", "Trade show"]
    assert flow.budgets_shown(later).values.tolist()[0] == ["Oct 2026", "Email", "EUR 1,500"]
