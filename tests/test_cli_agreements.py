"""`python -m revcycle agreements show|export|import`: what a person reads, the exit codes, and
a refused file that changes nothing and shows no traceback."""

import dataclasses
import datetime
import time
from zoneinfo import ZoneInfo

import duckdb

from revcycle.access import os_user
from revcycle.agreements import document, store
from revcycle.agreements.model import FollowUp, Version
from tests import test_cli_load

# The load tests' way of running the command, on a copy of the sample database.
command = test_cli_load.command
db = test_cli_load.db
revcycle = test_cli_load.revcycle

JULY = datetime.date(2026, 7, 1)


def saved_versions(db_file) -> list[Version]:
    with duckdb.connect(str(db_file), read_only=True) as con:
        return store.versions(con)


def with_third_version(db_file) -> str:
    """The sample's file with a version 3 from 1 July 2026: trade shows within 8 working hours."""
    versions = saved_versions(db_file)
    follow_up = tuple(
        dataclasses.replace(row, response_hours=8.0) if row.channel == "Trade show" else row
        for row in versions[-1].agreement.follow_up
    )
    third = dataclasses.replace(versions[-1].agreement, effective_from=JULY, follow_up=follow_up)
    return document.dump([*versions, Version(3, "", None, third)])


def test_show_tells_the_current_version_in_words_and_lists_every_version(revcycle, db):
    code, out = revcycle(db, "agreements", "show")
    assert code == 0
    assert "Agreement version 2, in force from 1 Jun 2026 (saved by eva.lindqvist" in out
    assert "Agreed by Sanne de Wit (marketing) and Eva Lindqvist (sales)." in out
    assert "  Website contact form: call within 1 working hour\n" in out
    assert "  Content marketing: nurture, no response time\n" in out
    assert "  Saturday: closed\n" in out
    assert "   1  in force from 1 Nov 2024 " in out
    assert "   2  in force from 1 Jun 2026 " in out and "← in force today" in out


def test_show_tells_the_version_in_force_today_not_one_that_starts_later(revcycle, db, tmp_path):
    # Version 3 starts a year from today: show described it as the agreement, "← current".
    versions = saved_versions(db)
    later = datetime.date.today() + datetime.timedelta(days=365)
    third = dataclasses.replace(versions[-1].agreement, effective_from=later, note="Next year")
    path = tmp_path / "later.yaml"
    path.write_text(document.dump([*versions, Version(3, "", None, third)]), encoding="utf-8")
    assert revcycle(db, "agreements", "import", path)[0] == 0
    code, out = revcycle(db, "agreements", "show")
    assert code == 0
    assert out.startswith("Agreement version 2, in force from 1 Jun 2026")
    lines = out.splitlines()
    assert next(line for line in lines if line.startswith("   2 ")).endswith("← in force today")
    assert next(line for line in lines if line.startswith("   3 ")).endswith("(not in force yet)")


def test_in_force_today_is_today_in_the_data_s_time_zone(revcycle, db, tmp_path, monkeypatch):
    # A server keeping UTC, the data's zone 14 hours ahead of it (or 12 behind, whichever has
    # another date now, an hour or more before that zone's date changes; past UTC's midnight
    # the two move on together): version 3 starts on the later of the two dates, so it is in
    # force today exactly when the zone's date is the later one.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    utc = datetime.datetime.now(datetime.UTC)
    zone = "Pacific/Kiritimati" if utc.hour >= 11 else "Etc/GMT+12"  # UTC+14, UTC-12
    monkeypatch.setenv("REVCYCLE_TIMEZONE", zone)
    there = utc.astimezone(ZoneInfo(zone)).date()
    starts = max(there, utc.date())
    versions = saved_versions(db)
    third = dataclasses.replace(versions[-1].agreement, effective_from=starts, note="Next")
    path = tmp_path / "next.yaml"
    path.write_text(document.dump([*versions, Version(3, "", None, third)]), encoding="utf-8")
    try:
        assert revcycle(db, "agreements", "import", path)[0] == 0
        code, out = revcycle(db, "agreements", "show")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert code == 0
    in_force = next(line for line in out.splitlines() if line.endswith("← in force today"))
    assert in_force.startswith("   3 " if there > utc.date() else "   2 "), out


def test_show_without_an_agreement_names_the_default(revcycle, tmp_path):
    code, out = revcycle(tmp_path / "new.duckdb", "agreements", "show")
    assert code == 0
    assert "no agreement saved yet: every lead is judged by the default, a call within 24 " in out
    assert "calendar hours" in out


