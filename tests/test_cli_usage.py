"""Usage errors on the command line: an argument a command does not take exits 2 with that
command's usage line and one sentence naming the value and what it may be, as argparse says its
own (`sample --leads 0`), whether argparse finds it or the command finds it later. Each case
runs the real entry point of `python -m revcycle` (`revcycle.__main__.main`) in this process,
with the database in REVCYCLE_DB as a scheduled job sets it: a process of its own each cost
about a second of Python's start and imports, fourteen times."""

import contextlib
import io
import subprocess

import pytest

from revcycle.__main__ import main as entry_point

LEADS = "lead_id,created_at,channel\nA1,2026-03-02 09:00,Paid Search\n"
LEADS_FIELDS = (
    "lead_id, created_at, channel, campaign, owner, segment, country, email, company, mql_at, "
    "sql_at, owner_assigned_at, first_contacted_at, status, disqualified_reason, "
    "converted_deal_id, lifecycle_stage, is_converted, is_contacted"
)


def run(db, *args) -> subprocess.CompletedProcess:
    """`python -m revcycle ARGS` on the database ``db``, as a scheduled job runs it: its exit
    code (argparse's own exit included) and what it wrote."""
    stdout, stderr = io.StringIO(), io.StringIO()
    env = {"REVCYCLE_DB": str(db), "XDG_STATE_HOME": str(db.parent / "state")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = entry_point([str(arg) for arg in args])
            except SystemExit as stop:  # argparse's usage errors end the process so
                code = stop.code
    return subprocess.CompletedProcess(args, code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def leads_csv(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory):
    """A database holding the one lead of LEADS, loaded by the command itself, for the
    commands that read a built database (pack, attribution, roi)."""
    folder = tmp_path_factory.mktemp("loaded")
    (folder / "leads.csv").write_text(LEADS, encoding="utf-8")
    loaded = run(folder / "loaded.duckdb", "load", folder / "leads.csv", "--kind", "leads")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return folder / "loaded.duckdb"


def assert_usage_error(result: subprocess.CompletedProcess, command: str, sentence: str) -> None:
    """Exit code 2; ``command``'s own usage line first, ``sentence`` as argparse ends one."""
    said = result.stderr.splitlines()
    assert result.returncode == 2, result.stdout + result.stderr
    assert said[0].startswith(f"usage: python -m revcycle {command} ["), said[0]
    assert said[-1] == f"python -m revcycle {command}: error: {sentence}"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ("--set", "Contract signed"),
            "argument --set: STAGE=OUTCOME (won, lost or open), not 'Contract signed'",
        ),
        (
            ("--set", "Contract signed=signed"),
            "argument --set: the rule for the stage 'Contract signed' says 'signed': a stage is "
            "won, lost or open",
        ),
        (
            ("--remove", "No such stage"),
            "the stage rules were not saved: there is no rule for 'No such stage' to remove "
            "(`python -m revcycle stage-rules` lists them)",
        ),
    ],
)
def test_a_stage_rule_the_command_does_not_take_is_a_usage_error(tmp_path, args, sentence):
    result = run(tmp_path / "new.duckdb", "stage-rules", *args)
    assert_usage_error(result, "stage-rules", sentence)
    listed = run(tmp_path / "new.duckdb", "stage-rules")
    assert listed.stdout.startswith("No stage rules")  # nothing was saved


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("--set", "nope"), "argument --set: FIELD=VALUE, not 'nope'"),
        (("--map", "lead_id"), "argument --map: FIELD=COLUMN, not 'lead_id'"),
        (("--channel-map", "=Events"), "argument --channel-map: RAW=CHANNEL, not '=Events'"),
        (
            ("--map", "nosuchfield=lead_id"),
            f"--map 'nosuchfield': not a leads field; the leads fields are {LEADS_FIELDS} "
            "(the README's data dictionary)",
        ),
        (
            ("--set", "amount=12.50", "--dry-run"),
            f"--set 'amount': not a leads field; the leads fields are {LEADS_FIELDS} "
            "(the README's data dictionary)",
        ),
    ],
)
def test_a_pair_or_field_load_does_not_take_is_a_usage_error(tmp_path, leads_csv, args, sentence):
    result = run(tmp_path / "new.duckdb", "load", leads_csv, *args)
    assert_usage_error(result, "load", sentence)


def test_an_unknown_preset_is_a_usage_error_that_lists_the_presets(tmp_path, leads_csv):
    result = run(tmp_path / "new.duckdb", "load", leads_csv, "--preset", "hubspot")
    said = result.stderr.splitlines()[-1]
    assert said.startswith(
        "python -m revcycle load: error: argument --preset: invalid choice: 'hubspot' (choose "
        "from 'generic_leads', 'generic_deals', "
    )
    assert "'hubspot_contacts', 'hubspot_contacts_legacy', 'hubspot_deals'" in said
    assert_usage_error(result, "load", said.split(": error: ", 1)[1])


def test_an_upload_the_history_does_not_have_is_a_usage_error(tmp_path):
    result = run(tmp_path / "new.duckdb", "restore", "999")
    assert_usage_error(
        result, "restore", "there is no upload 999; see `python -m revcycle history`"
    )


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ("pack", "--week", "week 47"),
            "“week 47” is not a week: write the ISO year and week number like 2026-W47.",
        ),
        (
            ("pack", "--channel", "Refferal"),
            "no channel 'Refferal' in the data; nothing was written",
        ),
        (
            ("attribution", "--start", "2026-03-31", "--end", "2026-03-01"),
            "--end 2026-03-01 is before --start 2026-03-31",
        ),
        (("roi", "--owner", "Nobody"), "no owner 'Nobody' in the data"),
    ],
)
def test_a_report_s_period_or_scope_it_cannot_read_is_a_usage_error(loaded_db, args, sentence):
    assert_usage_error(run(loaded_db, *args), args[0], sentence)


def test_load_s_help_says_what_the_date_format_answers(tmp_path):
    said = run(tmp_path / "db.duckdb", "load", "--help")
    assert said.returncode == 0
    assert (
        "how the dates are written, when a column reads more than one way; without it, a column "
        "that reads both day-first and month-first (no day above 12) is read as the latest "
        "upload of the same format was, and with none is refused with the question"
    ) in " ".join(said.stdout.split())
