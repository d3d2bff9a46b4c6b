"""Packaging beyond pyproject.toml: a wheel ships the saved runs the book reads.

``book/results/*.json`` are copied into the wheel as ``lstm_course/results``, so that a
chapter notebook run from any folder, with the package installed from the wheel, finds
them (``lstm_course.records.saved``). In a checkout (an editable install) the package
reads ``book/results`` itself, and nothing is copied.
"""

import pathlib
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

RESULTS = pathlib.Path(__file__).resolve().parent / "book" / "results"


class BuildWithResults(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = pathlib.Path(self.build_lib) / "lstm_course" / "results"
        target.mkdir(parents=True, exist_ok=True)
        for record in sorted(RESULTS.glob("*.json")):
            shutil.copyfile(record, target / record.name)


setup(cmdclass={"build_py": BuildWithResults})
