import os
import threading

# One BLAS and OpenMP thread in this process and in every process it starts (notebook kernels, the command
# line, the checker's children), unless the environment names a count (`make test-portable` tries 1 and 2).
# The suite's matrices are small, and `make test` runs one pytest process per core: with two threads each,
# the processes would fight over the cores (on a two-core machine, serially, pytest took 526 s with two
# threads and 482 s with one). Set before NumPy or torch is imported, which read these variables once.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pytest

try:
    import torch  # noqa: E402
except ImportError:  # the NumPy half is tested without torch too
    torch = None


def _devices():
    cuda = pytest.param(
        "cuda",
        marks=pytest.mark.skipif(
            torch is None or not torch.cuda.is_available(), reason="no CUDA device on this machine"
        ),
    )
    return ["cpu", cuda]


DEVICES = _devices()

# The checker runs a learner's function in a forked child, which the time limit kills (lstm_course.exercises.runner).
# Pyodide has no fork: there the call runs in process and the book's page stops a run by restarting its worker
# (tests/test_pyodide_pytest.py runs the exercise tests there), so a test of the child's limit cannot run.
from lstm_course.exercises.runner import FORK  # noqa: E402

needs_fork = pytest.mark.skipif(not FORK, reason="needs a forked child process, which Pyodide has not: in the "
                                                 "browser the page's own limit stops a run")


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


@pytest.fixture(autouse=True)
def _no_tf32():
    """GPU comparisons run in IEEE float32: TF32 keeps only 10 mantissa bits."""
    if torch is not None and torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    yield


def run_checker(checker, answer):
    """Call an exercise checker, collecting what it reports: returns ``(ok, text)``."""
    messages = []
    return checker(answer, report=messages.append), "\n".join(messages)


# tqdm's own monitor: it sleeps, and ends when the last bar closes; the local book server of
# tests/test_browser_run.py: a request waits on its socket at most 10 s, then ends
BENIGN_THREADS = ("tqdm_monitor", "book-server-request")


@pytest.fixture(autouse=True)
def _no_thread_left_running():
    """A test leaves no thread behind.

    A learner's endless loop left spinning in a thread once held the GIL for every later test and a
    core during nbval: the suite took 35 minutes instead of 6, and a notebook cell timed out.
    """
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.name not in BENIGN_THREADS]
    for thread in left:
        thread.join(2.0)
    alive = [t.name for t in left if t.is_alive()]
    assert not alive, f"the test left threads running: {alive}; stop them before it returns"
