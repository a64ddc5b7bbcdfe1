"""``exitcheck plan``: sample size and acceptance plan (n, d) for a wrong-exit spot check."""

from __future__ import annotations

import argparse
import json

from data_contracts.errors import RequestError
from data_contracts.messages import text
from sampling.plans import (
    AcceptancePlan,
    acceptance_plan,
    households_to_draw,
    zero_failure_plan,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of issue #3: risks and rates, or --max-errors/--confidence for a d-failure plan."""
    parser.add_argument(
        "--threshold", type=float, default=0.02, help="failure rate that must fail (p0)"
    )
    parser.add_argument("--good-rate", type=float, default=None, help="rate that should pass (p1)")
    parser.add_argument("--alpha", type=float, default=0.10, help="max P(fail | good rate)")
    parser.add_argument("--beta", type=float, default=0.05, help="max P(pass | threshold)")
    parser.add_argument("--population", type=int, default=None, help="exited households (finite N)")
    parser.add_argument("--deff", type=float, default=1.0, help="design effect (cluster designs)")
    parser.add_argument("--max-errors", type=int, default=None, help="d for a d-failure plan")
    parser.add_argument("--confidence", type=float, default=None, help="confidence, d-failure plan")
    parser.add_argument(
        "--size-factor",
        type=float,
        default=1.0,
        help="person rate: the frame's (Σm)²/(N·Σm²) of household sizes m (zero-error plan)",
    )
    parser.add_argument(
        "--response-rate",
        type=float,
        default=0.9,
        help="expected response rate R in (0, 1]: households to draw = ceil(n / R)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def build_plan(args: argparse.Namespace) -> AcceptancePlan:
    """The plan the flags ask for (a d-failure plan when --max-errors/--confidence are given)."""
    if args.max_errors is not None or args.confidence is not None:
        return zero_failure_plan(
            threshold=args.threshold,
            confidence=0.95 if args.confidence is None else args.confidence,
            max_errors=0 if args.max_errors is None else args.max_errors,
            population=args.population,
            deff=args.deff,
            good_rate=args.good_rate,
            size_factor=args.size_factor,
        )
    if args.size_factor != 1.0:
        raise RequestError("--size-factor applies to a zero-error plan (--max-errors 0).")
    if args.good_rate is None:
        raise RequestError("give --good-rate (with --alpha/--beta), or --max-errors/--confidence.")
    return acceptance_plan(
        threshold=args.threshold,
        good_rate=args.good_rate,
        alpha=args.alpha,
        beta=args.beta,
        population=args.population,
        deff=args.deff,
    )


def _text(plan: AcceptancePlan, draws: int, response_rate: float) -> str:
    alpha = "—" if plan.alpha_achieved is None else f"{plan.alpha_achieved:.4f}"
    good = "—" if plan.good_rate is None else f"{plan.good_rate:.2%}"
    pop = (
        "无限总体 (binomial)"
        if plan.population is None
        else f"N = {plan.population} (hypergeometric)"
    )
    return "\n".join(
        [
            f"验收方案 acceptance plan: 抽查 n = {plan.n} 户，错退不超过 d = {plan.d} 户即通过",
            f"  阈值 threshold p0 = {plan.threshold:.2%}; 良好水平 good rate p1 = {good}",
            f"  P(通过 | p0) = {plan.beta_achieved:.4f} (β ≤ {plan.beta:g})",
            f"  P(不通过 | p1) = {alpha}"
            + ("" if plan.alpha is None else f" (α ≤ {plan.alpha:g})"),
            f"  总体 population: {pop}; 设计效应 deff = {plan.deff:g}"
            + (
                ""
                if plan.deff == 1
                else f" (effective n = {plan.n_effective}, d = {plan.d_effective})"
            ),
            "  "
            + text("plan.draws", "zh", draws=draws, n=plan.n, rate=f"{response_rate:.0%}")
            + " / "
            + text("plan.draws", "en", draws=draws, n=plan.n, rate=f"{response_rate:.0%}"),
        ]
    )


def run(args: argparse.Namespace) -> int:
    """Print the plan as text, or as one JSON object with ``--json``."""
    plan = build_plan(args)
    draws = households_to_draw(plan.n, args.response_rate)
    if args.json:
        out = plan.to_dict()
        if plan.alpha is None:  # d-failure plan: its inputs are the confidence and d
            out.update(confidence=round(1 - plan.beta, 12), max_errors=plan.d_effective)
        out.update(response_rate=args.response_rate, households_to_draw=draws)
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(_text(plan, draws, args.response_rate))
    return 0
