"""LAIT's titles as English: the ``short`` name and ``headline`` of a values-only indicator.

LAIT's titles are labels ("% of school-age Children in Need with SEN Support", "CLA Key
Stage 2 - Expected Std Reading"). :func:`short_name` makes the noun phrase a sentence names
the measure by, as the declared indicators' ``short`` names are: the unit's word left out
(the wording layer says "percentage of", "number of" from the unit, and writes the unit after
the number), LAIT's abbreviations spelt out (CLA, CIN, CPP, Std, AVG), and LAIT's capitals
lowered (acronyms such as SEN and EHCP apart). :func:`headline` shortens that to five words
or fewer for a chart title.

Example:
    >>> short_name("% of school-age Children in Need with SEN Support", "lait_percent")
    'school-age children in need with SEN support'
    >>> headline("CINSEN_SUP", "% of school-age Children in Need with SEN Support", "lait_percent")
    'children in need: SEN support'
"""

from __future__ import annotations

import re

#: LAIT's abbreviations, spelt out (in order: the longer first).
ABBREVIATIONS = (
    (r"\bICP conference\b", "initial child protection conference"),
    (r"\bCP strategy meeting\b", "child protection strategy meeting"),
    (r"\bReview of Child Protection Cases\b", "child protection cases reviewed"),
    (r"\bchildren with (a )?CPP\b", "children on a child protection plan"),
    (r"\bsubject to (a )?CPP\b", "on a child protection plan"),
    (r"\bwith (a )?CPP\b", "on a child protection plan"),
    (r"\bCPP\b", "child protection plans"),
    (r"\bCLA pupil\b", "pupils looked after"),
    (r"\bCLA\b", "children looked after"),
    (r"\bCIN pupils\b", "pupils in need"),
    (r"\bCIN\b", "children in need"),
    (r"\bGLD\b", "a good level of development"),
    (r"\bFSM\b", "free school meals"),
    (r"\bStd\b", "standard"),
    (r"\bAVG\b", "average"),
    (r"\bNum\b", "number"),
    (r"\bby LA\b", "by the local authority"),
    (r"\bLA Boundary\b", "the local authority's boundary"),
    (r"\bNOT\b", "not"),
    (r"\bKey Stage (\d)\b", r"key stage \1"),
    (r"\b0-14yr olds\b", "0-14 year olds"),
    (r"\bsession missed\b", "sessions missed"),
    (r"\bnot known\(", "not known ("),
)

#: Words LAIT capitalises that stay capitalised in a sentence (names, not labels).
PROPER = {"English", "Baccalaureate", "Cafcass", "Sure", "Start", "Attainment", "Progress"}

