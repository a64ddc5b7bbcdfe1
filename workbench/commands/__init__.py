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
