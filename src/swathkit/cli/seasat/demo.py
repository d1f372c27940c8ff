"""The Seasat step of ``swathkit demo``: generate a damaged take, decode it, clean it, the funnel.

Runs the same verbs a user types (``sim generate seasat``, ``seasat decode``,
``seasat clean``), through the parser, so the demo shows exactly what they print.
"""

from __future__ import annotations

from pathlib import Path

from swathkit.cli import render

LINES = 3000
"""Range lines of the demo's take (~27 MB of raw telemetry)."""


def _run(argv: list[str]) -> int:
    from swathkit.cli.main import build_parser

    args = build_parser(argv[0]).parse_args(argv)
    return int(args.run(args))


def run(out: Path) -> tuple[int, Path]:
    """Run the step into ``out/seasat``; (exit code, the folder of the before/after plots)."""
    folder = out / "seasat"
    raw, decoded, plots = folder / "take.raw", folder / "decoded", folder / "plots"
    render.console.rule("Seasat: raw telemetry → range lines → repaired time tags")
    if not raw.exists():
        code = _run(["sim", "generate", "seasat", "--lines", str(LINES), "--ber", "1e-3",
                     "--seed", "1", "--out", str(raw)])
        if code:
            return code, plots
    code = _run(["seasat", "decode", str(raw), "--out", str(decoded)])
    if code:
        return code, plots
    # a short take: ASF rejected takes under 10,000 lines; the demo's has 3,000
    hdrs = [str(p) for p in sorted(decoded.glob("*.hdr")) if ".clean." not in p.name]
    code = _run(["seasat", "clean", *hdrs, "--min-lines", "1000", "--plot", str(plots)])
    return code, plots
