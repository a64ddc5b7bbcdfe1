# Reference estimates for the review's vectorised estimator, from R's survey package.
# Input: samples.csv (make_samples.py). Output: r_reference.csv.
# fpc_stage1 = Inf marks with-replacement (pps) strata, as the interfaces' NaN does.
suppressMessages(library(survey))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
s <- read.csv(file.path(here, "samples.csv"), stringsAsFactors = FALSE)
s$psu <- as.character(s$psu)
out <- NULL
for (case in unique(s$case)) for (rep in unique(s$rep[s$case == case])) {
  d <- s[s$case == case & s$rep == rep, ]
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, fpc = ~fpc_stage1,
                   data = d, nest = TRUE)
  r <- svyratio(~y_persons, ~household_size, des)
  m <- svymean(~y_households, des)
  out <- rbind(out, data.frame(
    case = case, rep = rep,
    ratio = sprintf("%.17g", coef(r)), ratio_se = sprintf("%.17g", SE(r)),
    mean = sprintf("%.17g", coef(m)), mean_se = sprintf("%.17g", SE(m)),
    df = degf(des)))
}
write.csv(out, file.path(here, "r_reference.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version.string, "survey", as.character(packageVersion("survey")), "\n")
