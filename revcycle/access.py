"""Who may change the data: the one decision every write goes through, and who is writing.

Changing means anything that writes: an upload, a replace, a restore, a channel-rule edit, and
every editing feature added later. Viewing is open to everyone who reaches the server.

- With no sign-in configured, only a browser on the same machine as the server may change the
  data; it writes as the operating-system user running the server. Anyone else reads, and so
  does every connection that came through a reverse proxy: a proxy on the server's machine
  connects from a loopback address whoever is behind it.
- With sign-in configured (an OpenID Connect provider in ``.streamlit/secrets.toml``), only a
  signed-in editor from the roles file may change the data, and writes under their email. The
  same-machine rule no longer grants anything: behind a reverse proxy on the same machine every
  visitor arrives from a local address, and a team that set up sign-in wants every change to
  carry a name. The command line (which needs a shell on the server) still writes as the OS user.

This module decides; ``revcycle/ui/access.py`` asks Streamlit who is visiting. Keeping the
decision here lets it be tested with plain values, and the CLI uses ``os_user`` from here.
"""

import getpass
import ipaddress
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EDITOR, VIEWER = "editor", "viewer"
ROLE_SECTIONS = {"editors": EDITOR, "viewers": VIEWER}
ROLE_KEYS = ("emails", "domains")

SIGN_IN_HINT = (
    "This page is read-only from other machines. To let your team change the data, set up "
    "sign-in as the README's “Sharing it with your team” says."
)
SIGN_IN_TO_CHANGE = "Sign in, in the sidebar, to change the data."
READ_ONLY = "This page is read-only for you."
# The lines name nobody: the sidebar shows who is signed in, as text that cannot become a link.
VIEWER_ONLY = (
    "You may view but not change the data: an editor is listed by email or domain in the "
    "roles file."
)
ROLES_UNREADABLE = (
    "The roles file could not be read, so nobody can change the data from a browser. The "
    "server log says why."
)


class RolesFileError(ValueError):
    """The roles file is not what the README describes; the message says where and why."""


@dataclass(frozen=True)
class Roles:
    """Editors and viewers by exact email and by email domain, all lowercase."""

    editor_emails: frozenset[str] = frozenset()
    editor_domains: frozenset[str] = frozenset()
    viewer_emails: frozenset[str] = frozenset()
    viewer_domains: frozenset[str] = frozenset()

    def role_of(self, email: str) -> str | None:
        """EDITOR, VIEWER, or None for an email the file does not list.

        An email listed by itself beats its domain, so a domain of editors can hold a viewer
        and the reverse. Case does not matter.
        """
        email = email.strip().lower()
        if email in self.editor_emails:
            return EDITOR
        if email in self.viewer_emails:
            return VIEWER
        domain = email.rpartition("@")[2]
        if domain in self.editor_domains:
            return EDITOR
        if domain in self.viewer_domains:
            return VIEWER
        return None


