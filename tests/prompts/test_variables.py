import pytest

from playground.prompts.variables import MissingValueError, fill, variables


class TestVariables:
    def test_it_lists_the_variables_in_order_of_first_appearance(self) -> None:
        assert variables("{{b}} then {{a}} then {{c_1}}") == ["b", "a", "c_1"]

    def test_it_lists_a_repeated_variable_once(self) -> None:
        assert variables("{{name}} and {{name}} and {{ name }}") == ["name"]

    def test_it_allows_spaces_inside_the_braces(self) -> None:
        assert variables("a {{ subject }} here") == ["subject"]

    def test_it_takes_letters_of_any_script(self) -> None:
        assert variables("画一只{{动物}}") == ["动物"]

    def test_it_ignores_braces_that_hold_no_name(self) -> None:
        assert variables("{{}} {{two words}} {{a-b}} {single} {{{x") == []

    def test_a_text_without_variables_has_none(self) -> None:
        assert variables("a plain prompt") == []


class TestFill:
    def test_it_fills_every_variable(self) -> None:
        text = fill("A {{animal}} in {{place}}", {"animal": "fox", "place": "the snow"})

        assert text == "A fox in the snow"

    def test_it_fills_every_occurrence_of_a_repeated_variable(self) -> None:
        assert fill("{{x}}, {{ x }} and {{x}}", {"x": "owl"}) == "owl, owl and owl"

    def test_a_missing_value_is_an_error_not_a_blank(self) -> None:
        with pytest.raises(MissingValueError) as raised:
            fill("A {{animal}} in {{place}}", {"animal": "fox"})

        assert raised.value.names == ["place"]

    def test_a_blank_value_counts_as_missing(self) -> None:
        with pytest.raises(MissingValueError) as raised:
            fill("{{a}} {{b}}", {"a": "  ", "b": ""})

        assert raised.value.names == ["a", "b"]

    def test_a_value_that_looks_like_a_variable_is_kept_as_written(self) -> None:
        assert fill("{{a}} {{b}}", {"a": "{{b}}", "b": "two"}) == "{{b}} two"

    def test_values_for_names_the_text_lacks_are_ignored(self) -> None:
        assert fill("plain {{a}}", {"a": "1", "z": "unused"}) == "plain 1"

    def test_it_leaves_the_rest_of_the_text_as_it_was(self) -> None:
        text = "  line one\n{{a}}\n\n{not a variable} 100%  "

        assert fill(text, {"a": "two"}) == "  line one\ntwo\n\n{not a variable} 100%  "
