"""Exemption rules: protected data can't pass validation."""

from __future__ import annotations

import pytest
from conftest import CatalogMaker, dataset_yaml

DS = "datasets/dot/test/dataset.yaml"
CSV = "datasets/dot/test/data.csv"
EXEMPT = [{"authority": "CGS 1-210(b)(2)", "category": "personal-privacy"}]


def non_public(level: str, **more: object) -> dict[str, object]:
    meta = dataset_yaml(access_level=level, **more)
    del meta["resources"]
    return meta


def test_access_level_missing(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    del meta["access_level"]
    make.dataset(meta=meta)
    assert (DS, 1, None, "access_level", "access-level-missing") in make.table()


def test_non_public_needs_rights_and_exemptions(make: CatalogMaker) -> None:
    make.dataset(meta=non_public("non-public"), csv=None)
    assert {(p.code, p.field) for p in make.problems()} == {
        ("rights-missing", "rights"),
        ("exemptions-missing", "exemptions"),
    }


def test_restricted_needs_access_url(make: CatalogMaker) -> None:
    make.dataset(
        meta=non_public("restricted public", rights="Ask us.", exemptions=EXEMPT), csv=None
    )
    assert [(p.code, p.field) for p in make.problems()] == [("access-url-missing", "access_url")]


def test_complete_non_public_entry_is_clean(make: CatalogMaker) -> None:
    make.dataset(
        meta=non_public("non-public", rights="Confidential by statute.", exemptions=EXEMPT),
        csv=None,
    )
    assert make.table() == []


def test_exemption_category_vocabulary(make: CatalogMaker) -> None:
    make.dataset(
        meta=non_public(
            "non-public", rights="x", exemptions=[{"authority": "CGS 1", "category": "privacy"}]
        ),
        csv=None,
    )
    (p,) = make.problems()
    assert (p.code, p.field) == ("invalid-value", "category") and "personal-privacy" in (
        p.hint or ""
    )


def test_rights_at_most_255(make: CatalogMaker) -> None:
    make.dataset(meta=non_public("non-public", rights="x" * 256, exemptions=EXEMPT), csv=None)
    assert [(p.code, p.field) for p in make.problems()] == [("too-long", "rights")]


@pytest.mark.parametrize("level", ["non-public", "restricted public"])
def test_no_data_files_for_non_public_in_public_repo(make: CatalogMaker, level: str) -> None:
    make.dataset(
        meta=non_public(level, rights="x", exemptions=EXEMPT, access_url="https://example.gov/ask"),
        csv="a\n1\n",
    )
    assert (CSV, None, None, None, "non-public-data-committed") in make.table()


def test_private_repository_may_hold_non_public_data(make: CatalogMaker) -> None:
    make.catalog(repository="private")
    make.dataset(meta=non_public("non-public", rights="x", exemptions=EXEMPT), csv="a\n1\n")
    assert make.table() == []


def test_public_dataset_needs_resources(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    del meta["resources"]
    make.dataset(meta=meta, csv=None)
    assert [p.code for p in make.problems()] == ["resources-missing"]


def protected_meta(**field_extra: object) -> dict[str, object]:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"].append(
        {"name": "ssn", "type": "string", "protected": True, **field_extra}
    )
    return meta


def test_protected_column_in_public_repo_csv(make: CatalogMaker) -> None:
    make.dataset(
        meta=protected_meta(exemption="CGS 1-210(b)(2)"),
        csv="id,name,amount,ssn\n1,a,1,123-45-6789\n",
    )
    assert make.table() == [(CSV, None, 1, "ssn", "protected-column-committed")]


def test_protected_column_absent_from_csv_is_fine(make: CatalogMaker) -> None:
    make.dataset(meta=protected_meta(exemption="CGS 1-210(b)(2)"))
    assert make.table() == []


def test_protected_column_allowed_in_private_repo(make: CatalogMaker) -> None:
    make.catalog(repository="private")
    make.dataset(
        meta=protected_meta(exemption="CGS 1-210(b)(2)"),
        csv="id,name,amount,ssn\n1,a,1,123-45-6789\n",
    )
    assert make.table() == []


def test_protected_needs_exemption(make: CatalogMaker) -> None:
    make.dataset(meta=protected_meta())
    assert [(p.code, p.field) for p in make.problems()] == [("protected-without-exemption", "ssn")]


def test_small_cells(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    schema = meta["resources"][0]["schema"]
    schema["missingValues"] = ["", "*"]
    schema["fields"][2]["min_cell"] = 6
    make.dataset(meta=meta, csv="id,name,amount\n1,a,0\n2,b,5\n3,c,*\n4,d,6\n5,e,1\n")
    assert make.table() == [
        (CSV, None, 3, "amount", "small-cell"),
        (CSV, None, 6, "amount", "small-cell"),
    ]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("ident", "123-45-6789", "personal-data-ssn"),
        ("contact", "jane.doe@gmail.com", "personal-data"),
        ("phone_no", "(860) 555-0199", "personal-data"),
        ("dob", "1990-01-01", "personal-data"),
        ("Date of Birth", "x", "personal-data"),
    ],
)
def test_personal_data_in_unflagged_columns(
    make: CatalogMaker, column: str, value: str, code: str
) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"].append({"name": column, "type": "string"})
    make.dataset(meta=meta, csv=f"id,name,amount,{column}\n1,a,1,ok\n2,b,2,{value}\n")
    got = [(p.row, p.field, p.code) for p in make.problems()]
    assert got in ([(3, column, code)], [(1, column, code)])


