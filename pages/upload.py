"""Upload exports: check this week's leads, deals, touches and spend files, preview, load,
undo."""

import logging
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st

from revcycle import audit, contract, settings
from revcycle.export import safe_csv
from revcycle.importer import channels, load
from revcycle.importer.parse import DAY_FIRST, EXCEL_SERIAL, ISO, MONTH_FIRST
from revcycle.importer.problems import ERROR, grouped_frame, problems_frame
from revcycle.importer.validate import SHOWN_IGNORED_COLUMNS, columns_feeding_two_fields
from revcycle.rebuild import data_version
from revcycle.ui import access, format, page, tables, upload
from revcycle.ui.data import connection, run

log = logging.getLogger("revcycle")

KIND_CHOICES = {
    upload.DETECTED: "As detected from its columns",
    "leads": "Leads",
    "deals": "Deals",
    "touches": "Touches (marketing touchpoints: campaign members, source history, UTM log)",
    "spend": "Spend (ad platforms: Google Ads, Meta Ads Manager, LinkedIn Campaign Manager)",
}
OVERLAP = (
    "Weekly exports overlap; merge updates by id, so last week's rows are not doubled, and only "
    "the fields this file has a column for: the others keep what is loaded."
)
OVERLAP_BY_KIND = {
    "spend": "Exports overlap; merged, each day of a channel and campaign counts from the newest "
    "upload covering it, so a month loaded again is not doubled."
}
DATE_CHOICES = {
    DAY_FIRST: "Day first: 03/04/2026 is 3 April 2026",
    MONTH_FIRST: "Month first: 03/04/2026 is March 4, 2026",
    ISO: "Year first: 2026-04-03",
    EXCEL_SERIAL: "Excel serial numbers: 46115 is 3 April 2026",
}
DECIMAL_CHOICES = {
    ".": "With a decimal point: 1,500.25 (so 1,500 is fifteen hundred)",
    ",": "With a decimal comma: 1.500,25 (so 1.500 is fifteen hundred)",
}
MODE_CHOICES = {
    "merge": "Merge: add new rows, update rows whose id is already loaded",
    "replace": "Replace: this file becomes all the {kind}; loaded rows it lacks are removed",
}
NOT_IN_FILE = "— not in this file —"
SAVED_MAPPING_HELP = (
    "Saved when the file loads. Next time a file with these same columns is uploaded, it is "
    "read with this mapping without asking."
)
SOURCE_COLUMN, CHANNEL_COLUMN = "Source value in the file", "Channel"
# The history's Kind column: "sample removed", its longest kind (the others are an export's
# kind and "restore"), is 104 px in the table's font (Source Sans at 14.875 px, in Chromium) and
# a cell pads 9 px each side; a wider fallback font still fits. Left to fit its first rows, the
# column cut it at 1280 px once ten uploads came after it.
KIND_COLUMN_PX = 140


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def remembered(slot: str, what: str, key: tuple, compute):
    """``compute()``, kept per file until ``key`` changes, so a click does not re-read a file."""
    memo = st.session_state["upload_memo"]
    entry = memo.get((slot, what))
    if entry is None or entry[0] != key:
        entry = (key, compute())
        memo[(slot, what)] = entry
    return entry[1]


def show_refusal(attempt: upload.Attempt, file_name: str) -> None:
    # The file's name and its values are anyone's text: plain, never Markdown.
    lines = [f"- {format.plain(problem.sentence())}" for problem in attempt.refusal]
    st.error(
        f"Nothing from {format.plain(file_name)} can be loaded:\n\n" + "\n".join(lines),
        icon=":material/block:",
    )


class Answers(NamedTuple):
    """The analyst's answers for one file; None where not given."""

    date_format: str | None  # its dates' order
    decimal_mark: str | None  # its amounts' decimal mark
    sheet: str | None  # the workbook's sheet to read


def answers(slot: str) -> Answers:
    state = st.session_state
    return Answers(*(state.get(f"upload_{what}_{slot}") for what in ("dates", "decimals", "sheet")))


def sheets_of(slot: str, uploaded, max_bytes: int) -> list[str]:
    """The workbook's sheets (none for a text file), read once per file."""
    return remembered(
        slot,
        "sheets",
        (uploaded.file_id, max_bytes),
        lambda: upload.sheet_names(uploaded.name, uploaded.getvalue(), max_bytes),
    )


