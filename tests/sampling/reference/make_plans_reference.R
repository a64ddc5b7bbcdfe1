# Independent reference for sampling/plans.py, in base R (R 4.2, no packages).
# Regenerate from the repository root:
#   Rscript tests/sampling/reference/make_plans_reference.R
# Writes tests/sampling/reference/plans_reference.csv: one row per plan (case, n, d, beta, alpha).

smallest_plan <- function(p0, p1, alpha, beta, N = NA, nmax = 5000) {
  # brute force: first n (then largest d) with P(pass|p0) <= beta and P(pass|p1) >= 1 - alpha
  for (n in 1:nmax) {
    d <- 0:n
    if (is.na(N)) {
      pass0 <- pbinom(d, n, p0); pass1 <- pbinom(d, n, p1)
    } else {
      k0 <- ceiling(p0 * N - 1e-9); k1 <- floor(p1 * N)
      pass0 <- phyper(d, k0, N - k0, n); pass1 <- phyper(d, k1, N - k1, n)
    }
    ok <- which(pass0 <= beta + 1e-12 & pass1 >= 1 - alpha - 1e-12)
    if (length(ok)) {
      i <- max(ok)
      return(c(n = n, d = d[i], beta = pass0[i], alpha = 1 - pass1[i]))
    }
  }
  stop("no plan")
}

zero_failure <- function(p0, conf, d = 0, N = NA) {
  for (n in (d + 1):100000) {
    pass <- if (is.na(N)) pbinom(d, n, p0) else {
      k0 <- ceiling(p0 * N - 1e-9); phyper(d, k0, N - k0, n)
    }
    if (pass <= 1 - conf + 1e-12) return(c(n = n, d = d, beta = pass, alpha = NA))
  }
}

cochran <- function(e, conf, p, N = NA, deff = 1) {
  n0 <- qnorm(0.5 + conf / 2)^2 * p * (1 - p) / e^2 * deff
  n <- if (is.na(N)) n0 else n0 / (1 + (n0 - 1) / N)
  c(n = ceiling(n - 1e-9), d = NA, beta = NA, alpha = NA)
}

rows <- rbind(
  wrong_exit_default = smallest_plan(0.02, 0.005, 0.10, 0.05),
  wrong_exit_N2000 = smallest_plan(0.02, 0.005, 0.10, 0.05, N = 2000),
  wrong_exit_N800 = smallest_plan(0.02, 0.005, 0.10, 0.05, N = 800),
  lqas_80_50 = smallest_plan(0.5, 0.2, 0.10, 0.10),
  coverage_strict = smallest_plan(0.05, 0.01, 0.05, 0.05),
  zero_failure_2pct_95 = zero_failure(0.02, 0.95),
  one_failure_2pct_95 = zero_failure(0.02, 0.95, d = 1),
  zero_failure_2pct_95_N1000 = zero_failure(0.02, 0.95, N = 1000),
  cochran_5pct = cochran(0.05, 0.95, 0.5),
  cochran_5pct_N1000 = cochran(0.05, 0.95, 0.5, N = 1000),
  cochran_3pct_deff2_N5000 = cochran(0.03, 0.90, 0.3, N = 5000, deff = 2)
)
out <- data.frame(case = rownames(rows), rows, row.names = NULL)
write.csv(out, "tests/sampling/reference/plans_reference.csv", row.names = FALSE)
print(out, digits = 12)
