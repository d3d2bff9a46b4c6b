"""Deprecated path, kept until the book's chapters import :mod:`lstm_course.tree`."""

from .notation import DIRECTIONS, layer_directions  # noqa: F401
from .tree import tree_items, tree_leaves, tree_map  # noqa: F401