def choose_sheet(slot: str, uploaded, max_bytes: int) -> bool:
    """The choice of a workbook's sheet, for a workbook of several (whether it is one);
    unchosen, the first sheet with a table is read. Drawn on every run, so the choice stays
    while the file does, and after a sheet is loaded another can be chosen."""
    sheets = sheets_of(slot, uploaded, max_bytes)
    if len(sheets) > 1:
        st.selectbox(
            "Sheet",
            sheets,
            index=None,
            placeholder="The first sheet with a table",
            key=f"upload_sheet_{slot}",
            help="This workbook has several sheets: choose the one that holds the export. To "
            "load another of its sheets too, load this one, then choose the other.",
        )
    return len(sheets) > 1


def done_key(uploaded, slot: str) -> tuple:
    """What a load is remembered by: the file, and the sheet read (a workbook's other sheets
    can be loaded after it)."""
    return uploaded.file_id, answers(slot).sheet


def unrecognised(several_sheets: bool, sheet: str | None) -> str:
    """What to do with a file no preset or saved mapping recognises; in a workbook of several
    sheets read by the first with a table, first check that it is the export's."""
    whether = (
        "whether the file holds leads, deals, touches or spend, then pick the file's column "
        "for each field."
    )
    if sheet is None and several_sheets:
        return (
            "No preset or saved mapping recognises the columns of this workbook's first sheet "
            "with a table. If the export is on another sheet, choose it under Sheet; if not, "
            f"say above {whether}"
        )
    return f"No preset or saved mapping recognises these columns. Say above {whether}"


def ask_how_to_read(slot: str, attempt: upload.Attempt, answered: Answers) -> None:
    """Each question about the file, while it is open and after it was answered (so the
    answer can be changed)."""
    remembered = attempt.prepared and attempt.prepared.dates.remembered
    if attempt.date_formats_to_ask or answered.date_format is not None or remembered:
        ask_date_format(slot, attempt, remembered and remembered.order)
    if attempt.decimal_marks_to_ask or answered.decimal_mark is not None:
        st.radio(
            "How are the amounts in this file written?",
            list(DECIMAL_CHOICES),
            index=None,
            format_func=DECIMAL_CHOICES.get,
            key=f"upload_decimals_{slot}",
            help="No amount in the file shows its decimal mark (1.500 could be fifteen hundred "
            "or one and a half), so Revcycle does not guess. The choice applies to every "
            "amount column of this file.",
        )
        for question in attempt.decimal_questions:
            st.caption(format.plain(question))


def ask_date_format(slot: str, attempt: upload.Attempt, remembered: str | None = None) -> None:
    """The date question's choices, kept as first offered once it is answered; ``remembered``:
    the order an earlier upload's dates were read in, which read this file's, chosen."""
    asked = st.session_state["upload_memo"].setdefault((slot, "date formats"), {})
    if attempt.date_formats_to_ask:
        asked["formats"] = attempt.date_formats_to_ask
    formats = asked.get("formats", (DAY_FIRST, MONTH_FIRST))
    st.radio(
        "How are the dates in this file written?",
        formats,
        index=formats.index(remembered) if remembered in formats else None,
        format_func=DATE_CHOICES.get,
        key=f"upload_dates_{slot}",
        help="A column whose days never go above 12 reads both ways, so Revcycle does not "
        "guess. The choice applies to every date column of this file.",
    )
    for question in attempt.date_questions:
        st.caption(format.plain(question))


def mapping_screen(slot: str, kind: str, columns: list[str]) -> tuple[dict[str, str], str]:
    """A column of the file for each field of ``kind``; the mapping and the name to save it."""
    st.markdown(
        f"**Match the file's columns to the {kind} fields.** The closest names are chosen "
        "as a start: check each one. Fields marked * are required."
    )
    guess = upload.suggested_mapping(kind, columns)
    mapping = {}
    left, right = st.columns(2)
    for position, spec in enumerate(contract.FIELDS_BY_KIND[kind]):
        options = [None, *columns]
        with left if position % 2 == 0 else right:
            chosen = st.selectbox(
                f"{spec.name}{' *' if spec.required else ''}",
                options,
                index=options.index(guess[spec.name]),
                format_func=lambda column: NOT_IN_FILE if column is None else column,
                key=f"upload_map_{slot}_{kind}_{spec.name}",
                help=spec.meaning,
            )
        if chosen is not None:
            mapping[spec.name] = chosen
    for slip in columns_feeding_two_fields(mapping):
        st.warning(format.plain(slip), icon=":material/call_split:")
    save_as = st.text_input(
        "Save this mapping as",
        key=f"upload_save_{slot}_{kind}",
        placeholder="e.g. Marketing MQL sheet",
        help=SAVED_MAPPING_HELP,
    )
    return mapping, save_as.strip()


