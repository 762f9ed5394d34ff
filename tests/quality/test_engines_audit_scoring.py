"""The audit scoring engine (pure): earned shares per kind of question, the weighted score with
questions not applicable left out, findings proposed and graded by the auditor, grades at their
exact boundaries and the downgrade for major findings. Every expected value is worked out by
hand in the comments."""

from decimal import Decimal as D

import pytest

from partnerdesk.quality.engines.audit_scoring import (
    Answer,
    earned_share,
    final_finding,
    grade_for,
    proposed_finding,
    score_audit,
)

A_MIN, B_MIN = D(90), D(80)


def yes_no(key, yes, *, weight="1", section="S", critical=False, na=False, finding=""):
    return Answer(
        key=key,
        section=section,
        kind="yes_no",
        weight=D(weight),
        critical=critical,
        not_applicable=na,
        yes=None if na else yes,
        finding=finding,
    )


def scale(key, value, top, *, weight="1", section="S", critical=False, finding=""):
    return Answer(
        key=key,
        section=section,
        kind="scale",
        weight=D(weight),
        critical=critical,
        value=None if value is None else D(value),
        scale_max=top,
        finding=finding,
    )


def numeric(key, value, low=None, high=None, *, weight="1", section="S", critical=False):
    return Answer(
        key=key,
        section=section,
        kind="numeric",
        weight=D(weight),
        critical=critical,
        value=D(value),
        lower_limit=None if low is None else D(low),
        upper_limit=None if high is None else D(high),
    )


# --- earned shares and findings ---------------------------------------------------------------


def test_yes_no_shares_and_findings():
    assert earned_share(yes_no(1, True)) == 1
    assert earned_share(yes_no(1, False)) == 0
    assert proposed_finding(yes_no(1, True)) == "compliant"
    assert proposed_finding(yes_no(1, False)) == "minor"
    # A failed critical question is a major finding by itself; passed, it is compliant.
    assert proposed_finding(yes_no(1, False, critical=True)) == "major"
    assert proposed_finding(yes_no(1, True, critical=True)) == "compliant"
    # Not applicable: no share, no finding.
    assert earned_share(yes_no(1, None, na=True)) is None
    assert proposed_finding(yes_no(1, None, na=True)) == ""


@pytest.mark.parametrize(
    ("value", "top", "share", "finding"),
    [
        ("5", 5, D(1), "compliant"),  # full marks
        ("3", 5, D("0.6"), "observation"),  # partial, not below half
        ("2", 4, D("0.5"), "observation"),  # exactly half is not a failure
        ("2", 5, D("0.4"), "minor"),  # below half: a failure
        ("1", 4, D("0.25"), "minor"),
        ("0", 5, D(0), "minor"),
    ],
)
def test_scale_share_is_value_over_maximum_and_below_half_fails(value, top, share, finding):
    answer = scale(1, value, top)
    assert earned_share(answer) == share
    assert proposed_finding(answer) == finding


def test_a_critical_scale_question_below_half_is_major():
    assert proposed_finding(scale(1, "1", 5, critical=True)) == "major"
    assert proposed_finding(scale(1, "3", 5, critical=True)) == "observation"


@pytest.mark.parametrize("value", ["4", "-1", "2.5"])
def test_a_scale_value_outside_0_to_max_or_not_whole_is_refused(value):
    with pytest.raises(ValueError, match=f"question 7: {value} is not a score from 0 to 3"):
        earned_share(scale(7, value, 3))


@pytest.mark.parametrize(
    ("value", "finding"),
    [
        ("10", "compliant"),  # exactly on the lower limit is within
        ("20", "compliant"),  # exactly on the upper limit is within
        ("15", "compliant"),
        ("9.9999", "minor"),  # just below
        ("20.0001", "minor"),  # just above
    ],
)
def test_numeric_limits_are_inclusive(value, finding):
    answer = numeric(1, value, "10", "20")
    assert earned_share(answer) == (1 if finding == "compliant" else 0)
    assert proposed_finding(answer) == finding


def test_numeric_with_one_limit_only():
    assert proposed_finding(numeric(1, "95", low="95")) == "compliant"
    assert proposed_finding(numeric(1, "94.99", low="95")) == "minor"
    assert proposed_finding(numeric(1, "-1000", high="0.2")) == "compliant"
    assert proposed_finding(numeric(1, "0.21", high="0.2", critical=True)) == "major"


def test_the_auditor_may_raise_a_finding_but_not_lower_it():
    # Raised: compliant -> observation, observation -> minor, minor -> major.
    assert final_finding(yes_no(1, True, finding="observation")) == "observation"
    assert final_finding(scale(1, "3", 5, finding="minor")) == "minor"
    assert final_finding(yes_no(1, False, finding="major")) == "major"
    # Lowered: ignored, the rules' grade stands.
    assert final_finding(yes_no(1, False, finding="observation")) == "minor"
    assert final_finding(yes_no(1, False, critical=True, finding="minor")) == "major"
    assert final_finding(scale(1, "3", 5, finding="compliant")) == "observation"
    # No grade given: the rules' grade. Not applicable: no finding whatever was given.
    assert final_finding(yes_no(1, False)) == "minor"
    assert final_finding(yes_no(1, None, na=True, finding="major")) == ""


def test_an_unknown_finding_is_refused():
    with pytest.raises(ValueError, match="question 4: unknown finding 'severe'"):
        final_finding(yes_no(4, False, finding="severe"))


# --- the score --------------------------------------------------------------------------------


