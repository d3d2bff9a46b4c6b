"""Parameter trees: a list of layers, each a dict ``{"forward": {...}, "reverse": {...}}``.

Trees nest lists, tuples and dicts; anything else is a leaf (an array or a
tensor). The optimiser, the gradient checks and the conversions walk trees
with these three functions, and the book uses :func:`tree_items` to compare
two trees entry by entry.
"""


def tree_map(fn, *trees):
    """Apply ``fn`` leaf-wise to trees of the same structure (lists, dicts, arrays)."""
    first = trees[0]
    if isinstance(first, dict):
        return {key: tree_map(fn, *(t[key] for t in trees)) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(tree_map(fn, *items) for items in zip(*trees))
    return fn(*trees)


def tree_leaves(tree):
    """The leaves of a tree, depth first, dict keys in insertion order."""
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in tree_leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in tree_leaves(item)]
    return [tree]


def tree_items(tree, prefix=""):
    """``(path, leaf)`` pairs, with readable paths like ``"[0].forward.W_hh"``."""
    if isinstance(tree, dict):
        return [item for key in tree for item in tree_items(tree[key], f"{prefix}.{key}" if prefix else key)]
    if isinstance(tree, (list, tuple)):
        return [item for k, sub in enumerate(tree) for item in tree_items(sub, f"{prefix}[{k}]")]
    return [(prefix, tree)]
