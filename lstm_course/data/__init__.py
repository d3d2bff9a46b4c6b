"""Data sets of the course: generated, or read from what is installed. Nothing is downloaded."""
