# R's side of bench/indicators_speed.py (which runs it; see there).
#
#   Rscript bench/indicators_speed.R RESPONSES.csv OUT_DIR Q1,Q2,... K BUDGET_SECONDS
#
# RESPONSES.csv: one row per submitted response: unit (the stratum), cluster
# (service point x day, unique within the unit) and one 0/1 column per
# question, empty where the answer is "not applicable", refused or missing.
# The design is the one the service uses: clusters as PSUs, the unit as
# stratum, no weights. For each of the first K questions, in order, it times
#   svyby(~q, ~unit, des, svymean, na.rm = TRUE)
# and stops early, before a question that would take the svyby time past
# BUDGET_SECONDS (judged from the questions done so far; at least one runs).
# Writes OUT_DIR/estimates.csv (unit, question, estimate, se) and
# OUT_DIR/timing.json. Reading the CSV is timed separately from the rest.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
options(survey.lonely.psu = "adjust")

args <- commandArgs(trailingOnly = TRUE)
csv_path <- args[1]
out_dir <- args[2]
questions <- strsplit(args[3], ",", fixed = TRUE)[[1]]
k <- min(as.integer(args[4]), length(questions))
budget <- as.numeric(args[5])

elapsed <- function(expr_time) unname(expr_time[["elapsed"]])

t_read <- system.time(
  dat <- read.csv(csv_path, colClasses = c(unit = "character", cluster = "character"))
)
cat(sprintf("read %d rows x %d columns in %.1f s\n", nrow(dat), ncol(dat), elapsed(t_read)))

t_design <- system.time(
  des <- svydesign(ids = ~cluster, strata = ~unit, data = dat, nest = TRUE)
)
# svydesign warns "No weights or probabilities supplied": equal weights, as the service.
cat(sprintf("svydesign in %.1f s\n", elapsed(t_design)))

per_question <- list()
results <- list()
spent <- 0
for (q in questions[seq_len(k)]) {
  if (length(per_question) > 0 && spent + spent / length(per_question) > budget) {
    cat(sprintf("stopping after %d questions: the next would pass the %.0f s budget\n",
                length(per_question), budget))
    break
  }
  f <- as.formula(paste0("~", q))
  t_q <- system.time(b <- svyby(f, ~unit, des, svymean, na.rm = TRUE))
  spent <- spent + elapsed(t_q)
  per_question[[q]] <- elapsed(t_q)
  results[[q]] <- data.frame(
    unit = as.character(b$unit), question = q,
    estimate = unname(coef(b)), se = unname(SE(b)), stringsAsFactors = FALSE
  )
  cat(sprintf("svyby %s: %.1f s (%d units)\n", q, elapsed(t_q), nrow(b)))
}

est <- do.call(rbind, results)
est$estimate <- sprintf("%.17g", est$estimate)
est$se <- sprintf("%.17g", est$se)
write.csv(est, file.path(out_dir, "estimates.csv"), row.names = FALSE, quote = FALSE)
write_json(
  list(
    read_seconds = elapsed(t_read),
    design_seconds = elapsed(t_design),
    svyby_seconds = per_question,
    rows = nrow(dat),
    r_version = R.version.string,
    survey_version = as.character(packageVersion("survey"))
  ),
  file.path(out_dir, "timing.json"),
  auto_unbox = TRUE, digits = NA, pretty = TRUE
)
