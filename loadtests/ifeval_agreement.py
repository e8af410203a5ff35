"""Agreement of the `ifeval` check with IFEval's reference implementation, per instruction.

    python -m loadtests.ifeval_agreement --reference DIR [--n 3000] [--seed 0]

DIR holds the reference code as a package: `instruction_following_eval/` (google-research) or
`lm_eval/tasks/ifeval/` (lm-evaluation-harness), importable with its own dependencies
(`nltk` with the `punkt_tab` data, `langdetect`, `absl-py`, `immutabledict`; add their
location with `--path`). Neither is a dependency of rewardkit: this is an outside check.

Responses are generated (seeded) from the pieces IFEval responses are made of: prose with
abbreviations, numbers and quotes, paragraphs split by blank lines or `***`, bullets, titles,
highlights, sections, placeholders, postscripts, JSON (fenced or not), quotes, case changes,
two responses, several languages, a chatty first line for the loose variants. For every
response and instruction, kwargs are drawn near the response's own counts, so both verdicts
occur. Prints per instruction id and mode: cases, agreement, and the disagreeing examples.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
from collections import Counter
from typing import Any

from app.checkers.ifeval import INSTRUCTIONS, check

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Dr. Smith arrived at 5 p.m. on Jan. 3rd.",
    "The U.S. economy grew by 2.5 percent last year.",
    "Mr. and Mrs. Jones moved to St. Louis in 2019.",
    "Is this the right way to start?",
    "What a wonderful day it was!",
    '"I will be there," she said.',
    'He said, "Wait." Then he left.',
    "It costs $3.50, i.e. less than a coffee.",
    "Prof. Lee teaches at MIT, e.g. physics and math.",
    "NASA launched the rocket at dawn.",
    "This is IMPORTANT and you MUST read it.",
    "We met at the café near the Eiffel Tower.",
    "The results... were surprising.",
    "Version 3.2.1 fixes the bug; see section 4.",
    "I think the answer is yes, but I am not sure.",
    "Well-known facts are often wrong.",
    "Keep it simple, stupid.",
    "The meeting is at 10 a.m. tomorrow.",
    "The company, Acme Inc., reported a loss.",
    "Remember: practice makes perfect.",
    "Their dog barked at the mailman all morning.",
]
OTHER_LANGUAGES = {
    "fr": "Le chat dort sur le canapé pendant que nous travaillons dans le jardin.",
    "de": "Der Hund spielt im Garten, während die Kinder in der Schule lernen.",
    "es": "El perro juega en el jardín mientras los niños estudian en la escuela.",
    "it": "Il gatto dorme sul divano mentre noi lavoriamo in giardino tutto il giorno.",
    "pt": "O cachorro brinca no jardim enquanto as crianças estudam na escola.",
    "ru": "Собака играет в саду, пока дети учатся в школе.",
    "hi": "कुत्ता बगीचे में खेल रहा है जबकि बच्चे स्कूल में पढ़ रहे हैं।",
    "ja": "犬は庭で遊んでいて、子供たちは学校で勉強しています。",
    "ko": "개는 정원에서 놀고 아이들은 학교에서 공부하고 있습니다.",
    "ar": "الكلب يلعب في الحديقة بينما يدرس الأطفال في المدرسة.",
    "fi": "Koira leikkii puutarhassa, kun lapset opiskelevat koulussa.",
    "vi": "Con chó đang chơi trong vườn trong khi bọn trẻ học ở trường.",
}
KEYWORDS = ["fox", "dog", "economy", "day", "answer", "café", "rocket", "the", "is", "a"]
FIRST_LINES = ["Sure! Here is my response:", "**Response**", "Of course.", "```", "Here you go"]
LAST_LINES = ["Let me know if you need anything else!", "```", "*Hope this helps*", "---"]


def _prose(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(n))


def make_response(rng: random.Random) -> str:
    """One response, built from IFEval-like pieces."""
    kind = rng.random()
    parts: list[str] = []
    if kind < 0.08:
        lang = rng.choice(sorted(OTHER_LANGUAGES))
        text = " ".join([OTHER_LANGUAGES[lang]] * rng.randint(1, 3))
        if rng.random() < 0.3:
            text += " " + _prose(rng, 1)
        parts.append(text)
    elif kind < 0.15:
        obj = {"name": rng.choice(KEYWORDS), "items": list(range(rng.randint(0, 4)))}
        body = json.dumps(obj, indent=rng.choice([None, 2]))
        if rng.random() < 0.2:
            body = body[:-1]  # broken JSON
        fence = rng.choice(["```json\n{}\n```", "```\n{}\n```", "{}", "```JSON\n{}\n```"])
        parts.append(fence.format(body))
    elif kind < 0.2:
        a, b = _prose(rng, rng.randint(1, 3)), _prose(rng, rng.randint(1, 3))
        sep = rng.choice(["\n******\n", "******", "\n\n******\n\n"])
        parts.append(a + sep + (a if rng.random() < 0.2 else b))
    else:
        if rng.random() < 0.3:
            parts.append(f"<<{rng.choice(['A Day Out', 'poem of joy', ' ', 'Notes'])}>>")
        n_par = rng.randint(1, 6)
        divider = rng.choice(["\n\n", "\n\n", "\n***\n", " *** ", "\n\n***\n\n"])
        paragraphs = []
        for i in range(n_par):
            roll = rng.random()
            if roll < 0.2:
                bullets = [
                    f"{rng.choice(['*', '-', '* ', '  -', '**'])} {rng.choice(SENTENCES)}"
                    for _ in range(rng.randint(1, 5))
                ]
                paragraphs.append("\n".join(bullets))
            elif roll < 0.35:
                splitter = rng.choice(["SECTION", "Section", "PARAGRAPH"])
                paragraphs.append(f"{splitter} {i + 1}\n{_prose(rng, rng.randint(1, 3))}")
            else:
                text = _prose(rng, rng.randint(1, 5))
                if rng.random() < 0.3:
                    word = rng.choice(text.split())
                    text = text.replace(word, rng.choice([f"*{word}*", f"**{word}**"]), 1)
                if rng.random() < 0.2:
                    text += f" Contact [name] at [address{rng.choice(['', ']'])}."
                paragraphs.append(text)
        parts.append(divider.join(paragraphs))
        if rng.random() < 0.25:
            parts.append(rng.choice(["P.S. See you soon.", "P.P.S Bring snacks.", "p. s. ok"]))
        if rng.random() < 0.2:
            parts.append(
                rng.choice(["Any other questions?", "Is there anything else I can help with?"])
            )
    response = "\n\n".join(parts)
    style = rng.random()
    if style < 0.1:
        response = response.upper()
    elif style < 0.2:
        response = response.lower()
    elif style < 0.27:
        response = response.replace(",", "")
    if rng.random() < 0.1:
        response = f'"{response}"'
    if rng.random() < 0.2:
        response = rng.choice(FIRST_LINES) + "\n" + response
    if rng.random() < 0.15:
        response = response + "\n" + rng.choice(LAST_LINES)
    if rng.random() < 0.05:
        response = rng.choice(["My answer is yes.", "My answer is no.", "My answer is maybe."])
    return response


def _near(rng: random.Random, actual: int) -> int:
    return max(0, actual + rng.choice([-2, -1, 0, 0, 1, 2]))


def make_kwargs(rng: random.Random, iid: str, response: str) -> dict[str, Any]:
    """Kwargs for `iid` near what `response` has (so both verdicts occur)."""
    from app.checkers.ifeval.counting import count_sentences, count_words, word_tokens

    words = response.split()
    relation = rng.choice(["less than", "at least"])
    if iid == "keywords:existence":
        return {"keywords": rng.sample(KEYWORDS, rng.randint(1, 2))}
    if iid == "keywords:frequency":
        kw = rng.choice(KEYWORDS)
        return {
            "keyword": kw,
            "frequency": _near(rng, response.lower().count(kw)) or 1,
            "relation": relation,
        }
    if iid == "keywords:forbidden_words":
        return {"forbidden_words": rng.sample(KEYWORDS, 2)}
    if iid == "keywords:letter_frequency":
        letter = rng.choice("aeiostxz")
        return {
            "letter": letter,
            "let_frequency": _near(rng, response.lower().count(letter)) or 1,
            "let_relation": relation,
        }
    if iid == "language:response_language":
        return {"language": rng.choice(["en", "en", *sorted(OTHER_LANGUAGES)])}
    if iid == "length_constraints:number_sentences":
        return {"num_sentences": _near(rng, count_sentences(response)) or 1, "relation": relation}
    if iid == "length_constraints:number_paragraphs":
        return {"num_paragraphs": _near(rng, response.count("***") + 1) or 1}
    if iid == "length_constraints:number_words":
        return {"num_words": _near(rng, count_words(response)) or 1, "relation": relation}
    if iid == "length_constraints:nth_paragraph_first_word":
        paragraphs = [p for p in response.split("\n\n") if p.strip()]
        n = max(1, _near(rng, len(paragraphs)))
        nth = rng.randint(1, n)
        first = paragraphs[nth - 1].split()[0] if nth <= len(paragraphs) else rng.choice(KEYWORDS)
        return {
            "num_paragraphs": n,
            "nth_paragraph": nth,
            "first_word": first.strip("\"'.,!?").lower() or "the",
        }
    if iid == "detectable_content:number_placeholders":
        return {"num_placeholders": _near(rng, response.count("[")) or 1}
    if iid == "detectable_content:postscript":
        return {"postscript_marker": rng.choice(["P.S.", "P.P.S", "p.s.", "Note"])}
    if iid == "detectable_format:number_bullet_lists":
        # 0 is no IFEval value: lm-eval drops falsy kwargs and the reference then draws one.
        return {"num_bullets": _near(rng, response.count("\n*") + response.count("\n-")) or 1}
    if iid == "detectable_format:number_highlighted_sections":
        return {"num_highlights": _near(rng, response.count("*") // 2) or 1}
    if iid == "detectable_format:multiple_sections":
        return {
            "section_spliter": rng.choice(["SECTION", "Section", "PARAGRAPH"]),
            "num_sections": _near(rng, response.lower().count("section")) or 1,
        }
    if iid == "combination:repeat_prompt":
        start = " ".join(words[: rng.randint(1, 6)]) if words else "x"
        return {"prompt_to_repeat": start if rng.random() < 0.7 else "Write a poem."}
    if iid == "startend:end_checker":
        return {
            "end_phrase": rng.choice(
                [
                    "Any other questions?",
                    "Is there anything else I can help with?",
                    " ".join(words[-2:]) or "x",
                ]
            )
        }
    if iid == "change_case:capital_word_frequency":
        caps = sum(1 for t in word_tokens(response) if t.isupper())
        return {"capital_frequency": _near(rng, caps) or 1, "capital_relation": relation}
    return {}


def _reference(path: str) -> tuple[Any, Any]:
    sys.path.insert(0, path)
    for pkg in ("instruction_following_eval", "lm_eval.tasks.ifeval"):
        try:
            registry = importlib.import_module(f"{pkg}.instructions_registry")
            break
        except ImportError:
            continue
    else:
        raise SystemExit(f"no IFEval reference package under {path}")
    try:
        from langdetect import DetectorFactory

        DetectorFactory.seed = 0  # langdetect is random unless seeded
    except ImportError:
        pass
    return registry.INSTRUCTION_DICT, None


def _reference_verdict(
    cls: Any, iid: str, kwargs: dict[str, Any], prompt: str, responses: list[str]
) -> bool:
    instruction = cls(iid)
    instruction.build_description(**{k: v for k, v in kwargs.items() if v})
    args = instruction.get_instruction_args()
    if args and "prompt" in args:
        instruction.build_description(prompt=prompt)
    return any(r.strip() and instruction.check_following(r) for r in responses)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", required=True, help="directory holding the reference package")
    ap.add_argument("--path", action="append", default=[], help="extra sys.path entries")
    ap.add_argument("--n", type=int, default=3000, help="responses")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=2, help="disagreements shown per id")
    args = ap.parse_args()
    for p in args.path:
        sys.path.insert(0, p)
    ref_dict, _ = _reference(args.reference)
    from app.checkers.ifeval.driver import loose_variants

    rng = random.Random(args.seed)
    total: Counter[tuple[str, str]] = Counter()
    agree: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = {}
    for _ in range(args.n):
        response = make_response(rng)
        for iid in sorted(INSTRUCTIONS):
            kwargs = make_kwargs(rng, iid, response)
            for mode in ("strict", "loose"):
                responses = loose_variants(response) if mode == "loose" else [response]
                want = _reference_verdict(ref_dict[iid], iid, kwargs, "", responses)
                got = check(
                    response, {"instruction_id_list": [iid], "kwargs": [kwargs], "mode": mode}
                )
                mine = got.details["instructions"][0]["followed"] if got.value is not None else None
                total[(iid, mode)] += 1
                if mine == want:
                    agree[(iid, mode)] += 1
                elif len(examples.setdefault((iid, mode), [])) < args.show:
                    examples[(iid, mode)].append(
                        f"ref={want} ours={mine} kwargs={kwargs} response={response[:160]!r}"
                    )
    print(f"{'instruction id':48} {'mode':6} {'cases':>6} {'agree':>8}")
    worst = 1.0
    for key in sorted(total):
        share = agree[key] / total[key]
        worst = min(worst, share)
        print(f"{key[0]:48} {key[1]:6} {total[key]:6d} {100 * share:7.2f}%")
        for line in examples.get(key, []):
            print("    ", line)
    overall = sum(agree.values()) / sum(total.values())
    print(
        f"overall {100 * overall:.2f}% agreement over {sum(total.values())} verdicts; lowest per id {100 * worst:.2f}%"
    )


if __name__ == "__main__":
    main()
