"""Heavy work on a Dask cluster: the one place the service knows Dask.

An operator starts a scheduler and workers (``dask scheduler``, ``dask worker
tcp://host:8786``, each with sahelsat installed) and gives the service the scheduler's
address (``SAHELSAT_DASK_SCHEDULER``). A job then :func:`connect`\\ s, submits pure
functions with their parameters (:func:`run`, or its own futures and :func:`gather`),
reports the share of tasks done as its progress and cancels its futures when it is
cancelled or fails. A scheduler that cannot be reached fails the job with that reason
(:class:`ClusterUnavailable`): the work is never run elsewhere silently.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

#: Schemes of a scheduler address the service accepts.
SCHEMES = ("tcp", "tls")
#: Seconds between two looks at a job's futures (each look may report its progress).
POLL_S = 0.2

_CLIENTS: dict[str, object] = {}
_LOCK = threading.Lock()


class ClusterUnavailable(RuntimeError):
    """The scheduler cannot be reached, or has no worker: the job did not run."""


def check_address(address: str) -> str:
    """``address`` (``tcp://host:port`` or ``tls://host:port``) stripped; ValueError
    saying what is wrong otherwise."""
    text = address.strip()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or port < 1:
        raise ValueError(
            f"{address!r} is not a Dask scheduler address: give tcp://host:port or "
            "tls://host:port (e.g. tcp://10.0.0.5:8786)"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{address!r}: a scheduler address has only a scheme, host and port")
    return text


def connect(address: str, timeout_s: float = 10.0):
    """A ``distributed.Client`` of the scheduler at ``address`` with at least one worker
    (one client per address, kept for later jobs). Raises :class:`ClusterUnavailable`
    after ``timeout_s`` seconds without a scheduler or a worker."""
    from distributed import Client

    with _LOCK:
        client = _CLIENTS.get(address)
        if client is None or client.status != "running":
            try:
                client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterUnavailable(
                    f"the Dask scheduler at {address} cannot be reached ({_first(exc)}); the "
                    "job did not run: start the scheduler and its workers, or unset "
                    "SAHELSAT_DASK_SCHEDULER to run jobs in the service"
                ) from None
            _CLIENTS[address] = client
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (OSError, TimeoutError):
        raise ClusterUnavailable(
            f"the Dask scheduler at {address} has no worker after {timeout_s:g} s; the job did "
            "not run: start workers with `dask worker " + address + "`"
        ) from None
    return client


class WorkerReport:
    """Handed to a task as its ``progress(message)``: the task's latest message, kept in
    a ``distributed.Variable`` the job reads while it waits (see :func:`gather`). Outside
    a worker it does nothing."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, message: str) -> None:
        from distributed import Variable, get_client

        try:
            client = get_client()
        except ValueError:  # not in a worker
            return
        Variable(self.name, client=client).set(str(message)[:200])

    def latest(self, client) -> str | None:
        """The last message a task gave, or None."""
        from distributed import Variable

        try:
            return Variable(self.name, client=client).get(timeout=0)
        except TimeoutError:
            return None


def gather(client, futures: Sequence, progress: Callable[[float, str], None] | None = None,
           report: WorkerReport | None = None):  # fmt: skip
    """The results of ``futures`` in order. Every ``POLL_S`` seconds until all are done,
    ``progress(fraction of tasks done, message)`` (with the tasks' latest ``report``);
    whatever it raises (a job's cancellation) cancels the futures and goes up, as does a
    task's error."""
    futures = list(futures)
    try:
        while True:
            done = sum(f.done() for f in futures)
            if progress is not None:
                said = report.latest(client) if report is not None else None
                progress(done / max(len(futures), 1),
                         f"{done} of {len(futures)} tasks done on the cluster"
                         + (f": {said}" if said else ""))  # fmt: skip
            if done == len(futures) or any(f.status == "error" for f in futures):
                break
            if client.status != "running":
                raise ClusterUnavailable("the connection to the Dask scheduler was lost")
            time.sleep(POLL_S)
        return client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise


def run(address: str, function: Callable, arguments: Sequence[tuple], progress=None,
        timeout_s: float = 10.0, report: bool = False) -> list:  # fmt: skip
    """``[function(*args) for args in arguments]`` computed by the cluster's workers
    (see :func:`connect` and :func:`gather`). ``function`` must be importable there.
    ``report``: call ``function(*args, progress=WorkerReport(...))``, whose messages
    reach ``progress``."""
    client = connect(address, timeout_s)
    said = WorkerReport(f"sahelsat-progress-{uuid.uuid4().hex}") if report else None
    extra = {"progress": said} if report else {}
    futures = [client.submit(function, *args, pure=False, **extra) for args in arguments]
    try:
        return gather(client, futures, progress, said)
    finally:
        if said is not None:
            from distributed import Variable

            Variable(said.name, client=client).delete()


def close_all() -> None:
    """Close the kept clients (a service that stops, a test that ends its cluster)."""
    with _LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
    for client in clients:
        client.close()


def _first(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
