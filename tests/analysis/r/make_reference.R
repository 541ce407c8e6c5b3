# Reference values for tests/analysis/test_design_vs_r.py.
#
# Run from the repository root:
#   Rscript tests/analysis/r/make_reference.R
# It rewrites tests/analysis/data/survey_sample.csv (a small synthetic survey,
# deterministic under the seed below) and tests/analysis/data/survey_reference.json
# (every value labelled with the exact R call that produced it). Both files are
# committed so the Python suite runs without R.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

data_dir <- file.path("tests", "analysis", "data")
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20240517)

# ---- the synthetic survey -------------------------------------------------
# 12 clusters (service point x day) in 3 strata; units A, B, C spread over all
# clusters; unit D lives in a single cluster (its domain df is 0); unit E is
# small and fully satisfied (p = 1, where R's Korn-Graubard interval is NaN);
# in cluster c12 nobody answered the criterion (all "not applicable"), so the
# PSU counts of the full design matter for the valid-answer subset.
clusters <- sprintf("c%02d", 1:12)
stratum_of <- c(rep("S1", 4), rep("S2", 5), rep("S3", 3))
rows <- list()
id <- 0
for (k in seq_along(clusters)) {
  size <- sample(12:24, 1)
  p_c <- plogis(qlogis(0.7) + rnorm(1, 0, 0.9))
  base_w <- runif(1, 30, 120)
  for (j in seq_len(size)) {
    id <- id + 1
    unit <- sample(c("A", "B", "C"), 1, prob = c(0.5, 0.3, 0.2))
    y <- rbinom(1, 1, p_c)
    answered <- sample(1:4, 1)
    s <- rbinom(1, answered, p_c) / answered
    if (runif(1) < 0.1) y <- NA
    if (runif(1) < 0.05) s <- NA
    rows[[id]] <- data.frame(
      id = id, stratum = stratum_of[k], cluster = clusters[k], unit = unit,
      w = round(base_w * runif(1, 0.8, 1.25), 2), y = y, s = s
    )
  }
}
dat <- do.call(rbind, rows)
dat$unit[dat$cluster == "c07"][1:6] <- "D"
e_rows <- c(which(dat$cluster == "c02")[1:3], which(dat$cluster == "c03")[1:3])
dat$unit[e_rows] <- "E"
dat$y[e_rows] <- 1
dat$y[dat$cluster == "c12"] <- NA
# A variant of the strata in which c09 is alone in its stratum (a lonely PSU).
dat$stratum_lonely <- ifelse(dat$cluster == "c09", "S4", dat$stratum)
dat <- dat[, c("id", "stratum", "stratum_lonely", "cluster", "unit", "w", "y", "s")]
write.csv(dat, file.path(data_dir, "survey_sample.csv"), row.names = FALSE, na = "")

# ---- the designs ----------------------------------------------------------
designs <- list(
  unweighted_cluster = list(
    call = "svydesign(ids = ~cluster, data = dat)", lonely = "fail", weighted = FALSE
  ),
  weighted_cluster = list(
    call = "svydesign(ids = ~cluster, weights = ~w, data = dat)", lonely = "fail", weighted = TRUE
  ),
  stratified = list(
    call = "svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, nest = TRUE, data = dat)",
    lonely = "fail", weighted = TRUE
  ),
  lonely_adjust = list(
    call = "svydesign(ids = ~cluster, strata = ~stratum_lonely, weights = ~w, nest = TRUE, data = dat)",
    lonely = "adjust", weighted = TRUE
  ),
  lonely_remove = list(
    call = "svydesign(ids = ~cluster, strata = ~stratum_lonely, weights = ~w, nest = TRUE, data = dat)",
    lonely = "remove", weighted = TRUE
  ),
  srs = list(call = "svydesign(ids = ~1, data = dat)", lonely = "fail", weighted = FALSE)
)

records <- list()
add <- function(design, call, statistic, value, domain = NA_character_) {
  value <- unname(as.numeric(value))
  if (length(domain) == 1 && length(value) > 1) domain <- rep(domain, length(value))
  for (i in seq_along(value)) {
    records[[length(records) + 1]] <<- list(
      design = design, design_call = paste("des <-", designs[[design]]$call),
      lonely_psu = designs[[design]]$lonely, call = call,
      statistic = statistic, domain = domain[i],
      value = if (is.finite(value[i])) value[i] else NA
    )
  }
}

