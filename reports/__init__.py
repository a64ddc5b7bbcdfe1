"""Presentation (报告展示): tables, figures, text and formats of every report, from records only.

The layer above evaluation and below the workbench: it takes records
(:mod:`data_contracts.records`) and the analysis-units frame, never computes a statistic, and
takes every word from the message catalogue (:mod:`data_contracts.messages`).
"""
