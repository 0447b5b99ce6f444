import pytest

from marketplace.inventory.normalize import normalize_part_number


@pytest.mark.parametrize(
    "typed",
    ["1K0 615 301 AA", "1k0615301aa", "1K0-615-301-AA", "1k0 615-301.aa", " 1K0/615/301/AA\t", "1K0\u00a0615 301 AA"],
)
def test_every_way_of_typing_a_number_gives_one_form(typed):
    assert normalize_part_number(typed) == "1K0615301AA"


def test_other_characters_are_kept():
    assert normalize_part_number("ab+12") == "AB+12"
    assert normalize_part_number(" - . / ") == ""
