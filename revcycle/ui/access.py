"""The editor guard on the pages: ask Streamlit who is visiting; ``revcycle.access`` decides.

Every page that writes calls ``editor()`` once per run and draws its controls only when it
returns a name, which it then passes to the write, so every change records who made it.
"""

import logging

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from revcycle import access, settings
from revcycle.ui import format

log = logging.getLogger("revcycle")

# What st.login needs in the [auth] section of .streamlit/secrets.toml (one provider, the
# default one): Streamlit's own list.
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
INCOMPLETE_SIGN_IN = "Sign-in is set up incompletely, so nobody can sign in. See the server log."


def _auth_section():
    try:
        return st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file at all
        return None


def missing_auth_keys() -> list[str] | None:
    """None when sign-in is not configured; else the [auth] keys it lacks (empty: complete).

    Any [auth] section counts as configured, complete or not: the team meant sign-in, so a
    typo must lock browsers out, not fall back to the same-machine rule.
    """
    section = _auth_section()
    if section is None:
        return None
    return [key for key in AUTH_KEYS if key not in section]


def _same_machine() -> bool:
    address = st.context.ip_address
    if address is not None and not isinstance(address, str):
        # Not an address at all: no server holds a connection for this run; the page runs
        # inside the caller's own process (Streamlit's AppTest does so), on this machine.
        return True
    if access.came_through_proxy(st.context.headers.keys()):
        return False
    # Streamlit's documented None means a loopback connection (127.0.0.1, ::1); a server
    # listening on every interface sees IPv4 loopback as ::ffff:127.0.0.1, a string.
    return address is None or access.is_same_machine(address)


def _signed_in_user() -> dict:
    user = st.user.to_dict()
    return user if user.get("is_logged_in") is True else {}


def _roles() -> access.Roles | None:
    path = settings.roles_path()
    try:
        return access.read_roles(path)
    except (access.RolesFileError, OSError, UnicodeDecodeError):
        log.exception("the roles file %s cannot be used; nobody may change the data", path)
        return None


def decision() -> access.Decision:
    """Whether this visitor may change the data, and as whom."""
    missing = missing_auth_keys()
    if missing:  # not even an earlier sign-in's cookie counts while the setup is broken
        return access.Decision(False, why_not=INCOMPLETE_SIGN_IN)
    configured = missing is not None
    user = _signed_in_user() if configured else {}
    email, verified = user.get("email"), user.get("email_verified")
    visitor = access.Visitor(
        same_machine=_same_machine(),
        sign_in_configured=configured,
        signed_in=bool(user),
        email=email if isinstance(email, str) else None,
        email_verified=verified if isinstance(verified, bool) else None,
    )
    roles = _roles() if visitor.signed_in else access.Roles()
    return access.decide(visitor, roles, access.os_user())


def editor() -> str | None:
    """The editor guard: who is writing, when this visitor may change the data. Otherwise
    None, after the one line saying why the page is read-only."""
    decided = decision()
    if not decided.may_change:
        st.info(format.plain(decided.why_not), icon=":material/lock:")
        return None
    return decided.who


def code_span(text: str) -> str:
    """``text`` as inline code: Markdown shows it as written, and never turns an email address
    into a link, as it does even when every sign is escaped."""
    return "`" + text.replace("`", "\u2018") + "`"  # a backtick would end the span


def sign_in_controls() -> None:
    """In the sidebar, when sign-in is set up: who is signed in and Sign out, or Sign in."""
    missing = missing_auth_keys()
    if missing is None:
        return
    if missing:
        log.error("sign-in is configured, but [auth] in secrets.toml lacks %s", ", ".join(missing))
        st.sidebar.caption(INCOMPLETE_SIGN_IN)
        return
    user = _signed_in_user()
    if user:
        st.sidebar.caption(f"Signed in as {code_span(str(user.get('email') or 'no email'))}")
        st.sidebar.button("Sign out", key="access_sign_out", on_click=st.logout)
    else:
        st.sidebar.button("Sign in", key="access_sign_in", on_click=st.login)
