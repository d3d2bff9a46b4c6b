"""Time the saved full runs: rerun each with ``python -m lstm_course reproduce NAME``, one fresh process each.

    python tools/time_runs.py --out book/results/durations.json NAME [NAME ...]

For every NAME, in order, this starts ``python -m lstm_course reproduce NAME`` (which reruns the record's own
command and saves nothing) and measures the child's wall time and its CPU time (user + system, the child and
its own children). It keeps whether the rerun reproduced the saved metrics within their stated tolerances
(the exit status of ``reproduce``) and its last line. Each result is merged into ``--out`` as soon as it is
measured (atomically, through a temporary file), so a long queue that is stopped loses only the run in
progress; ``moved`` keeps the first lines of the table of moved values when it did not reproduce (entries
timed before that key existed have none). A rerun that fails (``reproduce`` crashing rather than finding
moved values) stops the queue with one line and is not recorded. ``--out`` must be named, and must be such a file or not exist yet: nothing else is replaced.

The README's table of full-run durations is read from that file (``tests/test_readme_durations.py``).
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import resource
import subprocess
import sys
import tempfile
import time

KIND = "lstm-course durations"


def _cpu():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load(path):
    if not path.exists():
        return {"kind": KIND, "runs": {}}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        sys.exit(f"error: --out {path} is not a durations file ({error}); name a new file or such a file")
    if not isinstance(data, dict) or data.get("kind") != KIND or not isinstance(data.get("runs"), dict):
        sys.exit(f"error: --out {path} is not a durations file (no \"kind\": {KIND!r}); nothing was replaced")
    return data


def _save(path, data):
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w") as stream:
            stream.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _time_one(name, python):
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run([python, "-m", "lstm_course", "reproduce", name], capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = (done.stdout + done.stderr).strip().splitlines()
    last = next((line for line in reversed(done.stdout.strip().splitlines()) if line.startswith("reproduce")),
                lines[-1] if lines else "")
    if done.returncode not in (0, 1) or (done.returncode == 1 and "moved beyond tolerance" not in last):
        sys.exit(f"error: reproduce {name} failed (exit status {done.returncode}): {last[:300]}")  # not a result
    return {"wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "reproduced": done.returncode == 0,
            "status": done.returncode, "last_line": last[:300],
            "moved": [] if done.returncode == 0 else done.stdout.strip().splitlines()[:40],
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "date": datetime.date.today().isoformat(), "cpu": _cpu(), "cores": os.cpu_count()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=pathlib.Path, help="the durations file to write or update")
    parser.add_argument("names", nargs="+", metavar="NAME", help="saved records to rerun, in this order")
    args = parser.parse_args(argv)
    data = _load(args.out)
    for name in args.names:
        print(f"time_runs: reproduce {name} ...", flush=True)
        result = _time_one(name, sys.executable)
        data["runs"][name] = result
        _save(args.out, data)
        print(f"time_runs: {name}: {result['wall_seconds']:.0f} s wall, {result['cpu_seconds']:.0f} s CPU, "
              f"{'reproduced' if result['reproduced'] else 'NOT reproduced'}: {result['last_line']}", flush=True)


if __name__ == "__main__":
    main()
