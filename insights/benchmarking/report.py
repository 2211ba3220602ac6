"""Percentiles, the printed table and the JSON file of a benchmark run."""

import json
import math
import os
import platform
from datetime import UTC, datetime


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (with 20 samples, p95 and p99 are the slowest one)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def timing(seconds: list[float]) -> dict:
    """Latency figures in milliseconds, and the requests per second of one client."""
    if not seconds:
        return {}
    mean = sum(seconds) / len(seconds)
    return {
        "samples": len(seconds),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 2),
        "mean_ms": round(mean * 1000, 2),
        "throughput_rps": round(1 / mean, 1) if mean else None,
    }


def verdict(result: dict) -> str:
    """ "ok", "MISS" or "" against the issue's target for this scenario."""
    target = result.get("target")
    if not target:
        return ""
    kind, value = target
    if kind == "p95_ms":
        return "ok" if result.get("p95_ms", math.inf) <= value else "MISS"
    return "ok" if (result.get(kind) or 0) >= value else "MISS"


def line(result: dict) -> str:
    """One row of the printed table."""
    name = result["name"]
    floor = result.get("floor") or {}
    if "error" in result:
        text = f"{name:<24} ERROR {result['error']}"
        if "p50_ms" in floor:
            text += f"  | floor p50 {floor['p50_ms']:>8.1f}  p95 {floor['p95_ms']:>8.1f} ms"
        return text
    if "p50_ms" in result:
        text = (
            f"{name:<24} p50 {result['p50_ms']:>9.1f}  p95 {result['p95_ms']:>9.1f}  "
            f"p99 {result['p99_ms']:>9.1f} ms  q/req {result.get('queries', '-'):>4}  "
            f"{result.get('throughput_rps') or 0:>7.1f} req/s"
        )
        if "p50_ms" in floor:
            ratio = result["p50_ms"] / floor["p50_ms"] if floor["p50_ms"] else math.inf
            text += (
                f"  | floor p50 {floor['p50_ms']:>8.1f}  p95 {floor['p95_ms']:>8.1f} ms"
                f"  x{ratio:.1f}"
            )
    else:
        rate = result.get("rate")
        text = f"{name:<24} {rate:>12,.0f} {result.get('unit', '')}  in {result['seconds']:.1f} s"
        if floor.get("rate"):
            text += f"  | floor {floor['rate']:>12,.0f} {result.get('unit', '')}"
    if extra := result.get("note"):
        text += f"  ({extra})"
    if mark := verdict(result):
        text += f"  [{mark}]"
    return text


def document(results: list[dict], sizes: dict, options: dict) -> dict:
    """What --json writes."""
    from django.db import connection

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "machine": {
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "sizes": sizes,
        "options": options,
        "scenarios": results,
    }


def write_json(path: str, payload: dict) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False, indent=2, default=str)
