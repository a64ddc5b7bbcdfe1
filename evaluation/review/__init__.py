"""Monte Carlo methodology review (方法评审): designs, intervals and verdict rules on synthetic
townships with known truth, vectorised across replications."""

from evaluation.review.study import ReviewConfig, ReviewResult, run_review
from evaluation.review.township import Township, TownshipSpec, synthetic_township

__all__ = [
    "ReviewConfig",
    "ReviewResult",
    "Township",
    "TownshipSpec",
    "run_review",
    "synthetic_township",
]