def show_mapping(prepared) -> None:
    """Which column feeds each field, and the file's columns nothing reads."""
    st.caption(format.plain("Mapping (field ← column): " + "; ".join(prepared.mapping_lines())))
    summary = prepared.ignored_summary()
    st.caption(format.plain(summary[0].upper() + summary[1:]))
    if len(prepared.ignored_columns) > SHOWN_IGNORED_COLUMNS:
        with st.expander(f"All {len(prepared.ignored_columns):,} ignored columns"):
            st.text("\n".join(prepared.ignored_columns))


def show_checks(prepared, slot: str) -> None:
    """Row accounting, notes and the problems table with its CSV download."""
    st.markdown(f"**{format.plain(prepared.accounting())}.**")
    for note in prepared.notes:
        st.caption(f"Note: {format.plain(note)}.")
    if not prepared.problems:
        st.caption("No problems found.")
        return
    frame = problems_frame(prepared.problems)
    count_errors = int((frame["severity"] == ERROR).sum())
    count_warnings = len(frame) - count_errors
    st.markdown(
        f"{plural(count_errors, 'error')} and {plural(count_warnings, 'warning')}. An error "
        "rejects its row; a row with only warnings loads. The same problem on many lines is "
        "one row here; the CSV below lists every line."
    )
    # A warning on the whole file ("the file has no close date column") is a sentence to read
    # in full, not a table cell cut off at its width.
    for problem in (problem for problem in prepared.problems if problem.line is None):
        st.warning(format.plain(f"{problem.reason[:1].upper()}{problem.reason[1:]}."))
    on_lines = [problem for problem in prepared.problems if problem.line is not None]
    if not on_lines:
        st.download_button(**problems_download(prepared, frame, slot))
        return
    grouped = grouped_frame(on_lines)
    st.dataframe(
        grouped,
        hide_index=True,
        row_height=tables.wrapped_row_height(grouped["reason"]),  # each reason read in full
        column_config={
            "severity": st.column_config.TextColumn("Severity"),
            "count": st.column_config.NumberColumn("Lines", format="%d"),
            "lines": st.column_config.TextColumn("Where"),
            "column": st.column_config.TextColumn("Column"),
            "example": st.column_config.TextColumn("Example value"),
            "reason": st.column_config.TextColumn("Reason", width="large"),
        },
        key=f"upload_problems_{slot}",
    )
    st.download_button(**problems_download(prepared, frame, slot))


def problems_download(prepared, frame, slot: str) -> dict:
    """The problems CSV's download button, every line of every problem."""
    return {
        "label": "Download the problems as CSV",
        "data": lambda: safe_csv(frame),  # built only when clicked: a bad file has many rows
        "file_name": f"{Path(prepared.file_name).stem}-problems.csv",
        "mime": "text/csv",
        "key": f"upload_problems_{slot}_download",
        "on_click": "ignore",
        "icon": ":material/download:",
    }


def channel_rules(cursor, prepared, slot: str) -> dict[str, str]:
    """The editable table of source values with no rule; the rules filled in."""
    if prepared.kind not in contract.SOURCE_FIELD_BY_KIND or not prepared.unmapped_sources:
        return {}
    known = sorted(set(channels.rules(cursor).values()))
    st.markdown(
        f"**{plural(len(prepared.unmapped_sources), 'source value')} with no channel rule.** "
        "Type the channel each belongs to; the rule applies to every row with that value, in "
        "this file and in later uploads."
    )
    if len(prepared.unmapped_sources) > channels.MANY_UNMAPPED:
        many = channels.too_many_unmapped(
            prepared.kind, prepared.mapping, len(prepared.unmapped_sources)
        )
        st.warning(
            format.plain(
                f"{many}. To read another column, choose the file's kind under "
                "What this file holds and pick the column."
            ),
            icon=":material/table_view:",
        )
    st.caption(f"Channels in use: {format.plain(', '.join(known))}.")
    edited = st.data_editor(
        pd.DataFrame({SOURCE_COLUMN: prepared.unmapped_sources, CHANNEL_COLUMN: ""}, dtype=object),
        hide_index=True,
        num_rows="fixed",
        disabled=[SOURCE_COLUMN],
        column_config={
            SOURCE_COLUMN: st.column_config.TextColumn(SOURCE_COLUMN),
            CHANNEL_COLUMN: st.column_config.TextColumn(
                CHANNEL_COLUMN,
                help=f"Leave empty to count these {contract.ROWS_BY_KIND[prepared.kind]} under "
                "(unmapped).",
            ),
        },
        key=f"upload_rules_{slot}",
    )
    new_rules = upload.typed_rules(
        prepared.unmapped_sources,
        edited.rename(columns={SOURCE_COLUMN: "source", CHANNEL_COLUMN: "channel"}).to_dict(
            "records"
        ),
    )
    left_empty = [value for value in prepared.unmapped_sources if value not in new_rules]
    if left_empty:
        st.info(
            channels.where_unmapped_count(prepared.kind, [format.plain(v) for v in left_empty])
            + " They are kept, not dropped, and move to a channel once a rule for them is added.",
            icon=":material/help:",
        )
    new_channels = sorted(set(new_rules.values()) - set(known))
    if new_channels:
        st.caption(f"New channels (check the spelling): {format.plain(', '.join(new_channels))}.")
    return new_rules


