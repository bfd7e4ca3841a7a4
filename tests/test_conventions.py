"""House conventions, checked by tests rather than memory."""

import ast
import functools
import graphlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from revcycle import contract
from revcycle.paths import QUERIES_DIR, REPO_ROOT

MACROS_FILE = QUERIES_DIR / "macros.sql"
SQL_FILES = sorted(set(QUERIES_DIR.rglob("*.sql")) - {MACROS_FILE})
PYTHON_FILES = sorted(
    [
        REPO_ROOT / "dashboard.py",
        *(REPO_ROOT / "pages").glob("*.py"),
        *(REPO_ROOT / "revcycle").rglob("*.py"),
    ]
)
QUERY_NAME = re.compile(r"""["']((?:staging|marts|metrics)/\w+)["']""")
KNOWN_PARAMETERS = {
    "start_date",
    "end_date",
    "channels",
    "owners",
    "segments",
    "default_currency",
    "within_days",
    "cohort_grain",
    "min_leads",
    "response_hours",
    "weeks",
    "basis",
    "cohort",
}


def test_there_are_queries_in_every_layer():
    layers = {path.parent.name for path in SQL_FILES}
    assert layers == {"staging", "marts", "metrics"}


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(QUERIES_DIR).as_posix())
def test_every_sql_file_opens_with_its_header(path):
    text = path.read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert all(line.startswith("--") for line in header.splitlines()), "header comment first"
    assert "Grain:" in header and "Parameters:" in header
    assert re.search(r"^select \* from final$", text, re.MULTILINE), "ends with the final CTE"


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(QUERIES_DIR).as_posix())
def test_sql_takes_only_known_bound_parameters(path):
    parameters = set(re.findall(r"\$(\w+)", path.read_text(encoding="utf-8")))
    assert parameters <= KNOWN_PARAMETERS
    if path.parent.name != "metrics":
        assert not parameters, "staging and marts run without parameters"


def test_the_macros_file_holds_only_documented_macros():
    text = MACROS_FILE.read_text(encoding="utf-8")
    header, body = text.split("\n\n", 1)
    assert all(line.startswith("--") for line in header.splitlines()), "header comment first"
    assert "Grain:" in header and "Parameters:" in header
    assert "$" not in text, "macros take arguments, never bound parameters"
    for block in body.strip().split("\n\n"):
        comment = [line for line in block.splitlines() if line.startswith("--")]
        statement = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
        name = re.match(r"create or replace macro (\w+)\(", statement)
        assert name, f"each block is one `create or replace macro`: {statement[:60]}"
        assert comment and comment[0].startswith(f"-- {name[1]}("), "its comment names it first"


def test_every_macro_is_used_by_a_query():
    defined = re.findall(
        r"^create or replace macro (\w+)\(", MACROS_FILE.read_text(encoding="utf-8"), re.M
    )
    queries = " ".join(path.read_text(encoding="utf-8") for path in SQL_FILES)
    assert defined and not [name for name in defined if f"{name}(" not in queries]


def test_shared_definitions_are_written_only_in_the_macros_file():
    # The source-key pattern and the order of stages have one home each: a copy would drift
    # (Python's key once trimmed more kinds of space than staging's).
    for path in [*SQL_FILES, *PYTHON_FILES]:
        text = path.read_text(encoding="utf-8").lower()
        assert "a-z0-9" not in text and "['lead', 'mql'" not in text, path


def test_every_metric_query_is_used_and_every_named_query_exists():
    named = {
        name
        for path in PYTHON_FILES
        for name in QUERY_NAME.findall(path.read_text(encoding="utf-8"))
    }
    metrics = {f"metrics/{path.stem}" for path in (QUERIES_DIR / "metrics").glob("*.sql")}
    assert metrics <= named, f"unused metric queries: {sorted(metrics - named)}"
    missing = [name for name in named if not (QUERIES_DIR / f"{name}.sql").is_file()]
    assert not missing, f"queries named in code but absent: {missing}"


