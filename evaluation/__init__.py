"""evaluation package: design-based estimation and the assessment computations."""

from evaluation.design_from_sample import design_from_sample
from evaluation.estimates import Estimate
from evaluation.survey_design import DomainEstimator, SurveyDesign

__all__ = ["DomainEstimator", "Estimate", "SurveyDesign", "design_from_sample"]
