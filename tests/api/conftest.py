"""Helpers for calling /api/v1/ as one of the world's personas."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture
def eager_celery() -> None:
    """Invitation emails go through Celery; the tests expect it to run in-process."""
    assert settings.CELERY_TASK_ALWAYS_EAGER, (
        "Set CELERY_TASK_ALWAYS_EAGER=true: the invitation email tests read mailoutbox."
    )
