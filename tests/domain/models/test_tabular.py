"""Rows to matrices: every problem is a 422 with a stable code, never a crash in the worker."""

import pytest

from shared.domain.models.tabular import DataError, parse_file, prediction_matrix, training_data


def codes(fn, *args, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        fn(*args, **kwargs)
    return caught.value.code


def test_features_default_to_every_column_but_the_target():
    data = training_data([{"a": 1, "b": 2.5, "y": 0}, {"a": 3, "b": True, "y": 1}], target="y", features=None,
                         task="classification")
    assert data.features == ["a", "b"]
    assert data.x == [[1.0, 2.5], [3.0, 1.0]]
    assert data.y == [0, 1]


def test_training_data_problems_have_their_own_codes():
    rows = [{"a": 1, "y": 1}, {"a": 2, "y": 2}]
    assert codes(training_data, rows, target=None, features=None, task="regression") == "target_required"
    assert codes(training_data, rows, target="z", features=None, task="regression") == "unknown_target"
    assert codes(training_data, rows, target="y", features=["q"], task="regression") == "unknown_features"
    assert codes(training_data, [{"a": "x", "y": 1}, {"a": 2, "y": 2}], target="y", features=None,
                 task="regression") == "non_numeric_feature"
    assert codes(training_data, [{"a": None, "y": 1}, {"a": 2, "y": 2}], target="y", features=None,
                 task="regression") == "missing_value"
    assert codes(training_data, [{"a": 1, "y": 1}, {"b": 2, "y": 2}], target="y", features=None,
                 task="regression") == "inconsistent_columns"
    assert codes(training_data, [{"a": 1, "y": "k"}, {"a": 2, "y": "k"}], target="y", features=None,
                 task="classification") == "single_class"
    assert codes(training_data, rows, target="y", features=None, task="clustering") == "target_not_used"


def test_non_finite_and_unrepresentable_numbers_are_refused():
    assert codes(training_data, [{"a": float("nan"), "y": 1}, {"a": 2, "y": 2}], target="y", features=None,
                 task="regression") == "non_numeric_feature"
    assert codes(training_data, [{"a": 10**400, "y": 1}, {"a": 2, "y": 2}], target="y", features=None,
                 task="regression") == "non_numeric_feature"


def test_class_labels_are_all_strings_or_all_numbers():
    assert codes(training_data, [{"a": 1, "y": "cat"}, {"a": 2, "y": 3}], target="y", features=None,
                 task="classification") == "mixed_label_types"


def test_csv_cells_become_numbers_where_they_are_numbers():
    rows = parse_file(b"a,b,label\n1,2.5,cat\n3,,dog\n", "csv", max_rows=10)
    assert rows == [{"a": 1, "b": 2.5, "label": "cat"}, {"a": 3, "b": None, "label": "dog"}]


def test_csv_with_a_ragged_line_is_refused_with_the_line_number():
    with pytest.raises(DataError) as caught:
        parse_file(b"a,b\n1,2\n3\n", "csv", max_rows=10)
    assert caught.value.code == "invalid_csv"
    assert caught.value.details == {"line": 3}


def test_json_lines_are_read_line_by_line():
    assert parse_file(b'{"a": 1}\n\n{"a": 2}\n', "jsonl", max_rows=10) == [{"a": 1}, {"a": 2}]
    assert codes(parse_file, b'{"a": 1}\n{oops\n', "jsonl", max_rows=10) == "invalid_jsonl"


def test_a_file_with_too_many_rows_is_refused():
    assert codes(parse_file, b"a\n1\n2\n3\n", "csv", max_rows=2) == "too_many_rows"


def test_prediction_rows_must_match_the_recorded_schema():
    assert prediction_matrix([{"a": 1, "b": 2, "y": 9}], features=["a", "b"], target="y") == [[1.0, 2.0]]
    assert codes(prediction_matrix, [{"a": 1}], features=["a", "b"], target="y") == "missing_columns"
    assert codes(prediction_matrix, [{"a": 1, "b": 2, "c": 3}], features=["a", "b"],
                 target="y") == "unknown_columns"