#: What says the unit in LAIT's title; the wording layer says it from the unit instead.
_UNIT_WORDS = re.compile(
    r"^(?:%\s*(?:of\s+)?|percent(?:age)?\s+(?:of\s+)?|proportion\s+of\s+|number\s+of\s+|"
    r"number\s+|no_of\s+)",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(?:Leaving Care|Placement) [\d &]+ - ")
_TRAILING_UNIT = re.compile(r"\s*(?:-\s*)?\((?:%|Num|number)\)$|\s+-\s+number$", re.IGNORECASE)
_FROM_YEAR = re.compile(r"\s*\(from \d{4}\)")
_SPENDING = re.compile(r"^(?:Total\s+)?(.+?)\s*(?:\(finance\)\s*)?-\s*Gross$")
_UNIT_COST = re.compile(r"^(.+?)\s*-\s*S251/Outturn weekly unit costs$")


def _lowered(text: str) -> str:
    """LAIT's capitals lowered: a capitalised word (not an acronym, not a name) in lower case.

    Example:
        >>> _lowered("school-age Children in Need with SEN Support")
        'school-age children in need with SEN support'
    """

    def lower(match: re.Match) -> str:
        word = match.group(0)
        if word in PROPER or (len(word) > 1 and word.isupper()):
            return word
        return word.lower()

    return re.sub(r"[A-Za-z][A-Za-z']*", lower, text)


def short_name(title: str, unit: str) -> str:
    """The measure as a sentence names it (``unit`` says what the number is, so the title's
    "%", "Number of" or "(%)" is left out; a rate keeps "rate of", as the declared rates'
    short names do).

    Example:
        >>> short_name("Number of unaccompanied Asylum Seeking Children looked after", "lait_count")
        'unaccompanied asylum seeking children looked after'
        >>> short_name("CLA Key Stage 2 - Expected Std Reading", "lait_value")
        'children looked after key stage 2 - expected standard reading'
        >>> short_name("Fostering - S251/Outturn weekly unit costs", "pounds")
        'weekly unit cost of fostering'
        >>> short_name("Rate of Children cautioned or sentenced per 10,000 of 10-17 population",
        ...            "lait_rate")
        'rate of children cautioned or sentenced'
    """
    text = " ".join(title.split())
    text = _FROM_YEAR.sub("", text)
    if unit == "pounds":
        if cost := _UNIT_COST.match(text):
            text = f"weekly unit cost of {cost.group(1)}"
        elif spent := _SPENDING.match(text):
            text = f"gross spending on {spent.group(1)}"
    text = _NUMBERED.sub("", text)
    text = _TRAILING_UNIT.sub("", text)
    text = _UNIT_WORDS.sub("", text)
    if unit == "lait_rate":
        text = re.sub(r"\s+per 10,000\b.*$", "", text)
        text = text if text.lower().startswith("rate of ") else f"rate of {text}"
    for pattern, words in ABBREVIATIONS:
        text = re.sub(pattern, words, text)
    if text.startswith("with "):  # "% with at least one fixed period exclusion": of pupils
        text = f"pupils {text}"
    return _lowered(text)


#: Headlines written by hand where no rule shortens the title well (charted measures first).
HEADLINES = {
    "LACFinance": "weekly cost of care",
    "ChildPov": "children in low-income families",
}
#: Headlines by LAIT measure where the rules give only the title's first words, or cut a
#: phrase short.
TITLED = {
    "Referrals_AssessedNotNeed": "assessed, not in need",
    "Continue_Assess_Comp": "assessments in 45 days",
    "CPP_Reviewed_InReqTimeScl": "CP plans reviewed in time",
    "CPPlans2yrs": "CP plans lasting 2+ years",
    "DeRegCPR": "CP plans ended",
    "CPRDuration": "CP plan durations",
    "Social_Work_Starters": "social workers starting (FTE)",
    "Social_Work_Leavers": "social workers leaving (FTE)",
    "CMH_0-17yrs": "mental health admissions",
    "FirstYJS": "youth justice first entrants",
    "YJS_Caution-Sentence10-17_YO": "children cautioned or sentenced",
    "ReoffYO": "re-offending aged 10-14",
    "ReoffYO15-17": "re-offending aged 15-17",
    "EALPri": "EAL pupils: primary",
    "EALSec": "EAL pupils: secondary",
    "LAC_LongStableNum": "long-term placement stability",
    "ExcessYr6": "year 6 overweight or obese",
    "ExcessRec": "reception overweight or obese",
    "LACDistance": "placed 20+ miles away",
    "ReRegCPR": "second or later CP plans",
    "CPP_31March_3MnthorMore": "CP plans of 3+ months",
    "UASC_%_Starting": "UASC among those starting care",
    "Unacc_Asylmn_Seek_Childn%": "UASC among looked-after children",
    "LAC_EngMaths9-4": "looked-after children 9-4 passes",
    "LAC_Fixed_ Ex": "looked-after pupils excluded (fixed)",
    "LAC_Pers_Abs": "looked-after persistent absentees",
    "LAC_SEN": "looked-after children: SEN support",
    "LAC_SEN_Statement": "looked-after children: EHCP",
    "LACStableNum_2016on": "three or more placements",
    "LAC_Ind_SInd_Liv_Arr": "in independent or supported living",
    "LAC_SecHome_And_ChildHome": "in secure or children's homes",
    "LAC_Other_Res_Settings": "in other residential settings",
    "LAC_Other_Place_Inc_Unreg": "in other placements",
    "LAC_Foster_Placements": "in foster care",
    "LAC_Parents_OR_Others": "placed with parents",
    "Number_Foster_Places_Filled(New)": "foster places filled",
    "LAC_ceased_SGO": "care ended by SGO",
    "LAC_ceased_SGO%": "care ended by SGO",
    "LAC_ceased_CAO%": "care ended by arrangement order",
    "LAC_SGO_Car_Rel%": "SGO: other carer, relative/friend",
    "LAC_RetHome_CarePlan_%": "returned home, as planned",
    "LAC_RetHome_Not_CarePlan_%": "returned home, not planned",
    "NoCareLeavers": "care leavers",
    "CareLeaverEETNum": "care leavers in EET",
    "CareLeavers_LA_NotInTouch": "care leavers not in touch",
    "StayingPut": "care leavers staying put",
    "Children_Away": "looked-after children away",
    "CINTime3months": "in need under 3 months",
    "CINTime6-1": "in need 6 months-1 year",
    "CINTime2more": "in need 2+ years",
    "CINTime3-6": "in need 3-6 months",
    "CINTime1-2": "in need 1-2 years",
    "CINCease3months": "need ended under 3 months",
    "CINCease3-6": "need ended 3-6 months",
    "CINCease6-1": "need ended 6 months-1 year",
    "CINCease1-2": "need ended 1-2 years",
    "CINCease2more": "need ended 2+ years",
    "CINSEN_SUP": "children in need: SEN support",
    "CINNoSEN": "children in need: no SEN",
    "CINStatement": "children in need: EHCP",
    "CINFSM": "children in need: FSM",
    "CPP_Good_Develop": "children on CP plans: GLD",
    "CPPO_KS2_RWM": "children on CP plans: KS2",
    "CPPO_KS4_A8": "CP plans: Attainment 8",
    "CIN_EngMaths9-5": "children in need 9-5 passes",
    "CIN_EngMaths9-4": "children in need 9-4 passes",
    "CIN_EngBacEntries": "children in need: EBacc entry",
    "CIN_EngBacAPS": "children in need: EBacc APS",
    "CPPTotalAb_3Term": "CP plans: sessions missed",
    "CPPPerAbs_3Term": "CP plans: persistent absentees",
    "CINFixedExclusion": "pupils excluded (fixed period)",
    "CINPermExclusion": "pupils permanently excluded",
    "Social_Work_Qualified_no_cases_%": "social workers without cases",
    "Premium": "pupils eligible for pupil premium",
    "16-17_not known_NEET": "16-17: NEET or not known",
    "16-17_not known": "16-17: activity not known",
    "HospAd0-14": "emergency admissions (0-14)",
    "C&YPExpenditure": "spending: children's budget",
    "OtherChildren&FamilyFinance": "spending: other family services",
    "SafeguardingFinance": "spending: safeguarding",
    "SureStartFinance": "spending: Sure Start, early years",
    "RefBySource_HealthServ_%": "referrals from health services",
    "RefBySource_Schl_%": "referrals from schools",
    "RefBySource_Police_%": "referrals from the police",
    "LACnum_Adopt_AppUnop": "adoptions: application unopposed",
    "LACnum_Adopt_ConsentDisp": "adoptions without parental consent",
    "LAC%_Adopt_AppUnop": "adoptions: application unopposed",
    "LAC%_Adopt_ConsentDisp": "adoptions without parental consent",
    "No_of LAC Adopted": "children adopted",
    "%_of LAC Adopted": "children adopted",
}

#: Shorter ways of saying a headline's phrases (applied in order, all of them).
COMPRESSIONS = (
    (r"^children looked after\b", "looked-after children"),
    (r"\bchildren looked after\b", "looked-after children"),
    (r"\bpupils looked after\b", "looked-after pupils"),
    (r"\b(?:on|subject to) a child protection plan\b", "on CP plans"),
    (r"\bchild protection plans\b", "CP plans"),
    (r"\bchild protection plan\b", "CP plan"),
    (r"\bchild protection cases\b", "CP cases"),
    (r"\bchildren on CP plans\b", "children on CP plans"),
    (r"\bachieving expected standard KS2 in\b", "KS2"),
    (r"\bkey stage 2 - expected standard\b", "KS2"),
    (r"\bkey stage 2 - average Progress score -", "KS2 progress:"),
    (r"\bkey stage 4 - average\b", "KS4"),
    (r"\baverage Attainment 8 score per pupil(?: KS4)?", "Attainment 8"),
    (r"\bprogression - Progress 8 score\b", "Progress 8"),
    (r"\bachieving a good level of development in foundation stage profile\b", "GLD (EYFS)"),
    (r"- foundation - good level of development\b", "GLD (EYFS)"),
    (r"\bachieving (9-\d) pass in English and maths\b", r"\1 English and maths"),
    (r"\bgrammar, punctuation and spelling\b", "GPS"),
    (r"\breading, writing (?:and|&) maths\b", "RWM"),
    (
        r"\bworking days from child protection strategy meeting to initial child protection "
        r"conference\b",
        "days strategy to ICPC",
    ),
    (r"\bformer relevant young people\b", "care leavers"),
    (r"^weekly unit cost of\b", "weekly cost:"),
    (r"^gross spending on\b", "spending:"),
    (r"\bsessions missed through\b", "sessions lost:"),
    (r"\bwho are\b |\bwho were\b ", ""),
    (r"\bwith at least one\b", "with a"),
    (r"\bschool-age children in need\b", "children in need"),
    (r"\bunaccompanied asylum seeking children\b", "UASC"),
    (r"\bspecial guardianship order\b", "SGO"),
    (r"\bparents or other person with parental responsibility\b", "parents"),
    (r"\bduring the year\b", "in year"),
    (r"\bby the local authority\b", ""),
    (r"\bcomparator\b", ""),
    (r"\bwhich cease in year\b", "ending"),
    (
        r"\bplaced more than 20 miles from home, outside the local authority's boundary\b",
        "placed 20+ miles away",
    ),
)

_DURATION = re.compile(r",?\s*by duration\s*\((.+)\)$")
_CLAUSE = re.compile(
    r"\s+(?:who|which|that|where|whose|within|through|because|from|part|outside|"
    r"achieving|classed|lasting|starting|for|to live|eligible|entered)\s(?!.*\s(?:who|which|"
    r"that|where|whose|within|through|because|from|part|outside|achieving|classed|lasting|"
    r"starting|for|to live|eligible|entered)\s).*$"
)
_TRAILING = {"the", "of", "in", "by", "who", "are", "is", "a", "an", "and", "to", "for", "with"}


def _cut(text: str, words: int = 5) -> str:
    """At most ``words`` words, never ending on 'of', 'the', ... or a dash."""
    kept = text.split()[:words]
    while len(kept) > 1 and (kept[-1].lower() in _TRAILING or kept[-1] in ("-", "&", ":")):
        kept.pop()
    return " ".join(kept).rstrip(",:")


def headline(measure: str, title: str, unit: str) -> str:
    """Five words or fewer for a chart title, from :func:`short_name`: its phrases said
    shorter (:data:`COMPRESSIONS`: "looked-after children", "CP plans", "KS2"), a duration
    after a colon, then clauses ("who ...", "for ...") left off from the end until it fits.

    Example:
        >>> headline("X", "Children in Need, by duration (1-2 years)", "lait_value")
        'children in need: 1-2 years'
        >>> headline("X", "CLA Key Stage 2 - Expected Std Reading", "lait_value")
        'looked-after children KS2 reading'
    """
    if measure in HEADLINES:
        return HEADLINES[measure]
    if measure in TITLED:
        return TITLED[measure]
    name = short_name(title, unit)
    name = re.sub(r"(\d)\s*-\s*(\d)", r"\1-\2", name).replace(" - 1 year", "-1 year")
    if duration := _DURATION.search(name):
        subject = name[: duration.start()]
        subject = "children leaving need" if "cease to be in need" in subject else subject
        name = f"{subject}: {duration.group(1)}"
    for pattern, words in COMPRESSIONS:
        name = re.sub(pattern, words, name)
    name = " ".join(name.replace(" - ", ": ", 1).replace(" - ", " ").split())
    subject, colon, rest = name.partition(": ")
    if len(name.split()) > 5 and colon and len(rest.split()) <= 3:
        room = 5 - len(rest.split())
        return f"{_cut(_clauses_off(subject, room), room)}: {rest}"
    name = _clauses_off(name, 5)
    if len(name.split()) > 5:
        name = re.sub(r"\s*\([^)]*\)", "", name)
    return _cut(name)


def _clauses_off(name: str, words: int) -> str:
    """Clauses ("who ...", "for ...") left off from the end until ``name`` fits ``words``."""
    while len(name.split()) > words:
        shorter = _CLAUSE.sub("", name)
        if shorter == name:
            break
        name = shorter
    return name
