"""Item generators shared by the benchmark and the locust scenarios: GRPO-shaped batches
(G completions per prompt that often share a final answer)."""

from __future__ import annotations

import json
import random
from typing import Any

REASONING_EN = (
    "First we compute the derivative of the function. Then we set it equal to zero and solve "
    "for the variable. We check the second derivative to confirm it is a minimum. "
)
REASONING_FR = (
    "D'abord nous calculons la dérivée de la fonction. Ensuite nous résolvons l'équation. "
)
REASONING_ZH = "首先我们计算函数的导数。然后令导数等于零并求解变量。"

PYTHON_SOLUTION = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
PYTHON_WRONG = "```python\na, b = map(int, input().split())\nprint(a - b)\n```"


def _reasoning(rng: random.Random, lang: str, sentences: int) -> str:
    base = {"en": REASONING_EN, "fr": REASONING_FR, "zh": REASONING_ZH}[lang]
    mix = REASONING_EN if lang != "en" and rng.random() < 0.3 else ""
    return (base * sentences) + mix


def format_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = _reasoning(rng, "en", 3)
        completion = f"<think>{body}</think> The answer is \\boxed{{{rng.randint(1, 99)}}}."
        if rng.random() < 0.2:
            completion = completion.replace("<think>", "")
        out.append({"id": str(i), "completion": completion, "checks": {"format": {}}})
    return out


def language_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = rng.choice(["en", "fr", "zh"])
        completion = f"<think>{_reasoning(rng, lang, 4)}</think> 42"
        out.append(
            {"id": str(i), "completion": completion, "checks": {"language": {"target": lang}}}
        )
    return out


def _math_pair(rng: random.Random) -> tuple[str, str, str]:
    """(gold, an equivalent answer in another notation, a wrong answer), fresh numbers each
    time so no two prompts share a gold: the benchmark gets no credit for the gold cache."""
    a, b = rng.randint(2, 999), rng.randint(2, 99)
    kind = rng.randrange(6)
    if kind == 0:
        return str(a * 1000 + b), f"{a},{b:03d}", str(a * 1000 + b + 1)
    if kind == 1:
        return f"\\frac{{{a}}}{{{b}}}", f"{a}/{b}", f"\\frac{{{b}}}{{{a}}}"
    if kind == 2:
        return f"{a}.{b}", f"{a}.{b}0", f"{a}.{b + 1}"
    if kind == 3:
        return f"(x+{a})^2", f"x^2+{2 * a}x+{a * a}", f"x^2+{a}x+{a * a}"
    if kind == 4:
        return f"\\sqrt{{{b * b * 2}}}", f"{b}\\sqrt{{2}}", f"{b}\\sqrt{{3}}"
    return f"({a}, {b})", f"({a},{b})", f"({b}, {a})"


def math_items(n: int, seed: int = 0, group: int = 8) -> list[dict[str, Any]]:
    """GRPO groups: `group` completions per prompt, each prompt with its own gold; most of a
    group agree on the right answer (in one of two notations), some are wrong."""
    rng = random.Random(seed)
    out = []
    for p in range(0, n, group):
        gold, same, wrong = _math_pair(rng)
        for k in range(min(group, n - p)):
            ans = rng.choices([gold, same, wrong], weights=[4, 3, 3])[0]
            completion = f"<think>{REASONING_EN}</think> The answer is $\\boxed{{{ans}}}$."
            out.append(
                {"id": f"{p + k}", "completion": completion, "checks": {"math": {"gold": gold}}}
            )
    return out


def code_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    tests = [
        {"input": f"{a} {b}\n", "output": f"{a + b}\n"} for a, b in [(1, 2), (10, 20), (-5, 5)]
    ]
    out = []
    for i in range(n):
        code = PYTHON_SOLUTION if rng.random() < 0.7 else PYTHON_WRONG
        # A distinct program per item (as sampled programs are): no credit for deduplication.
        code = code.replace("print(", f"x{seed}_{i} = 0\nprint(")
        completion = f"<think>{REASONING_EN}</think>\n{code}"
        out.append(
            {
                "id": str(i),
                "completion": completion,
                "checks": {"code": {"language": "python", "tests": tests}},
            }
        )
    return out


