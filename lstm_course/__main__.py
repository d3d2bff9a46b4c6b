"""Command line: ``python -m lstm_course run NAME [--quick] [--seed S] [--device cpu|cuda] [--save]``.

Progress goes to stderr; the last line of stdout is one JSON object of metrics.
``--save`` also writes it, with provenance, to ``book/results/NAME.json``.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys

from . import __version__
from .experiments import EXPERIMENTS, run_experiment

RESULTS = pathlib.Path(os.environ.get("LSTM_COURSE_RESULTS", pathlib.Path(__file__).resolve().parents[1] / "book" / "results"))


def _device(name):
    import torch

    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("error: --device cuda was asked for, but torch sees no CUDA device")
    return name


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lstm_course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one experiment of the book")
    run.add_argument("name", choices=sorted(EXPERIMENTS))
    run.add_argument("--quick", action="store_true", help="the small version the notebooks and CI run")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    run.add_argument("--save", action="store_true", help=f"write the metrics to {RESULTS.name}/NAME.json")
    args = parser.parse_args(argv)

    device = _device(args.device)
    metrics = run_experiment(args.name, args.quick, args.seed, device,
                             progress=lambda message: print(message, file=sys.stderr, flush=True))
    if args.save:
        command = "python -m lstm_course " + " ".join(sys.argv[1:] if argv is None else argv)
        record = {"experiment": args.name, "command": command, "version": __version__,
                  "date": datetime.date.today().isoformat(), "device": device,
                  "device_detail": platform.processor() or platform.machine(), "quick": args.quick,
                  "seed": args.seed, "metrics": metrics}
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.name}.json").write_text(json.dumps(record, indent=2) + "\n")
        print(f"saved {RESULTS.name}/{args.name}.json", file=sys.stderr)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