def preview(cursor, prepared, slot: str, key: tuple, version: int) -> tuple[str, load.Previewed]:
    """The merge/replace choice and what it would change; the chosen mode, and the change as
    found at the data's ``version`` (the commit takes it while nothing has loaded since)."""
    mode = st.radio(
        "How to load it",
        load.MODES,
        format_func=lambda m: MODE_CHOICES[m].format(kind=prepared.kind),
        key=f"upload_mode_{slot}",
    )
    st.caption(OVERLAP_BY_KIND.get(prepared.kind, OVERLAP))
    change = remembered(
        slot,
        "preview",
        (*key, mode),
        lambda: load.preview(cursor, prepared.kind, prepared.rows, mode, prepared.meta().fields),
    )
    numbers = [
        (
            "New",
            format.count(change.count_new),
            f"{contract.ROWS_BY_KIND[prepared.kind].capitalize()} not loaded yet.",
        ),
        (
            "Changed",
            format.count(change.count_changed),
            "Loaded already, with other values; the file's values win.",
        ),
        ("Unchanged", format.count(change.count_unchanged), "Loaded already, the same."),
    ]
    if mode == "replace":
        numbers.append(
            ("Removed", format.count(change.count_removed), "Loaded, but not in this file.")
        )
    page.tiles(numbers)
    previewed = load.Previewed(version, change)
    if mode == "replace" and change.count_removed:
        rows = contract.ROWS_BY_KIND[prepared.kind]
        st.warning(
            f"Replace removes {change.count_removed:,} loaded {rows} that are not in this file.",
            icon=":material/warning:",
        )
    return mode, previewed


class Mapped(NamedTuple):
    """What the mapping screen decided, when it was used."""

    by_hand: bool = False
    save_as: str = ""
    columns: list[str] | None = None


def checked(cursor, uploaded, slot: str, version: int, max_bytes: int, arriving: tuple):
    """Read one file as the choices on the page say; (attempt, its key, Mapped).

    Draws the kind choice, the mapping screen and the date question as they are needed.
    The attempt is None while a question is open. ``arriving``: what the batch loads before
    it (an Arriving of its leads and of its deals' and spend's currencies, or None), and what
    identifies that, part of the key.
    """
    name, data = uploaded.name, uploaded.getvalue()
    answered = answers(slot)
    constants, added = fixed_values_box(slot), also_map_box(slot)
    if constants is None or added is None:  # malformed: the box says how; nothing loads
        return None, None, Mapped()
    before, arriving_key = arriving
    key = (uploaded.file_id, version, max_bytes, answered, tuple(sorted(constants.items())))
    key = (*key, tuple(sorted(added.items())), arriving_key)
    auto = remembered(
        slot,
        "auto",
        key,
        lambda: upload.attempt(
            cursor,
            name,
            data,
            date_format=answered.date_format,
            max_bytes=max_bytes,
            constants=constants,
            decimal_mark=answered.decimal_mark,
            arriving=before,
            sheet=answered.sheet,
            also_mapped=added or None,
        ),
    )
    mapped = Mapped()
    if auto.is_refused:
        return auto, key, mapped
    choice = st.selectbox(
        "What this file holds",
        list(KIND_CHOICES),
        format_func=KIND_CHOICES.get,
        key=f"upload_kind_{slot}",
        help="Read from the column names; change it if that is wrong.",
    )
    step, kind = upload.next_step(auto, choice)
    if step == upload.ASK_HOW_TO_READ:
        ask_how_to_read(slot, auto, answered)
        return None, key, mapped
    if step == upload.ASK_KIND:
        several_sheets = len(sheets_of(slot, uploaded, max_bytes)) > 1
        st.info(unrecognised(several_sheets, answered.sheet), icon=":material/table_view:")
        return None, key, mapped
    if step == upload.AS_DETECTED:
        ask_how_to_read(slot, auto, answered)
        return auto, key, mapped

    read = (kind, auto, answered, max_bytes, constants, added, before)
    return read_as_mapped(cursor, uploaded, slot, key, read)