def mixed_items(
    n: int, seed: int = 0, checks: tuple[str, ...] = ("math", "format", "language")
) -> list[dict[str, Any]]:
    """A GRPO batch as trainers send it: math accuracy + format + language per completion."""
    items = math_items(n, seed)
    for it in items:
        c: dict[str, Any] = {}
        if "math" in checks:
            c["math"] = it["checks"]["math"]
        if "format" in checks:
            c["format"] = {}
        if "language" in checks:
            c["language"] = {"target": "en"}
        it["checks"] = c
        it["weights"] = {"format": 0.5} if "format" in c else None
        if it["weights"] is None:
            del it["weights"]
    return items


def choice_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Multiple-choice completions stated the ways models state them; some hedge."""
    rng = random.Random(seed)
    forms = [
        "The answer is ({}).",
        "**Answer: {}**",
        "Therefore the correct option is {}.",
        "\\boxed{{{}}}",
        "After eliminating the others:\n{}. The last option text",
    ]
    out = []
    for i in range(n):
        gold, pick = rng.choice("ABCD"), rng.choice("ABCD")
        answer = rng.choice(forms).format(pick)
        if rng.random() < 0.1:
            answer = f"It is {pick} or {rng.choice('ABCD')}."
        completion = f"<think>{_reasoning(rng, 'en', 3)}</think> {answer}"
        out.append({"id": str(i), "completion": completion, "checks": {"choice": {"gold": gold}}})
    return out


QA_FACTS = [
    ("Denver Broncos", "The Denver Broncos won the game."),
    ("Paris", "It is the city of Paris, in France."),
    ("1998", "The company was founded in 1998."),
    ("Mount Everest", "Mount Everest is the highest."),
]


def qa_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Short answers as a final-answer phrase or as a sentence, against 1-3 golds (F1)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        gold, sentence = rng.choice(QA_FACTS)
        answer = rng.choice([f"The answer is {gold}.", sentence, f"\\boxed{{{gold}}}"])
        golds = [gold, f"the {gold}", gold.lower()][: rng.randint(1, 3)]
        completion = f"<think>{_reasoning(rng, 'en', 3)}</think> {answer} ({i})"
        out.append(
            {
                "id": str(i),
                "completion": completion,
                "checks": {"qa": {"golds": golds, "metric": "f1"}},
            }
        )
    return out


IFEVAL_ROWS = [
    (
        ["length_constraints:number_words", "punctuation:no_comma"],
        [{"num_words": 40, "relation": "at least"}, {}],
    ),
    (
        ["detectable_format:number_bullet_lists", "change_case:capital_word_frequency"],
        [{"num_bullets": 3}, {"capital_frequency": 2, "capital_relation": "less than"}],
    ),
    (
        ["length_constraints:number_sentences", "detectable_format:title", "startend:end_checker"],
        [{"num_sentences": 4, "relation": "at least"}, {}, {"end_phrase": "Any other questions?"}],
    ),
    (["change_case:english_lowercase", "keywords:existence"], [{}, {"keywords": ["garden"]}]),
]


def ifeval_items(n: int, seed: int = 0, group: int = 8) -> list[dict[str, Any]]:
    """GRPO groups over IFEval rows (2-3 instructions each, counting and language ID among
    them), each completion a distinct response."""
    rng = random.Random(seed)
    out = []
    for p in range(0, n, group):
        ids, kwargs = rng.choice(IFEVAL_ROWS)
        for k in range(min(group, n - p)):
            lines = [f"* {REASONING_EN.strip()} ({p + k}.{j})" for j in range(rng.randint(2, 4))]
            body = (
                f"<<Notes {p + k}>>\n" + "\n".join(lines) + "\nWe walked in the garden, then home."
            )
            if rng.random() < 0.3:
                body = body.lower()
            response = body + ("\nAny other questions?" if rng.random() < 0.5 else "")
            out.append(
                {
                    "id": f"{p + k}",
                    "completion": f"<think>{REASONING_EN}</think>\n{response}",
                    "checks": {
                        "ifeval": {
                            "instruction_id_list": ids,
                            "kwargs": kwargs,
                            "mode": rng.choice(["strict", "loose"]),
                        }
                    },
                }
            )
    return out


JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}


def json_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Structured-output completions (fenced or inline JSON; some break the schema or the
    syntax) against one schema per batch."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        doc: dict[str, Any] = {"name": f"user{i}", "age": rng.randint(-2, 90)}
        if rng.random() < 0.5:
            doc["tags"] = [rng.choice(["a", "b", "c"]) for _ in range(rng.randint(0, 3))]
        text = json.dumps(doc)
        if rng.random() < 0.1:
            text = text[:-1]
        wrapped = rng.choice(["```json\n{}\n```", "Here you go: {}", "{}"]).format(text)
        completion = f"<think>{REASONING_EN}</think>\n{wrapped}"
        out.append(
            {"id": str(i), "completion": completion, "checks": {"json": {"schema": JSON_SCHEMA}}}
        )
    return out


# --- HumanEval-style function tests --------------------------------------------------------
# No dataset download here: problems written after the public HumanEval ones (prompt =
# signature + docstring, canonical solution, `test` with METADATA and `check(candidate)`,
# entry point), in the dataset's own format so a run looks like a real HumanEval eval.

_HE_HEAD = (
    "\n\nMETADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\n\n\ndef check(candidate):\n"
)


def _he(task: int, entry_point: str, prompt: str, solution: str, asserts: str) -> dict[str, str]:
    return {
        "task_id": f"HumanEval/{task}",
        "prompt": prompt,
        "canonical_solution": solution,
        "test": _HE_HEAD + asserts + "\n",
        "entry_point": entry_point,
    }


HUMANEVAL: list[dict[str, str]] = [
    _he(
        0,
        "has_close_elements",
        '''from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)
    False
    >>> has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)
    True
    """
