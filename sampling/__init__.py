"""Sampling for exit spot checks (抽样): frame, designs with exact inclusion probabilities,
sample size and acceptance plans, and the run-folder files (manifest, survey form)."""

from sampling.draw import DESIGNS, draw_sample
from sampling.frame import Frame, build_frame
from sampling.plans import (
    AcceptancePlan,
    PrecisionPlan,
    acceptance_plan,
    cochran_sample_size,
    lqas_plan,
    oc_curve,
    zero_failure_plan,
)
from sampling.sample import Sample

__all__ = [
    "DESIGNS",
    "AcceptancePlan",
    "Frame",
    "PrecisionPlan",
    "Sample",
    "acceptance_plan",
    "build_frame",
    "cochran_sample_size",
    "draw_sample",
    "lqas_plan",
    "oc_curve",
    "zero_failure_plan",
]