# Worked out when a test asks, not when the file is collected: parsing every module takes
# about 2.5 CPU s, and each worker collects every file.
@functools.cache
def _first_party_modules() -> dict[str, Path]:
    """Every Python module of the repository by its dotted name (a package by its own name)."""
    modules = {}
    for path in REPO_ROOT.rglob("*.py"):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        if any(part.startswith(".") for part in parts):  # .venv, .git and the like
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imports(path: Path) -> set[str]:
    """The first-party modules ``path`` imports anywhere, even inside a function."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # ``from package import module`` imports the module; ``from module import name``
            # only the module.
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    return imported & _first_party_modules().keys()


@functools.cache
def _first_party_imports() -> dict[str, set[str]]:
    """The first-party modules each first-party module imports."""
    return {name: _imports(path) for name, path in _first_party_modules().items()}


def _layer(module: str) -> str:
    for layer in ("revcycle", "benchmarks", "tests.support", "tests"):
        if module == layer or module.startswith(f"{layer}."):
            return layer
    return "app"  # dashboard.py and the pages


# What each layer may import. The app and its core never reach the tooling; the shared test
# helpers import neither the tests nor the benchmark, so tests -> benchmarks -> tests.support
# never closes a circle.
MAY_IMPORT = {
    "revcycle": {"revcycle"},
    "app": {"revcycle"},
    "tests.support": {"revcycle", "tests.support"},
    "benchmarks": {"revcycle", "benchmarks", "tests.support"},
    "tests": {"revcycle", "benchmarks", "tests.support", "tests"},
}


def test_nothing_imports_in_a_circle():
    try:
        graphlib.TopologicalSorter(_first_party_imports()).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"modules import each other in a circle: {' -> '.join(error.args[1])}")


def test_every_layer_imports_only_what_it_may():
    wrong = [
        f"{module} imports {target}"
        for module, targets in _first_party_imports().items()
        for target in targets
        if _layer(target) not in MAY_IMPORT[_layer(module)]
    ]
    assert not wrong


def test_core_never_imports_streamlit_or_its_helpers():
    # Anywhere in a core module, even inside a function: what drives Streamlit lives in ui/.
    for path in (REPO_ROOT / "revcycle").rglob("*.py"):
        if "ui" in path.relative_to(REPO_ROOT / "revcycle").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        imported += [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ]
        assert not [name for name in imported if name.split(".")[0] == "streamlit"], path
        assert not [name for name in imported if name.startswith("revcycle.ui")], path


PAGE_FILES = [REPO_ROOT / "dashboard.py", *sorted((REPO_ROOT / "pages").glob("*.py"))]


def frame_titles(path) -> list[str]:
    """The titles of the top-level ``with page.frame(...)`` blocks in a page file."""
    return [
        node.items[0].context_expr.args[0].value
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.With)
        and ast.unparse(node.items[0].context_expr.func) == "page.frame"
    ]


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_draws_itself_inside_the_frame(path):
    # A page opened by its own URL on a fresh server runs that file alone: it must draw the
    # frame itself, and draw nothing outside it.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    outside = [
        ast.unparse(node)[:60]
        for node in tree.body
        if not isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        and not (isinstance(node, ast.Assign | ast.AnnAssign) and "st." not in ast.unparse(node))
        and not (isinstance(node, ast.With) and frame_titles(path))
    ]
    assert len(frame_titles(path)) == 1, "one `with page.frame(title) as filters:` block"
    assert not outside, f"drawn outside the frame: {outside}"


def test_the_navigation_lists_every_page_under_its_own_title():
    from revcycle.ui.page import NAVIGATION

    # The meeting opens on This week, so it comes first; the overview stays the app's root.
    assert [link.path for link in NAVIGATION][:2] == ["pages/this_week.py", "dashboard.py"]
    assert sorted(REPO_ROOT / link.path for link in NAVIGATION) == sorted(PAGE_FILES)
    for link in NAVIGATION:
        assert frame_titles(REPO_ROOT / link.path) == [link.label]


def test_pages_hold_no_sql():
    for path in PAGE_FILES:
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bselect\b.+\bfrom\b", text), path


def test_readme_data_dictionary_matches_the_contract():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for kind in contract.FIELDS_BY_KIND:
        assert contract.data_dictionary_markdown(kind) in readme, (
            f"README's {kind} dictionary is out of step: paste "
            f"contract.data_dictionary_markdown({kind!r})"
        )


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=" ".join)
def test_lint_and_format_are_clean(command):
    # Ruff's S608 refuses SQL built with f-strings or .format outside the allow-listed files;
    # the format check keeps diffs to what changed, not to how each author spaces code.
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, str(REPO_ROOT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command_word_for_word():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Test it", 1)[1]
    command = section.split("```bash\n", 1)[1].split("\n```", 1)[0].strip()
    assert ".venv" in command, "Debian's python3 needs a virtual environment"
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()


def test_the_served_dashboard_skips_the_work_no_page_needs():
    # Read by Streamlit's own config loader, from the folder `streamlit run` starts in (see
    # .streamlit/config.toml for what each cost): no watcher of the source files, no full
    # garbage collection after every script run, and no bare expression written to a page.
    options = ("server.fileWatcherType", "runner.postScriptGC", "runner.magicEnabled")
    read_options = (
        "from streamlit import config; config.get_config_options(force_reparse=True); "
        f"print([config.get_option(name) for name in {options!r}])"
    )
    result = subprocess.run(
        [sys.executable, "-c", read_options], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.stdout.strip() == "['none', False, False]", result.stdout + result.stderr


def test_no_function_is_over_sixty_lines():
    shipped_and_tooling = [
        *PYTHON_FILES,
        *(REPO_ROOT / "benchmarks").glob("*.py"),
        *(REPO_ROOT / "tests" / "support").glob("*.py"),
    ]
    long_functions = [
        f"{path.relative_to(REPO_ROOT)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in shipped_and_tooling
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert not long_functions
