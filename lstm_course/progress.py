"""Progress of long experiments: a live bar on a terminal, a few plain lines anywhere else.

An experiment receives a ``progress`` callable (``run(quick, seed, device, progress)``). Calling it
with a message prints one line to stderr. Loops of known length ask it for a bar::

    with bar(progress, total=steps, desc="adding: lstm, seed 0") as advance:
        for step in range(steps):
            ...
            advance(loss=loss)  # one step done; keywords shown beside the bar

On a terminal the bar is ``tqdm``'s, with rate and time left. When stderr is not a terminal (a
notebook, CI, a pipe) the same loop prints a plain line at 0, 25, 50, 75 and 100 %, with the time
left. A plain function given as ``progress`` (a test's ``lambda message: None``) gets no bar. Nothing
here writes to stdout, whose last line stays the experiment's JSON.
"""

import sys
import time


class Progress:
    """The ``progress`` callable of the command line: messages and bars on ``stream``.

    Parameters
    ----------
    stream : file-like, optional
        Where everything goes; ``sys.stderr`` by default.
    live : bool, optional
        Draw live bars; by default, when ``stream`` is a terminal.
    """

    def __init__(self, stream=None, live=None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self._active = None  # the live bar being drawn, if any
        self.label = ""  # the last message: what a bar opened without a description is doing

    def __call__(self, message):
        self.label = message.strip()
        if self._active is not None:
            self._active.write(message, file=self.stream)  # above the bar, which stays whole
        else:
            print(message, file=self.stream, flush=True)

    def bar(self, total, desc=None, unit="step"):
        """A bar for a loop of ``total`` units (``desc``: by default the last message)."""
        desc = desc or self.label or "working"
        return _LiveBar(self, total, desc, unit) if self.live else _PlainLines(self, total, desc, unit)


class _Bar:
    """``advance(n=1, **shown)`` after each unit of work; ``close()`` (or a ``with`` block) at the end."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        pass


class _Quiet(_Bar):
    def __call__(self, n=1, **shown):
        pass


class _LiveBar(_Bar):
    """tqdm's bar, with rate and time left; messages meanwhile print above it."""

    def __init__(self, progress, total, desc, unit):
        from tqdm import tqdm

        self.progress = progress
        self.tqdm = tqdm(total=total, desc=desc, unit=unit, file=progress.stream, dynamic_ncols=True,
                         leave=True, smoothing=0.1)
        progress._active = self.tqdm

    def __call__(self, n=1, **shown):
        if shown:
            self.tqdm.set_postfix({k: _short(v) for k, v in shown.items()}, refresh=False)
        self.tqdm.update(n)

    def close(self):
        self.tqdm.close()
        self.progress._active = None


class _PlainLines(_Bar):
    """A bar for streams that are not terminals: a line at every quarter, with the time left."""

    def __init__(self, progress, total, desc, unit):
        self.progress, self.total, self.desc, self.unit = progress, max(total, 1e-9), desc, unit
        self.done, self.start, self.next_quarter = 0, time.monotonic(), 0
        self._report({})

    def __call__(self, n=1, **shown):
        self.done += n
        self._report(shown)

    def _report(self, shown):
        quarter = min(int(4 * self.done / self.total), 4)
        if quarter < self.next_quarter:
            return
        self.next_quarter = quarter + 1
        elapsed = time.monotonic() - self.start
        left = elapsed * (self.total - self.done) / self.done if self.done else float("nan")
        extra = "".join(f"  {k} {_short(v)}" for k, v in shown.items())
        when = f", about {_duration(left)} left" if self.done and self.done < self.total else ""
        self.progress(f"{self.desc}: {25 * quarter:3d}% ({_count(self.done)}/{_count(self.total)} {self.unit}"
                      f"{when}){extra}")


def bar(progress, total, desc=None, unit="step"):
    """A bar from ``progress`` if it draws them, else an ``advance`` that does nothing.

    Parameters
    ----------
    progress : callable
        An experiment's ``progress``: a :class:`Progress`, or any function of one message.
    total : float
        Units of work in the loop (steps, or seconds for a loop that runs for a set time).
    desc : str, optional
        What the loop does, shown before the bar; by default the last message given to ``progress``.
    unit : str, optional
        The unit's name.

    Returns
    -------
    callable
        ``advance(n=1, **shown)``: call it after each unit (or with ``n`` units) of work; the
        keywords are shown beside the bar. Use it in a ``with`` block, or call its ``close()``.
    """
    if isinstance(progress, Progress):
        return progress.bar(total, desc, unit)
    return _Quiet()


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _count(value):
    return f"{value:.0f}" if float(value).is_integer() or value > 100 else f"{value:.1f}"


def _duration(seconds):
    if seconds != seconds:  # NaN
        return "?"
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