def parse_roles(text: str, source: str = "the roles file") -> Roles:
    """Read the roles TOML (``[editors]`` and ``[viewers]``, each with ``emails`` and
    ``domains`` lists); raise RolesFileError with a sentence for anything else."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RolesFileError(f"{source} is not valid TOML: {error}") from error
    unknown = sorted(set(document) - set(ROLE_SECTIONS))
    if unknown:
        # A misspelt section would otherwise leave nobody an editor without a word.
        raise RolesFileError(
            f"{source} has a section {unknown[0]!r}; it may hold only [editors] and [viewers]"
        )
    lists = {
        (section, key): _entries(document.get(section, {}), section, key, source)
        for section in ROLE_SECTIONS
        for key in ROLE_KEYS
    }
    for key in ROLE_KEYS:
        both = sorted(lists["editors", key] & lists["viewers", key])
        if both:
            raise RolesFileError(f"{source} lists {both[0]} as both an editor and a viewer")
    return Roles(
        lists["editors", "emails"],
        lists["editors", "domains"],
        lists["viewers", "emails"],
        lists["viewers", "domains"],
    )


def _entries(section, name: str, key: str, source: str) -> frozenset[str]:
    """The lowercase emails or domains under ``[name] key``, each checked for its shape."""
    where = f"{source}, [{name}] {key}"
    if not isinstance(section, dict):
        raise RolesFileError(f"{source}: {name} must be a section, [{name}]")
    unknown = sorted(set(section) - set(ROLE_KEYS))
    if unknown:
        raise RolesFileError(f"{source}: [{name}] has {unknown[0]!r}; it takes emails and domains")
    values = section.get(key, [])
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise RolesFileError(f'{where} must be a list of strings, like ["ana@example.com"]')
    cleaned = set()
    for value in values:
        value = value.strip().lower()
        if key == "emails":
            local, _, domain = value.partition("@")
            well_formed = bool(local and domain) and "@" not in domain
        else:
            value = value.removeprefix("@")  # "@example.com" means the domain, as people write it
            well_formed = bool(value) and "@" not in value
        if not well_formed:
            example = "ana@example.com" if key == "emails" else "example.com"
            raise RolesFileError(f"{where}: {value!r} is not like {example!r}")
        cleaned.add(value)
    return frozenset(cleaned)


@cache
def _read_roles(path: Path, modified_ns: int, size: int) -> Roles:
    # Keyed by the file's time and size: an edited roles file applies on the next page run.
    return parse_roles(path.read_text(encoding="utf-8"), str(path))


def read_roles(path: Path) -> Roles:
    """The roles in ``path``; no file means no editor and no viewer (a signed-in person reads)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return Roles()
    return _read_roles(path, status.st_mtime_ns, status.st_size)


def is_same_machine(address: str | None) -> bool:
    """Whether a browser connecting from ``address`` runs on the server's own machine: a
    loopback address (127.0.0.0/8, ::1, or IPv4 loopback written as IPv6)."""
    if not address:
        return False
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)
    return parsed.is_loopback or (mapped is not None and mapped.is_loopback)


# Headers a reverse proxy adds. A browser on the server's machine sends none of them; a
# connection that carries one came through a proxy, from wherever the proxy was reached.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host")


def came_through_proxy(header_names: Iterable[str]) -> bool:
    """Whether a connection's headers show a reverse proxy in between."""
    return any(name.strip().lower() in PROXY_HEADERS for name in header_names)


def os_user() -> str:
    """The operating-system user running this process, recorded for CLI and local writes."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        return "unknown user"


@dataclass(frozen=True)
class Visitor:
    """What is known of the person at the browser."""

    same_machine: bool
    sign_in_configured: bool
    signed_in: bool = False
    email: str | None = None  # the provider's email claim, once signed in
    email_verified: bool | None = None  # the provider's claim, when it sends one


@dataclass(frozen=True)
class Decision:
    """Whether the visitor may change the data; who the writes are recorded as; and, when
    they may not, the one line the page shows instead of its controls."""

    may_change: bool
    who: str | None = None
    why_not: str = ""


def decide(visitor: Visitor, roles: Roles | None, local_user: str) -> Decision:
    """The rules in this module's docstring. ``roles`` is None when the file is unreadable,
    which locks every browser out rather than guessing."""
    if not visitor.sign_in_configured:
        if visitor.same_machine:
            return Decision(True, f"{local_user} (on the server)")
        return Decision(False, why_not=SIGN_IN_HINT)
    if not visitor.signed_in:
        return Decision(False, why_not=SIGN_IN_TO_CHANGE)
    email = (visitor.email or "").strip().lower()
    if not email:
        return Decision(False, why_not=f"Your sign-in carries no email address. {READ_ONLY}")
    if visitor.email_verified is False:
        # A provider that lets people claim any address says so; such a claim grants nothing.
        return Decision(False, why_not=f"Your provider has not verified your email. {READ_ONLY}")
    if roles is None:
        return Decision(False, why_not=ROLES_UNREADABLE)
    if roles.role_of(email) == EDITOR:
        return Decision(True, email)
    return Decision(
        False,
        why_not=VIEWER_ONLY,
    )