def test_a_worked_example_with_weights_scale_numeric_and_not_applicable():
    answers = [
        yes_no(1, True, weight="2", section="Equipment"),  # 2 x 1 = 2
        yes_no(2, False, weight="1", section="Equipment"),  # 1 x 0 = 0, minor
        scale(3, "4", 5, weight="3", section="Training"),  # 3 x 4/5 = 2.4, observation
        numeric(4, "20", "10", "20", weight="2", section="Training"),  # on the limit: 2
        yes_no(5, None, na=True, weight="5", section="Training"),  # left out entirely
    ]
    result = score_audit(answers, A_MIN, B_MIN)
    # points 2 + 0 + 2.4 + 2 = 6.4 of 2 + 1 + 3 + 2 = 8 possible: 80.00 %, exactly grade B.
    assert (result.points, result.possible, result.score) == (D("6.4"), D(8), D("80.00"))
    assert (result.grade_by_score, result.grade, result.downgrade) == ("B", "B", "")
    assert result.findings == {
        "1": "compliant",
        "2": "minor",
        "3": "observation",
        "4": "compliant",
        "5": "",
    }
    assert result.counts == {"compliant": 2, "observation": 1, "minor": 1, "major": 0}
    equipment, training = result.sections
    # Equipment: 2 of 3 = 66.67 %; training: 4.4 of 5 = 88.00 %, one not applicable.
    assert (equipment.title, equipment.points, equipment.possible) == ("Equipment", D(2), D(3))
    assert equipment.percent == D("66.67")
    assert (training.points, training.possible, training.percent) == (D("4.4"), D(5), D("88.00"))
    assert (equipment.not_applicable, training.not_applicable) == (0, 1)
    explanation = result.explanation()
    assert explanation["rule_version"] == 1
    assert (explanation["points"], explanation["possible"], explanation["score"]) == (
        "6.4",
        "8",
        "80.00",
    )
    assert explanation["sections"][1] == {
        "title": "Training",
        "points": "4.4",
        "possible": "5",
        "percent": "88.00",
        "not_applicable": 1,
    }


def test_the_score_rounds_half_up_to_two_decimals():
    # 24.69 of 200 = 0.12345 -> 12.345 % -> 12.35 (half up; half-even would give 12.34).
    answers = [yes_no(1, True, weight="24.69"), yes_no(2, False, weight="175.31")]
    assert score_audit(answers, A_MIN, B_MIN).score == D("12.35")
    # 1 of 3 -> 33.333… -> 33.33
    answers = [yes_no(1, True), yes_no(2, False), yes_no(3, False)]
    assert score_audit(answers, A_MIN, B_MIN).score == D("33.33")


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (D("100.00"), "A"),
        (D("90.00"), "A"),
        (D("89.99"), "B"),
        (D("80.00"), "B"),
        (D("79.99"), "C"),
        (D("0.00"), "C"),
        (None, ""),
    ],
)
def test_grade_thresholds_at_their_exact_boundaries(score, grade):
    assert grade_for(score, A_MIN, B_MIN) == grade


def test_a_template_with_its_own_thresholds():
    assert grade_for(D("94.99"), D(95), D(85)) == "B"
    assert grade_for(D("95.00"), D(95), D(85)) == "A"
    assert grade_for(D("84.99"), D(95), D(85)) == "C"


def _passed(count):
    return [yes_no(f"ok{i}", True) for i in range(count)]


def test_one_major_finding_allows_at_most_b():
    # 9 of 10 = 90.00 %: grade A by score, but the failed critical question is major -> B.
    answers = _passed(9) + [yes_no("crit", False, critical=True)]
    result = score_audit(answers, A_MIN, B_MIN)
    assert (result.score, result.grade_by_score, result.grade) == (D("90.00"), "A", "B")
    assert result.downgrade == "1 major finding: at most grade B"
    assert result.counts["major"] == 1


def test_one_major_finding_leaves_a_b_or_c_as_it_is():
    # 8 of 10 = 80 % -> B; the major finding changes nothing.
    answers = _passed(8) + [yes_no("crit", False, critical=True), yes_no("x", False)]
    result = score_audit(answers, A_MIN, B_MIN)
    assert (result.score, result.grade, result.downgrade) == (D("80.00"), "B", "")


def test_two_major_findings_give_c():
    # 18 of 20 = 90.00 % -> A by score; two majors -> C.
    answers = _passed(18) + [
        yes_no("c1", False, critical=True),
        yes_no("c2", False, finding="major"),  # raised by the auditor: counts as well
    ]
    result = score_audit(answers, A_MIN, B_MIN)
    assert (result.score, result.grade_by_score, result.grade) == (D("90.00"), "A", "C")
    assert result.downgrade == "2 major findings: grade C"
    # Already C by score: no downgrade to explain.
    answers = _passed(1) + [yes_no("c1", False, critical=True), yes_no("c2", False, critical=True)]
    result = score_audit(answers, A_MIN, B_MIN)
    assert (result.score, result.grade, result.downgrade) == (D("33.33"), "C", "")


def test_no_applicable_question_gives_no_score_and_no_grade():
    answers = [yes_no(1, None, na=True), yes_no(2, None, na=True)]
    result = score_audit(answers, A_MIN, B_MIN)
    assert (result.score, result.grade, result.grade_by_score) == (None, "", "")
    assert (result.points, result.possible) == (D(0), D(0))
    assert result.explanation()["score"] is None
    assert result.sections[0].percent is None


def test_an_unanswered_question_is_named():
    answers = [yes_no(1, True), Answer(key=2, section="S", kind="yes_no", weight=D(1))]
    with pytest.raises(ValueError, match="question 2: not answered"):
        score_audit(answers, A_MIN, B_MIN)


def test_a_weight_of_zero_is_refused():
    with pytest.raises(ValueError, match="question 1: the weight must be above zero"):
        score_audit([yes_no(1, True, weight="0")], A_MIN, B_MIN)
