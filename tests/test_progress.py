"""Long experiments show a live bar on a terminal and a few plain lines elsewhere; stdout is untouched."""

import io
import re

from lstm_course.progress import Progress, bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_off_a_terminal_a_loop_prints_a_line_at_each_quarter_with_the_time_left():
    stream = io.StringIO()
    progress = Progress(stream)
    with bar(progress, total=100, desc="adding: lstm, seed 0") as advance:
        for _ in range(100):
            advance(loss=0.5)
    lines = stream.getvalue().splitlines()
    assert [re.search(r"(\d+)% \(", line).group(1) for line in lines] == ["0", "25", "50", "75", "100"]
    assert "left" in lines[1] and "loss 0.5" in lines[1] and "left" not in lines[-1]


def test_on_a_terminal_the_bar_is_drawn_with_rate_and_time_left(capsys):
    stream = Terminal()
    progress = Progress(stream)
    with bar(progress, total=50, desc="charlm", unit="s") as advance:
        for _ in range(50):
            advance()
        progress("a message above the bar")
    drawn = stream.getvalue()
    assert "charlm" in drawn and "100%" in drawn and "50/50" in drawn and "s/s" in drawn.replace("it/s", "s/s")
    assert "a message above the bar" in drawn
    assert capsys.readouterr().out == ""  # nothing on stdout: its last line stays the JSON


def test_a_plain_function_as_progress_gets_a_bar_that_does_nothing():
    messages = []
    with bar(messages.append, total=10, desc="quiet") as advance:
        for _ in range(10):
            advance(loss=1.0)
    assert messages == []


def test_the_command_line_reports_training_progress_in_quarters_and_keeps_json_last(tmp_path):
    import json
    import subprocess
    import sys

    # the cheapest training run of the command line (40 steps); its checkpoint goes to tmp_path, not runs/
    result = subprocess.run([sys.executable, "-m", "lstm_course", "run", "charlm", "--quick",
                             "--checkpoint", str(tmp_path / "charlm.npz")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "charlm, 40 steps:  25% (" in result.stderr and "left)" in result.stderr
    json.loads(result.stdout.strip().splitlines()[-1])
