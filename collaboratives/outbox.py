"""The transactional outbox: Celery tasks that survive a broker outage.

Why an outbox and not ``on_commit`` with a retry: an ``on_commit`` callback lives only in the
memory of the process that made the change. If Redis is down when it runs, a retry loop
would hold the web request (or lose the task when the process is recycled or deployed), and
a crash between commit and publish loses it silently. Here the task is a row written in the
*same transaction* as the change it belongs to, so either both are saved or neither is, and
nothing is kept in process memory:

1. ``outbox_enqueue`` writes the row and, once the transaction commits, tries to publish it
   at once (so with the broker up, the email goes out as quickly as before);
2. a publish that fails (Redis down) leaves the row unsent and never fails the request;
3. beat runs ``collaboratives.tasks.relay_outbox`` every minute, which publishes every
   unsent row once the broker is back.

A row is marked sent in the transaction that locked it for publishing (``SKIP LOCKED``: two
relays never publish the same row). A process that dies after publishing and before that
commit leaves the row unsent, so it is published again: delivery is at least once, and the
tasks are idempotent (each claims its work with a conditional UPDATE or a unique row), so
the work is still done once.

With ``CELERY_TASK_ALWAYS_EAGER`` (the embedded demo, the tests) publishing runs the task in
place; a task that fails there counts as delivered, as it would be by a broker.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone
from kombu import Producer

from collaboratives.models import OutboxMessage

logger = logging.getLogger(__name__)

RELAY_BATCH = 500
# One quick retry, then give up: the message waits in the table, not in a request (a broker
# that does not answer at all costs at most the connect timeout, twice).
FAIL_FAST = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1,
             "socket_connect_timeout": 1}
# Sent rows are kept a week, for the admin and for questions ("was it sent?").
KEEP_SENT = datetime.timedelta(days=7)


def outbox_enqueue(task: str, /, **kwargs: Any) -> OutboxMessage:
    """Queue the Celery task named ``task`` (e.g. ``"teams.tasks.send_membership_invitation"``)
    with JSON ``kwargs``, as part of the current transaction; it is published once that
    commits, or later by the relay if the broker is down."""
    return outbox_enqueue_many(task, [kwargs])[0]


def outbox_enqueue_many(task: str, kwargs_list: Iterable[dict[str, Any]]) -> list[OutboxMessage]:
    """Like ``outbox_enqueue`` for many calls of one task (a fan-out), in one INSERT."""
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task, kwargs=kwargs) for kwargs in kwargs_list])
    ids = [message.pk for message in messages]
    # robust: whatever goes wrong here, the change is committed and the row is kept.
    transaction.on_commit(lambda: outbox_relay(ids=ids), robust=True)
    return messages


def outbox_relay(*, ids: list[int] | None = None) -> int:
    """Publish unsent messages (only ``ids`` if given), oldest first; stops at the first
    broker error, leaving the rest for the next run. Returns how many were published."""
    published = 0
    while True:
        sent, broker_down = _relay_batch(ids)
        published += sent
        if broker_down or sent < RELAY_BATCH:
            return published


def outbox_unsent_count() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def outbox_forget_sent(now: datetime.datetime | None = None) -> int:
    """Delete messages sent more than a week ago; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_SENT
    return OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()[0]


def _relay_batch(ids: list[int] | None) -> tuple[int, bool]:
    """One locked batch: (how many were published, whether the broker refused)."""
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(sent_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        batch = list(pending.order_by("pk").select_for_update(skip_locked=True)[:RELAY_BATCH])
        if not batch:
            return 0, False
        if current_app.conf.task_always_eager:
            return _run_in_place(batch), False
        try:
            with _broker() as producer:
                return _publish(batch, producer)
        except Exception as exc:  # the broker is down: no connection at all
            _note_failure(batch[0], exc)
            return 0, True


@contextlib.contextmanager
def _broker() -> Iterator[Producer]:
    """A producer on a connection that gives up at once when the broker is down (Celery's
    own would keep trying for ``broker_connection_timeout``, 4 s, holding the request)."""
    with current_app.connection_for_write(transport_options=FAIL_FAST) as connection:
        yield connection.Producer()


def _publish(batch: list[OutboxMessage], producer: Producer) -> tuple[int, bool]:
    sent = 0
    for message in batch:
        task = _task(message)
        if task is None:
            continue
        try:
            task.apply_async(kwargs=message.kwargs, producer=producer, retry=False)
        except Exception as exc:  # a broker error must never reach the request
            _note_failure(message, exc)
            return sent, True
        _mark_sent(message)
        sent += 1
    return sent, False


def _run_in_place(batch: list[OutboxMessage]) -> int:
    ran = 0
    for message in batch:
        task = _task(message)
        if task is None:
            continue
        try:
            # A savepoint: a task that fails leaves this transaction usable.
            with transaction.atomic():
                task.apply_async(kwargs=message.kwargs)
        except Exception as exc:  # as a worker would, log it; it was delivered
            logger.error("outbox: %s failed when run in place (%s)", message, type(exc).__name__)
        _mark_sent(message)
        ran += 1
    return ran


def _mark_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(),
                                                       attempts=message.attempts + 1)


def _task(message: OutboxMessage) -> Task | None:
    """The task the message names, importing its module if this process has not yet (a web
    process imports task modules only when something there needs them). A task renamed or
    removed is logged and skipped, so it blocks nothing; its row stays for the admin."""
    name = message.task
    if name not in current_app.tasks:
        with contextlib.suppress(ImportError):
            importlib.import_module(name.rpartition(".")[0])
    task = current_app.tasks.get(name)
    if task is None:
        _note_failure(message, LookupError())
        logger.error("outbox: no task named %s", name)
    return task


def _note_failure(message: OutboxMessage, exc: Exception) -> None:
    # Only the class: an error's text may carry an email address.
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=message.attempts + 1, last_error=type(exc).__name__[:200])
    if not isinstance(exc, LookupError):
        logger.warning("outbox: the broker refused %s (%s); the relay will try again", message,
                       type(exc).__name__)
