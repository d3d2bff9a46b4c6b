"""The claims of each chapter, one module per chapter (``ch10.py`` for ``10_generative_models``).

Importing this package imports every module in it, which registers their claims with
:func:`lstm_course.evidence.claims.claim`.
"""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
