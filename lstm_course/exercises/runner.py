"""The checker runner: run learner code in a forked child and bring back plain data only.

One interface, :func:`run_calls` (and :func:`run` for one call), has two
paths, chosen once in :data:`FORK`:

- **a forked child** (POSIX): the learner's function is inherited by
  ``os.fork``, so nothing untrusted is pickled. The child makes the calls,
  turns each result (and its copy of the arguments, after the call) into
  *plain data* -- nested tuples, lists and dicts of NumPy arrays of numbers,
  booleans or text, Python ``None``/bool/int/float/str, :class:`Opaque` for
  anything else, :class:`TensorInfo` for a torch tensor -- and sends it
  through a pipe as a small JSON skeleton plus the arrays' raw bytes (dtype
  and shape in the skeleton; no pickle, and only dtypes of numbers, booleans
  and text are accepted), so no object of the learner's ever reaches it: an
  ``__eq__``, ``__len__``, ``__array__``, ``__lt__``, ``__str__`` or
  generator that never returns runs in the child. The parent sends the child
  ``SIGKILL`` at the time limit whatever it is doing (a C-level loop, an
  ignored ``SIGALRM``, a cleared timer), from any thread, and reports how it
  ended: an exception (type and message, computed in the child), a time-out,
  ``os._exit(n)``, or a signal. ``KeyboardInterrupt`` in the parent kills the
  child and goes through.
- **in process** (Pyodide, Windows: no ``fork``): the calls are made directly,
  with no thread and no signal (the browser page enforces its own limit by
  restarting its worker); the results go through the same conversion, so the
  return type is the same.

The time limit counts from the start of each call until its result has been
converted (conversion runs in the child, inside the limit).

Cost, measured on this project's shared 2-core AMD EPYC (AVX2) at a load
average of 5 to 14, in a fresh process, median of 20 calls: a fork and exit
of the process alone is 5-12 ms without torch imported and 40-55 ms with it
(its address space is what a fork copies); the runner itself (one call
returning a (2, 3) array) is 6-10 ms, and 30-50 ms with torch imported;
``check_rnn_step`` on a correct answer went from 0.6-0.9 ms (in-process,
signal timer) to 16 ms (27-73 ms with torch imported), ``check_lstm_step``
from 1.1-2.7 ms to 15-25 ms (46-85 ms with torch). The cost is about one
fork per checker call (all cases run in one child); an idle machine forks
several times faster.
"""

import io
import json
import math
import os
import random
import select
import signal
import struct
import sys
import time

import numpy as np

FORK = hasattr(os, "fork") and sys.platform not in ("emscripten", "wasi", "win32")
"""Whether learner code runs in a forked child (the in-process path otherwise). Chosen here, and only here."""

MAX_BYTES = 64 * 2 ** 20  # what one result may weigh on the pipe; every answer here is a few kB
MAX_DEPTH = 32  # nesting beyond this becomes an Opaque (a list that contains itself, say)
MAX_OUTPUT = 20_000  # characters of the learner's prints that are passed on
_KINDS = "biufcUS"  # array dtypes that travel (np.save without pickle)


class Opaque:
    """A value that did not travel as plain data: its type's name and module (and dtype/shape for an array)."""

    __slots__ = ("type_name", "module", "dtype", "shape", "state")

    def __init__(self, type_name, module="", dtype=None, shape=None, state=None):
        self.type_name, self.module, self.dtype, self.shape, self.state = type_name, module, dtype, shape, state

    def _key(self):
        return (self.type_name, self.module, self.dtype, self.shape)

    def __eq__(self, other):
        return isinstance(other, Opaque) and self._key() == other._key() and _same(self.state, other.state)

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"an object of type {self.type_name}"

    __str__ = __repr__


