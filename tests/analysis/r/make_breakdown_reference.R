# Reference values for tests/app/test_breakdown.py: the indicators of each
# category of a respondent variable (sex, age group, ethnicity) as DOMAIN
# estimates of one cluster design, with the edge cases a breakdown meets.
#
# Run from the repository root:
#   Rscript tests/analysis/r/make_breakdown_reference.R
# It rewrites tests/analysis/data/breakdown_sample.csv (household interviews,
# one row per respondent, answer codes of papi-household v1; deterministic
# under the seed below) and tests/analysis/data/breakdown_reference.json
# (every value with the exact R calls that produced it). The test stores the
# sample as responses and compares the report's breakdown with these values.
#
# Design: strata = the unit that collected the interview (U1, U2); cluster =
# surveyor x day (one surveyor, so unit x day); unweighted.
#   des <- svydesign(ids = ~cluster, strata = ~unit, nest = TRUE, data = dat)
# A category k of variable g is the domain g == k of that design (R's
# subset() keeps every PSU for the variance; svyby does the same per group).
#
# Edge cases: age group 4 lives in one cluster (df 0: no interval); age
# group 5 in two clusters of one stratum (df 1);
# ethnicity 2 answered everything the same way (SE 0: R gives no
# Korn-Graubard interval); ethnicity 8 has no respondent at all.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

data_dir <- file.path("tests", "analysis", "data")
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261205)

elements <- list(
  E1 = c("E1_1", "E1_2"), E2 = c("E2_1", "E2_2", "E2_3"), E3 = c("E3_1", "E3_2", "E3_3"),
  E4 = c("E4_1", "E4_2"), E5 = c("E5_1", "E5_2")
)
criteria <- unlist(elements, use.names = FALSE)
J <- length(criteria)
unit_of <- c(rep("U1", 5), rep("U2", 4))
day_of <- c(1:5, 1:4)
rows <- list()
id <- 0
for (k in seq_along(unit_of)) {
  size <- sample(7:12, 1)
  effect <- rnorm(1, 0, 0.7)
  for (i in seq_len(size)) {
    id <- id + 1
    leniency <- rnorm(1, 0, 0.6)
    gate <- runif(1) < 0.3
    answers <- sapply(seq_len(J), function(j) {
      if (j >= 11 && !gate) return(NA)
      if (runif(1) < 0.06) return(9)
      min(5, max(1, round(3.5 + effect + leniency + rnorm(1, 0, 0.9))))
    })
    rows[[id]] <- data.frame(
      id = id, cluster = sprintf("c%02d", k), unit = unit_of[k], day = day_of[k],
      sex = sample(1:2, 1), age_group = sample(1:3, 1), ethnicity = 1,
      education = sample(1:6, 1), used_service = 1, procedure = sample(1:7, 1),
      E5_gate = if (gate) 1 else 2,
      t(setNames(answers, criteria)),
      overall = min(5, max(1, round(3.6 + effect + leniency + rnorm(1, 0, 0.8)))),
      harassment = sample(c(1, 2, 8), 1, prob = c(0.2 + max(0, -effect) / 4, 0.75, 0.05)),
      informal_payment = sample(c(1, 2, 8), 1, prob = c(0.12, 0.83, 0.05)),
      P_land = sample(c(1, 2, 9), 1, prob = c(0.3, 0.5, 0.2))
    )
  }
}
dat <- do.call(rbind, rows)
# age group 4: five respondents of cluster c03 only
dat$age_group[which(dat$cluster == "c03")[1:5]] <- 4
# age group 5: three respondents in each of c02 and c04 (both U1: df 1)
dat$age_group[c(which(dat$cluster == "c02")[6:8], which(dat$cluster == "c04")[1:3])] <- 5
# ethnicity 2: three respondents in each of c01, c05, c08, all satisfied, never harassed nor paying
same <- c(which(dat$cluster == "c01")[2:4], which(dat$cluster == "c05")[2:4], which(dat$cluster == "c08")[2:4])
dat$ethnicity[same] <- 2
dat[same, criteria[1:10]] <- 5
dat[same, c("E5_gate")] <- 2
dat[same, c("E5_1", "E5_2")] <- NA
dat$overall[same] <- 5
dat$harassment[same] <- 2
dat$informal_payment[same] <- 2
dat$P_land[same] <- 2
write.csv(dat, file.path(data_dir, "breakdown_sample.csv"), row.names = FALSE, na = "")

# 0/1 outcomes: y_j satisfied (4-5), v_j valid (1-5); rates: event and valid
for (j in seq_len(J)) {
  a <- dat[[criteria[j]]]
  dat[[paste0("y", j)]] <- as.numeric(!is.na(a) & a >= 4 & a <= 5)
  dat[[paste0("v", j)]] <- as.numeric(!is.na(a) & a >= 1 & a <= 5)
}
rates <- list(
  overall = list(event = dat$overall >= 4, valid = dat$overall <= 5),
  harassment = list(event = dat$harassment == 1, valid = dat$harassment %in% c(1, 2)),
  informal_payment = list(event = dat$informal_payment == 1, valid = dat$informal_payment %in% c(1, 2)),
  P_land = list(event = dat$P_land == 1, valid = dat$P_land %in% c(1, 2))
)
for (key in names(rates)) {
  dat[[paste0("e_", key)]] <- as.numeric(rates[[key]]$event & rates[[key]]$valid)
  dat[[paste0("ok_", key)]] <- as.numeric(rates[[key]]$valid)
}

