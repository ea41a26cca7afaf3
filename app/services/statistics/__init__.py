"""National statistics (支援状況調査): counting rules, stored facts, populations, targets, exports."""

from .counting import monthly_rows

__all__ = ["monthly_rows"]
