"""Self-study exercises: checkers that explain what is wrong."""