def fixed_values_box(slot: str) -> dict[str, str] | None:
    """One value for a field on every row (``stage=Won``), as ``load --set`` gives it; None
    while the box is malformed (said under it), so the file waits for it."""
    return _pairs_box(
        upload.fixed_values,
        "Fixed values",
        key=f"upload_set_{slot}",
        placeholder="e.g. stage=Won, currency=BRL",
        help="A field the file has no column for, with one value for every row. The value is "
        "checked like any other (a date must read as a date).",
    )


def also_map_box(slot: str) -> dict[str, str] | None:
    """A column the recognised format leaves out, read into a field (``first_contacted_at=
    Last Contacted``), as ``load --map`` does; None while the box is malformed."""
    return _pairs_box(
        upload.also_mapped,
        "Also map",
        key=f"upload_also_map_{slot}",
        placeholder="e.g. first_contacted_at=Last Contacted",
        help="A column of the file that its recognised format does not read, and the field it "
        "holds: the rest of the mapping stays as recognised. The field names are those the "
        "mapping above shows (lead_id, first_contacted_at, currency …).",
    )


def _pairs_box(read, label: str, **widget) -> dict[str, str] | None:
    pairs, malformed = read(st.text_input(label, **widget))
    if malformed:
        st.error(format.plain(malformed))
        return None
    return pairs


def read_as_mapped(cursor, uploaded, slot: str, key: tuple, read: tuple):
    """The mapping screen for a file read as ``kind``, then the file read with that mapping;
    (attempt, its key, Mapped) as ``checked`` returns them."""
    kind, auto, answered, max_bytes, constants, added, before = read
    name, data = uploaded.name, uploaded.getvalue()
    columns = remembered(
        slot,
        "header",
        (uploaded.file_id, max_bytes, answered.sheet),
        lambda: upload.header(name, data, max_bytes, answered.sheet),
    )
    mapping, save_as = mapping_screen(slot, kind, columns)
    mapping |= added  # the Also map box, as on a recognised file
    mapped = Mapped(True, save_as, columns)
    missing = upload.missing_required(kind, mapping)
    if missing:
        st.warning(
            f"Choose a column for {' and '.join(missing)}: "
            f"every {contract.ONE_ROW_BY_KIND[kind]} needs one.",
            icon=":material/table_view:",
        )
        return None, key, mapped
    # A file recognised as the other kind is read as our generic format plus this mapping,
    # since its preset's fields would not fit.
    preset_name = f"generic_{kind}" if auto.prepared else None
    key = (*key, kind, tuple(sorted(mapping.items())))
    attempt = remembered(
        slot,
        "mapped",
        key,
        lambda: upload.attempt(
            cursor,
            name,
            data,
            kind,
            preset_name,
            mapping,
            answered.date_format,
            max_bytes,
            constants,
            answered.decimal_mark,
            before,
            answered.sheet,
        ),
    )
    ask_how_to_read(slot, attempt, answered)
    return (None if attempt.has_questions else attempt), key, mapped


def file_section(cursor, uploaded, slot: str, version: int, max_bytes: int, arriving: tuple):
    """Everything about one file; (its Ready item, None) or (None, why it cannot load yet).
    ``arriving``: what the batch loads before it, as ``checked`` takes it."""
    name = uploaded.name
    st.subheader(format.plain(name), anchor=False)
    several_sheets = choose_sheet(slot, uploaded, max_bytes)
    done = st.session_state["upload_done"].get(done_key(uploaded, slot))
    if done is not None:
        another = " To load another of its sheets, choose it under Sheet." if several_sheets else ""
        st.success(
            f"Loaded as upload {done}.{another} Remove it from the list above once you are done.",
            icon=":material/check_circle:",
        )
        return None, None
    attempt, key, mapped = checked(cursor, uploaded, slot, version, max_bytes, arriving)
    if attempt is None:
        return None, "a question about it is open"
    if attempt.refusal:
        show_refusal(attempt, name)
        return None, "it was refused"
    prepared = attempt.prepared
    st.caption(format.plain(upload.source_sentence(prepared, mapped.by_hand)))
    show_mapping(prepared)
    show_checks(prepared, slot)
    why_not = upload.why_not_loadable(prepared)
    if why_not == upload.NO_ROWS:
        st.info(f"{format.plain(name)} has a header but no rows: there is nothing to load.")
    elif why_not == upload.NO_LOADABLE_ROW:
        st.error(
            f"No row of {format.plain(name)} can be loaded, so it is left out. Fix the errors "
            "and upload "
            "it again.",
            icon=":material/block:",
        )
    if why_not is not None:
        return None, why_not
    new_rules = channel_rules(cursor, prepared, slot)
    mode, previewed = preview(cursor, prepared, slot, key, version)
    label = mapped.save_as or (upload.MAPPED_ON_PAGE if mapped.by_hand else prepared.source)
    ready = upload.Ready(
        prepared, mode, label, new_rules, mapped.save_as or None, mapped.columns, previewed
    )
    return ready, None


