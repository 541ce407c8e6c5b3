# Reference values for tests/app/test_expectations.py: the share of the
# respondents who answered the expectations question (sipas-counter v2,
# multi-select "expectations") who chose each option, as a DOMAIN estimate
# (the domain: answered == 1) of the report's cluster design.
#
# Run from the repository root:
#   Rscript tests/analysis/r/make_expectations_reference.R
# It rewrites tests/analysis/data/expectations_sample.csv (one row per
# respondent: unit, cluster, answered, c0 .. c11 = 1 where the option was
# chosen; deterministic under the seed below) and prints, per option, the
# values the test holds with the R call beside each.
#
# Design: strata = the unit that collected the response (U1, U2, U3);
# cluster = counter x day; unweighted.
#   des <- svydesign(ids = ~cluster, strata = ~unit, nest = TRUE, data = dat)
# Share of option k:
#   svyciprop(~c_k, subset(des, answered == 1), method = "beta")
# (subset() keeps every PSU for the variance; df = degf of the subset, the
# clusters holding an answer minus their strata: the project's per-domain df).
#
# Option 7 is chosen by nobody: R gives no Korn-Graubard interval (NA); the
# project gives the one with design effect 1, printed here as
#   qbeta(0.975, 1, n * (qt(0.975, n - 1) / qt(0.975, degf(sub)))^2)

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust", digits = 15)
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261206)

units <- c(rep("U1", 4), rep("U2", 3), rep("U3", 2))
rows <- list()
for (k in seq_along(units)) {
  size <- sample(5:9, 1)
  for (i in seq_len(size)) {
    chosen <- integer(0)
    answered <- runif(1) > 0.12
    if (answered) {
      if (runif(1) < 0.12) {
        chosen <- 0L
      } else {
        options <- c(1:6, 8:11) # nobody chooses 7
        p <- c(3, 2, 4, 5, 2, 6, 1, 2, 3, 1) + (k %% 3)
        chosen <- sort(sample(options, sample(1:3, 1), prob = p))
      }
    }
    flags <- as.integer(0:11 %in% chosen)
    rows[[length(rows) + 1]] <- data.frame(
      unit = units[k], cluster = sprintf("c%d", k), day = k, answered = as.integer(answered),
      t(setNames(flags, paste0("c", 0:11)))
    )
  }
}
dat <- do.call(rbind, rows)
write.csv(dat, file.path("tests", "analysis", "data", "expectations_sample.csv"), row.names = FALSE)

des <- svydesign(ids = ~cluster, strata = ~unit, nest = TRUE, data = dat)
sub <- subset(des, answered == 1)
n <- sum(dat$answered)
cat(sprintf("# respondents %d, answered %d, degf(sub) %d\n", nrow(dat), n, degf(sub)))
for (k in 0:11) {
  f <- as.formula(paste0("~c", k))
  ci <- svyciprop(f, sub, method = "beta")
  m <- svymean(f, sub)
  lim <- attr(ci, "ci")
  cat(sprintf(
    "%d: (%.15g, %.15g, %.15g, %.15g),  # svyciprop(~c%d, subset(des, answered == 1), method = \"beta\"); SE(svymean(...))\n",
    k, as.numeric(ci), lim[1], lim[2], as.numeric(SE(m)), k
  ))
}
cat(sprintf(
  "# option 7, deff-1 upper: %.15g  # qbeta(0.975, 1, n * (qt(0.975, n - 1) / qt(0.975, degf(sub)))^2)\n",
  qbeta(0.975, 1, n * (qt(0.975, n - 1) / qt(0.975, degf(sub)))^2)
))
