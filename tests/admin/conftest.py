import pytest


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True, is_superuser=True)