def commit_section(cursor, ready: list, waiting: list[str], who: str) -> None:
    """The Load button: every checked file, leads before deals, each in its own transaction."""
    if not (ready or waiting):
        return  # every file is loaded
    st.header("Load", anchor=False)
    if waiting:
        st.caption("Not loaded with this button: " + format.plain("; ".join(waiting)) + ".")
    if not ready:
        st.caption("Nothing is ready to load yet.")
        return
    ordered = upload.in_commit_order([item for _, item in ready])
    names = ", ".join(item.prepared.file_name for item in ordered)
    st.caption(
        f"Loads {format.plain(names)}, in this order (leads before deals, touches and spend). Each "
        "file loads in one transaction and the dashboard's numbers follow at once; the History "
        "below can undo it."
    )
    # Said once for the batch, where it is loaded: every file's preview repeated it.
    notice = load.sample_notice(cursor, "this file" if len(ordered) == 1 else "these files")
    if notice:
        st.warning(notice, icon=":material/science:")
    if not st.button(
        f"Load {plural(len(ordered), 'file')}",
        type="primary",
        key="upload_commit",
        icon=":material/upload:",
    ):
        return
    committed = upload.commit_all(cursor, ready, who)
    st.session_state["upload_done"].update(committed.upload_ids)
    st.session_state["upload_messages"] = committed.messages
    st.session_state["upload_failure"] = committed.failure
    st.rerun()  # the banner and every page read the new data version


def rules_section(cursor, who: str | None, table: upload.RuleTable) -> None:
    """A whole rule table; editable by an editor, ``who``, and shown read-only to everyone
    else."""
    rules = table.read(cursor)
    with st.expander(f"{table.title} ({len(rules)})", icon=":material/rule:"):
        st.caption(table.caption)
        if who is None:
            shown = pd.DataFrame(rules, columns=list(table.fields))
            columns = {
                field: (label, "text")
                for field, label in zip(table.fields, table.columns, strict=True)
            }
            tables.show(shown, columns, key=f"{table.key}_shown")
            return
        meaning = table.columns[1]
        edited = st.data_editor(
            pd.DataFrame(rules, columns=list(table.columns)),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key=f"{table.key}_table",
            column_config=(
                {meaning: st.column_config.SelectboxColumn(meaning, options=table.meanings)}
                if table.meanings
                else None
            ),
        )
        if st.button(f"Save {table.noun}s", key=f"{table.key}_save"):
            named = edited.rename(columns=dict(zip(table.columns, table.fields, strict=True)))
            pairs = upload.edited_rule_pairs(named.to_dict("records"), table.fields)
            _save_rules(cursor, who, table, pairs)


def _save_rules(cursor, who: str, table: upload.RuleTable, pairs: list[tuple]) -> None:
    try:
        count = table.save(cursor, pairs, changed_by=who)
    except ValueError as error:
        st.error(f"The rules were not saved: {format.plain(str(error))}.")
        return
    except Exception:
        log.exception("saving %ss failed", table.noun)
        st.error("Saving the rules failed, so they are as they were. See the server log.")
        return
    repeated = len(pairs) - count  # rows naming a value (any spelling) once more
    st.session_state["upload_messages"] = [
        f"Saved {plural(count, table.noun)}."
        + (
            f" {plural(repeated, 'row')} repeated a {table.columns[0].lower()}: the last of each "
            "kept."
            if repeated
            else ""
        )
    ]
    st.rerun()


def coverage_section() -> None:
    """For each date the pages measure, the share of loaded leads that have it, per upload:
    where a file had no column, the pages say the figure cannot be measured."""
    st.header("Data coverage", anchor="data-coverage")
    coverage = run("metrics/date_coverage_by_upload")
    if coverage.empty:
        st.caption("No leads are loaded.")
        return
    st.caption(
        "Each upload whose leads are loaded, and for each date the pages measure, the share of "
        "its leads that have one. “no column”: the file did not have that date at all, so "
        "follow-up speed, MQL or SQL cannot be measured for its leads; they count neither as "
        "hits nor as misses."
    )
    tables.show(
        coverage.assign(
            column_in_file=coverage["has_column"].map({True: "yes", False: "no column"})
        ),
        {
            "upload_id": ("From upload", "text"),
            "file_name": ("File", "text"),
            "field": ("Date", "text"),
            "column_in_file": ("Column in file", "text"),
            "count_leads": ("Leads", "count"),
            "count_with_date": ("With the date", "count"),
            "share_with_date": ("Share", "percent"),
        },
        key="upload_coverage",
        max_rows=15,
    )


