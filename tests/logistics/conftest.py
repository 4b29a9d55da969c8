import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The seller-page stories sign several people in; the real hasher would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


from tests.merchants.conftest import cast  # noqa: E402, F401 - re-exported fixture
