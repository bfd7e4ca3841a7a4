"""A real OpenID Connect provider for the sign-in tests: ``oidc-provider`` on Node, started
from ``tests/support/oidc/provider.js`` on a free local port.

Its packages install with ``npm ci`` from the committed lock file the first time a test needs
them (``node_modules`` is not committed). Accounts are login names with an email each; the
provider's development login form takes the login name and any password.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.browser import HEALTH_POLL_S, log_tail, stop_process_group

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "revcycle-test"
CLIENT_SECRET = "revcycle-test-secret"  # good for this throwaway provider and nothing else
# Bounds, not targets: npm fetching ~100 small packages, and Node starting.
NPM_CI_S = 300
PROVIDER_START_S = 60


class ProviderStartError(RuntimeError):
    """The provider could not be installed or did not answer; the message says why."""


def skip_reason() -> str | None:
    """Why the provider cannot run here, or None when it can."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} missing (install: apt-get install -y nodejs npm)"
    return None


def ensure_installed() -> None:
    """``npm ci`` in the provider's folder, once: the lock file fixes every version."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=PROVIDER_DIR,
        capture_output=True,
        text=True,
        timeout=NPM_CI_S,
    )
    if result.returncode != 0:
        raise ProviderStartError(f"npm ci failed in {PROVIDER_DIR}:\n{result.stderr[-2000:]}")


def metadata_url(issuer: str) -> str:
    return f"{issuer}/.well-known/openid-configuration"


@contextmanager
def running_provider(
    port: int, redirect_uri: str, accounts: dict[str, str], log_path: Path
) -> Iterator[str]:
    """The provider on ``127.0.0.1:port`` with one client whose callback is ``redirect_uri``
    and the ``accounts`` (login name -> email); its issuer URL once it answers."""
    ensure_installed()
    env = os.environ | {
        "OIDC_PORT": str(port),
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    with log_path.open("wb") as log:
        provider = subprocess.Popen(
            ["node", "provider.js"],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_for(provider, metadata_url(issuer), log_path)
        yield issuer
    finally:
        stop_process_group(provider)


def _wait_for(provider: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + PROVIDER_START_S
    while time.monotonic() < deadline:
        if provider.poll() is not None:
            raise ProviderStartError(
                f"the provider exited with code {provider.returncode}; its log ends:\n"
                f"{log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(HEALTH_POLL_S)
    raise ProviderStartError(f"{url} did not answer within {PROVIDER_START_S} s")


def secrets_toml(redirect_uri: str, issuer: str) -> str:
    """The ``[auth]`` section of ``.streamlit/secrets.toml`` for this provider.

    ``prompt = "login"``: Streamlit asks for ``select_account`` by default, which Google knows
    but the OpenID Connect standard does not, so oidc-provider refuses it.
    """
    return (
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        'cookie_secret = "revcycle-test-cookie-secret-not-for-use"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{metadata_url(issuer)}"\n'
        'client_kwargs = { prompt = "login" }\n'
    )