for (name in names(designs)) {
  spec <- designs[[name]]
  options(survey.lonely.psu = spec$lonely)
  env <- new.env()
  assign("dat", dat, envir = env)
  assign("des", suppressWarnings(eval(parse(text = spec$call), envir = env)), envir = env)
  run <- function(text) suppressWarnings(eval(parse(text = text), envir = env))
  for (v in c("y", "s")) {
    sub <- sprintf("subset(des, !is.na(%s))", v)
    m_call <- sprintf("svymean(~%s, %s, deff = \"replace\")", v, sub)
    m <- run(m_call)
    add(name, m_call, "mean", coef(m))
    add(name, m_call, "se", SE(m))
    add(name, m_call, "deff", deff(m))
    if (spec$weighted) {
      d_call <- sprintf("svymean(~%s, %s, deff = TRUE)", v, sub)
      add(name, d_call, "deff", deff(run(d_call)))
    }
    g_call <- sprintf("degf(%s)", sub)
    add(name, g_call, "df", run(g_call))
    for (method in c("beta", "logit")) {
      c_call <- sprintf("svyciprop(~%s, %s, method = \"%s\")", v, sub, method)
      ci <- run(c_call)
      add(name, c_call, "estimate", coef(ci))
      add(name, c_call, "ci_l", confint(ci)[1])
      add(name, c_call, "ci_u", confint(ci)[2])
    }
    if (name == "srs") next
    b_call <- sprintf("svyby(~%s, ~unit, %s, svymean, deff = \"replace\")", v, sub)
    b <- run(b_call)
    add(name, b_call, "mean", b[[v]], b$unit)
    add(name, b_call, "se", b$se, b$unit)
    add(name, b_call, "deff", b[[grep("^DEff", names(b))]], b$unit)
    if (spec$weighted) {
      b_call <- sprintf("svyby(~%s, ~unit, %s, svymean, deff = TRUE)", v, sub)
      b <- run(b_call)
      add(name, b_call, "deff", b[[grep("^DEff", names(b))]], b$unit)
    }
    for (method in c("beta", "logit")) {
      b_call <- sprintf(
        "svyby(~%s, ~unit, %s, svyciprop, vartype = \"ci\", method = \"%s\")", v, sub, method
      )
      b <- run(b_call)
      add(name, b_call, "estimate", b[[v]], b$unit)
      add(name, b_call, "ci_l", b$ci_l, b$unit)
      add(name, b_call, "ci_u", b$ci_u, b$unit)
    }
    units <- sort(unique(dat$unit[!is.na(dat[[v]])]))
    for (u in units) {
      u_call <- sprintf("degf(subset(%s, unit == \"%s\"))", sub, u)
      add(name, u_call, "df", run(u_call), u)
    }
    if (name != "stratified") next
    # The other per-domain df convention: the whole design's df for every domain
    # (degf(des): every PSU of the survey, also those without a valid answer).
    b_call <- sprintf("confint(svyby(~%s, ~unit, %s, svymean), df = degf(des))", v, sub)
    b <- run(b_call)
    add(name, b_call, "ci_l", b[, 1], rownames(b))
    add(name, b_call, "ci_u", b[, 2], rownames(b))
    for (u in units) {
      c_call <- sprintf(
        "svyciprop(~%s, subset(%s, unit == \"%s\"), method = \"logit\", df = degf(des))", v, sub, u
      )
      ci <- run(c_call)
      add(name, c_call, "ci_l", confint(ci)[1], u)
      add(name, c_call, "ci_u", confint(ci)[2], u)
      # svyciprop(method = "beta") ignores its df argument (it always uses
      # degf() of the design it is given), so the Korn-Graubard interval with
      # the design's df is svyciprop's own beta code with degf(des) put in:
      c_call <- sprintf(paste0(
        "local({s <- subset(%s, unit == \"%s\"); m <- svymean(~%s, s); p <- coef(m); ",
        "n_eff <- p * (1 - p) / vcov(m) * (qt(0.025, nrow(s) - 1) / qt(0.025, degf(des)))^2; ",
        "c(qbeta(0.025, n_eff * p, n_eff * (1 - p) + 1), qbeta(0.975, n_eff * p + 1, n_eff * (1 - p)))}) ",
        "# = svyciprop(method = \"beta\") with df = degf(des)"
      ), sub, u, v)
      ci <- run(c_call)
      add(name, c_call, "ci_l", ci[1], u)
      add(name, c_call, "ci_u", ci[2], u)
    }
  }
}

# ---- an index under simple random sampling of the respondents with a share --
# (analysis.indicators.index_confint: each unit is its own SRS, so the design
# is built from the unit's answering respondents only, not as a domain).
designs$srs_answered <- list(
  call = "svydesign(ids = ~1, data = <the rows named in each call>)", lonely = "fail",
  weighted = FALSE
)
options(survey.lonely.psu = "fail")
for (u in c(NA, "A", "B", "C")) {
  rows <- if (is.na(u)) "!is.na(dat$s)" else sprintf("!is.na(dat$s) & dat$unit == \"%s\"", u)
  d_text <- sprintf("svydesign(ids = ~1, data = dat[%s, ])", rows)
  m_call <- sprintf("svymean(~s, %s)", d_text)
  m <- suppressWarnings(eval(parse(text = m_call)))
  add("srs_answered", m_call, "mean", coef(m), u)
  add("srs_answered", m_call, "se", SE(m), u)
  for (method in c("beta", "logit")) {
    c_call <- sprintf("svyciprop(~s, %s, method = \"%s\")", d_text, method)
    ci <- suppressWarnings(eval(parse(text = c_call)))
    add("srs_answered", c_call, "ci_l", confint(ci)[1], u)
    add("srs_answered", c_call, "ci_u", confint(ci)[2], u)
  }
}

out <- list(
  generated_by = sprintf(
    "%s; survey %s; tests/analysis/r/make_reference.R",
    R.version.string, as.character(packageVersion("survey"))
  ),
  data = "survey_sample.csv (read as dat, strings as character)",
  designs = lapply(designs, function(d) list(call = d$call, lonely_psu = d$lonely)),
  results = records
)
write_json(out, file.path(data_dir, "survey_reference.json"),
  digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE
)
cat("wrote", length(records), "reference values\n")
