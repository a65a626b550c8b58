"""draft: turn broadcast social media posts into conversations."""

__version__ = "0.1.0"