class TensorInfo:
    """A torch tensor as read in the child: ``dtype`` (such as ``"float64"``), ``shape``, ``device``,
    ``requires_grad``, ``has_grad_fn`` and ``values`` (a NumPy array, or None on the meta device)."""

    __slots__ = ("type_name", "dtype", "shape", "device", "requires_grad", "has_grad_fn", "values")

    def __init__(self, type_name, dtype, shape, device, requires_grad, has_grad_fn, values):
        self.type_name, self.dtype, self.shape, self.device = type_name, dtype, tuple(shape), device
        self.requires_grad, self.has_grad_fn, self.values = requires_grad, has_grad_fn, values

    def __eq__(self, other):
        return (isinstance(other, TensorInfo) and (self.dtype, self.shape, self.device) ==
                (other.dtype, other.shape, other.device) and _same(self.values, other.values))

    def __hash__(self):
        return hash((self.dtype, self.shape))

    def __repr__(self):
        return f"a torch {self.type_name} of shape {self.shape} and dtype {self.dtype}"

    __str__ = __repr__


def type_name(value):
    """The type name to show for a plain value (the learner's own type for an Opaque or a TensorInfo)."""
    if isinstance(value, (Opaque, TensorInfo)):
        return value.type_name
    return type(value).__name__


def _same(a, b):
    """Equality of two plain values (arrays compared by dtype, shape and contents, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.dtype != b.dtype or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


_NP_GET_STATE, _PY_GET_STATE = np.random.get_state, random.getstate  # as imported: learner code cannot swap them


def _global_rng_states():
    """NumPy's and Python's global random states now (``np.random.*`` and ``random.*``), or None if unreadable."""
    states = {}
    for name, get in (("numpy", _NP_GET_STATE), ("random", _PY_GET_STATE)):
        try:
            states[name] = get()
        except Exception:  # noqa: BLE001  (a learner replaced the generator: nothing to compare)
            states[name] = None
    return states


def _moved(before):
    """The names (``"numpy"``, ``"random"``) of the global generators whose state differs from ``before``."""
    moved = []
    for name, after in _global_rng_states().items():
        old = before.get(name)
        if old is None or after is None:
            continue
        if name == "numpy":
            same = old[0] == after[0] and np.array_equal(old[1], after[1]) and tuple(old[2:]) == tuple(after[2:])
        else:
            same = old == after
        if not same:
            moved.append(name)
    return moved


class Result(tuple):
    """What one call gave back: the pair ``(out, args_after)``, and in ``global_rng`` the names of the global
    random generators the call changed (``"numpy"`` for ``np.random.*``, ``"random"`` for Python's ``random``),
    compared with ``np.random.get_state()`` and ``random.getstate()`` before and after the call, where it ran."""

    def __new__(cls, out, args, global_rng=()):
        self = super().__new__(cls, (out, args))
        self.global_rng = tuple(name for name in global_rng if name in ("numpy", "random"))
        return self


class Failure:
    """How a call of learner code ended instead of returning.

    ``kind`` is ``"raised"`` (``type_name``, ``message``; ``not_implemented``,
    ``system_exit``), ``"timeout"`` (``returned`` says whether the call had
    returned and reading its result ran out of time), ``"exit"`` (``code``),
    ``"signal"`` (``code``, the signal number) or ``"broken"`` (``message``:
    the result could not be read back). ``limit`` is the time limit in force.
    """

    def __init__(self, kind, type_name="", message="", code=None, limit=None, returned=False,
                 not_implemented=False, system_exit=False):
        self.kind, self.type_name, self.message, self.code, self.limit = kind, type_name, message, code, limit
        self.returned, self.not_implemented, self.system_exit = returned, not_implemented, system_exit

    def __repr__(self):
        return f"Failure({self.kind!r}, {self.type_name!r}, {self.message!r}, code={self.code})"


# ---------------------------------------------------------------- plain data, both ways


def _text(value, limit=300):
    try:
        text = str(value)
    except Exception:  # noqa: BLE001
        text = f"<a {type(value).__name__} that cannot be printed>"
    return text if len(text) <= limit else text[:limit] + " ..."


def exception_record(error):
    """A raised exception as plain data (type name, a bounded message, flags); computed where it was raised."""
    return {"kind": "raised", "type": type(error).__name__, "message": _text(error),
            "not_implemented": isinstance(error, NotImplementedError), "system_exit": isinstance(error, SystemExit),
            "interrupt": isinstance(error, KeyboardInterrupt)}


def failure_from_record(record, limit=None):
    """The :class:`Failure` for a record made by :func:`exception_record` (read back as plain data)."""
    if not isinstance(record, dict):
        return Failure("broken", message="a malformed error record", limit=limit)
    if record.get("interrupt"):
        raise KeyboardInterrupt
    return Failure("raised", str(record.get("type", "")), str(record.get("message", "")), limit=limit,
                   not_implemented=bool(record.get("not_implemented")),
                   system_exit=bool(record.get("system_exit")))


def _is_torch_tensor(kind):
    return any(c.__name__ == "Tensor" and (c.__module__ or "").split(".")[0] == "torch" for c in kind.__mro__)


def _encode(value, arrays, depth=0):
    """``value`` as a JSON-able node; arrays go to ``arrays`` (runs in the child, on anything)."""
    kind = type(value)
    if value is None:
        return "n"
    if depth > MAX_DEPTH:
        return ["o", kind.__name__, kind.__module__ or "", None]
    if isinstance(value, np.generic):
        if value.dtype.kind not in _KINDS:
            return ["o", kind.__name__, kind.__module__ or "", None]
        arrays.append(np.asarray(value))
        return ["a", len(arrays) - 1, 1]
    if isinstance(value, bool):
        return ["b", bool(value)]
    if isinstance(value, int):
        return ["i", int.__repr__(value)]
    if isinstance(value, float):
        return ["f", float.__repr__(value)]
    if isinstance(value, str):
        return ["s", str.__str__(value)]
    if isinstance(value, np.ndarray):
        array = np.asarray(value)
        if array.dtype.kind not in _KINDS or array.dtype.fields is not None:
            return ["o", kind.__name__, kind.__module__ or "", [str(array.dtype), list(array.shape)]]
        arrays.append(np.array(array, copy=True))
        return ["a", len(arrays) - 1, 0]
    if isinstance(value, (list, tuple)):
        items = list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value)
        return ["l" if isinstance(value, list) else "t", [_encode(item, arrays, depth + 1) for item in items]]
    if isinstance(value, dict):
        return ["d", [[_encode(k, arrays, depth + 1), _encode(v, arrays, depth + 1)] for k, v in dict.items(value)]]
    if _is_torch_tensor(kind):
        return _encode_tensor(value, arrays)
    plain = getattr(kind, "_lstm_course_plain", None)  # the course's own helper objects (a toy model, a sampler)
    if plain is not None:
        return ["o", kind.__name__, kind.__module__ or "", None, _encode(plain(value), arrays, depth + 1)]
    if not isinstance(value, (bytes, bytearray, set, frozenset)) and not callable(value) and (
            hasattr(kind, "__array__") or hasattr(kind, "__array_interface__")):
        try:
            array = np.asarray(value)
        except Exception:  # noqa: BLE001  (it stays opaque)
            array = None
        if array is not None and array.dtype.kind in _KINDS and array.dtype.fields is None:
            arrays.append(np.array(array, copy=True))
            return ["a", len(arrays) - 1, 0]
    return ["o", kind.__name__, kind.__module__ or "", None]


def _encode_tensor(value, arrays):
    import torch

    with torch.no_grad():
        values = None
        if value.device.type != "meta":
            try:
                values = value.detach().cpu().resolve_conj().resolve_neg().numpy().copy()
            except Exception:  # noqa: BLE001  (bfloat16 and the like: no NumPy dtype)
                values = value.detach().cpu().double().numpy().copy() if value.is_floating_point() else None
    index = None
    if values is not None and values.dtype.kind in _KINDS:
        arrays.append(values)
        index = len(arrays) - 1
    return ["T", type(value).__name__, str(value.dtype).replace("torch.", ""), list(value.shape), str(value.device),
            bool(value.requires_grad), value.grad_fn is not None, index]


def _decode(node, arrays, depth=0):
    """The plain value of a node made by :func:`_encode` (runs in the parent, on data only)."""
    if node == "n":
        return None
    if not isinstance(node, list) or not node or depth > MAX_DEPTH + 2:
        raise ValueError("malformed node")
    tag = node[0]
    if tag == "b":
        return bool(node[1])
    if tag == "i":
        return int(node[1])
    if tag == "f":
        return float(node[1])
    if tag == "s":
        return str(node[1])
    if tag == "a":
        array = arrays[int(node[1])]
        return array[()] if node[2] else array
    if tag in ("l", "t"):
        items = [_decode(item, arrays, depth + 1) for item in node[1]]
        return items if tag == "l" else tuple(items)
    if tag == "d":
        return {_decode(k, arrays, depth + 1): _decode(v, arrays, depth + 1) for k, v in node[1]}
    if tag == "o":
        dtype, shape = (node[3][0], tuple(node[3][1])) if node[3] else (None, None)
        state = _decode(node[4], arrays, depth + 1) if len(node) > 4 else None
        return Opaque(str(node[1]), str(node[2]), dtype, shape, state)
    if tag == "T":
        values = None if node[7] is None else arrays[int(node[7])]
        return TensorInfo(str(node[1]), str(node[2]), tuple(int(n) for n in node[3]), str(node[4]), bool(node[5]),
                          bool(node[6]), values)
    raise ValueError(f"unknown node {tag!r}")


def to_plain(value):
    """``value`` as plain data, in this process (for the checker's own values, and the in-process path)."""
    arrays = []
    node = _encode(value, arrays)
    return _decode(node, arrays)


# ---------------------------------------------------------------- the pipe


def _pack(message, arrays=()):
    """One message: a JSON header, then each array's raw bytes (its dtype and shape are in the header)."""
    blobs = [np.ascontiguousarray(array).tobytes() for array in arrays]
    specs = [[array.dtype.str, list(array.shape), len(blob)] for array, blob in zip(arrays, blobs)]
    header = json.dumps(dict(message, blobs=specs)).encode()
    body = struct.pack("<Q", len(header)) + header + b"".join(blobs)
    return struct.pack("<Q", len(body)) + body


def _unpack(body):
    """A message made by :func:`_pack`; arrays of plain dtypes only (no pickle, no object dtype)."""
    (n,) = struct.unpack("<Q", body[:8])
    message = json.loads(body[8:8 + n].decode())
    arrays, offset = [], 8 + n
    for descr, shape, size in message.pop("blobs"):
        dtype, shape, size = np.dtype(str(descr)), tuple(int(d) for d in shape), int(size)
        if dtype.kind not in _KINDS or dtype.fields is not None or dtype.subdtype is not None or dtype.hasobject:
            raise ValueError(f"dtype {dtype} does not travel")
        if size != math.prod(shape) * dtype.itemsize or offset + size > len(body):
            raise ValueError("an array of the wrong size")
        arrays.append(np.frombuffer(body, dtype=dtype, count=math.prod(shape), offset=offset).reshape(shape).copy())
        offset += size
    return message, arrays


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Capture(io.TextIOBase):
    """The child's ``sys.stdout``/``sys.stderr``: keeps the first :data:`MAX_OUTPUT` characters."""

    def __init__(self):
        self.parts, self.size = [], 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < MAX_OUTPUT:
            self.parts.append(text[:MAX_OUTPUT - self.size])
        self.size += len(text)
        return len(text)

    def take(self):
        text, self.parts = "".join(self.parts), []
        return text


def _child(fd, fn, calls, send_args):
    """The forked child: make the calls, send each result as plain data, and never return."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if "torch" in sys.modules:  # fork-safety: no intra-op thread pool in the child
            try:
                sys.modules["torch"].set_num_threads(1)
            except Exception:  # noqa: BLE001
                pass
        np.random.seed(int.from_bytes(os.urandom(4), "little"))  # each child its own global stream, as if the
        random.seed()  # state had moved on: code that ignores the generator it is given must not look reproducible
        capture = _Capture()
        sys.stdout = sys.stderr = capture
        for n, args in enumerate(calls):
            if n:  # a fresh global stream per call, so that np.random.seed(0) on every call shows on every call
                np.random.seed(int.from_bytes(os.urandom(4), "little"))
                random.seed()
            before = _global_rng_states()
            try:
                out = fn(*args)
            except BaseException as error:  # noqa: BLE001  (described for the parent)
                record = exception_record(error)
                _write_all(fd, _pack(dict(record, call=n, stdout=capture.take())))
                os._exit(0)
            moved = _moved(before)
            _write_all(fd, _pack({"kind": "returned", "call": n}))
            arrays = []
            message = {"kind": "result", "call": n, "out": _encode(out, arrays), "rng": moved}
            if send_args:
                message["args"] = _encode(tuple(args), arrays)
            message["stdout"] = capture.take()
            _write_all(fd, _pack(message, arrays))
        _write_all(fd, _pack({"kind": "done"}))
    except BaseException as error:  # noqa: BLE001
        try:
            _write_all(fd, _pack({"kind": "broken", "message": f"{type(error).__name__}: {_text(error, 200)}"}))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)


def _pass_on(text):
    if text:
        try:
            sys.stdout.write(text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + " ...\n")
        except Exception:  # noqa: BLE001
            pass


_EXITING = []  # children that sent everything and are exiting: reaped later, so that no caller waits for it


def _reap_exited():
    for pid in list(_EXITING):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _EXITING.remove(pid)


def _reap(pid, kill):
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return None


def _run_forked(fn, calls, limit, send_args):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        _child(write_fd, fn, calls, send_args)
    os.close(write_fd)
    results, failure, buffer, returned, done, killed = [], None, bytearray(), False, False, False
    deadline = time.monotonic() + limit
    try:
        while failure is None and not done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                failure, killed = Failure("timeout", limit=limit, returned=returned), True
                break
            ready, _, _ = select.select([read_fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > MAX_BYTES + 16:
                failure, killed = Failure("broken", message=f"what it returned weighs more than "
                                          f"{MAX_BYTES >> 20} MB", limit=limit), True
                break
            while len(buffer) >= 8:
                (size,) = struct.unpack("<Q", bytes(buffer[:8]))
                if size > MAX_BYTES:
                    failure, killed = Failure("broken", message=f"what it returned weighs more than "
                                              f"{MAX_BYTES >> 20} MB", limit=limit), True
                    break
                if len(buffer) < 8 + size:
                    break
                body = bytes(buffer[8:8 + size])
                del buffer[:8 + size]
                try:
                    message, arrays = _unpack(body)
                    kind = message.get("kind")
                    if kind == "returned":
                        returned = True
                        continue
                    _pass_on(str(message.get("stdout", "")))
                    if kind == "result":
                        out = _decode(message["out"], arrays)
                        args = _decode(message["args"], arrays) if "args" in message else None
                        rng = message.get("rng", [])
                        results.append(Result(out, args, [str(name) for name in rng] if isinstance(rng, list)
                                              else ()))
                        returned, deadline = False, time.monotonic() + limit  # the next call gets its own limit
                    elif kind == "raised":
                        failure = failure_from_record(message, limit)
                    elif kind == "done":
                        done = True
                    else:
                        failure = Failure("broken", message=str(message.get("message", "unknown")), limit=limit)
                except KeyboardInterrupt:
                    raise
                except Exception as error:  # noqa: BLE001  (a malformed message: the child was tampered with)
                    failure, killed = Failure("broken", message=f"a malformed result ({type(error).__name__})",
                                              limit=limit), True
                if failure is not None or done:
                    break
    except BaseException:
        os.close(read_fd)
        _reap(pid, kill=True)
        raise
    os.close(read_fd)
    if done or (failure is not None and failure.kind == "raised" and not killed):
        _EXITING.append(pid)  # it has sent everything and ends itself: tearing down its memory need not delay us
        _reap_exited()
        return results, failure
    status = _reap(pid, kill=killed)
    if failure is None and len(results) < len(calls) and status is not None:
        if os.WIFSIGNALED(status):
            if os.WTERMSIG(status) == signal.SIGINT:
                raise KeyboardInterrupt
            failure = Failure("signal", code=os.WTERMSIG(status), limit=limit)
        else:
            failure = Failure("exit", code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, limit=limit)
    if failure is None and len(results) < len(calls):
        failure = Failure("broken", message="the child process ended without a result", limit=limit)
    return results, failure


def _run_in_process(fn, calls, limit, send_args):
    results = []
    for args in calls:
        before = _global_rng_states()
        try:
            out = fn(*args)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001
            return results, failure_from_record(exception_record(error), limit)
        results.append(Result(to_plain(out), to_plain(tuple(args)) if send_args else None, _moved(before)))
    return results, None


def run_calls(fn, calls, *, limit=None, send_args=True):
    """Call ``fn(*args)`` for each ``args`` of ``calls``, in order, in one child; return plain data.

    Parameters
    ----------
    fn : callable
        The learner's function (or a function of the checker's that calls it).
    calls : list of tuple
        Positional arguments of each call. In the child, the calls share
        their objects (a generator passed to every call advances).
    limit : float, optional
        Seconds each call (and the conversion of its result) may take;
        ``_guard.TIME_LIMIT`` by default.
    send_args : bool
        Also send back the child's copy of each call's arguments, after the call.

    Returns
    -------
    results : list of Result
        Plain data for every call that returned, in order: each a pair
        ``(out, args_after)`` (``args_after`` is a tuple, or None without
        ``send_args``) whose ``global_rng`` names the global random
        generators (``"numpy"``, ``"random"``) the call changed.
    failure : Failure or None
        How call ``len(results)`` ended, when it did not return. Never raises
        (``KeyboardInterrupt`` in the parent, or raised by the learner's code,
        goes through).
    """
    if limit is None:
        from . import _guard

        limit = _guard.TIME_LIMIT
    calls = [tuple(args) for args in calls]
    if FORK:
        try:
            return _run_forked(fn, calls, limit, send_args)
        except (KeyboardInterrupt, MemoryError):
            raise
        except OSError as error:  # no fork today (a process limit): say so rather than run it here
            return [], Failure("broken", message=f"no child process could be started ({error})", limit=limit)
    return _run_in_process(fn, calls, limit, send_args)


def run(fn, *args, limit=None, send_args=False):
    """One call: ``(out, None)`` with ``out`` plain data, or ``(None, failure)``; see :func:`run_calls`."""
    results, failure = run_calls(fn, [args], limit=limit, send_args=send_args)
    return (results[0][0], None) if results else (None, failure)


_MRO, _DICT = type.__dict__["__mro__"].__get__, type.__dict__["__dict__"].__get__
_NAME, _MODULE = type.__dict__["__name__"].__get__, type.__dict__["__module__"].__get__
_SPECIAL = (list, tuple, dict, set, frozenset, bool, int, float, complex, str, bytes, bytearray, np.ndarray, np.generic)
_HOOKS = ("__array__", "__array_interface__", "__array_struct__", "_lstm_course_plain")


def _here(value, depth=0):
    """``value`` as plain data, judged by exact types and class dicts only (no code of the value's runs),
    or ``_NOT_HERE`` when it must be read in a child."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is np.ndarray:
        return value.copy() if value.dtype.kind in _KINDS and value.dtype.fields is None else _NOT_HERE
    if depth > MAX_DEPTH:
        return _NOT_HERE
    if kind is list or kind is tuple:
        items = [_here(item, depth + 1) for item in (list.__iter__(value) if kind is list else tuple.__iter__(value))]
        return _NOT_HERE if any(item is _NOT_HERE for item in items) else (items if kind is list else tuple(items))
    if kind is dict:
        pairs = [(_here(k, depth + 1), _here(v, depth + 1)) for k, v in dict.items(value)]
        if any(k is _NOT_HERE or v is _NOT_HERE or type(k) not in (type(None), bool, int, float, str, tuple)
               for k, v in pairs):
            return _NOT_HERE
        return dict(pairs)
    mro = _MRO(kind)
    if any(c is special for c in mro for special in _SPECIAL) or any(
            hook in _DICT(c) for c in mro for hook in _HOOKS):
        return _NOT_HERE
    names = [_NAME(c) for c in mro]
    module = _MODULE(kind)
    module = module if type(module) is str else ""
    if "Tensor" in names or module.split(".")[0] == "torch":
        return _NOT_HERE
    return Opaque(_NAME(kind), module)


_NOT_HERE = object()


def read_values(*values, limit=None):
    """The learner's ``values`` as plain data: ``(tuple, None)`` or ``(None, failure)``.

    Values whose conversion runs none of their own code (by exact type:
    numbers, strings, NumPy arrays of numbers, lists, tuples and dicts of
    them, and objects with no container base and no array hook, which become
    :class:`Opaque`) are converted here; anything else is read in a child
    process, within the time limit.
    """
    here = _here(values)
    if here is not _NOT_HERE:
        return here, None
    out, failure = run(lambda: values, limit=limit)
    if failure is None and not (isinstance(out, tuple) and len(out) == len(values)):
        return None, Failure("broken", message="the values could not be read back", limit=limit)
    return out, failure