def test_export_writes_every_version_as_one_file(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    code, out = revcycle(db, "agreements", "export", path)
    assert (code, out.strip()) == (0, f"wrote 2 agreement versions to {path}")
    assert document.load(path.read_text(encoding="utf-8"), "agreement.yaml") == saved_versions(db)


def test_export_with_nothing_saved_is_refused(revcycle, tmp_path):
    code, out = revcycle(tmp_path / "new.duckdb", "agreements", "export", tmp_path / "a.yaml")
    assert code == 1
    assert "no agreement saved yet, nothing to export" in out
    assert not (tmp_path / "a.yaml").exists()


def test_import_adds_the_new_version(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    path.write_text(with_third_version(db), encoding="utf-8")
    code, out = revcycle(db, "agreements", "import", path)
    assert code == 0
    assert f"imported agreement versions 3 from {path}; the change log records " in out
    # The file names no saver for version 3: whoever imported it.
    assert f"  version 3 is recorded as saved by {os_user()}, now" in out
    third = saved_versions(db)[2]
    assert third.agreement.effective_from == JULY
    assert FollowUp("Trade show", "call", 8.0, "working") in third.agreement.follow_up


def test_an_import_says_whom_each_version_names_as_its_saver(revcycle, db, tmp_path):
    # The file says qa.tester saved version 3 in August: the version keeps that (a history
    # moved from another database), and the import said "recorded as saved by" the importer.
    versions = saved_versions(db)
    third = dataclasses.replace(versions[-1].agreement, effective_from=JULY, note="Moved")
    saved_at = datetime.datetime(2026, 8, 28, 10, 0)
    path = tmp_path / "agreement.yaml"
    text = document.dump([*versions, Version(3, "qa.tester", saved_at, third)])
    path.write_text(text, encoding="utf-8")
    code, out = revcycle(db, "agreements", "import", path)
    assert code == 0
    assert "  version 3 keeps the saver the file names: qa.tester, 28 Aug 2026 10:00" in out
    assert "recorded as saved by" not in out
    assert saved_versions(db)[2].saved_by == "qa.tester"


def test_importing_what_is_saved_changes_nothing(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    revcycle(db, "agreements", "export", path)
    code, out = revcycle(db, "agreements", "import", path)
    assert (code, out.strip()) == (0, f"nothing new: every version in {path} is saved already")


def test_a_broken_file_is_refused_with_its_line_and_no_traceback(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    text = with_third_version(db)
    broken = text.replace("- version: 3", "- version: 3\n    note: [unclosed", 1)
    path.write_text(broken, encoding="utf-8")
    code, out = revcycle(db, "agreements", "import", path)
    assert code == 1
    assert "refused: " in out and "nothing was changed" in out
    assert "agreement.yaml is not valid YAML" in out
    assert "Traceback" not in out
    assert len(saved_versions(db)) == 2


def test_a_misspelt_key_is_refused_with_its_line(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    text = with_third_version(db)
    # the last follow-up row of version 3, misspelt
    at = text.rindex("Trade show: {kind: call, response_hours: 8")
    text = text[:at] + text[at:].replace("response_hours", "respons_hours", 1)
    path.write_text(text, encoding="utf-8")
    line = text[:at].count("\n") + 1
    code, out = revcycle(db, "agreements", "import", path)
    assert code == 1
    assert (
        f"version 3, line {line}: Unknown key 'respons_hours' in follow_up.Trade show. "
        "Did you mean response_hours?"
    ) in out
    assert len(saved_versions(db)) == 2


def test_an_unknown_channel_is_named_with_its_line_in_the_file(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    text = with_third_version(db)
    at = text.rindex("Trade show: {kind: call")
    text = text[:at] + "Trade shows" + text[at + len("Trade show") :]
    path.write_text(text, encoding="utf-8")
    line = text[:at].count("\n") + 1
    code, out = revcycle(db, "agreements", "import", path)
    assert code == 1
    assert (
        f"version 3, line {line}: 'Trade shows' is not a channel: no channel rule makes it." in out
    )
    assert len(saved_versions(db)) == 2


def test_a_file_that_changes_a_saved_version_is_refused_whole(revcycle, db, tmp_path):
    path = tmp_path / "agreement.yaml"
    text = with_third_version(db).replace("sales_name: Eva Lindqvist", "sales_name: Eva L.", 1)
    path.write_text(text, encoding="utf-8")
    code, out = revcycle(db, "agreements", "import", path)
    assert code == 1
    assert (
        "Version 1 differs from the saved version 1 (Agreed for sales by: Eva Lindqvist → " in out
    )
    assert len(saved_versions(db)) == 2  # version 3 was not added either


def test_a_missing_file_is_said_in_a_sentence(revcycle, db, tmp_path):
    code, out = revcycle(db, "agreements", "import", tmp_path / "nowhere.yaml")
    assert code == 1
    assert "could not read" in out and "No such file or directory" in out
    assert "Traceback" not in out


def test_the_real_command_shows_the_agreement(db):
    code, out = command(db, "agreements", "show")
    assert code == 0
    assert "Agreement version 2, in force from 1 Jun 2026" in out
