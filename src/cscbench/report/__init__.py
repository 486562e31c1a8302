"""The benchmark pack: one folder an analyst can hand to a board.

- :mod:`~cscbench.report.content`: the pack's content, built once as data
  (:func:`pack_content`): sections by theme, sentences, tables and chart plans;
- :mod:`~cscbench.report.html`, :mod:`~cscbench.report.word`,
  :mod:`~cscbench.report.workbook`: the writers of the page (Jinja2 templates, autoescaped),
  of the Word document ``report.docx`` (python-docx, Word's own styles; its parts in
  :mod:`~cscbench.report.wordparts`) and of the workbook and CSV files
  (:mod:`~cscbench.report.summary`: the workbook's Summary and Notes sheets as rows);
- :mod:`~cscbench.report.drawn`: drawing the charts, keeping those drawn before;
- :mod:`~cscbench.report.folders`: writing a pack whole or not at all, never over a user's files;
- :mod:`~cscbench.report.pack`: :func:`report` (one authority) and :func:`report_all`;
- :mod:`~cscbench.report.partnership`: :func:`partnership_report`.

Example:
    >>> from cscbench.report import pack_content
    >>> pack_content("Derby", year=2025).name
    'Derby'
"""

from __future__ import annotations

from cscbench.report.content import CHARTED, ChartPlan, PackContent, Section, pack_content
from cscbench.report.pack import report, report_all
from cscbench.report.partnership import partnership_report

__all__ = [
    "CHARTED",
    "ChartPlan",
    "PackContent",
    "Section",
    "pack_content",
    "partnership_report",
    "report",
    "report_all",
]
