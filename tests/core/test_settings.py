"""Production settings: ``partnerdesk check --deploy`` passes with a real configuration and
refuses a missing or weak one."""

import os
import secrets
import string
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

# Variables that would leak the developer's or CI's configuration (or the test session's:
# conftest allows async-unsafe calls for Playwright) into the subprocess.
CONFIG_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "STATIC_MANIFEST",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
}


def random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def check_deploy(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "partnerdesk", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, "PARTNERDESK_VAR_DIR": str(tmp_path), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_production_configuration_passes_the_deploy_checks(tmp_path):
    result = check_deploy(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=random_secret(),
        ALLOWED_HOSTS="partnerdesk.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_without_a_secret_key_fails_with_a_clear_message(tmp_path):
    result = check_deploy(tmp_path, DEBUG="false", ALLOWED_HOSTS="partnerdesk.example.com")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is false"
    )


@pytest.mark.parametrize(
    ("env", "warning"),
    [
        ({"SECRET_KEY": "too-short"}, "security.W009"),
        ({"ALLOWED_HOSTS": ""}, "security.W020"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
    ],
    ids=["weak-secret", "no-allowed-hosts", "no-ssl-redirect"],
)
def test_a_weak_production_configuration_fails_the_deploy_checks(tmp_path, env, warning):
    good = {"DEBUG": "false", "SECRET_KEY": random_secret(), "ALLOWED_HOSTS": "pd.example.com"}

    result = check_deploy(tmp_path, **{**good, **env})

    assert result.returncode == 1
    assert warning in result.stderr


def test_a_malformed_boolean_is_refused_with_its_name(tmp_path):
    result = check_deploy(tmp_path, DEBUG="maybe")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG must be true or false, not 'maybe'"
    )