''',
        """    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance < threshold:
                    return True

    return False
""",
        """    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False
    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False
""",
    ),
    _he(
        1,
        "separate_paren_groups",
        '''from typing import List


def separate_paren_groups(paren_string: str) -> List[str]:
    """ Input to this function is a string containing multiple groups of nested parentheses. Your goal is to
    separate those group into separate strings and return the list of those.
    Separate groups are balanced (each open brace is properly closed) and not nested within each other
    Ignore any spaces in the input string.
    >>> separate_paren_groups('( ) (( )) (( )( ))')
    ['()', '(())', '(()())']
    """
''',
        """    result = []
    current_string = []
    current_depth = 0

    for c in paren_string:
        if c == '(':
            current_depth += 1
            current_string.append(c)
        elif c == ')':
            current_depth -= 1
            current_string.append(c)

            if current_depth == 0:
                result.append(''.join(current_string))
                current_string.clear()

    return result
""",
        """    assert candidate('(()()) ((())) () ((())()())') == [
        '(()())', '((()))', '()', '((())()())'
    ]
    assert candidate('() (()) ((())) (((())))') == [
        '()', '(())', '((()))', '(((())))'
    ]
    assert candidate('(()(())((())))') == [
        '(()(())((())))'
    ]
    assert candidate('( ) (( )) (( )( ))') == ['()', '(())', '(()())']
""",
    ),
    _he(
        2,
        "truncate_number",
        '''

def truncate_number(number: float) -> float:
    """ Given a positive floating point number, it can be decomposed into
    and integer part (largest integer smaller than given number) and decimals
    (leftover part always smaller than 1).

    Return the decimal part of the number.
    >>> truncate_number(3.5)
    0.5
    """
''',
        "    return number % 1.0\n",
        """    assert candidate(3.5) == 0.5
    assert abs(candidate(1.33) - 0.33) < 1e-6
    assert abs(candidate(123.456) - 0.456) < 1e-6
""",
    ),
    _he(
        3,
        "below_zero",
        '''from typing import List


