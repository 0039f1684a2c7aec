"""The monthly report as a PDF download: for whoever may read the report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from reports import selectors
from teams import access


@login_required
@never_cache  # team-private: no shared cache may keep a copy
def report_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for(request.user, pk)
    # WeasyPrint takes about half a second to import (pango, its own stylesheets): only a
    # download pays for it, not every process that loads the URLconf.
    from reports import pdf

    return HttpResponse(pdf.report_pdf(report), content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{pdf.report_pdf_filename(report)}"'})


@login_required
def collaborative_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The collaborative's monthly summary as a PDF, for whoever reads the collaborative
    (aggregates only, as on the page)."""
    from reports import collaborative_report, pdf
    from reports.views import month_asked

    collaborative = access.collaborative_for(request.user, pk)
    report = collaborative_report.collaborative_month(collaborative, month_asked(request))
    return HttpResponse(pdf.collaborative_month_pdf(report), content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{pdf.collaborative_month_pdf_filename(report)}"'})
