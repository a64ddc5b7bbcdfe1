"""The embedded demo district (示范县) and its field-survey simulator.

``generate_district`` builds a synthetic district with hidden truth and planted problems;
``write_demo_inputs`` / ``demo_input_paths`` give its registry exports; ``simulate_survey`` and
``simulate_village_survey`` produce field returns for any drawn sample.
"""

from data_contracts.demo.files import demo_input_paths, write_demo_inputs
from data_contracts.demo.generator import DEFAULT_SEED, DemoDistrict, generate_district
from data_contracts.demo.survey_simulator import simulate_survey, simulate_village_survey

__all__ = [
    "DEFAULT_SEED",
    "DemoDistrict",
    "demo_input_paths",
    "generate_district",
    "simulate_survey",
    "simulate_village_survey",
    "write_demo_inputs",
]
