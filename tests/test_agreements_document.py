"""The agreement file: what it reads back, and the line it names for each kind of mistake."""

import dataclasses
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.agreements.document import dump, load
from revcycle.agreements.model import (
    BASES,
    FOLLOW_UP_KINDS,
    SHARE_METRICS,
    TARGET_METRICS,
    Agreement,
    Budget,
    ClosingDay,
    FollowUp,
    Target,
    Version,
    WorkingHours,
    canonical,
)
from revcycle.agreements.validate import AgreementInvalid
from tests.support.agreements import BUDGETS, agreement

SAVED_AT = datetime.datetime(2026, 11, 30, 14, 5, 0)


def two_versions() -> list[Version]:
    later = agreement(
        effective_from=datetime.date(2026, 6, 1),
        follow_up=(
            FollowUp(None, "call", 24.0, "calendar"),
            FollowUp("Website contact form", "call", 1.0, "working"),
        ),
    )
    return [
        Version(1, "mara", SAVED_AT, canonical(agreement())),
        Version(2, "sven", SAVED_AT, canonical(later)),
    ]


def refusal(text: str) -> list[tuple[int | None, int | None, str]]:
    with pytest.raises(AgreementInvalid) as refused:
        load(text, "agreement.yaml")
    return [(p.version, p.line, p.message) for p in refused.value.problems]


