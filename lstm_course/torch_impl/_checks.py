"""Device checks for the Torch twin."""

from .._tree import tree_items


def check_same_device(xs, params):
    """Every parameter must live on the device of ``xs``."""
    for path, leaf in tree_items(params):
        if leaf.device != xs.device:
            raise ValueError(f"params{path} is on {leaf.device} but xs is on {xs.device}; move both to one device")
