# Reference numbers for tests/evaluation/test_rates_reference.py (R survey package).
# Run from the repository root after make_units.py:
#   Rscript tests/evaluation/reference_rates/make_reference.R
# Two-stage SRS design with fpc at both stages; nonrespondents are a masked domain (subset).
suppressPackageStartupMessages({library(survey); library(jsonlite)})
here <- "tests/evaluation/reference_rates"
u <- read.csv(file.path(here, "units.csv"), stringsAsFactors = FALSE)
u$responded <- as.logical(u$responded)
for (v in c("wrong", "approves", "income_difference", "surveyed_total", "reported_total"))
  u[[v]][is.na(u[[v]])] <- 0  # rows outside the domain: values unused
raw <- read.csv(file.path(here, "units.csv"))
u$answered <- u$responded & !is.na(raw$approves)
u$wrong_persons <- u$wrong * u$size_for_weight
u$pweight <- u$weight * u$size_for_weight

mk <- function(w) svydesign(ids = ~psu + household_id, strata = ~stratum, weights = w,
                            fpc = ~fpc_stage1 + fpc_stage2, data = u)
d <- mk(~weight)
dp <- mk(~pweight)
resp <- subset(d, responded)
presp <- subset(dp, responded)
df <- degf(resp)

prop <- function(formula, design) {
  two <- svyciprop(formula, design, method = "beta", level = 0.95)
  one <- svyciprop(formula, design, method = "beta", level = 0.90)
  ci <- as.numeric(attr(two, "ci"))
  ci1 <- as.numeric(attr(one, "ci"))
  list(estimate = as.numeric(unclass(two))[1], se = sqrt(as.numeric(attr(two, "var"))),
       ci_low = ci[1], ci_high = ci[2], bound_low = ci1[1], bound_high = ci1[2])
}
ratio <- function(num, den, design) {
  r <- svyratio(num, den, design)
  ci <- as.numeric(confint(r, df = degf(design)))
  list(estimate = as.numeric(coef(r)), se = as.numeric(SE(r)), ci_low = ci[1], ci_high = ci[2])
}
m <- svymean(~income_difference, resp)
ci_m <- confint(m, df = df)
out <- list(
  persons_ratio = ratio(~wrong_persons, ~size_for_weight, resp),
  persons = prop(~wrong, presp),
  households = prop(~wrong, resp),
  households_worst = prop(~wrong_worst_case, d),
  persons_worst = prop(~wrong_worst_case, dp),
  approval = prop(~approves, subset(d, answered)),
  verification_factor = ratio(~surveyed_total, ~reported_total, resp),
  mean_difference = list(estimate = as.numeric(coef(m)), se = as.numeric(SE(m)),
                         ci_low = as.numeric(ci_m)[1], ci_high = as.numeric(ci_m)[2]),
  df = df,
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey"))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "reference.json"))
