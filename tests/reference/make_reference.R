# Reference numbers for evaluation.SurveyDesign from R's survey package.
#
# Run from the repository root:  Rscript tests/reference/make_reference.R
# Writes the small deterministic datasets to tests/reference/data/*.csv and the reference values to
# tests/reference/survey_reference.json (one record per estimate). Produced with R 4.2.2 and
# survey 4.1-1 (Debian bookworm r-cran-survey). CI intervals for mean/total/ratio use the design
# df: confint(..., df = degf(design)); domains use the subset design (as svyby does), so their df is
# degf(subset(...)) and svyciprop "beta" uses nrow(subset(...)).

suppressMessages(library(survey))
out_dir <- "tests/reference"
data_dir <- file.path(out_dir, "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
set.seed(20161128)

# ---------------------------------------------------------------- datasets
households <- function(n) {
  size <- sample(1:6, n, replace = TRUE)
  income <- round(exp(rnorm(n, log(4200), 0.35)))
  data.frame(size = size, income = income,
             persons_wrong = ifelse(income < 3300, size, 0),
             wrong = as.integer(income < 3300),
             approves = as.integer(runif(n) < 0.9),
             zero = 0L)
}

# 1. stratified SRS of households, fpc = households per stratum
strat_n <- c(A = 8, B = 10, C = 12); strat_N <- c(A = 40, B = 60, C = 100)
stratified <- do.call(rbind, lapply(names(strat_n), function(h)
  data.frame(stratum = h, N = strat_N[[h]], households(strat_n[[h]]))))
stratified$household_id <- sprintf("H%03d", seq_len(nrow(stratified)))
stratified$township <- ifelse(seq_len(nrow(stratified)) %% 3 == 0, "east", "west")
stratified$weight <- stratified$N / ave(stratified$N, stratified$stratum, FUN = length)

# 2./3. villages in two strata: SRS of villages, then all (cluster) or some (two-stage) households
make_villages <- function(n_vil, N_vil, take_all) {
  rows <- list(); k <- 0
  for (h in names(n_vil)) for (v in seq_len(n_vil[[h]])) {
    M <- sample(20:60, 1); m <- if (take_all) sample(3:8, 1) else sample(4:7, 1)
    if (take_all) M <- m
    k <- k + 1
    rows[[k]] <- data.frame(stratum = h, village_id = sprintf("%s-V%02d", h, v), N1 = N_vil[[h]],
                            M2 = M, households(m))
  }
  d <- do.call(rbind, rows)
  d$household_id <- sprintf("H%03d", seq_len(nrow(d)))
  d$township <- ifelse(d$stratum == "north" & seq_len(nrow(d)) %% 2 == 0, "hill", "plain")
  d
}
n_vil <- c(north = 4, south = 5); N_vil <- c(north = 12, south = 15)
cluster <- make_villages(n_vil, N_vil, take_all = TRUE)
cluster$weight <- cluster$N1 / n_vil[cluster$stratum]
twostage <- make_villages(n_vil, c(north = 10, south = 14), take_all = FALSE)
m_i <- ave(twostage$M2, twostage$village_id, FUN = length)
twostage$weight <- twostage$N1 / n_vil[twostage$stratum] * twostage$M2 / m_i

# 4. with-replacement (PPS-like) cluster design: unequal weights, no fpc
wr <- make_villages(c(r1 = 5, r2 = 6, r3 = 4), c(r1 = 30, r2 = 30, r3 = 30), take_all = TRUE)
village_weight <- setNames(round(runif(15, 5, 25), 2), unique(wr$village_id))
wr$weight <- unname(village_weight[wr$village_id])

# 5. lonely PSU: stratum "solo" has a single sampled household
lonely <- stratified
lonely$stratum[1] <- "solo"; lonely$N[1] <- 5; lonely$weight[1] <- 5

# 6. the interface's mixed two-stage design: PPS villages with replacement (fpc1 = Inf) plus
#    certainty villages as strata whose PSUs are households (fpc2 = 1: no second-stage term)
pps <- make_villages(c(pps = 6), c(pps = 6), take_all = FALSE)
pps$N1 <- Inf; pps$psu <- pps$village_id; pps$weight <- round(runif(nrow(pps), 20, 60), 3)
cert <- make_villages(c(c1 = 1, c2 = 1), c(c1 = 1, c2 = 1), take_all = FALSE)
cert$stratum <- paste0("certainty:", cert$village_id)
cert$N1 <- cert$M2; cert$psu <- paste0("P", seq_len(nrow(cert)))
cert$weight <- cert$M2 / ave(cert$M2, cert$village_id, FUN = length); cert$M2 <- 1
mixed <- rbind(pps, cert)
mixed$household_id <- sprintf("H%03d", seq_len(nrow(mixed)))

# 7. two-stage with a lonely second-stage unit: village north-V01 keeps one household
first_v <- twostage$village_id == "north-V01"
twostage_lonely <- twostage[!first_v | !duplicated(first_v), ]

datasets <- list(stratified = stratified, cluster = cluster, twostage = twostage, wr = wr,
                 lonely = lonely, mixed = mixed, twostage_lonely = twostage_lonely)
for (name in names(datasets))
  write.csv(datasets[[name]], file.path(data_dir, paste0(name, ".csv")), row.names = FALSE)

# ---------------------------------------------------------------- designs
# Each entry: dataset, the svydesign call, the Python keyword arguments (for the test), lonely.psu
designs <- list(
  stratified = list(data = "stratified", lonely = "fail",
    make = function(d) svydesign(ids = ~1, strata = ~stratum, fpc = ~N, data = d),
    py = list(strata = "stratum", fpc = "N")),
  stratified_weights = list(data = "stratified", lonely = "fail",
    make = function(d) svydesign(ids = ~1, strata = ~stratum, fpc = ~N, weights = ~weight, data = d),
    py = list(strata = "stratum", fpc = "N", weights = "weight")),
  cluster = list(data = "cluster", lonely = "fail",
    make = function(d) svydesign(ids = ~village_id, strata = ~stratum, fpc = ~N1, data = d),
    py = list(strata = "stratum", psu = "village_id", fpc = "N1")),
  twostage = list(data = "twostage", lonely = "fail",
    make = function(d) svydesign(ids = ~village_id + household_id, strata = ~stratum,
                                 fpc = ~N1 + M2, data = d),
    py = list(strata = "stratum", psu = "village_id", ssu = "household_id", fpc = c("N1", "M2"))),
  wr_cluster = list(data = "wr", lonely = "fail",
    make = function(d) svydesign(ids = ~village_id, strata = ~stratum, weights = ~weight, data = d),
    py = list(strata = "stratum", psu = "village_id", weights = "weight")),
  lonely_certainty = list(data = "lonely", lonely = "certainty",
    make = function(d) svydesign(ids = ~1, strata = ~stratum, fpc = ~N, weights = ~weight, data = d),
    py = list(strata = "stratum", fpc = "N", weights = "weight")),
  lonely_adjust = list(data = "lonely", lonely = "adjust",
    make = function(d) svydesign(ids = ~1, strata = ~stratum, fpc = ~N, weights = ~weight, data = d),
    py = list(strata = "stratum", fpc = "N", weights = "weight")),
  twostage_lonely_certainty = list(data = "twostage_lonely", lonely = "certainty",
    make = function(d) svydesign(ids = ~village_id + household_id, strata = ~stratum,
                                 fpc = ~N1 + M2, data = d),
    py = list(strata = "stratum", psu = "village_id", ssu = "household_id", fpc = c("N1", "M2"))),
  twostage_lonely_adjust = list(data = "twostage_lonely", lonely = "adjust",
    make = function(d) svydesign(ids = ~village_id + household_id, strata = ~stratum,
                                 fpc = ~N1 + M2, data = d),
    py = list(strata = "stratum", psu = "village_id", ssu = "household_id", fpc = c("N1", "M2"))),
  mixed = list(data = "mixed", lonely = "fail",
    make = function(d) svydesign(ids = ~psu + household_id, strata = ~stratum, fpc = ~N1 + M2,
                                 weights = ~weight, data = d),
    py = list(strata = "stratum", psu = "psu", ssu = "household_id", weights = "weight",
              fpc = c("N1", "M2")))
)

# ---------------------------------------------------------------- estimates
records <- list()
add <- function(...) records[[length(records) + 1]] <<- list(...)
num <- function(x) if (is.na(x)) NULL else unname(as.numeric(x))

t_stat <- function(des, statistic, variable, denominator = NULL) {
  f <- as.formula(paste0("~", variable))
  est <- switch(statistic,
    mean = svymean(f, des, deff = TRUE),
    total = svytotal(f, des, deff = TRUE),
    ratio = svyratio(f, as.formula(paste0("~", denominator)), des, deff = TRUE))
  ci <- confint(est, df = degf(des))
  list(estimate = num(coef(est)), se = num(SE(est)), ci_low = num(ci[1]), ci_high = num(ci[2]),
       df = degf(des), n = nrow(des), deff = num(deff(est)))
}

p_stat <- function(des, variable, method) {
  f <- as.formula(paste0("~", variable))
  r <- suppressWarnings(svyciprop(f, des, method = method))
  ci <- attr(r, "ci")
  m <- svymean(f, des, deff = TRUE)
  list(estimate = num(coef(m)), se = num(SE(m)), ci_low = num(ci[1]), ci_high = num(ci[2]),
       df = degf(des), n = nrow(des), deff = num(deff(m)))
}

for (design_name in names(designs)) {
  spec <- designs[[design_name]]
  options(survey.lonely.psu = spec$lonely)
  d <- read.csv(file.path(data_dir, paste0(spec$data, ".csv")))
  des <- spec$make(d)
  domains <- c(list(NULL), as.list(sort(unique(d$township))))
  for (domain in domains) {
    sub <- if (is.null(domain)) des else subset(des, township == domain)
    dom <- if (is.null(domain)) NULL else domain
    for (st in c("mean", "total")) for (v in c("income", "size"))
      add(design = design_name, domain = dom, statistic = st, variable = v, method = "t",
          values = t_stat(sub, st, v))
    add(design = design_name, domain = dom, statistic = "ratio", variable = "persons_wrong",
        denominator = "size", method = "t", values = t_stat(sub, "ratio", "persons_wrong", "size"))
    for (v in c("wrong", "approves", "zero")) for (m in c("beta", "logit", "xlogit", "asin", "mean"))
      add(design = design_name, domain = dom, statistic = "proportion", variable = v, method = m,
          values = p_stat(sub, v, m))
  }
  # svyby agrees with the subset loop above for estimates and SEs (checked here, not in Python)
  by <- svyby(~income, ~township, des, svymean)
  for (domain in by$township) {
    one <- svymean(~income, subset(des, township == domain))
    stopifnot(isTRUE(all.equal(unname(coef(one)), by[domain, "income"])),
              isTRUE(all.equal(unname(SE(one))[1], by[domain, "se"])))
  }
}

# lonely PSU with "fail" is an error in R too
options(survey.lonely.psu = "fail")
failed <- inherits(try(svymean(~income, designs$lonely_certainty$make(lonely)), silent = TRUE),
                   "try-error")
stopifnot(failed)
failed2 <- inherits(try(svymean(~income, designs$twostage_lonely_adjust$make(twostage_lonely)),
                        silent = TRUE), "try-error")
stopifnot(failed2)

reference <- list(
  generator = "tests/reference/make_reference.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  designs = lapply(designs, function(s) list(data = s$data, lonely_psu = s$lonely, args = s$py)),
  records = records)
jsonlite::write_json(reference, file.path(out_dir, "survey_reference.json"), auto_unbox = TRUE,
                     digits = NA, pretty = TRUE, null = "null")
cat("wrote", length(records), "reference records\n")
