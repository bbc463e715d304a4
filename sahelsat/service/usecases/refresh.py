"""Keeping the service's element sets current: the ``refresh`` job, its schedule, and the
kept versions of each fleet (brought up to date or uploaded).

The job runs :func:`sahelsat.refresh.catalogues.update_elements` as the command
``sahelsat update elements`` does: each source's usage rules, the strict reading, and a
copy in use that stays whenever an answer is bad, cut or suspicious. The schedule
(:class:`RefreshSchedule`) submits one every ``refresh_interval_h`` hours (setting; off
by default, a closed network having no source to ask), counted from the last refresh job
in the store, so a restart does not ask again sooner; never while one is queued or running.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import select

from sahelsat.inputs import RefreshJob, fleet_name
from sahelsat.service.jobs import JobCancelled, JobOutput, register_job_kind
from sahelsat.service.usecases import NotFound

log = logging.getLogger(__name__)

KIND = "refresh"
#: Record errors listed per fleet in a job's result (the count says how many in all).
MAX_ERRORS_LISTED = 20
#: Seconds the schedule waits after a failed try (store unavailable) before the next.
RETRY_S = 60.0


def _fleet_result(result, store) -> dict:
    """One fleet of a refresh: what happened and the copy in use afterwards."""
    from sahelsat.refresh.catalogues import in_use
    from sahelsat.refresh.status import SHIPPED_SOURCE
    from sahelsat.userdata import epoch_summary

    try:
        info, sets = in_use(result.name, store)
    except ValueError:  # not a fleet name (refused before anything was asked)
        info, sets = None, []
    lo, _, hi = epoch_summary(sets)
    return {
        "fleet": result.name,
        "status": result.status,
        "updated": result.status == "updated",
        "skipped": result.status in ("skipped", "not asked"),
        "message": result.message,
        "objects": len(sets),
        "epoch_min": lo or None,
        "epoch_max": hi or None,
        "source": info.source if info else (SHIPPED_SOURCE if sets else None),
        "fetched_at": info.fetched_at if info else None,
        "version": info.version if info else None,
        "errors": result.errors[:MAX_ERRORS_LISTED],
        "error_count": len(result.errors),
    }


def run_refresh(params: dict, ctx) -> JobOutput:
    """Bring the fleets up to date; progress before each request, a cancellation taking
    effect before the next request (what was stored before it stays)."""
    from sahelsat.refresh.catalogues import update_elements
    from sahelsat.userdata import ElementStore

    settings = ctx._runner.settings
    fleets = params.get("fleets") or list(settings.refresh_fleets)

    def progress(fraction: float, message: str) -> None:
        try:
            ctx.progress(fraction, message)
        except JobCancelled:
            pass  # update_elements stops at its next request (cancelled() below)

    store = ElementStore()
    report = update_elements(
        fleets,
        url=settings.celestrak_url,
        force=bool(params.get("force")),
        store=store,
        progress=progress,
        cancelled=lambda: ctx.cancelled,
    )
    if report.cancelled:
        raise JobCancelled()
    results = [_fleet_result(r, store) for r in report.results]
    summary = {
        "ok": report.ok,
        "stopped": report.stopped,
        "updated": [r["fleet"] for r in results if r["updated"]],
        "fleets": results,
    }
    return JobOutput(summary)


def register() -> None:
    """Make the ``refresh`` job kind available."""
    register_job_kind(
        KIND,
        "bring fleets' element sets up to date from their source (CelesTrak's GP service, "
        "Space-Track when its credentials are set, or a mirror: SAHELSAT_CELESTRAK_URL); a "
        "bad, cut or suspicious answer keeps the copy in use (params: fleets, force) -> per "
        "fleet: status, objects, epoch range, errors",
        RefreshJob,
        run_refresh,
        single=True,
    )


def submit(runner, fleets: list[str] | None, force: bool, created_by: int | None):
    """Queue a refresh unless one is queued or running; returns ``(job id, new)``."""
    params = {"force": force} | ({"fleets": fleets} if fleets else {})
    return runner.submit_once(KIND, params, created_by)


class RefreshSchedule:
    """Submits a refresh every ``interval_h`` hours from the last one in the store (a
    thread; :meth:`start` with the service, :meth:`stop` when it stops)."""

    def __init__(self, runner, interval_h: float):
        self.runner = runner
        self.interval = timedelta(hours=interval_h)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.submitted: list[int] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sahelsat-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def due_in_s(self) -> float:
        """Seconds until the next refresh is due (<= 0: now)."""
        from sahelsat.service.db import Job, utcnow

        with self.runner.sessions() as db:
            last = db.scalar(select(Job.created_at).where(Job.kind == KIND)
                             .order_by(Job.id.desc()).limit(1))  # fmt: skip
        if last is None:
            return 0.0
        return (last + self.interval - utcnow()).total_seconds()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.due_in_s()
                if wait <= 0:
                    job_id, new = submit(self.runner, None, False, None)
                    if new:
                        self.submitted.append(job_id)
                        log.info("scheduled refresh: job %s", job_id)
                    wait = self.interval.total_seconds()
            except Exception:  # the store unavailable, or a job refused: try again later
                log.exception("the scheduled refresh could not be submitted")
                wait = RETRY_S
            self._stop.wait(min(max(wait, 1.0), 3600.0))


# ------------------------------------------------------------------ kept versions


def _name(fleet: str) -> str:
    from sahelsat.inputs import InputError

    try:
        return fleet_name(fleet)
    except ValueError as exc:
        raise InputError.at(("path", "fleet"), str(exc)) from None


def _version_out(info, current, pins, uploads) -> dict:
    out = asdict(info)
    out["queries"] = sorted(out.pop("parts"))
    out["spec"] = f"{info.name}@{info.version}"
    out["in_use"] = current is not None and current.version == info.version
    out["pinned"] = pins.get(info.version)
    out["element_set_id"] = uploads.get(info.version)
    return out


def _uploads(db, name: str) -> dict[str, int]:
    from sahelsat.service.db import ElementSet

    rows = db.execute(select(ElementSet.version, ElementSet.id).where(ElementSet.fleet == name))
    return {v: i for v, i in rows if v}


def versions(db, fleet: str) -> dict:
    """The kept versions of a stored fleet, newest first (404 when none is kept)."""
    from sahelsat.fleet import CATALOGUES
    from sahelsat.userdata import ElementStore

    name = _name(fleet)
    store = ElementStore()
    kept = store.versions(name)
    if not kept and name not in CATALOGUES:
        raise NotFound("fleet", f"no kept versions of {name!r}")
    current, pins, uploads = store.current(name), store.pins(name), _uploads(db, name)
    return {
        "fleet": name,
        "in_use": current.version if current else None,
        "shipped_fallback": name in CATALOGUES,
        "versions": [_version_out(v, current, pins, uploads) for v in reversed(kept)],
    }


def version(db, fleet: str, version: str) -> dict:
    """One kept version: its description and its element sets as OMM (CCSDS 502.0-B,
    CelesTrak's JSON keys). 404 when it is not kept."""
    from sahelsat.elements import omm_json
    from sahelsat.userdata import ElementStore

    name = _name(fleet)
    store = ElementStore()
    try:
        info, sets = store.load(name, version)
    except KeyError as exc:
        raise NotFound("version", str(exc).strip("'\"")) from None
    out = _version_out(info, store.current(name), store.pins(name), _uploads(db, name))
    out["element_sets"] = json.loads(omm_json(sets))
    return out
