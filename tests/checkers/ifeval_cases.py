"""IFEval cases: (instruction id, kwargs, response, strict verdict, loose verdict).

Every instruction id appears, with cases on both sides of its threshold and the edge cases of
its counting rule; the loose column differs where IFEval's loose variants (first or last line
dropped, asterisks removed) change the verdict. Verdicts are those of the reference
implementation (checked against it when the table was written).
"""

from __future__ import annotations

from typing import Any

LESS, AT_LEAST = "less than", "at least"
CHATTY = "Sure, here it is:\n"

CASES: list[tuple[str, dict[str, Any], str, bool, bool]] = [
    # keywords:existence: regex search, case-insensitive, inside longer words too.
    ("keywords:existence", {"keywords": ["fox", "dog"]}, "The Fox and the DOG.", True, True),
    ("keywords:existence", {"keywords": ["fox", "cat"]}, "The fox and the dog.", False, False),
    ("keywords:existence", {"keywords": ["dog"]}, "Hotdogs are tasty.", True, True),
    ("keywords:existence", {"keywords": ["C++"]}, "I like C++ a lot.", True, True),
    # keywords:frequency: non-overlapping occurrences, substrings count.
    (
        "keywords:frequency",
        {"keyword": "cat", "frequency": 3, "relation": AT_LEAST},
        "cat cat Cat",
        True,
        True,
    ),
    (
        "keywords:frequency",
        {"keyword": "cat", "frequency": 3, "relation": AT_LEAST},
        "cat cat dog",
        False,
        False,
    ),
    (
        "keywords:frequency",
        {"keyword": "cat", "frequency": 2, "relation": LESS},
        "concatenate cat",
        False,
        False,
    ),
    (
        "keywords:frequency",
        {"keyword": " cat ", "frequency": 2, "relation": LESS},
        "one cat",
        True,
        True,
    ),
    (
        "keywords:frequency",
        {"keyword": "aa", "frequency": 2, "relation": AT_LEAST},
        "aaa",
        False,
        False,
    ),
    # keywords:forbidden_words: whole words only.
    (
        "keywords:forbidden_words",
        {"forbidden_words": ["bad"]},
        "This is not Bad at all.",
        False,
        False,
    ),
    ("keywords:forbidden_words", {"forbidden_words": ["bad"]}, "A badge is fine.", True, True),
    (
        "keywords:forbidden_words",
        {"forbidden_words": ["bad", "ugly"]},
        "Pretty and good.",
        True,
        True,
    ),
    # keywords:letter_frequency: counted in the lower-cased response.
    (
        "keywords:letter_frequency",
        {"letter": "a", "let_frequency": 3, "let_relation": AT_LEAST},
        "Alpha bAnana",
        True,
        True,
    ),
    (
        "keywords:letter_frequency",
        {"letter": "A", "let_frequency": 2, "let_relation": LESS},
        "A cat",
        False,
        False,
    ),
    (
        "keywords:letter_frequency",
        {"letter": "z", "let_frequency": 1, "let_relation": LESS},
        "No such letter.",
        True,
        True,
    ),
    # language:response_language (fastText here, langdetect in the reference).
    (
        "language:response_language",
        {"language": "fr"},
        "Le chat dort sur le canapé pendant que nous travaillons dans le jardin.",
        True,
        True,
    ),
    (
        "language:response_language",
        {"language": "en"},
        "Le chat dort sur le canapé pendant que nous travaillons dans le jardin.",
        False,
        False,
    ),
    (
        "language:response_language",
        {"language": "en"},
        "The weather is lovely today and we are going to the park.",
        True,
        True,
    ),
    (
        "language:response_language",
        {"language": "de"},
        "12345 678",
        True,
        True,
    ),  # no letters: followed
    # length_constraints:number_sentences: Punkt knows abbreviations, initials, decimals.
    (
        "length_constraints:number_sentences",
        {"num_sentences": 2, "relation": LESS},
        "Dr. Smith arrived at 5 p.m. on Jan. 3rd.",
        True,
        True,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": AT_LEAST},
        "One. Two! Three?",
        True,
        True,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": AT_LEAST},
        "It costs 3.50 dollars. That is all.",
        False,
        False,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 2, "relation": LESS},
        "Hi there.\nSecond line without a stop",
        False,
        True,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 2, "relation": LESS},
        CHATTY + "One. Two.",
        False,
        True,
    ),
    # length_constraints:number_paragraphs: *** dividers; empty middle paragraph fails.
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "First.\n***\nSecond.",
        True,
        True,
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "***\nFirst.\n***\nSecond.\n***",
        True,
        True,
    ),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 3}, "A\n***\n***\nB", False, False),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 1}, "A\n\nB\n\nC", True, True),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}, "A *** B", True, True),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}, "A\n***\nB\n****", False, True),
    # length_constraints:number_words: \w+ runs ("don't" is two, "3.5" is two).
    (
        "length_constraints:number_words",
        {"num_words": 5, "relation": AT_LEAST},
        "I don't like 3.5 apples",
        True,
        True,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 6, "relation": AT_LEAST},
        "Five words are right here",
        False,
        False,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 4, "relation": LESS},
        "well-known e-mail",
        False,
        False,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 3, "relation": LESS},
        "snake_case_word and",
        True,
        True,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 4, "relation": LESS},
        "Sure thing:\nok fine",
        False,
        True,
    ),
    # length_constraints:nth_paragraph_first_word: "\n\n" paragraphs, quotes stripped.
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"},
        "Start here.\n\nThen more.",
        True,
        True,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"},
        'Start here.\n\n"Then," he said.',
        True,
        True,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 1, "first_word": "start"},
        "Start here.\n\nThen.\n\nMore.",
        False,
        True,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"},
        "Start.\n\n\n\nThen more.",
        False,
        False,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"},
        "Start.\n\n**Then** more.",
        False,
        True,
    ),
    # detectable_content:number_placeholders: [...] on one line, lazily.
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "Dear [name], see [address].",
        True,
        True,
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "Dear [name [x]] there.",
        False,
        False,
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 1},
        "No [placeholder\nhere]",
        False,
        False,
    ),
    # detectable_content:postscript
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "Body.\n\nP.S. See you.",
        True,
        True,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "Body.\np. s. see you",
        True,
        True,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.P.S"},
        "Body.\nP.S. only one",
        False,
        False,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.P.S"},
        "Body.\nP. P. S. two",
        True,
        True,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "Note"},
        "Body.\nnote: it works",
        True,
        True,
    ),
    # detectable_format:number_bullet_lists: lines starting with "* " or "-".
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}, "* one\n* two", True, True),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "- one\n  - two\n**bold** line",
        True,
        True,
    ),
    ("detectable_format:number_bullet_lists", {"num_bullets": 3}, "* one\n* two", False, False),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "Items:\n* one\n* two\n---",
        False,
        True,
    ),
    # detectable_format:constrained_response
    ("detectable_format:constrained_response", {}, "My answer is yes.", True, True),
    (
        "detectable_format:constrained_response",
        {},
        "Well... My answer is maybe. Thanks",
        True,
        True,
    ),
    ("detectable_format:constrained_response", {}, "My answer is Yes.", False, False),
    # detectable_format:number_highlighted_sections: *x* and **x** both count.
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "*one* and *two*",
        True,
        True,
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 1},
        "**bold**",
        True,
        True,
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 1},
        "* * and ** **",
        False,
        False,
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "*a\nb* only",
        False,
        False,
    ),
    # detectable_format:multiple_sections
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "Section", "num_sections": 2},
        "Section 1\nA\nSection 2\nB",
        True,
        True,
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "SECTION", "num_sections": 2},
        "Section 1\nA\nSection 2\nB",
        False,
        False,
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "SECTION", "num_sections": 3},
        "SECTION 1 A SECTION 2 B",
        False,
        False,
    ),
    # detectable_format:json_format: ``` fences around the whole response are allowed.
    ("detectable_format:json_format", {}, '```json\n{"a": 1}\n```', True, True),
    ("detectable_format:json_format", {}, '{"a": [1, 2]}', True, True),
    ("detectable_format:json_format", {}, 'Here: {"a": 1}', False, False),
    ("detectable_format:json_format", {}, 'Here is the JSON:\n{"a": 1}', False, True),
    ("detectable_format:json_format", {}, "[" * 5000 + "]" * 5000, False, False),
    # detectable_format:title
    ("detectable_format:title", {}, "<<My Poem>>\nRoses are red.", True, True),
    ("detectable_format:title", {}, "<< >>\nNo title.", False, False),
    ("detectable_format:title", {}, "<<broken\ntitle>>", False, False),
    # combination:two_responses
    ("combination:two_responses", {}, "First answer.\n******\nSecond answer.", True, True),
    ("combination:two_responses", {}, "Same.\n******\nSame.", False, False),
    ("combination:two_responses", {}, "A\n******\n******\nB", False, False),
    ("combination:two_responses", {}, "******\nA\n******\nB\n******", True, True),
    # combination:repeat_prompt
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Write a poem."},
        "write a poem. Roses are red.",
        True,
        True,
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Write a poem."},
        CHATTY + "Write a poem. Roses.",
        False,
        True,
    ),
    # startend:end_checker
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "Done. any other questions?",
        True,
        True,
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        '"Done. Any other questions?"',
        True,
        True,
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "Any other questions? Bye",
        False,
        False,
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "Done. Any other questions?\n---",
        False,
        True,
    ),
    # startend:quotation
    ("startend:quotation", {}, '"All of it quoted."', True, True),
    ("startend:quotation", {}, '  "padded"  ', True, True),
    ("startend:quotation", {}, '"', False, False),
    ("startend:quotation", {}, "'single quotes'", False, False),
    # change_case:capital_word_frequency: NLTK word tokens, "I" and "DON'T" (DO + N'T) count.
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 3, "capital_relation": AT_LEAST},
        "I DON'T know.",
        True,
        True,
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": AT_LEAST},
        "WELL-KNOWN facts",
        False,
        False,
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": LESS},
        "NASA and the U.S. agree.",
        False,
        False,
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 1, "capital_relation": LESS},
        "all lower case 123",
        True,
        True,
    ),
    # change_case:english_capital / english_lowercase
    (
        "change_case:english_capital",
        {},
        "THIS IS ALL IN CAPITAL LETTERS AND IN ENGLISH.",
        True,
        True,
    ),
    ("change_case:english_capital", {}, "THIS IS MOSTLY CAPITALS but not all.", False, False),
    ("change_case:english_lowercase", {}, "this is all lower case and it is english.", True, True),
    ("change_case:english_lowercase", {}, "This starts with a capital letter.", False, False),
    (
        "change_case:english_lowercase",
        {},
        "Sure:\nthis is all lower case and it is english.",
        False,
        True,
    ),
    ("change_case:english_lowercase", {}, "12345", False, False),  # no cased letter at all
    # punctuation:no_comma
    ("punctuation:no_comma", {}, "No commas here.", True, True),
    ("punctuation:no_comma", {}, "One, two.", False, False),
    ("punctuation:no_comma", {}, "Full-width，comma is not ASCII.", True, True),
]