def test_ordinary_values_are_not_personal(make: CatalogMaker) -> None:
    make.dataset(csv="id,name,amount\n1,2024-01-01,1\n2,860-555,2\n3,CR-2023-00001,3\n")
    assert make.table() == []


def test_non_public_dataset_cannot_declare_charts(make: CatalogMaker) -> None:
    make.dataset(
        meta=non_public(
            "non-public",
            rights="x",
            exemptions=EXEMPT,
            charts=[{"resource": "data", "mark": "bar", "title": "T", "x": "name"}],
        ),
        csv=None,
    )
    assert [p.code for p in make.problems()] == ["invalid-chart"]


def test_vectorised_scan_equals_the_row_by_row_scan(
    make: CatalogMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.checks.exemptions as ex

    meta = dataset_yaml()
    schema = meta["resources"][0]["schema"]
    schema["missingValues"] = ["", "*"]
    schema["fields"][2]["min_cell"] = 6
    schema["fields"] += [{"name": "contact", "type": "string"}, {"name": "note", "type": "string"}]
    rows = ["id,name,amount,contact,note"]
    for i in range(1, 3001):
        contact = [
            "ok",
            "123-45-6789",
            "a.b@example.gov",
            "(860) 555-0100",
            " 860-555-0101 ",
            "x" * 50,
            "+1 (860) 555-0100",
            "a-very-long-mailbox-name@agency.example.gov",  # over 40 characters
            "١٢٣-٤٥-٦٧٨٩",  # Arabic-Indic digits: not an SSN shape to either scan
            "8605550100x",
        ][i % 10]
        rows.append(
            f"{i},n{i},{['0', '3', '*', '12', '5.5', '1,000', ' 2 '][i % 7]},{contact},plain {i}"
        )
    make.dataset(meta=meta, csv="\n".join(rows) + "\n")
    fast = make.table()
    monkeypatch.setattr(ex, "_scan_vectorised", lambda *a, **k: False)
    slow = make.table()
    assert fast == slow
    assert {code for *_, code in fast} >= {
        "small-cell",
        "personal-data-ssn",
        "personal-data",
        "more-problems",
    }


def test_a_rule_that_fails_is_an_internal_error_of_its_dataset_and_the_others_still_run(
    make: CatalogMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.checks.charts as charts

    def boom(catalog: object, ds: object) -> list[object]:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(charts, "check_charts", boom)
    make.dataset(csv="id,name,amount\n1,a,x\n")
    found = [(p.code, p.path) for p in make.problems()]
    assert ("internal-error", "datasets/dot/test/dataset.yaml") in found and (
        "type-error",
        "datasets/dot/test/data.csv",
    ) in found
    (internal,) = [p for p in make.problems() if p.code == "internal-error"]
    assert "checking the charts failed unexpectedly: RuntimeError: kaboom" in internal.message
