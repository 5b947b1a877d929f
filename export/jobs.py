"""Export jobs' requests: checked like GET /export's, and read back when a job runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from export.endpoint import file_name
from export.formats import Layout
from export.request import ExportRequest, from_json
from models.export_job import ExportJob
from resolvers.export_jobs import JobPlan, request_of
from resolvers.selection import Selection


def plan_export(account_id: str, body: Mapping[str, object], now: dt.datetime) -> JobPlan:
    """Check an export request (POST /export's body) for the account; say what a job stores.

    Raises InvalidInputError naming the field, exactly as GET /export refuses it.
    """
    asked = from_json(dict(body))
    Selection(account_id, asked.filter, asked.query).condition(now)
    options: dict[str, object] = {
        "order": asked.order.value,
        "timeZone": asked.time_zone,
        "columns": list(asked.columns),
        "bom": asked.bom,
    }
    if asked.locale is not None:
        options["locale"] = asked.locale
    return JobPlan(
        format=asked.format.value,
        filter=asked.filter_input,
        query=asked.query,
        options=options,
        file_name=file_name(account_id, asked, now) + ".gz",
    )


def stored_request(job: ExportJob) -> ExportRequest:
    """The job's request, checked again; InvalidInputError if it no longer holds."""
    return from_json(request_of(job))


def selection_of(job: ExportJob, asked: ExportRequest) -> Selection:
    """The entries the job writes."""
    return Selection(job.account_id, asked.filter, asked.query)


def layout_of(asked: ExportRequest) -> Layout:
    """How the job's entries become file text: the same as GET /export's."""
    return asked.layout()
