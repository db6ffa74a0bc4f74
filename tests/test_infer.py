"""Inference from the whole file: portal formats, markers, codes, exceptions, and the
decisions written so that validation and conversion read the column alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.commands.infer import HeaderLooksLikeData, infer


def _infer(tmp_path: Path, text: str, delimiter: str = ",") -> dict[str, dict[str, object]]:
    file = tmp_path / "data.csv"
    file.write_text(text, "utf-8")
    return {
        d.field["name"]: {k: v for k, v in d.field.items() if k != "name"}
        for d in infer(file, delimiter).decisions
    }


def test_markers_that_mean_no_data_become_the_fields_missing_values(tmp_path: Path) -> None:
    rows = "".join(
        f"{i},{i * 1.5 if i % 4 else ['NDA', '--', '(S)'][i % 3]},{i if i % 5 else 'N/A'}\n"
        for i in range(1, 60)
    )
    got = _infer(tmp_path, "n,rate,count\n" + rows)
    assert got["rate"] == {"type": "number", "missingValues": ["", "(S)", "--", "NDA"]}
    assert got["count"] == {"type": "integer", "missingValues": ["", "N/A"]}


def test_yes_no_columns_keep_their_exact_spellings(tmp_path: Path) -> None:
    rows = "".join(
        f"{['Y', 'y', 'N', '', ' '][i % 5]},{['true', 'FALSE'][i % 2]},{['1', '0'][i % 2]}\n"
        for i in range(40)
    )
    got = _infer(tmp_path, "heroin,flag,bit\n" + rows)
    assert got["heroin"] == {
        "type": "boolean",
        "trueValues": ["Y", "y"],
        "falseValues": ["N"],
        "missingValues": ["", " "],
    }
    assert got["flag"] == {"type": "boolean"}
    assert got["bit"] == {"type": "integer"}  # 1 and 0 are numbers unless named otherwise


def test_codes_stay_text(tmp_path: Path) -> None:
    rows = "".join(f"{6000 + i:05d},{9000 + i},{i},{i}\n" for i in range(30))
    got = _infer(tmp_path, "zip,Town Code,GEOID,total\n" + rows)
    assert got == {
        "zip": {"type": "string"},
        "Town Code": {"type": "string"},
        "GEOID": {"type": "string"},
        "total": {"type": "integer"},
    }


def test_day_first_dates_are_read_day_first(tmp_path: Path) -> None:
    rows = "".join(f"{d}/{m}/2022\n" for d in (13, 25, 3) for m in (1, 2, 11))
    assert _infer(tmp_path, "when\n" + rows) == {"when": {"type": "date", "format": "%d/%m/%Y"}}


def test_a_date_shaped_value_that_is_no_date_is_an_exception_proved_on_the_whole_file(
    tmp_path: Path,
) -> None:
    file = tmp_path / "data.csv"
    file.write_text(
        "when\n" + "".join(f"2024-01-{1 + i % 28:02d}\n" for i in range(99)) + "2024-02-30\n"
    )
    (decision,) = infer(file).decisions
    assert decision.field == {"name": "when", "type": "date"} and decision.exceptions == (
        (101, "2024-02-30"),
    )


def test_too_many_odd_values_make_text(tmp_path: Path) -> None:
    rows = "".join(f"{i if i % 10 else 'pending'}\n" for i in range(200))
    assert _infer(tmp_path, "n\n" + rows) == {"n": {"type": "string"}}


def test_sentinels_are_pointed_out(tmp_path: Path) -> None:
    file = tmp_path / "data.csv"
    file.write_text("value\n" + "".join(f"{-9999 if i % 7 == 0 else i}\n" for i in range(70)))
    (decision,) = infer(file).decisions
    assert decision.field["type"] == "integer" and "'-9999' (10 times)" in decision.notes[0]


def test_a_header_of_values_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "data.csv"
    file.write_text("12.5,2024-01-01,x\n13.5,2024-01-02,y\n14.5,2024-01-03,z\n")
    with pytest.raises(HeaderLooksLikeData):
        infer(file)