def line_of(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first ``needle`` after the first ``after``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_a_file_reads_back_as_the_same_versions():
    text = dump(two_versions())
    assert load(text, "agreement.yaml") == two_versions()
    assert dump(load(text, "agreement.yaml")) == text


def test_the_file_says_what_it_is_at_the_top():
    text = dump(two_versions())
    assert text.startswith("# The agreement between marketing and sales")
    assert "python -m revcycle agreements import" in text
    # A budget is in units of its currency: "in whole cents" read as 220050 for €2,200.50.
    assert "to the cent at most (2200.50, not 220050)" in text
    assert "whole cents" not in text


def test_working_hours_are_written_as_spans_and_midnight_as_24():
    hours = (
        WorkingHours(1, datetime.time(9), datetime.time(12, 30)),
        WorkingHours(1, datetime.time(13), datetime.time(17)),
        WorkingHours(6, datetime.time(18), None),
    )
    text = dump([Version(1, "mara", SAVED_AT, agreement(working_hours=hours))])
    assert 'monday: "09:00-12:30, 13:00-17:00"' in text
    assert 'saturday: "18:00-24:00"' in text
    assert 'sunday: ""' in text
    assert load(text, "a.yaml")[0].agreement.working_hours == hours


def test_a_syntax_error_names_its_line():
    text = dump(two_versions()).replace("note: First agreement.", "note: [First agreement.", 1)
    [(version, line, message)] = refusal(text)
    # the unclosed bracket runs on until the next key, which is where the parser stops
    assert line == line_of(text, "definitions:")
    assert "is not valid YAML" in message and "agreement.yaml" in message


def test_a_misspelt_key_is_reported_with_its_line_and_a_suggestion():
    text = dump(two_versions()).replace("response_hours: 8", "respons_hours: 8", 1)
    assert refusal(text) == [
        (
            1,
            line_of(text, "respons_hours"),
            "Unknown key 'respons_hours' in follow_up.Paid search. Did you mean response_hours?",
        )
    ]


def test_a_misspelt_top_level_key_is_reported():
    text = dump(two_versions()).replace("sales_name:", "sales_nme:", 1)
    problems = refusal(text)
    assert (1, line_of(text, "sales_nme"), "Unknown key 'sales_nme'. Did you mean sales_name?") in (
        problems
    )
    assert any("missing sales_name" in message for _, _, message in problems)


def test_a_wrong_type_names_the_field_and_line():
    text = dump(two_versions()).replace("leads: 1500", "leads: lots", 1)
    assert refusal(text) == [
        (
            1,
            line_of(text, "leads: lots"),
            "targets.2024-11.all.leads should be a number, not the text 'lots'.",
        )
    ]


def test_a_broken_span_of_working_hours_names_its_line():
    text = dump(two_versions()).replace('tuesday: "09:00-17:00"', 'tuesday: "9-17"', 1)
    assert refusal(text) == [
        (
            1,
            line_of(text, "tuesday:"),
            "'9-17' is not a span of working hours such as 09:00-17:00.",
        )
    ]


def test_a_validation_problem_names_the_line_of_its_field():
    # version 2 tightens the contact form to 1 hour; make it nurture with a time instead
    text = dump(two_versions())
    text = text.replace(
        "Website contact form: {kind: call, response_hours: 1,",
        "Website contact form: {kind: nurture, response_hours: 1,",
    )
    assert refusal(text) == [
        (
            2,
            line_of(text, "Website contact form: {kind: nurture"),
            "Nurture has no response time; leave it empty.",
        )
    ]


def test_a_target_problem_names_the_line_of_its_row():
    text = dump(two_versions()).replace(
        "share_contacted_in_time: 0.8}", "share_contacted_in_time: 80}", 1
    )
    [(version, line, message)] = refusal(text)
    assert (version, line) == (1, line_of(text, "share_contacted_in_time: 80"))
    assert "between 0 and 1" in message


def test_an_effective_date_before_the_previous_version_names_the_line():
    text = dump(two_versions()).replace("effective_from: 2026-06-01", "effective_from: 2024-10-01")
    [(version, line, message)] = refusal(text)
    assert (version, line) == (2, line_of(text, "effective_from: 2024-10-01"))
    assert "before the previous version's (2024-11-01)" in message


def test_version_numbers_must_follow_on():
    text = dump(two_versions()).replace("- version: 2", "- version: 3")
    assert refusal(text) == [
        (3, line_of(text, "version: 3"), "The version number should be 2, following on.")
    ]


def test_a_version_written_by_hand_may_leave_out_who_saved_it():
    text = dump(two_versions())
    text = text.replace('    saved_by: sven\n    saved_at: "2026-11-30 14:05:00"\n', "")
    second = load(text, "a.yaml")[1]
    assert (second.number, second.saved_by, second.saved_at) == (2, "", None)


def test_an_empty_file_and_a_list_are_refused_with_a_sentence():
    assert refusal("") == [(None, 1, "The file should be a set of keys, not nothing.")]
    assert refusal("- 1\n") == [(None, 1, "The file should be a set of keys, not a list.")]


def with_budgets() -> list[Version]:
    first, second = two_versions()
    budgeted = dataclasses.replace(first.agreement, budgets=BUDGETS)
    return [dataclasses.replace(first, agreement=canonical(budgeted)), second]


def test_budgets_are_written_per_month_and_channel_and_read_back():
    text = dump(with_budgets())
    assert load(text, "agreement.yaml") == with_budgets()
    assert "      2024-12:\n        Paid search: {amount: 6250.5, currency: EUR}\n" in text
    # No currency named: the data's, so the file names none either.
    assert "        Trade show: {amount: 3000}\n" in text


def test_a_file_without_budgets_reads_as_no_budgets_and_writes_none():
    text = dump(two_versions())
    assert "budgets:" not in text.split("versions:", 1)[1]
    assert [version.agreement.budgets for version in load(text, "a.yaml")] == [(), ()]


def test_a_budget_problem_names_the_line_of_its_row():
    text = dump(with_budgets()).replace("{amount: 6000, currency: EUR}", "{amount: -5}", 1)
    [(version, line, message)] = refusal(text)
    assert (version, line) == (1, line_of(text, "{amount: -5}"))
    assert message == "A budget cannot be negative (-5)."


def test_a_misspelt_budget_key_is_reported_with_its_line():
    text = dump(with_budgets()).replace("{amount: 3000}", "{amout: 3000}", 1)
    assert refusal(text) == [
        (
            1,
            line_of(text, "amout"),
            "Unknown key 'amout' in budgets.2024-12.Trade show. Did you mean amount?",
        ),
        (1, line_of(text, "amout"), "budgets.2024-12.Trade show is missing amount."),
    ]


# ---- round trip over generated agreements ----------------------------------------------------

# Names and texts as people type them, with newlines and characters YAML must quote.
texts = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n"), max_size=40
)
names = texts.filter(lambda text: text.strip() != "")
channels = st.lists(
    names.filter(lambda name: name not in ("default", "all") and "\n" not in name),
    unique=True,
    max_size=4,
)
minutes = st.integers(0, 24 * 60 - 1)


