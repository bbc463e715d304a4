"""Asynchronous jobs: long work (coverage runs, pass schedules, plans) off the request path.

A job kind is registered with :func:`register_job_kind`: its parameters (a typed input
model of :mod:`sahelsat.inputs`, or a function ``validate(params: dict) -> dict`` raising
:class:`JobParamError` naming the field), an optional estimate of its work, and
``run(params, ctx) -> JobOutput``, which calls ``ctx.progress(fraction, message)`` now
and then; ``ctx.progress`` raises :class:`JobCancelled` once a cancellation was asked,
so the work stops at its next step (within seconds: every kind reports at least that
often).

Admission (:meth:`JobRunner.submit`): parameters are checked at submission, a job whose
estimated work exceeds its kind's limit is refused (422, naming the estimate and the
limit), and at most ``max_jobs`` jobs (``max_jobs_per_token`` per token) may be queued or
running at once (beyond it :class:`~sahelsat.service.usecases.Overloaded`, a 429).

A :class:`JobRunner` executes queued jobs on a small thread pool and keeps every state
change in the store: a job is ``queued``, ``running``, then ``succeeded``, ``failed`` or
``cancelled``. A job never stays ``running`` without a worker: whatever stops its worker
(an exception or a crash anywhere in it, its products failing to be stored) marks it
failed with the reason; while the store is unavailable the worker waits for it to come
back (progress reports are skipped meanwhile) rather than losing the outcome. A job's
products are stored in the same transaction as its ``succeeded``: all or none. After a
restart, queued jobs are queued again and the jobs that were running are marked failed
("interrupted by a server restart"); a service that stops marks its running jobs failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from sahelsat.inputs import InputError, Problem, parse
from sahelsat.service.db import Job, Product, store_fault, utcnow
from sahelsat.service.usecases import Overloaded

log = logging.getLogger(__name__)

FINAL_STATES = ("succeeded", "failed", "cancelled")
#: Seconds between tries to write a job's state while the store is unavailable (doubling
#: from the first to the last).
STORE_RETRY_S = (0.25, 15.0)


class JobCancelled(Exception):
    """Raised inside a job when its cancellation was asked."""


class JobParamError(InputError):
    """Bad job parameters: names the field (an :class:`~sahelsat.inputs.InputError`)."""

    def __init__(self, field: str, reason: str):
        super().__init__([Problem((field,), reason)])


@dataclass
class JobOutput:
    """What a job returns: a JSON-able summary and products ``(name, media_type, bytes)``."""

    summary: dict = field(default_factory=dict)
    products: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class Work:
    """A job's estimated work (``amount`` in ``unit``) and the most its kind may ask."""

    amount: float
    limit: float
    unit: str


@dataclass(frozen=True)
class JobKind:
    name: str
    description: str
    validate: Callable[[dict], dict]
    run: Callable[[dict, JobContext], JobOutput]
    params: type[BaseModel] | None = None
    estimate: Callable[[dict, object], Work] | None = None
    single: bool = False  # at most one queued or running at once (a second gets that one)


JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(
    name: str,
    description: str,
    validate: Callable[[dict], dict] | type[BaseModel],
    run: Callable[[dict, JobContext], JobOutput],
    estimate: Callable[[dict, object], Work] | None = None,
    single: bool = False,
) -> None:
    """Make a job kind available to ``POST /api/jobs`` (replaces one of the same name).

    ``validate``: a typed input model (the parameters are parsed into it and stored as its
    JSON) or a function returning the checked parameters. ``estimate(params, runner)``:
    the job's :class:`Work` (``runner``: the :class:`JobRunner`, with its settings and
    store), checked against its limit at submission. ``single``: at most one job of the
    kind queued or running; submitting another gives that one (see :meth:`JobRunner.submit`)."""
    model = validate if isinstance(validate, type) and issubclass(validate, BaseModel) else None
    if model is not None:

        def validate(params: dict, model=model) -> dict:
            parsed = parse(model, params)
            stored = getattr(parsed, "stored", None)  # a model may keep what it derived
            return stored() if stored is not None else parsed.model_dump(mode="json")

    JOB_KINDS[name] = JobKind(name, description, validate, run, model, estimate, single)


class JobContext:
    """Handed to a running job: progress reporting and cancellation checks."""

    def __init__(self, runner: JobRunner, job_id: int):
        self._runner = runner
        self.job_id = job_id
        self._last_write = 0.0

    @property
    def cancelled(self) -> bool:
        return self._runner._cancel_flag(self.job_id).is_set()

    def progress(self, fraction: float, message: str = "") -> None:
        """Report ``fraction`` in [0, 1] done; raises :class:`JobCancelled` if cancelled
        (asked here, or in the store by another server process)."""
        if self.cancelled:
            raise JobCancelled()
        now = time.monotonic()
        if now - self._last_write >= 0.25 or fraction >= 1.0:
            self._last_write = now
            asked = False
            try:
                with self._runner.sessions.begin() as session:
                    session.execute(
                        update(Job)
                        .where(Job.id == self.job_id)
                        .values(progress=min(max(float(fraction), 0.0), 1.0), message=message)
                    )
                    asked = session.scalar(
                        select(Job.cancel_requested).where(Job.id == self.job_id)
                    )
            except (DBAPIError, PoolTimeout) as exc:
                if store_fault(exc) is None:
                    raise
                log.warning("job %s: progress not recorded, store unavailable", self.job_id)
            if asked:
                self._runner._cancel_flag(self.job_id).set()
                raise JobCancelled()