def history_section(cursor, who: str | None) -> None:
    """Every upload and restore, who made it, and (for an editor, ``who``) going back to the
    state after any of them."""
    st.header("History", anchor=False)
    listed = load.history(cursor)
    if listed.empty:
        st.caption("No uploads yet: the data is what the database was built from.")
        return
    listed = listed.assign(state=listed["is_current"].map({True: "current", False: ""}))
    st.caption(
        "Every upload and restore, newest first. Restoring returns the loaded data to the "
        "state right after the chosen entry; the restore is recorded too, so it can be undone."
    )
    tables.show(
        listed,
        {
            "upload_id": ("Upload", "text"),
            "uploaded_at": ("When", "datetime"),
            "changed_by": ("By", "text"),
            "kind": ("Kind", "text"),
            "file_name": ("File", "text"),
            "preset": ("Read as", "text"),
            "mode": ("Mode", "text"),
            "count_rows_loaded": ("Rows loaded", "count"),
            "count_rows_rejected": ("Rows rejected", "count"),
            "count_new": ("New", "count"),
            "count_changed": ("Changed", "count"),
            "date_order": ("Dates read", "text"),
            "state": ("State", "text"),
        },
        key="upload_history",
        max_rows=10,
        widths={"kind": KIND_COLUMN_PX},
        # Named by the person who uploaded (a file, a saved mapping): any length, read whole.
        wrapped=("file_name", "preset"),
    )
    if who is not None:
        restore_section(cursor, listed, who)


def restore_section(cursor, listed: pd.DataFrame, who: str) -> None:
    """Choose an entry of the history and return the data to the state right after it."""
    entries = {int(row.upload_id): row for row in listed.itertuples()}
    # The state before the latest change; the empty state between the sample and the first
    # real upload is skipped, as undoing that upload brings the sample back.
    earlier = [i for i, row in enumerate(entries.values()) if i and row.kind != load.SAMPLE_REMOVED]
    chosen = st.selectbox(
        "State to return to",
        list(entries),
        index=earlier[0] if earlier else 0,
        format_func=lambda upload_id: (
            f"After {upload_id}: {entries[upload_id].file_name} "
            f"({entries[upload_id].uploaded_at:%d %b %Y %H:%M})"
            + (" — current" if entries[upload_id].is_current else "")
        ),
        key="upload_restore_choice",
    )
    if st.button("Restore this state", key="upload_restore", icon=":material/history:"):
        st.session_state["upload_restore_pending"] = chosen
    confirm_restore(cursor, chosen, who)


def confirm_restore(cursor, chosen: int, who: str) -> None:
    """Ask before restoring the chosen state, then restore it (or say why it failed)."""
    pending = st.session_state.get("upload_restore_pending")
    if pending is None:
        return
    if pending != chosen:  # the choice changed after the button: ask again
        del st.session_state["upload_restore_pending"]
        return
    st.warning(
        f"Return the loaded data to the state right after entry {pending}? Everything "
        "loaded since then leaves the dashboard; it stays in the history and can be restored.",
        icon=":material/warning:",
    )
    yes, no = st.columns(2)
    if no.button("Cancel", key="upload_restore_cancel"):
        del st.session_state["upload_restore_pending"]
        st.rerun()
    if not yes.button("Yes, restore", type="primary", key="upload_restore_confirm"):
        return
    del st.session_state["upload_restore_pending"]
    restored, sentence = upload.restore_to(cursor, pending, who)
    if not restored:
        st.error(sentence)
        return
    st.session_state["upload_messages"] = [sentence]
    st.rerun()


def chosen_files() -> list:
    """The uploader, shown to editors only; the files chosen in it."""
    max_mb = settings.max_upload_mb()
    return st.file_uploader(
        "Exports: leads, deals, touches or ad spend",
        type=list(upload.FILE_TYPES),
        accept_multiple_files=True,
        key="upload_files",
        max_upload_size=max_mb,
        help="CSV in any delimiter and encoding, or a workbook (.xlsx, .xls, .ods); up to "
        f"{max_mb} MB a file. Split a larger export by date range.",
    )