@st.composite
def working_hours(draw) -> tuple[WorkingHours, ...]:
    rows = []
    for weekday in range(1, 8):
        bounds = sorted(draw(st.sets(minutes, max_size=4)))
        until_midnight = len(bounds) % 2 == 1  # an odd bound left over runs to 24:00
        for start, end in zip(
            bounds[::2], bounds[1::2] + ([None] if until_midnight else []), strict=True
        ):
            clock = datetime.time(start // 60, start % 60)
            rows.append(
                WorkingHours(
                    weekday, clock, None if end is None else datetime.time(end // 60, end % 60)
                )
            )
    return tuple(rows)


@st.composite
def follow_up(draw, names: list[str]) -> tuple[FollowUp, ...]:
    rows = []
    for channel in [None, *names]:
        kind = draw(st.sampled_from(FOLLOW_UP_KINDS))
        hours = None if kind == "nurture" else draw(st.floats(0.01, 10_000))
        rows.append(FollowUp(channel, kind, hours, draw(st.sampled_from(BASES))))
    return tuple(rows)


@st.composite
def targets(draw, names: list[str]) -> tuple[Target, ...]:
    keys = draw(
        st.lists(
            st.tuples(
                st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 1)),
                st.sampled_from([None, *names]),
                st.sampled_from(TARGET_METRICS),
            ),
            max_size=8,
            unique_by=lambda key: (key[0].replace(day=1), key[1], key[2]),
        )
    )
    return tuple(
        Target(
            day.replace(day=1),
            channel,
            metric,
            draw(st.floats(0, 1) if metric in SHARE_METRICS else st.floats(0, 1e12)),
        )
        for day, channel, metric in keys
    )


@st.composite
def budgets(draw, names: list[str]) -> tuple[Budget, ...]:
    if not names:
        return ()
    keys = draw(
        st.lists(
            st.tuples(
                st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 1)),
                st.sampled_from(names),
            ),
            max_size=6,
            unique_by=lambda key: (key[0].replace(day=1), key[1]),
        )
    )
    return tuple(
        Budget(
            day.replace(day=1),
            channel,
            draw(st.integers(0, 10**15)) / 100,  # whole cents
            draw(st.sampled_from([None, "EUR", "USD"])),
        )
        for day, channel in keys
    )


@st.composite
def agreements(draw) -> Agreement:
    named = draw(channels)
    green = draw(st.floats(0.01, 5))
    country, subdivision = draw(st.sampled_from([(None, None), ("NL", None), ("DE", "BY")]))
    days = draw(
        st.sets(st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)), max_size=3)
    )
    return canonical(
        dataclasses.replace(
            agreement(),
            marketing_name=draw(names),
            sales_name=draw(names),
            note=draw(texts),
            mql_definition=draw(texts),
            rejection_reasons=tuple(draw(st.lists(names, max_size=3))),
            time_zone=draw(st.sampled_from(["Europe/Amsterdam", "America/New_York", "UTC"])),
            country=country,
            subdivision=subdivision,
            working_hours=draw(working_hours()),
            closing_days=tuple(ClosingDay(day, draw(texts)) for day in days),
            follow_up=draw(follow_up(named)),
            targets=draw(targets(named)),
            budgets=draw(budgets(named)),
            answer_within_working_days=draw(st.integers(1, 30)),
            green_from=green,
            amber_from=draw(st.floats(0.01, green)),
        )
    )


@st.composite
def version_lists(draw) -> list[Version]:
    found = draw(st.lists(agreements(), min_size=1, max_size=3))
    dates = sorted(draw(st.lists(st.dates(), min_size=len(found), max_size=len(found))))
    saved_at = st.none() | st.datetimes(datetime.datetime(2020, 1, 1)).map(
        lambda moment: moment.replace(microsecond=0)
    )
    return [
        Version(
            number,
            draw(texts.filter(lambda t: "\n" not in t)),
            draw(saved_at),
            dataclasses.replace(one, effective_from=day),
        )
        for number, (one, day) in enumerate(zip(found, dates, strict=True), start=1)
    ]


# 75 generated histories of one to three versions each: every field, every kind of row and
# the edge values turn up many times over (150 took 13 s of CPU, the most of any unit test).
@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version_lists())
def test_every_agreement_survives_the_round_trip(versions):
    text = dump(versions)
    assert load(text, "generated.yaml") == versions
    assert dump(load(text, "generated.yaml")) == text


def test_versions_that_share_a_date_write_it_out_each_time():
    # the same date object in two versions must not become a YAML anchor and alias
    closing = (ClosingDay(datetime.date(2024, 12, 27), "Christmas closing"),)
    shared = agreement(closing_days=closing)
    later = dataclasses.replace(shared, effective_from=datetime.date(2025, 1, 1))
    text = dump([Version(1, "mara", SAVED_AT, shared), Version(2, "mara", SAVED_AT, later)])
    assert "&" not in text and "*id" not in text
    assert text.count("2024-12-27: Christmas closing") == 2