options(survey.lonely.psu = "adjust")
design_call <- "svydesign(ids = ~cluster, strata = ~unit, nest = TRUE, data = dat)"
des <- eval(parse(text = design_call))

num <- function(x) if (length(x) == 0 || is.na(x[1])) NA else as.numeric(x)[1]
records <- list()
add <- function(...) records[[length(records) + 1]] <<- list(...)

index_of <- function(sub_text) {
  sub <- eval(parse(text = sub_text))
  members <- sub$variables[weights(sub) > 0, ]
  avail <- sapply(seq_len(J), function(j) sum(members[[paste0("v", j)]]) > 0)
  js <- which(avail)
  r_call <- sprintf(
    "r <- svyratio(~%s, ~%s, %s, covmat = TRUE)",
    paste0("y", js, collapse = "+"), paste0("v", js, collapse = "+"), sub_text
  )
  eval(parse(text = r_call), envir = globalenv())
  rated <- Filter(function(e) any(criteria[js] %in% elements[[e]]), names(elements))
  coef <- unlist(lapply(rated, function(e) {
    m <- which(criteria %in% elements[[e]] & avail)
    setNames(rep(1 / (length(m) * length(rated)), length(m)), sprintf("y%d/v%d", m, m))
  }))
  c_call <- sprintf(
    "con <- svycontrast(r, list(INDEX = c(%s)))",
    paste(sprintf("\"%s\" = %.17g", names(coef), coef), collapse = ", ")
  )
  eval(parse(text = c_call), envir = globalenv())
  df <- degf(sub)
  ci <- if (df >= 1) confint(con, df = df) else matrix(NA, 1, 2)
  ci <- matrix(as.numeric(ci), 1, 2)
  list(
    calls = c(r_call, c_call, sprintf("confint(con, df = degf(%s))", sub_text)),
    estimate = num(coef(con)), se = num(SE(con)), df = df, lower = num(ci[1, 1]), upper = num(ci[1, 2])
  )
}

rate_of <- function(key, sub_text) {
  sub <- eval(parse(text = sub_text))
  valid_text <- sprintf("subset(%s, ok_%s == 1)", sub_text, key)
  valid <- eval(parse(text = valid_text))
  f <- as.formula(paste0("~e_", key))
  m <- svymean(f, valid, deff = "replace")
  ci <- tryCatch(svyciprop(f, valid, method = "beta"), error = function(e) NULL)
  lim <- if (is.null(ci)) c(NA, NA) else attr(ci, "ci")
  list(
    calls = c(
      sprintf("svymean(~e_%s, %s, deff = \"replace\")", key, valid_text),
      sprintf("svyciprop(~e_%s, %s, method = \"beta\")", key, valid_text)
    ),
    n = sum(weights(valid) > 0), estimate = num(coef(m)), se = num(SE(m)), df = degf(valid),
    deff = num(deff(m)), lower = num(lim[1]), upper = num(lim[2])
  )
}

groups <- list(list(by = NA, value = NA))
for (by in c("sex", "age_group", "ethnicity")) {
  for (value in sort(unique(dat[[by]]))) groups[[length(groups) + 1]] <- list(by = by, value = value)
}
for (g in groups) {
  sub_text <- if (is.na(g$by)) "des" else sprintf("subset(des, %s == %d)", g$by, g$value)
  sub <- eval(parse(text = sub_text))
  figures <- list(INDEX = index_of(sub_text))
  for (key in names(rates)) figures[[key]] <- rate_of(key, sub_text)
  add(
    by = if (is.na(g$by)) NA else g$by, category = if (is.na(g$value)) NA else as.character(g$value),
    domain_call = sub_text, responses = sum(weights(sub) > 0),
    clusters = length(unique(sub$variables$cluster[weights(sub) > 0])),
    figures = figures
  )
}

# The same domain estimates through svyby (one call per variable): checked
# here against the per-subset values above, which the JSON records.
for (by in c("sex", "age_group")) {
  valid <- subset(des, ok_overall == 1)
  b <- svyby(~e_overall, as.formula(paste0("~", by)), valid, svymean)
  for (r in records) {
    if (!identical(r$by, by)) next
    i <- match(r$category, as.character(b[[by]]))
    stopifnot(abs(b$e_overall[i] - r$figures$overall$estimate) < 1e-12)
    stopifnot(abs(SE(b)[i] - r$figures$overall$se) < 1e-12)
  }
}

out <- list(
  generated_by = sprintf(
    "%s; survey %s; tests/analysis/r/make_breakdown_reference.R",
    R.version.string, as.character(packageVersion("survey"))
  ),
  data = "breakdown_sample.csv (read as dat; y_j, v_j, e_<key>, ok_<key> derived as in the script)",
  design_call = paste("des <-", design_call),
  svyby_check = "svyby(~e_overall, ~sex, subset(des, ok_overall == 1), svymean) equals the per-subset svymean",
  lonely_psu = "adjust",
  elements = elements,
  results = records
)
write_json(out, file.path(data_dir, "breakdown_reference.json"),
  digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE
)
cat("wrote", length(records), "reference records\n")
