"""YAML is parsed with line numbers; what reviewers cannot see is refused."""

from catalog.core.yamlfile import parse_yaml


def one(text: str) -> tuple[str, int | None]:
    doc, problems = parse_yaml(text, "x.yaml")
    assert doc is None and len(problems) == 1
    return problems[0].code, problems[0].line


def test_lines_of_nested_keys() -> None:
    doc, problems = parse_yaml(
        "title: A\nresources:\n  - name: a\n    schema:\n      fields: []\n", "x.yaml"
    )
    assert not problems and doc is not None
    assert doc.lines.of(("title",)) == 1
    assert doc.lines.of(("resources", 0, "schema")) == 4
    assert doc.lines.of(("resources", 0, "schema", "fields", 7)) == 5  # nearest ancestor


def test_dates_become_iso_strings() -> None:
    doc, _ = parse_yaml("issued: 2024-07-01\n", "x.yaml")
    assert doc is not None and doc.data == {"issued": "2024-07-01"}


def test_syntax_error_names_line() -> None:
    doc, problems = parse_yaml("title: A\nkeywords: [a, b\ncategory: x\n", "x.yaml")
    assert doc is None and [(p.code, p.line) for p in problems] == [("yaml-syntax", 3)]
    assert "line 2" in problems[0].message  # where the unclosed list started


def test_tab_indentation() -> None:
    code, line = one("title: A\ncontact:\n\tname: x\n")
    assert code == "yaml-syntax" and line == 3


def test_alias_bomb_refused_fast() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(ord("b"), ord("k")):
        prev = chr(i - 1)
        bomb += f"{chr(i)}: &{chr(i)} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    assert one(bomb) == ("yaml-alias", 1)


def test_merge_key_refused() -> None:
    assert one("a: {x: 1}\nb:\n  <<: {y: 2}\n")[0] in ("yaml-alias",)


def test_duplicate_key() -> None:
    assert one("title: A\ntitle: B\n") == ("yaml-duplicate-key", 2)


def test_empty_and_not_mapping() -> None:
    assert one("") == ("yaml-not-mapping", 1)
    assert one("- a\n- b\n") == ("yaml-not-mapping", 1)
    assert one("just text\n") == ("yaml-not-mapping", 1)


def test_binary_tag_refused() -> None:
    assert one("a: !!binary aGVsbG8=\n")[0] == "wrong-type"


def test_python_tags_refused() -> None:
    assert one("a: !!python/object/apply:os.system ['true']\n") == ("wrong-type", 1)
