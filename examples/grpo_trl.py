"""A complete GRPO run with TRL on the CPU, offline, whose rewards come from a live rewardkit
server through `rewardkit.integrations.trl`.

Nothing is downloaded: the model is a tiny Qwen2-style network built from a config (random
weights), the tokenizer is trained on the spot with `tokenizers`, the data set is a dozen
arithmetic prompts with gold answers. The model learns nothing in 2 steps; the point is the
plumbing: TRL generates, calls the rewardkit reward functions (one HTTP request per batch for
all of them), and trains on the rewards.

    REWARDKIT_URL=http://127.0.0.1:8000 python examples/grpo_trl.py   # or: make example-grpo
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx
import torch
from datasets import Dataset
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    PreTrainedTokenizerFast,
    PrinterCallback,
    ProgressCallback,
    Qwen2Config,
    Qwen2ForCausalLM,
    TrainerCallback,
)
from trl import GRPOConfig, GRPOTrainer

from rewardkit.integrations.trl import reward_functions

TAGS = ["<think>", "</think>", "\\boxed{"]


def arithmetic_rows(n: int, seed: int) -> list[dict[str, str]]:
    """`n` prompts "What is a + b?" (or minus, times) with their gold answers."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        a, b = rng.randint(1, 20), rng.randint(1, 20)
        op, value = rng.choice([("+", a + b), ("-", a - b), ("*", a * b)])
        rows.append(
            {
                "prompt": f"What is {a} {op} {b}? Think, then answer in \\boxed{{}}.",
                "solution": str(value),
            }
        )
    return rows


def train_tokenizer(rows: list[dict[str, str]]) -> PreTrainedTokenizerFast:
    """A small byte-level BPE tokenizer trained on the prompts and some worked answers."""
    corpus = [r["prompt"] for r in rows]
    corpus += [
        f"<think>{r['prompt']} so it is {r['solution']}</think> \\boxed{{{r['solution']}}}"
        for r in rows
    ]
    corpus += [" ".join(str(i) for i in range(-20, 401))]
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<pad>", "<eos>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(corpus, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")
    fast.add_tokens(TAGS)  # ordinary tokens: they survive decoding with skip_special_tokens
    return fast


def tiny_qwen2(tokenizer: PreTrainedTokenizerFast) -> Qwen2ForCausalLM:
    """A 2-layer Qwen2 with random weights (~0.1 M parameters)."""
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model


def printing(
    fn: Callable[..., list[float | None]], sample: bool = False
) -> Callable[..., list[float | None]]:
    """The reward function as it was, printing what it returns (TRL logs only the means) and,
    with `sample`, the batch's first completion."""

    def wrapper(**kwargs: Any) -> list[float | None]:
        rewards = fn(**kwargs)
        step = kwargs["trainer_state"].global_step + 1
        if sample:
            print(f"step {step} first completion: {kwargs['completions'][0]!r}", flush=True)
        shown = ", ".join("None" if r is None else f"{r:g}" for r in rewards)
        print(f"step {step} {fn.__name__:>18}: [{shown}]", flush=True)
        return rewards

    wrapper.__name__ = fn.__name__
    return wrapper


class PrintRewards(TrainerCallback):
    """Prints the per-step reward means TRL logs."""

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kw: Any
    ) -> None:
        if logs and "reward" in logs:
            parts = [f"reward={logs['reward']:.4f}"]
            parts += [
                f"{k.split('/')[1]}={v:.4f}"
                for k, v in logs.items()
                if k.startswith("rewards/") and k.endswith("/mean")
            ]
            print(f"step {state.global_step} logged: " + " ".join(parts), flush=True)


def wait_for(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"no rewardkit server answering at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REWARDKIT_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    wait_for(args.url)
    torch.manual_seed(args.seed)

    rows = arithmetic_rows(12, args.seed)
    tokenizer = train_tokenizer(rows)
    model = tiny_qwen2(tokenizer)
    print(
        f"model: Qwen2, {sum(p.numel() for p in model.parameters()):,} parameters, vocab {len(tokenizer)}"
    )
    print(f"rewards from {args.url}")

    # One function per check, so TRL logs each; all three share one request per batch.
    funcs = reward_functions(
        args.url,
        # math and format are what the run is about (a random model scores 0 on both); the
        # DAPO overlong shaping check varies with length, so the advantages are not all zero.
        checks={
            "math": {},
            "format": {},
            "overlong": {"max_length": 80, "cache_length": 60, "unit": "chars"},
        },
        columns={"math.gold": "solution"},
    )
    with tempfile.TemporaryDirectory() as out:
        config = GRPOConfig(
            output_dir=out,
            max_steps=args.steps,
            per_device_train_batch_size=8,
            num_generations=4,  # 2 prompts × 4 completions per step
            max_completion_length=32,
            learning_rate=1e-3,
            beta=0.0,
            logging_steps=1,
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            bf16=False,
            seed=args.seed,
            dataloader_num_workers=0,
        )
        trainer = GRPOTrainer(
            model=model,
            processing_class=tokenizer,
            reward_funcs=[printing(f, sample=i == 0) for i, f in enumerate(funcs)],
            args=config,
            train_dataset=Dataset.from_list(rows),
            callbacks=[PrintRewards()],
        )
        for noisy in (PrinterCallback, ProgressCallback):  # the prints above say it all
            trainer.remove_callback(noisy)
        trainer.train()
    print("done")


if __name__ == "__main__":
    main()
