"""Throughput and latency of `medtune serve` on the embedded model, against model.generate alone.

In one process and one run: (1) one client calling ``model.generate`` in a loop (no server, no
guard): the floor; (2) `medtune serve` with transformers' continuous batching, and (3) with
``serve.batching: generate``, each at 1, 4 and 16 concurrent clients (the official ``openai``
client, non-streaming, over loopback HTTP); (4) the guard's own cost per request: the input check
(``check_turn``) plus ``StreamGuard`` over the answer as it streamed, timed alone.

Every request asks for the same number of new tokens, greedy; the embedded model is random, so it
rarely stops early and every request does the same work. Prints one JSON object.

    python benchmarks/serve_throughput.py [--requests 32] [--max-tokens 32]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUESTIONS = [
    "What is a normal resting heart rate for adults?",
    "How many hours of sleep do adults need?",
    "Which vitamin comes from sunlight?",
    "Is walking good exercise?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(latencies: list[float], wall: float) -> dict:
    return {
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
    }


def bench_generate_loop(backend, requests: int, max_tokens: int) -> dict:
    import torch

    from medtune.chat_template import render

    engine, tok = backend.engine, backend.tokenizer
    latencies, tokens = [], []
    start = time.perf_counter()
    for i in range(requests):
        messages = [{"role": "system", "content": engine.system_prompt}, {"role": "user", "content": QUESTIONS[i % 4]}]
        ids = torch.tensor([tok(render(tok, messages, add_generation_prompt=True), add_special_tokens=False)["input_ids"]])
        t = time.perf_counter()
        with torch.inference_mode():
            out = engine.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_tokens,
                                        do_sample=False, eos_token_id=engine.stop_ids, pad_token_id=tok.pad_token_id)
        latencies.append(time.perf_counter() - t)
        tokens.append(out.shape[1] - ids.shape[1])
    wall = time.perf_counter() - start
    return {"clients": 1, **summary(latencies, wall), "new_tokens_per_request": statistics.mean(tokens)}


def bench_server(url: str, clients: int, requests: int, max_tokens: int) -> dict:
    import openai

    client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=300)

    def one(i: int) -> float:
        t = time.perf_counter()
        client.chat.completions.create(model="any", messages=[{"role": "user", "content": QUESTIONS[i % 4]}],
                                       max_tokens=max_tokens, temperature=0)
        return time.perf_counter() - t

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(clients)))  # warm
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, range(requests)))
    return {"clients": clients, **summary(latencies, time.perf_counter() - start)}


def bench_guard(guard, backend, requests: int, max_tokens: int) -> dict:
    """The guard's work per answered request, alone: input check + StreamGuard over the answer's pieces."""
    import threading

    from medtune.demo.engine import GenerationSettings
    from safety import StreamGuard
    from safety.conversation import check_turn

    settings = GenerationSettings(0.0, 1.0, max_tokens)
    answers = []
    for i in range(4):
        prompt = backend.engine._prompt_ids([{"role": "user", "content": QUESTIONS[i]}], settings)
        answers.append(list(backend.source.pieces(prompt, settings, threading.Event())))
    inputs, outputs = [], []
    for i in range(requests):
        conversation = [{"role": "user", "content": QUESTIONS[i % 4]}]
        t = time.perf_counter()
        check_turn(guard, conversation, after_emergency="remind")
        inputs.append(time.perf_counter() - t)
        t = time.perf_counter()
        stream = StreamGuard(guard, kind="output")
        for piece in answers[i % 4]:
            stream.feed(piece)
        stream.finish()
        outputs.append(time.perf_counter() - t)
    total = [a + b for a, b in zip(inputs, outputs, strict=True)]
    return {
        "requests": requests,
        "input_check_p50_ms": round(1000 * statistics.median(inputs), 3),
        "stream_guard_p50_ms": round(1000 * statistics.median(outputs), 3),
        "added_p50_ms": round(1000 * statistics.median(total), 3),
        "added_p99_ms": round(1000 * percentile(total, 0.99), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=64, help="requests per measurement")
    parser.add_argument("--max-tokens", type=int, default=32)
    args = parser.parse_args()

    import torch

    from medtune.config import Config
    from medtune.guard import build_guard
    from medtune.serve import open_backend
    from medtune.serve.app import ServerThread, build_app

    root = Path(tempfile.mkdtemp(prefix="medtune-serve-bench-"))
    data = {"model": {"base_model_name": "embedded:tiny-phi4-mini", "cache_dir": str(root / "models")},
            "fine_tuning": {"method": "lora"}, "serve": {"max_concurrent_requests": 64, "max_batch": 16}}
    cfg = Config.model_validate(data).with_root(root)
    guard = build_guard(cfg, audit=False)
    result: dict = {
        "model": "embedded:tiny-phi4-mini (base, fp32)", "max_tokens": args.max_tokens,
        "torch_threads": torch.get_num_threads(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    cb = open_backend(cfg, base=True, guard=guard)
    result["generate_loop"] = bench_generate_loop(cb, args.requests, args.max_tokens)
    for kind, backend in (("continuous", cb), ("generate", None)):
        if backend is None:
            cb.close()
            gen_cfg = cfg.model_copy(update={"serve": cfg.serve.model_copy(update={"batching": "generate"})})
            backend = open_backend(gen_cfg, base=True, guard=guard)
        server = ServerThread(build_app(backend, cfg.serve))
        try:
            result[f"serve_{kind}"] = [bench_server(server.url, c, args.requests, args.max_tokens) for c in (1, 4, 16)]
        finally:
            server.stop()
        if kind == "continuous":
            result["guard"] = bench_guard(guard, backend, args.requests, args.max_tokens)
    backend.close()
    floor = result["generate_loop"]["requests_per_s"]
    result["speedup_vs_generate_loop"] = {
        kind: {str(r["clients"]): round(r["requests_per_s"] / floor, 2) for r in result[f"serve_{kind}"]}
        for kind in ("continuous", "generate")
    }
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
