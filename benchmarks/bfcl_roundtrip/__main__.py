"""``python -m benchmarks.bfcl_roundtrip [--data DIR] [--show-failures N]``: print the tables."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .data import CATEGORIES, bfcl_data_dir
from .run import ANCHOR, DIALECTS, run_roundtrip, run_schema, timing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bfcl_roundtrip")
    parser.add_argument("--data", type=Path, default=None, help="folder holding bfcl_eval/")
    parser.add_argument("--show-failures", type=int, default=10, metavar="N")
    args = parser.parse_args(argv)
    console = Console()
    data = bfcl_data_dir(args.data)
    console.print(f"BFCL data: {data}")

    rt = run_roundtrip(data)
    table = Table(title="(a) ground truth -> render -> parse, identical calls back")
    table.add_column("dialect")
    table.add_column("ok", justify="right")
    table.add_column("total", justify="right")
    table.add_column("%", justify="right")
    table.add_column("mean parse us", justify="right")
    table.add_column("p95 parse us", justify="right")
    for name in (*DIALECTS, ANCHOR):
        ok = sum(v for (d, _), v in rt.ok.items() if d == name)
        total = rt.total[name]
        mean, p95 = timing(rt.seconds.get(name, []))
        style = "dim" if name == ANCHOR else None
        table.add_row(
            name + (" [anchor, gemma3 text]" if name == ANCHOR else ""),
            str(ok),
            str(total),
            f"{100 * ok / total:.2f}" if total else "-",
            f"{mean:.0f}",
            f"{p95:.0f}",
            style=style,
        )
    console.print(table)

    per_cat = Table(title="(a) per category: gemma3 parser vs the naive regex on the same text")
    per_cat.add_column("category")
    per_cat.add_column("answers", justify="right")
    per_cat.add_column("gemma3 %", justify="right")
    per_cat.add_column("naive regex %", justify="right")
    for category in CATEGORIES:
        n = rt.total[f"cat:{category}"]
        ours = rt.ok[("gemma3", category)]
        naive = rt.ok[(ANCHOR, category)]
        per_cat.add_row(
            category,
            str(n),
            f"{100 * ours / n:.1f}" if n else "-",
            f"{100 * naive / n:.1f}" if n else "-",
        )
    console.print(per_cat)
    for name, ids in rt.failures.items():
        if name != ANCHOR:
            console.print(f"[red]{name} failures[/]: {ids[: args.show_failures]}")

    sc = run_schema(data)
    schema_table = Table(title="(b) BFCL function definitions -> model_from_json_schema")
    schema_table.add_column("measure")
    schema_table.add_column("ok", justify="right")
    schema_table.add_column("total", justify="right")
    schema_table.add_column("%", justify="right")
    schema_table.add_row(
        "definitions converted",
        str(sc.converted),
        str(sc.defs),
        f"{100 * sc.converted / sc.defs:.2f}" if sc.defs else "-",
    )
    schema_table.add_row(
        "ground-truth argument sets valid",
        str(sc.gt_valid),
        str(sc.gt_calls),
        f"{100 * sc.gt_valid / sc.gt_calls:.2f}" if sc.gt_calls else "-",
    )
    console.print(schema_table)
    per_def = 1e3 * sc.build_seconds / sc.defs if sc.defs else 0.0
    console.print(f"model build: {sc.build_seconds:.1f} s total, {per_def:.2f} ms per definition")
    for line in sc.conversion_errors[: args.show_failures]:
        console.print(f"[red]conversion error[/] {line}")
    if sc.invalid:
        console.print(
            f"ground truth rejected ({len(sc.invalid)}; each contradicts its own schema: "
            "a required argument missing, an undeclared argument, a value outside the enum "
            "or of another type):"
        )
        for line in sc.invalid[: max(args.show_failures, 0)]:
            console.print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