def below_zero(operations: List[int]) -> bool:
    """ You're given a list of deposit and withdrawal operations on a bank account that starts with
    zero balance. Your task is to detect if at any point the balance of account fallls below zero, and
    at that point function should return True. Otherwise it should return False.
    >>> below_zero([1, 2, 3])
    False
    >>> below_zero([1, 2, -4, 5])
    True
    """
''',
        """    balance = 0

    for op in operations:
        balance += op
        if balance < 0:
            return True

    return False
""",
        """    assert candidate([]) == False
    assert candidate([1, 2, -3, 1, 2, -3]) == False
    assert candidate([1, 2, -4, 5, 6]) == True
    assert candidate([1, -1, 2, -2, 5, -5, 4, -4]) == False
    assert candidate([1, -1, 2, -2, 5, -5, 4, -5]) == True
    assert candidate([1, -2, 2, -2, 5, -5, 4, -4]) == True
""",
    ),
    _he(
        4,
        "mean_absolute_deviation",
        '''from typing import List


def mean_absolute_deviation(numbers: List[float]) -> float:
    """ For a given list of input numbers, calculate Mean Absolute Deviation
    around the mean of this dataset.
    Mean Absolute Deviation is the average absolute difference between each
    element and a centerpoint (mean in this case):
    MAD = average | x - x_mean |
    >>> mean_absolute_deviation([1.0, 2.0, 3.0, 4.0])
    1.0
    """
''',
        """    mean = sum(numbers) / len(numbers)
    return sum(abs(x - mean) for x in numbers) / len(numbers)
""",
        """    assert abs(candidate([1.0, 2.0, 3.0]) - 2.0/3.0) < 1e-6
    assert abs(candidate([1.0, 2.0, 3.0, 4.0]) - 1.0) < 1e-6
    assert abs(candidate([1.0, 2.0, 3.0, 4.0, 5.0]) - 6.0/5.0) < 1e-6
""",
    ),
    _he(
        5,
        "intersperse",
        '''from typing import List


def intersperse(numbers: List[int], delimeter: int) -> List[int]:
    """ Insert a number 'delimeter' between every two consecutive elements of input list `numbers'
    >>> intersperse([], 4)
    []
    >>> intersperse([1, 2, 3], 4)
    [1, 4, 2, 4, 3]
    """
''',
        """    if not numbers:
        return []

    result = []

    for n in numbers[:-1]:
        result.append(n)
        result.append(delimeter)

    result.append(numbers[-1])

    return result
""",
        """    assert candidate([], 7) == []
    assert candidate([5, 6, 3, 2], 8) == [5, 8, 6, 8, 3, 8, 2]
    assert candidate([2, 2, 2], 2) == [2, 2, 2, 2, 2]
""",
    ),
    _he(
        6,
        "parse_nested_parens",
        '''from typing import List


def parse_nested_parens(paren_string: str) -> List[int]:
    """ Input to this function is a string represented multiple groups for nested parentheses separated by spaces.
    For each of the group, output the deepest level of nesting of parentheses.
    E.g. (()()) has maximum two levels of nesting while ((())) has three.

    >>> parse_nested_parens('(()()) ((())) () ((())()())')
    [2, 3, 1, 3]
    """
''',
        """    def parse_paren_group(s):
        depth = 0
        max_depth = 0
        for c in s:
            if c == '(':
                depth += 1
                max_depth = max(depth, max_depth)
            else:
                depth -= 1

        return max_depth

    return [parse_paren_group(x) for x in paren_string.split(' ') if x]
""",
        """    assert candidate('(()()) ((())) () ((())()())') == [2, 3, 1, 3]
    assert candidate('() (()) ((())) (((())))') == [1, 2, 3, 4]
    assert candidate('(()(())((())))') == [4]
""",
    ),
    _he(
        7,
        "filter_by_substring",
        '''from typing import List


def filter_by_substring(strings: List[str], substring: str) -> List[str]:
    """ Filter an input list of strings only for ones that contain given substring
    >>> filter_by_substring([], 'a')
    []
    >>> filter_by_substring(['abc', 'bacd', 'cde', 'array'], 'a')
    ['abc', 'bacd', 'array']
    """