class JobRunner:
    """Runs queued jobs on ``workers`` threads; every state change is committed."""

    def __init__(self, sessions: sessionmaker, workers: int = 2, settings=None):
        from sahelsat.service.settings import Settings

        self.sessions = sessions
        self.settings = settings or Settings()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sahelsat-job")
        self._flags: dict[int, threading.Event] = {}  # running jobs only: bounded by workers
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._admission = threading.Lock()

    def _cancel_flag(self, job_id: int) -> threading.Event:
        with self._lock:
            flag = self._flags.get(job_id)
            return flag if flag is not None else threading.Event()

    def recover(self) -> None:
        """After a restart: fail the jobs that were running, queue again the queued ones."""
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.status == "running")
                .values(
                    status="failed",
                    message="interrupted by a server restart; submit it again",
                    finished_at=utcnow(),
                )
            )
            queued = session.scalars(select(Job.id).where(Job.status == "queued")).all()
        for job_id in queued:
            self._pool.submit(self._execute, job_id)

    def check(self, kind: str, params: dict) -> dict:
        """The checked parameters of a ``kind`` job (InputError naming ``kind`` or
        ``params.<field>``), its estimated work within the kind's limit."""
        if kind not in JOB_KINDS:
            raise InputError.at("kind", f"unknown job kind {kind!r}; known: {sorted(JOB_KINDS)}")
        job_kind = JOB_KINDS[kind]
        try:
            params = job_kind.validate(params)
        except InputError as exc:
            raise exc.within("params") from None
        if job_kind.estimate is not None:
            work = job_kind.estimate(params, self)
            if work.amount > work.limit:
                raise InputError.at(
                    "params",
                    f"this job's estimated work is {work.amount:,.0f} {work.unit}, above the "
                    f"limit of {work.limit:,.0f}; ask for a shorter window, a coarser grid or "
                    "fewer satellites",
                )
        return params

    def _admit(self, session, created_by: int | None) -> None:
        active = Job.status.in_(("queued", "running"))
        total = session.scalar(select(func.count()).select_from(Job).where(active))
        if total >= self.settings.max_jobs:
            raise Overloaded(
                None,
                f"{total} jobs are queued or running, the most this server takes "
                f"({self.settings.max_jobs}); ask again once some have finished",
            )
        if created_by is not None:
            mine = session.scalar(
                select(func.count()).select_from(Job).where(active, Job.created_by == created_by)
            )
            if mine >= self.settings.max_jobs_per_token:
                raise Overloaded(
                    "Authorization",
                    f"this token has {mine} jobs queued or running, the most "
                    f"one token may have ({self.settings.max_jobs_per_token}); wait for one to "
                    "finish or cancel one",
                )

    def submit(self, kind: str, params: dict, created_by: int | None = None) -> int:
        """Check, admit and queue a job; returns its id. Raises
        :class:`~sahelsat.inputs.InputError` (bad parameters, too much work) or
        :class:`~sahelsat.service.usecases.Overloaded` (too many jobs). For a ``single``
        kind with a job queued or running, that job's id."""
        single = kind in JOB_KINDS and JOB_KINDS[kind].single
        return self._submit(kind, params, created_by, once=single)[0]

    def submit_once(self, kind: str, params: dict, created_by: int | None = None):
        """As :meth:`submit`, unless a job of ``kind`` is already queued or running (in
        this store, whichever process queued it): then that job. Returns ``(id, new)``."""
        return self._submit(kind, params, created_by, once=True)

    def _submit(self, kind, params, created_by, once) -> tuple[int, bool]:
        params = self.check(kind, params)
        if self._closing.is_set():  # a request that arrives while the service stops
            raise Overloaded(None, "the service is stopping; submit the job again once it is "
                             "back", retry_after=60)  # fmt: skip
        with self._admission, self.sessions.begin() as session:
            if once:
                active = Job.status.in_(("queued", "running"))
                other = session.scalar(
                    select(Job.id).where(Job.kind == kind, active).order_by(Job.id).limit(1)
                )
                if other is not None:
                    return other, False
            self._admit(session, created_by)
            job = Job(
                kind=kind,
                params=json.dumps(params),
                status="queued",
                progress=0.0,
                message="queued",
                cancel_requested=False,
                created_by=created_by,
            )
            session.add(job)
            session.flush()
            job_id = job.id
        self._pool.submit(self._execute, job_id)
        return job_id, True

    def cancel(self, job_id: int) -> str | None:
        """Ask a job to stop; returns its state after the request (None if no such job,
        and then nothing is remembered: a later job with that id is not affected)."""
        with self.sessions.begin() as session:
            if session.get(Job, job_id) is None:
                return None
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(
                    status="cancelled",
                    message="cancelled before it started",
                    finished_at=utcnow(),
                    cancel_requested=True,
                )
            )
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "running")
                .values(cancel_requested=True, message="cancellation requested")
            )
            job = session.get(Job, job_id)
            session.refresh(job)
            status = job.status
        with self._lock:
            flag = self._flags.get(job_id)
        if flag is not None:
            flag.set()
        return status

    def _durably(self, write: Callable[[], object]):
        """Run the store transaction ``write``; while the store is unavailable, try again,
        waiting longer each time, until it is back or the runner stops (then raise)."""
        delay, longest = STORE_RETRY_S
        while True:
            try:
                return write()
            except (DBAPIError, PoolTimeout) as exc:
                if store_fault(exc) != "unavailable" or self._closing.is_set():
                    raise
                log.warning("store unavailable, trying again in %.2f s: %s", delay, _first(exc))
            self._closing.wait(delay)
            delay = min(2 * delay, longest)

    def _finish(self, job_id: int, **values) -> None:
        """Give the running job ``job_id`` its final state (waits for the store if need be)."""

        def write() -> None:
            with self.sessions.begin() as session:
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == "running")
                    .values(finished_at=utcnow(), **values)
                )

        self._durably(write)

    def _claim(self, job_id: int) -> tuple[bool, str | None, dict | None]:
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(status="running", started_at=utcnow(), message="started")
            ).rowcount
            job = session.get(Job, job_id)
            kind, params = (job.kind, json.loads(job.params)) if job else (None, None)
        return bool(claimed), kind, params

    def _store_output(self, job_id: int, output: JobOutput) -> None:
        """The products and the ``succeeded`` state, in one transaction: all or none. A job
        no longer running (already stored by a try whose answer was lost, or failed by a
        restart elsewhere) gets no products."""
        with self.sessions.begin() as session:
            done = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "running")
                .values(
                    status="succeeded",
                    progress=1.0,
                    message="done",
                    result=json.dumps(output.summary),
                    finished_at=utcnow(),
                )
            ).rowcount
            for name, media_type, content in output.products if done else ():
                session.add(
                    Product(
                        name=name,
                        media_type=media_type,
                        size_bytes=len(content),
                        sha256=hashlib.sha256(content).hexdigest(),
                        content=content,
                        job_id=job_id,
                    )
                )

    def _execute(self, job_id: int) -> None:
        """Run one job; whatever stops its worker, the job's state is final afterwards (or,
        with the store gone for good, it is failed by the next start's :meth:`recover`)."""
        try:
            self._run(job_id)
        except BaseException as exc:  # a crash of the worker, outside the job's own code
            log.exception("the worker of job %s stopped", job_id)
            try:
                self._finish(job_id, status="failed", message=f"its worker stopped: {_first(exc)}")
            except Exception:
                log.exception("job %s could not be marked failed", job_id)
            if not isinstance(exc, Exception):
                raise
        finally:
            with self._lock:
                self._flags.pop(job_id, None)

    def _run(self, job_id: int) -> None:
        claimed, kind, params = self._durably(lambda: self._claim(job_id))
        if not claimed:
            return
        with self._lock:
            self._flags[job_id] = threading.Event()  # dropped by _execute
        try:
            if kind not in JOB_KINDS:
                raise RuntimeError(f"job kind {kind!r} is not available in this server")
            output = JOB_KINDS[kind].run(params, JobContext(self, job_id))
        except JobCancelled:
            if self._closing.is_set():
                message = "interrupted: the service stopped; submit it again"
                self._finish(job_id, status="failed", message=message)
            else:
                self._finish(job_id, status="cancelled", message="cancelled")
            return
        except BaseException as exc:  # one job's failure is a state, never a dead worker
            log.exception("job %s (%s) failed", job_id, kind)
            self._finish(job_id, status="failed", message=f"{type(exc).__name__}: {exc}")
            return
        try:
            self._durably(lambda: self._store_output(job_id, output))
        except Exception as exc:
            log.exception("job %s: its products could not be stored", job_id)
            why = {"full": "the store is out of disk space", "failed": "the store failed to write"}
            reason = why.get(store_fault(exc)) or _first(exc)
            message = f"its results could not be stored ({reason}); nothing was kept"
            self._finish(job_id, status="failed", message=message)

    def shutdown(self, wait: bool = False) -> None:
        """Stop taking jobs; running ones are asked to stop and are marked failed."""
        self._closing.set()
        with self._lock:
            for flag in self._flags.values():
                flag.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _first(exc: BaseException) -> str:
    """``Type: first line of the message`` of ``exc``, for a job's message or a log line."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
