"""Errors as data: one exception hierarchy, issues that name field, value, allowed values and a
did-you-mean.

References: DESIGN.md principle 4 "Errors as data".
"""

from __future__ import annotations

import pytest

from oncospine.errors import (
    CaseReadError,
    CaseValidationError,
    Issue,
    OncospineError,
    UnknownNameError,
    closest,
)

# ---------------------------------------------------------------- the hierarchy


@pytest.mark.parametrize("cls", [CaseValidationError, CaseReadError, UnknownNameError])
def test_every_user_error_is_an_oncospine_error(cls):
    assert issubclass(cls, OncospineError)
    assert issubclass(cls, Exception)


def test_an_oncospine_error_is_not_a_value_error_so_foreign_handlers_do_not_swallow_it():
    assert not issubclass(OncospineError, ValueError)


# ---------------------------------------------------------------- Issue


def test_an_issue_as_a_dict_names_field_message_and_value():
    issue = Issue("status.ecog", "too high", 6)
    assert issue.to_dict() == {"field": "status.ecog", "message": "too high", "value": 6}


def test_an_issue_dict_carries_allowed_values_and_did_you_mean_when_known():
    issue = Issue("cancer.primary_site", "value not allowed", "brest",
                  allowed=("breast", "prostate"), suggestion="breast")
    assert issue.to_dict() == {
        "field": "cancer.primary_site", "message": "value not allowed", "value": "brest",
        "allowed": ["breast", "prostate"], "did_you_mean": "breast",
    }


def test_an_issue_as_text_names_path_value_suggestion_and_allowed_values():
    issue = Issue("cancer.primary_site", "value not allowed", "brest",
                  allowed=("breast", "prostate"), suggestion="breast")
    text = str(issue)
    assert text.startswith("cancer.primary_site: value not allowed (got 'brest')")
    assert "did you mean 'breast'?" in text
    assert "allowed: breast, prostate" in text


def test_an_issue_without_a_path_is_about_the_whole_case():
    assert str(Issue("", "a case is a mapping of fields", 3)).startswith("<case>:")


def test_a_very_long_allowed_list_is_left_out_of_the_text_but_kept_in_the_dict():
    allowed = tuple(f"v{i}" for i in range(40))
    issue = Issue("x", "value not allowed", "q", allowed=allowed)
    assert "allowed:" not in str(issue)
    assert issue.to_dict()["allowed"] == list(allowed)


def test_an_issue_without_a_suggestion_does_not_offer_one():
    issue = Issue("x", "bad", 1)
    assert "did you mean" not in str(issue)
    assert "did_you_mean" not in issue.to_dict()


def test_an_issue_is_immutable():
    issue = Issue("x", "bad", 1)
    with pytest.raises(AttributeError):
        issue.path = "y"  # type: ignore[misc]


# ---------------------------------------------------------------- CaseValidationError


def test_a_validation_error_summary_counts_one_problem_in_the_singular():
    exc = CaseValidationError([Issue("status.ecog", "too high", 6)])
    assert exc.summary().splitlines()[0] == "invalid case: 1 problem"


def test_a_validation_error_summary_lists_every_problem_on_its_own_line():
    exc = CaseValidationError([Issue("status.ecog", "too high", 6),
                               Issue("patient.age_years", "too high", 121)])
    lines = exc.summary().splitlines()
    assert lines[0] == "invalid case: 2 problems"
    assert lines[1].startswith("  - status.ecog")
    assert lines[2].startswith("  - patient.age_years")


def test_a_validation_error_message_is_its_summary():
    exc = CaseValidationError([Issue("status.ecog", "too high", 6)])
    assert str(exc) == exc.summary()


def test_a_validation_error_as_a_dict_is_an_invalid_case_with_its_issues():
    exc = CaseValidationError([Issue("status.ecog", "too high", 6)])
    assert exc.to_dict() == {
        "error": "invalid_case",
        "issues": [{"field": "status.ecog", "message": "too high", "value": 6}],
    }


def test_a_validation_error_can_be_raised_and_caught_as_an_oncospine_error():
    with pytest.raises(OncospineError) as info:
        raise CaseValidationError([Issue("x", "bad", 1)])
    assert isinstance(info.value, CaseValidationError)


# ---------------------------------------------------------------- UnknownNameError


def test_an_unknown_name_suggests_the_closest_known_name():
    text = str(UnknownNameError("score", "sinss", ["tomita", "sins", "bauer"]))
    assert text.startswith("unknown score 'sinss'")
    assert "did you mean 'sins'?" in text


def test_an_unknown_name_lists_the_known_names_sorted():
    text = str(UnknownNameError("example", "zzz", ["tomita", "bauer", "sins"]))
    assert "Known: bauer, sins, tomita" in text
    assert "did you mean" not in text


# ---------------------------------------------------------------- closest


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("brest", ["breast", "prostate"], "breast"),
        ("bone_lesoin", ["bone_lesion", "level", "pain"], "bone_lesion"),
        ("primary_sit", ["history", "primary_site", "histology"], "primary_site"),
        ("qqqq", ["breast", "prostate"], None),
        ("anything", [], None),
    ],
)
def test_closest_finds_a_near_match_or_nothing(word, candidates, expected):
    assert closest(word, candidates) == expected


def test_closest_accepts_any_iterable_and_non_string_words():
    assert closest(2, iter(["2", "3"])) == "2"  # type: ignore[arg-type]