''',
        "    return [x for x in strings if substring in x]\n",
        """    assert candidate([], 'john') == []
    assert candidate(['xxx', 'asd', 'xxy', 'john doe', 'xxxAAA', 'xxx'], 'xxx') == ['xxx', 'xxxAAA', 'xxx']
    assert candidate(['xxx', 'asd', 'aaaxxy', 'john doe', 'xxxAAA', 'xxx'], 'xx') == ['xxx', 'aaaxxy', 'xxxAAA', 'xxx']
    assert candidate(['grunt', 'trumpet', 'prune', 'gruesome'], 'run') == ['grunt', 'prune']
""",
    ),
    _he(
        8,
        "sum_product",
        '''from typing import List, Tuple


def sum_product(numbers: List[int]) -> Tuple[int, int]:
    """ For a given list of integers, return a tuple consisting of a sum and a product of all the integers in a list.
    Empty sum should be equal to 0 and empty product should be equal to 1.
    >>> sum_product([])
    (0, 1)
    >>> sum_product([1, 2, 3, 4])
    (10, 24)
    """
''',
        """    sum_value = 0
    prod_value = 1

    for n in numbers:
        sum_value += n
        prod_value *= n
    return sum_value, prod_value
""",
        """    assert candidate([]) == (0, 1)
    assert candidate([1, 1, 1]) == (3, 1)
    assert candidate([100, 0]) == (100, 0)
    assert candidate([3, 5, 7]) == (3 + 5 + 7, 3 * 5 * 7)
    assert candidate([10]) == (10, 10)
""",
    ),
    _he(
        9,
        "rolling_max",
        '''from typing import List, Tuple


def rolling_max(numbers: List[int]) -> List[int]:
    """ From a given list of integers, generate a list of rolling maximum element found until given moment
    in the sequence.
    >>> rolling_max([1, 2, 3, 2, 3, 4, 2])
    [1, 2, 3, 3, 3, 4, 4]
    """
''',
        """    running_max = None
    result = []

    for n in numbers:
        if running_max is None:
            running_max = n
        else:
            running_max = max(running_max, n)

        result.append(running_max)

    return result
""",
        """    assert candidate([]) == []
    assert candidate([1, 2, 3, 4]) == [1, 2, 3, 4]
    assert candidate([4, 3, 2, 1]) == [4, 4, 4, 4]
    assert candidate([3, 2, 3, 100, 3]) == [3, 3, 3, 100, 100]
""",
    ),
    _he(
        10,
        "make_palindrome",
        '''

def is_palindrome(string: str) -> bool:
    """ Test if given string is a palindrome """
    return string == string[::-1]


def make_palindrome(string: str) -> str:
    """ Find the shortest palindrome that begins with a supplied string.
    Algorithm idea is simple:
    - Find the longest postfix of supplied string that is a palindrome.
    - Append to the end of the string reverse of a string prefix that comes before the palindromic suffix.
    >>> make_palindrome('')
    ''
    >>> make_palindrome('cat')
    'catac'
    >>> make_palindrome('cata')
    'catac'
    """
''',
        """    if not string:
        return ''

    beginning_of_suffix = 0

    while not is_palindrome(string[beginning_of_suffix:]):
        beginning_of_suffix += 1

    return string + string[:beginning_of_suffix][::-1]
""",
        """    assert candidate('') == ''
    assert candidate('x') == 'x'
    assert candidate('xyz') == 'xyzyx'
    assert candidate('xyx') == 'xyx'
    assert candidate('jerry') == 'jerryrrej'
""",
    ),
    _he(
        11,
        "string_xor",
        '''from typing import List


def string_xor(a: str, b: str) -> str:
    """ Input are two strings a and b consisting only of 1s and 0s.
    Perform binary XOR on these inputs and return result also as a string.
    >>> string_xor('010', '110')
    '100'
    """
