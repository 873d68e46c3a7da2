"""Rows in, checked numeric matrices out, in plain Python (no numpy: the HTTP side uses this too).

Rows are JSON objects as the client sent them, free-form by nature (`dict[str, Any]`: their columns are the
client's). Features must be finite numbers (booleans count as 0/1); a classification target may be
any non-null scalar; a regression target must be a number. Every problem is a 422 with a stable code and the row
or column it concerns, whether it is found in a request or by a worker reading an uploaded file.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shared.errors import ValidationFailed

Format = Literal["json", "csv", "jsonl"]
MAX_COLUMNS = 500
MAX_COLUMN_NAME = 128


class DataError(ValidationFailed):
    """Training or prediction input that can never work; a job failing with it is not retried."""

    code = "invalid_data"


@dataclass(frozen=True)
class TrainingData:
    features: list[str]
    target: str | None
    x: list[list[float]]
    y: list[Any] | None

    @property
    def rows(self) -> int:
        return len(self.x)


def _fail(code: str, message: str, **details: Any) -> DataError:
    return DataError(message, code=code, details=details or None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            return None
        return number if math.isfinite(number) else None
    return None


def check_rows(rows: Any, *, max_rows: int, what: str = "data") -> list[dict[str, Any]]:
    if not isinstance(rows, list) or not rows:
        raise _fail("empty_data", f"{what} must be a non-empty list of row objects.")
    if len(rows) > max_rows:
        raise _fail("too_many_rows", f"{what} has {len(rows)} rows; the limit is {max_rows}.", limit=max_rows)
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise _fail("invalid_row", "Each row must be a JSON object.", row=i)
        if len(row) > MAX_COLUMNS:
            raise _fail("too_many_columns", f"A row may have at most {MAX_COLUMNS} columns.", row=i)
        for key, value in row.items():
            if not isinstance(key, str) or not key or len(key) > MAX_COLUMN_NAME:
                raise _fail("invalid_column", "Column names are 1-128 characters.", row=i)
            if value is not None and not isinstance(value, bool | int | float | str):
                raise _fail("invalid_value", "Values must be numbers, booleans, strings or null.", row=i,
                            column=key)
    return rows


def parse_file(data: bytes, fmt: Format, *, max_rows: int) -> list[dict[str, Any]]:
    """An uploaded (or stored inline) file as rows; CSV cells become int, float or str by their text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail("invalid_encoding", "The file must be UTF-8 text.") from None
    if fmt == "json":
        try:
            rows = json.loads(text)
        except (ValueError, RecursionError):
            raise _fail("invalid_json", "The stored rows are not valid JSON.") from None
    elif fmt == "jsonl":
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except (ValueError, RecursionError):
                raise _fail("invalid_jsonl", "A line is not valid JSON.", line=number) from None
            if len(rows) > max_rows:
                break
    else:
        rows = _parse_csv(text, max_rows)
    return check_rows(rows, max_rows=max_rows)


def _parse_csv(text: str, max_rows: int) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise _fail("empty_data", "The CSV file is empty.") from None
    except csv.Error:
        raise _fail("invalid_csv", "The CSV header cannot be read.") from None
    if len(set(header)) != len(header):
        raise _fail("invalid_csv", "The CSV header repeats a column name.")
    rows: list[dict[str, Any]] = []
    try:
        for line_number, cells in enumerate(reader, start=2):
            if not cells:
                continue
            if len(cells) != len(header):
                raise _fail("invalid_csv", "A CSV line has a different number of cells than the header.",
                            line=line_number)
            rows.append({name: _cell(cell) for name, cell in zip(header, cells, strict=True)})
            if len(rows) > max_rows:
                break
    except csv.Error:
        raise _fail("invalid_csv", "The CSV file cannot be read.") from None
    return rows


def _cell(text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if kind is int or math.isfinite(value) else text
    return text


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns of the first row, in order; every other row must have the same set."""
    first = list(rows[0])
    expected = set(first)
    for i, row in enumerate(rows):
        if set(row) != expected:
            missing = sorted(expected - set(row))
            extra = sorted(set(row) - expected)
            raise _fail("inconsistent_columns", "Every row must have the same columns.", row=i, missing=missing,
                        unexpected=extra)
    return first


def training_data(rows: Sequence[dict[str, Any]], *, target: str | None, features: Sequence[str] | None,
                  task: str) -> TrainingData:
    columns = columns_of(rows)
    if task != "clustering":
        if not target:
            raise _fail("target_required", "Name the target column (target).")
        if target not in columns:
            raise _fail("unknown_target", "The target column is not in the data.", target=target)
    elif target:
        raise _fail("target_not_used", "A clustering model takes no target column.")
    chosen = list(features) if features else [c for c in columns if c != target]
    unknown = [c for c in chosen if c not in columns]
    if unknown:
        raise _fail("unknown_features", "Some feature columns are not in the data.", columns=unknown)
    if target in chosen:
        raise _fail("target_is_feature", "The target column cannot also be a feature.")
    if not chosen:
        raise _fail("no_features", "The data has no feature columns.")
    x = feature_matrix(rows, chosen)
    y = None
    if target:
        y = [_target_value(row.get(target), task, i, target) for i, row in enumerate(rows)]
        if task == "classification":
            if len({isinstance(v, str) for v in y}) > 1:
                raise _fail("mixed_label_types", "Class labels must be all strings or all numbers.")
            if len(set(map(_label_key, y))) < 2:
                raise _fail("single_class", "Classification needs at least two distinct target values.")
    return TrainingData(features=chosen, target=target, x=x, y=y)


def _label_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def _target_value(value: Any, task: str, row: int, target: str) -> Any:
    if value is None:
        raise _fail("missing_value", "The target is missing in a row.", row=row, column=target)
    if task == "regression":
        number = _number(value)
        if number is None or isinstance(value, bool):
            raise _fail("non_numeric_target", "A regression target must be a number.", row=row, column=target)
        return number
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail("invalid_value", "Target values must be finite.", row=row, column=target)
    return value


def feature_matrix(rows: Sequence[dict[str, Any]], features: Sequence[str]) -> list[list[float]]:
    matrix = []
    for i, row in enumerate(rows):
        out = []
        for name in features:
            if name not in row or row[name] is None:
                raise _fail("missing_value", "A feature value is missing.", row=i, column=name)
            number = _number(row[name])
            if number is None:
                raise _fail("non_numeric_feature", "Feature values must be finite numbers.", row=i, column=name)
            out.append(number)
        matrix.append(out)
    return matrix


def prediction_matrix(rows: Sequence[dict[str, Any]], *, features: Sequence[str],
                      target: str | None) -> list[list[float]]:
    """Rows checked against the schema recorded at training: every feature present, nothing unknown.
    The target column is tolerated (and ignored) so a training row can be sent back as it is."""
    allowed = set(features) | ({target} if target else set())
    for i, row in enumerate(rows):
        unexpected = sorted(set(row) - allowed)
        if unexpected:
            raise _fail("unknown_columns", "Rows contain columns the model was not trained on.", row=i,
                        columns=unexpected, expected=list(features))
        missing = [f for f in features if f not in row]
        if missing:
            raise _fail("missing_columns", "Rows lack columns the model was trained on.", row=i, columns=missing)
    return feature_matrix(rows, features)
