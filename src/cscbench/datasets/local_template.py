"""The starter local measures file: the measures the published annual reports use.

Chosen from the four reports in ``shared/reports`` (Derby Safeguarding Children Board 2016-17
and its 2006-08 performance monitoring framework, Leicestershire and Rutland LSCB 2017-18,
Derby and Derbyshire Safeguarding Children Partnership 2024-25); each definition says where a
report gives the measure. ``cscbench local template`` writes one row per measure (its details,
no period), for the authority to add its figures beneath; the file checks clean as written.

Example:
    >>> import os, tempfile
    >>> from cscbench.datasets.local_measures import check_measures
    >>> path = write_template(os.path.join(tempfile.mkdtemp(), "measures.csv"))
    >>> check_measures(path).height, template_frame().height >= 30
    (0, True)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cscbench.datasets.local_measures import COLUMNS
from cscbench.errors import UsageError
from cscbench.files import replacing

EARLY = "Early help"
FRONT = "Front door and assessment"
PROTECT = "Child protection"
CARE = "Children looked after"
MISSING = "Missing and exploitation"
LADO = "Allegations against staff (LADO)"
FOSTER = "Private fostering"
EDUCATION = "Education"
TRAINING = "Training"
QUALITY = "Quality assurance"

D17 = "Derby 2016-17"
DD25 = "Derby and Derbyshire 2024-25"
LR18 = "Leicestershire and Rutland 2017-18"
D07 = "Derby's 2006-07 framework"

#: (measure, title, unit, polarity, theme, definition): the starter measures, by theme.
TEMPLATE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("early_help_assessments", "Early help assessments completed", "count", "context", EARLY,
     f"Early help assessments completed in the period, by any agency ({D17}: 1,491 in the "
     "year, 929 the year before)."),
    ("early_help_open_cases", "Early help cases open at the end of the period", "count",
     "context", EARLY, f"Families with an early help lead professional on the last day ({DD25}:"
     " 373 in Derby at the end of March 2025)."),
    ("early_help_rate", "Children supported by targeted early help per 10,000 children",
     "rate_per_10k", "context", EARLY, "Children open to targeted early help on the last day "
     f"per 10,000 children aged 0 to 17 ({DD25}: 62.8 in Derby, from 159.2)."),
    ("early_help_reopened_pct", "Early help cases re-opened within 3 months of closure (%)",
     "percent", "low_is_good", EARLY, f"Cases closed that re-opened within 3 months ({D17}: 24 "
     "cases)."),
    ("early_help_escalated_pct", "Early help cases stepped up to social care (%)", "percent",
     "context", EARLY, f"Early help cases closed by escalation to children's social care "
     f"({D17}: 21.8%, from 30.2%)."),
    ("early_help_listened_pct", "Families who felt listened to (%)", "percent",
     "high_is_good", EARLY, f"'How was it for you' surveys saying workers listened ({D17}: 503 "
     "of 515)."),
    ("contacts", "Contacts to children's services", "count", "context", FRONT,
     f"Contacts received by the front door ({LR18}: 16,855 in Leicestershire, 1,522 in "
     "Rutland)."),
    ("rereferral_pct", "Re-referrals within 12 months (%)", "percent", "low_is_good", FRONT,
     "Referrals in the period within 12 months of a previous referral of the child, as DfE "
     f"defines them monthly ({LR18}: 30% and 26%); matched with DfE's rereferral_pct."),
    ("s47_rate", "Section 47 enquiries started per 10,000 children", "rate_per_10k",
     "context", FRONT, "Section 47 enquiries started in the period per 10,000 children aged 0 "
     f"to 17 ({D17}: 'a steady rise in section 47 enquiries'); matched with DfE's s47_rate "
     "once cscbench's registry holds it."),
    ("assessments_45_days_pct", "Assessments completed within 45 working days (%)",
     "percent", "high_is_good", FRONT, "Single assessments completed in the period that took "
     f"45 working days or fewer ({LR18}: 82% in Leicestershire by the year's end)."),
    ("icpc_15_days_pct", "Initial conferences within 15 working days (%)", "percent",
     "high_is_good", PROTECT, "Initial child protection conferences held within 15 working "
     "days of the strategy discussion that started the section 47 enquiry."),
    ("cp_reviews_in_time_pct", "Child protection reviews to timescale (%)", "percent",
     "high_is_good", PROTECT, f"Review conferences held to timescale ({D07}: 100% each "
     "quarter, target 100%)."),
    ("cla_reviews_in_time_pct", "Reviews of children looked after to timescale (%)",
     "percent", "high_is_good", CARE, f"Looked-after reviews held to timescale ({D07}: 74.4% to "
     "84.2% by quarter, target 95%)."),
    ("cla_placement_stability_pct", "Looked after 2.5 years or more, same placement 2 years "
     "(%)", "percent", "high_is_good", CARE, f"Children under 16 looked after for 2.5 years or "
     f"more who were in the same placement for 2 years ({D07}: 64.1% to 69.1%, target 64%)."),
    ("care_proceedings_26_weeks_pct", "Care proceedings concluded within 26 weeks (%)",
     "percent", "high_is_good", CARE, f"Care cases concluded in the period within 26 weeks "
     f"({D17}: 85%, 94%, 84% and 64% by quarter, target 85%)."),
    ("missing_episodes", "Missing episodes", "count", "context", MISSING, "Episodes of "
     f"children missing from home or care that ended in the period ({D17}: 646; {LR18}: "
     "1,210 in Leicestershire)."),
    ("missing_children", "Children reported missing", "count", "context", MISSING,
     f"Children with a missing episode in the period ({D17}: 203; {LR18}: 560 and 21)."),
    ("return_interviews_72h_pct", "Return interviews offered within 72 hours (%)", "percent",
     "high_is_good", MISSING, "Missing episodes whose child was offered an independent return "
     f"interview within 72 hours of coming back ({D17}: 82.1% in timescale, from 49.4%)."),
    ("return_interviews_done_pct", "Return interviews completed (%)", "percent",
     "high_is_good", MISSING, "Missing episodes after which a return interview was held "
     f"({LR18}: 884 for 1,210 episodes in Leicestershire)."),
    ("exploitation_referrals", "Referrals for child exploitation", "count", "context",
     MISSING, f"Referrals about child sexual or criminal exploitation ({LR18}: 247 and 13)."),
    ("exploitation_meetings", "Exploitation strategy and MACE meetings held", "count",
     "context", MISSING, f"Multi-agency child exploitation (MACE) and CSE strategy meetings "
     f"held ({D17}: 93 CSE meetings, 79 the year before)."),
    ("lado_referrals", "Referrals to the LADO", "count", "context", LADO, "Referrals to the "
     "Local Authority Designated Officer about allegations against people who work with "
     f"children, advice contacts included ({D17}: 202; {LR18}: 245 in Leicestershire)."),
    ("lado_threshold_pct", "LADO referrals meeting the threshold (%)", "percent", "context",
     LADO, f"Referrals that met the threshold for the allegations process ({D17}: 44%)."),
    ("private_fostering_notifications", "New private fostering notifications", "count",
     "context", FOSTER, f"Private fostering arrangements notified in the period ({D17}: 10; "
     f"{LR18}: 4 in Leicestershire)."),
    ("private_fostering_assessed_pct", "Private fostering arrangements assessed in time (%)",
     "percent", "high_is_good", FOSTER, "New arrangements whose suitability was assessed "
     f"within timescale ({D17}: 9 of 10)."),
    ("ehe_children", "Children electively home educated", "count", "context", EDUCATION,
     f"Children on the elective home education register on the last day ({D17}: 184; {LR18}: "
     "496 in Leicestershire)."),
    ("ehe_visited_pct", "Home educated children given their statutory visit (%)", "percent",
     "high_is_good", EDUCATION, f"Children in elective home education who had a home visit "
     f"({LR18}: 79% and 75%)."),
    ("children_missing_education", "Children missing education", "count", "context",
     EDUCATION, f"Children missing education on the last day ({D17}: 107 at the end of April "
     "2017)."),
    ("training_attendance_pct", "Multi-agency training places taken up (%)", "percent",
     "high_is_good", TRAINING, f"Places attended of places offered ({DD25}: 2,371 of 3,280)."),
    ("training_attendees", "Multi-agency training attendees", "count", "context", TRAINING,
     f"People attending multi-agency training ({LR18}: 1,047; {DD25}: 2,371)."),
    ("training_satisfaction_pct", "Participants satisfied with training (%)", "percent",
     "high_is_good", TRAINING, f"Participants satisfied with course content and delivery "
     f"({D07}'s 2007-08 target: 75%)."),
    ("audits_good_pct", "Case file audits graded good or better (%)", "percent",
     "high_is_good", QUALITY, "Case file audits in the period graded good or outstanding."),
    ("qa_notifications", "Quality assurance notifications raised", "count", "context",
     QUALITY, f"Formal quality assurance notifications raised ({D17}: 44, 55, 52 and 50 by "
     "quarter)."),
    ("qa_excellence_pct", "QA notifications for excellent practice (%)", "percent",
     "high_is_good", QUALITY, f"Quality assurance notifications raised for excellence ({D17}: "
     "14%, 9%, 17% and 21% by quarter)."),
)  # fmt: skip


def template_frame() -> pl.DataFrame:
    """The starter measures as the rows of a measures file (every column, no periods)."""
    rows = [
        {"measure": m, "title": t, "unit": u, "polarity": p, "theme": th, "frequency": "month",
         "definition": d}
        for m, t, u, p, th, d in TEMPLATE
    ]  # fmt: skip
    return pl.DataFrame(rows).select(
        pl.col(c) if c in rows[0] else pl.lit(None, pl.String).alias(c) for c in COLUMNS
    )


def write_template(path: str | Path) -> str:
    """Write the starter file to ``path`` (.csv, or .xlsx for a workbook); an existing file or
    a link is refused, so nothing of the user's is overwritten."""
    path = Path(path)
    if path.is_symlink() or path.exists():
        raise UsageError(f"{path}: already exists; choose a new file name")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UsageError(f"{path.name}: write the template to a .csv or .xlsx file")
    frame = template_frame()
    with replacing(path) as tmp:
        if suffix == ".xlsx":
            frame.write_excel(tmp, worksheet="measures", autofit=True)
        else:
            frame.write_csv(tmp)
    return str(path)