''',
        """    def xor(i, j):
        if i == j:
            return '0'
        else:
            return '1'

    return ''.join(xor(x, y) for x, y in zip(a, b))
""",
        """    assert candidate('111000', '101010') == '010010'
    assert candidate('1', '1') == '0'
    assert candidate('0101', '0000') == '0101'
""",
    ),
    _he(
        12,
        "longest",
        '''from typing import List, Optional


def longest(strings: List[str]) -> Optional[str]:
    """ Out of list of strings, return the longest one. Return the first one in case of multiple
    strings of the same length. Return None in case the input list is empty.
    >>> longest([])

    >>> longest(['a', 'b', 'c'])
    'a'
    >>> longest(['a', 'bb', 'ccc'])
    'ccc'
    """
''',
        """    if not strings:
        return None

    maxlen = max(len(x) for x in strings)
    for s in strings:
        if len(s) == maxlen:
            return s
""",
        """    assert candidate([]) == None
    assert candidate(['x', 'y', 'z']) == 'x'
    assert candidate(['x', 'yyy', 'zzzz', 'www', 'kkkk', 'abc']) == 'zzzz'
""",
    ),
    _he(
        13,
        "greatest_common_divisor",
        '''

def greatest_common_divisor(a: int, b: int) -> int:
    """ Return a greatest common divisor of two integers a and b
    >>> greatest_common_divisor(3, 5)
    1
    >>> greatest_common_divisor(25, 15)
    5
    """
''',
        """    while b:
        a, b = b, a % b
    return a
""",
        """    assert candidate(3, 7) == 1
    assert candidate(10, 15) == 5
    assert candidate(49, 14) == 7
    assert candidate(144, 60) == 12
""",
    ),
    _he(
        14,
        "all_prefixes",
        '''from typing import List


def all_prefixes(string: str) -> List[str]:
    """ Return list of all prefixes from shortest to longest of the input string
    >>> all_prefixes('abc')
    ['a', 'ab', 'abc']
    """
''',
        """    result = []

    for i in range(len(string)):
        result.append(string[:i+1])
    return result
""",
        """    assert candidate('') == []
    assert candidate('asdfgh') == ['a', 'as', 'asd', 'asdf', 'asdfg', 'asdfgh']
    assert candidate('WWW') == ['W', 'WW', 'WWW']
""",
    ),
    _he(
        15,
        "string_sequence",
        '''

def string_sequence(n: int) -> str:
    """ Return a string containing space-delimited numbers starting from 0 upto n inclusive.
    >>> string_sequence(0)
    '0'
    >>> string_sequence(5)
    '0 1 2 3 4 5'
    """
''',
        "    return ' '.join([str(x) for x in range(n + 1)])\n",
        """    assert candidate(0) == '0'
    assert candidate(3) == '0 1 2 3'
    assert candidate(10) == '0 1 2 3 4 5 6 7 8 9 10'
""",
    ),
    _he(
        16,
        "count_distinct_characters",
        '''

def count_distinct_characters(string: str) -> int:
    """ Given a string, find out how many distinct characters (regardless of case) does it consist of
    >>> count_distinct_characters('xyzXYZ')
    3
    >>> count_distinct_characters('Jerry')
    4
    """
''',
        "    return len(set(string.lower()))\n",
        """    assert candidate('') == 0
    assert candidate('abcde') == 5
    assert candidate('abcde' + 'cade' + 'CADE') == 5
    assert candidate('aaaaAAAAaaaa') == 1
    assert candidate('Jerry jERRY JeRRRY') == 5
""",
    ),
    _he(
        17,
        "parse_music",
        '''from typing import List


def parse_music(music_string: str) -> List[int]:
    """ Input to this function is a string representing musical notes in a special ASCII format.
    Your task is to parse this string and return list of integers corresponding to how many beats does each
    not last.

    Here is a legend:
    'o' - whole note, lasts four beats
    'o|' - half note, lasts two beats
    '.|' - quater note, lasts one beat

    >>> parse_music('o o| .| o| o| .| .| .| .| o o')
    [4, 2, 1, 2, 2, 1, 1, 1, 1, 4, 4]
    """
