"""Trainable torch.nn models of the book's experiments."""
