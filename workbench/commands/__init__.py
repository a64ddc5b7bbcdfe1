"""One module per subcommand: each exposes ``add_arguments(parser)`` and ``run(args) -> int``.

``COMMANDS`` maps each subcommand to its one-line description; the CLI imports only the module of
the command being run, so ``exitcheck --help`` is instant and one command's imports never break
another.
"""

COMMANDS: dict[str, str] = {
    "demo": "Run the whole pipeline on the embedded demo district (示范区县全流程演示).",
    "validate": "Check one input table against its data contract (校验输入表).",
    "sample": "Draw a seeded spot-check sample for a township; write manifest and form (抽样).",
    "assess": "Assess a township from its survey returns; write a new report version (评估).",
    "district": "Summarise the latest township assessments into a district report (区县汇总).",
    "review": "Monte Carlo review of designs, intervals and verdict rules (方法评审).",
    "report": "Render a finished folder's report again, e.g. in English (重新生成报告).",
    "plan": "Sample size and acceptance plan (n, d) with its OC curve (样本量与验收方案).",
    "allocate": "Allocate interviews over a district's townships (全县样本量分配).",
}

#: one example per subcommand, shown at the end of its ``--help``
EXAMPLES: dict[str, str] = {
    "demo": "exitcheck demo --out exitcheck-demo",
    "validate": "exitcheck validate households 脱贫户名册.xlsx",
    "sample": (
        "exitcheck sample --households 脱贫户.xlsx --villages 行政村.csv --township 白马镇 "
        "--design stratified --n 160 --strata risk --seed 20161 --out runs/白马镇"
    ),
    "assess": "exitcheck assess runs/白马镇 --survey 回收表.xlsx",
    "district": "exitcheck district runs/* --out district-2026",
    "review": "exitcheck review --reps 1000 --out review-2026",
    "report": "exitcheck report runs/白马镇/assessments/v001 --lang en",
    "plan": "exitcheck plan --threshold 0.02 --max-errors 0 --population 1000",
    "allocate": "exitcheck allocate --households 脱贫户.xlsx --out allocation",
}