''',
        """    note_map = {'o': 4, 'o|': 2, '.|': 1}
    return [note_map[x] for x in music_string.split(' ') if x]
""",
        """    assert candidate('') == []
    assert candidate('o o o o') == [4, 4, 4, 4]
    assert candidate('.| .| .| .|') == [1, 1, 1, 1]
    assert candidate('o| o| .| .| o o o o') == [2, 2, 1, 1, 4, 4, 4, 4]
    assert candidate('o| .| o| .| o o| o o|') == [2, 1, 2, 1, 4, 2, 4, 2]
""",
    ),
    _he(
        18,
        "how_many_times",
        '''

def how_many_times(string: str, substring: str) -> int:
    """ Find how many times a given substring can be found in the original string. Count overlaping cases.
    >>> how_many_times('', 'a')
    0
    >>> how_many_times('aaa', 'a')
    3
    >>> how_many_times('aaaa', 'aa')
    3
    """
''',
        """    times = 0

    for i in range(len(string) - len(substring) + 1):
        if string[i:i+len(substring)] == substring:
            times += 1

    return times
""",
        """    assert candidate('', 'x') == 0
    assert candidate('xyxyxyx', 'x') == 4
    assert candidate('cacacacac', 'cac') == 4
    assert candidate('john doe', 'john') == 1
""",
    ),
]


def humaneval_program(problem: dict[str, str], tag: str) -> str:
    """The problem's prompt + canonical solution (a HumanEval completion as graded), with a
    harmless assignment naming `tag` so that no two items share a program (no dedup credit)."""
    return problem["prompt"] + problem["canonical_solution"] + f"\n\n_sample_id = {tag!r}\n"


def humaneval_test(problem: dict[str, str]) -> str:
    """The one function test HumanEval runs: its `test` string, then `check(entry_point)`."""
    return problem["test"] + "\ncheck(" + problem["entry_point"] + ")\n"


def humaneval_items(n: int, seed: int = 0, group: int = 8) -> list[dict[str, Any]]:
    """GRPO groups over HumanEval-style problems: `group` completions per problem, each the
    canonical solution (every item should score 1.0) with a distinct program text, checked by
    the problem's own `check(candidate)` as one function test."""
    rng = random.Random(seed)
    out = []
    for p in range(0, n, group):
        problem = HUMANEVAL[rng.randrange(len(HUMANEVAL))]
        params = {"language": "python", "tests": [{"code": humaneval_test(problem)}]}
        for k in range(min(group, n - p)):
            program = humaneval_program(problem, f"h{seed}-{p + k}")
            completion = f"<think>{REASONING_EN}</think>\n```python\n{program}```\n"
            out.append({"id": str(p + k), "completion": completion, "checks": {"code": params}})
    return out


# --- Competitive-programming C++ with stdio tests ------------------------------------------
# Each program starts the way nearly every contest solution does (`bits/stdc++.h`, `using
# namespace std;`): the header whose compile time dominates a C++ reward.

_CPP_HEAD = "#include <bits/stdc++.h>\nusing namespace std;\n"

#: (name, body after the head, [(stdin, expected stdout), ...])
CPP_PROBLEMS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "sum",
        """
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    long long s = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        s += x;
    }
    cout << s << "\\n";
}
""",
        [
            ("3\n1 2 3\n", "6\n"),
            ("5\n-1000000000 1000000000 7 8 9\n", "24\n"),
            ("1\n42\n", "42\n"),
        ],
    ),
    (
        "sort",
        """
int main() {
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto &x : a) cin >> x;
    sort(a.begin(), a.end());
    for (int i = 0; i < n; i++) cout << a[i] << (i + 1 < n ? ' ' : '\\n');
}
""",
        [("5\n3 1 4 1 5\n", "1 1 3 4 5\n"), ("3\n-2 10 0\n", "-2 0 10\n"), ("1\n7\n", "7\n")],
    ),
    (
        "prefix_sums",
        """
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    vector<long long> pre(n + 1, 0);
    for (int i = 1; i <= n; i++) {
        long long x;
        cin >> x;
        pre[i] = pre[i - 1] + x;
    }
    while (q--) {
        int l, r;
        cin >> l >> r;
        cout << pre[r] - pre[l - 1] << "\\n";
    }
}
""",
        [
            ("5 3\n1 2 3 4 5\n1 5\n2 4\n3 3\n", "15\n9\n3\n"),
            ("4 2\n-1 -2 -3 -4\n1 2\n2 4\n", "-3\n-9\n"),
        ],
    ),
    (
        "grid_bfs",
        """
int main() {
    int h, w;
    cin >> h >> w;
    vector<string> g(h);
    for (auto &row : g) cin >> row;
    pair<int, int> s{-1, -1}, t{-1, -1};
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            if (g[i][j] == 'S') s = {i, j};
            if (g[i][j] == 'G') t = {i, j};
        }
    vector<vector<int>> dist(h, vector<int>(w, -1));
    queue<pair<int, int>> q;
    dist[s.first][s.second] = 0;
    q.push(s);
    const int dx[] = {1, -1, 0, 0}, dy[] = {0, 0, 1, -1};
    while (!q.empty()) {
        auto [x, y] = q.front();
        q.pop();
        for (int d = 0; d < 4; d++) {
            int nx = x + dx[d], ny = y + dy[d];
            if (nx < 0 || ny < 0 || nx >= h || ny >= w) continue;
            if (g[nx][ny] == '#' || dist[nx][ny] != -1) continue;
            dist[nx][ny] = dist[x][y] + 1;
            q.push({nx, ny});
        }
    }
    cout << dist[t.first][t.second] << "\\n";
}
""",
        [("3 4\nS..#\n.#..\n...G\n", "5\n"), ("2 2\nS#\n#G\n", "-1\n"), ("1 5\nS...G\n", "4\n")],
    ),
    (
        "word_frequency",
        """
int main() {
    map<string, int> count;
    string word;
    while (cin >> word) count[word]++;
    // The most frequent word; ties go to the smallest (the map iterates in order).
    string best;
    int most = 0;
    for (const auto &[w, c] : count)
        if (c > most) best = w, most = c;
    cout << best << " " << most << "\\n";
}
""",
        [("the cat the dog\n", "the 2\n"), ("b a\n", "a 1\n"), ("x y z y x y\n", "y 3\n")],
    ),
    (
        "max_subarray",
        """
int main() {
    int n;
    cin >> n;
    long long best = LLONG_MIN, cur = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        cur = max(x, cur + x);
        best = max(best, cur);
    }
    cout << best << "\\n";
}
""",
        [("9\n-2 1 -3 4 -1 2 1 -5 4\n", "6\n"), ("3\n-5 -1 -3\n", "-1\n")],
    ),
    (
        "gcd_lcm",
        """
int main() {
    int t;
    cin >> t;
    while (t--) {
        long long a, b;
        cin >> a >> b;
        cout << gcd(a, b) << " " << lcm(a, b) << "\\n";
    }
}
""",
        [("2\n12 18\n7 5\n", "6 36\n1 35\n"), ("1\n100 100\n", "100 100\n")],
    ),
]


def cpp_program(body: str, tag: str) -> str:
    """A contest program with a harmless constant naming `tag`: no two items share a source
    (sampled programs differ), so the service's dedup gives no credit."""
    return f'{_CPP_HEAD}\n[[maybe_unused]] static const char kSampleId[] = "{tag}";\n{body}'


def cpp_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """C++ contest programs (sums, sorting, prefix sums, BFS on a grid, ...), all correct, a
    distinct source per item, each with its problem's 2-3 stdio tests."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        _, body, tests = CPP_PROBLEMS[rng.randrange(len(CPP_PROBLEMS))]
        source = cpp_program(body, f"c{seed}-{i}")
        completion = f"<think>{REASONING_EN}</think>\n```cpp\n{source}```\n"
        params = {
            "language": "cpp",
            "tests": [{"input": stdin, "output": stdout} for stdin, stdout in tests],
        }
        out.append({"id": str(i), "completion": completion, "checks": {"code": params}})
    return out