def changes_section(cursor) -> None:
    """The latest changes that are not uploads (channel rules, so far), and who made them."""
    changes = audit.recent(cursor)
    if changes.empty:
        return
    st.subheader("Other changes", anchor=False)
    columns = {
        "changed_at": ("When", "datetime"),
        "changed_by": ("By", "text"),
        "what": ("What", "text"),
    }
    tables.show(changes, columns, key="upload_changes", max_rows=audit.SHOWN_CHANGES)


def files_sections(cursor, files: list, slots: list[str], version: int, max_bytes: int):
    """Every chosen file's section, in the order chosen; (the ready items by file id, why
    the others wait). Checked leads first: a batch's deals and touches are then checked
    against the leads that load before them, not flagged as naming leads not loaded; then
    deals, whose currencies a spend file stating none is warned of."""
    kinds = batch_kinds(files, slots, max_bytes)
    boxes = [st.container(border=True) for _ in files]  # drawn in the order chosen
    ready, waiting, before = [], [], []
    for at in upload.checking_order(kinds):
        uploaded, slot = files[at], slots[at]
        # What identifies the files ready so far: their attempts, as remembered.
        arriving_key = tuple(memo_keys(item.slot) for item in before)
        arriving = (upload.arriving([item.prepared for item in before]), arriving_key)
        with boxes[at]:
            try:
                item, why_not = file_section(cursor, uploaded, slot, version, max_bytes, arriving)
            except Exception:
                log.exception("checking %s failed", uploaded.name)
                st.error(
                    f"Something went wrong while checking {format.plain(uploaded.name)}, so "
                    "it cannot be loaded. The details are in the server log."
                )
                item, why_not = None, "checking it failed"
        if item is not None:
            ready.append((done_key(uploaded, slot), item))
            if item.prepared.kind in upload.ARRIVING_KINDS:
                before.append(ReadyBefore(slot, item.prepared))
        elif why_not is not None:
            waiting.append(f"{uploaded.name}, since {why_not}")
    return ready, waiting


def batch_kinds(files: list, slots: list[str], max_bytes: int) -> list[str | None]:
    """What each file of a batch most likely holds, for the order they are checked in (a file
    alone needs none: a look at a 100,000-row workbook's header took a second)."""
    if len(files) < 2:
        return [None] * len(files)
    return [
        remembered(
            slot,
            "kind",
            (uploaded.file_id, max_bytes, answers(slot).sheet),
            lambda uploaded=uploaded, slot=slot: upload.likely_kind(
                uploaded.name, uploaded.getvalue(), max_bytes, answers(slot).sheet
            ),
        )
        for uploaded, slot in zip(files, slots, strict=True)
    ]


class ReadyBefore(NamedTuple):
    slot: str
    prepared: upload.PreparedUpload


def memo_keys(slot: str) -> tuple:
    """The keys of a file's remembered attempts: they change whenever its check does."""
    memo = st.session_state["upload_memo"]
    return tuple(memo[(slot, what)][0] for what in ("auto", "mapped") if (slot, what) in memo)


def main() -> None:
    for key, default in (("upload_memo", {}), ("upload_done", {}), ("upload_messages", [])):
        st.session_state.setdefault(key, default)
    st.title("Upload exports")
    st.caption(
        "Bring this week's exports of leads, deals, touches and ad spend: from HubSpot, "
        "Salesforce, Pipedrive, Google Ads, Meta, LinkedIn or any spreadsheet. Each file is "
        "checked and previewed here; nothing changes until you press Load, and every load can "
        "be undone under History."
    )
    for message in st.session_state["upload_messages"]:
        # The messages name uploaded files: plain text, never Markdown.
        st.success(format.plain(message), icon=":material/check_circle:")
    st.session_state["upload_messages"] = []
    if failure := st.session_state.pop("upload_failure", None):
        st.error(format.plain(failure), icon=":material/error:")
    who = access.editor()  # None: this visitor reads, and the guard has said why
    max_bytes = settings.max_upload_bytes()
    files = chosen_files() if who else []
    cursor = connection().cursor()
    try:
        version = data_version(cursor)
        current = upload.slots([uploaded.name for uploaded in files or []])
        memo = st.session_state["upload_memo"]
        for stale in [key for key in memo if key[0] not in current]:
            del memo[stale]  # a removed file's rows and bytes
        ready, waiting = files_sections(cursor, files or [], current, version, max_bytes)
        if files:
            commit_section(cursor, ready, waiting, who)
        rules_section(cursor, who, upload.CHANNEL_RULES)
        rules_section(cursor, who, upload.STAGE_RULES)
        coverage_section()
        history_section(cursor, who)
        changes_section(cursor)
    finally:
        cursor.close()


with page.frame("Upload exports"):
    main()
