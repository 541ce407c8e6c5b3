# Reference values for tests/analysis/test_index_vs_r.py: the SIPAS index
# (mean over elements of the mean of their criteria's satisfaction rates)
# and the element indices, with design-based SEs and t intervals.
#
# Run from the repository root:
#   Rscript tests/analysis/r/make_index_reference.R
# It rewrites tests/analysis/data/index_sample.csv (a small synthetic survey,
# deterministic under the seed below) and tests/analysis/data/index_reference.json
# (every value with the exact R calls that produced it). Both files are
# committed so the Python suite runs without R.
#
# Every index is a linear combination of ratios, so R computes it as
#   r   <- svyratio(~y1+...+yJ, ~v1+...+vJ, <design or subset>, covmat = TRUE)
#   con <- svycontrast(r, list(E1 = c("y1/v1" = 1/2, "y2/v2" = 1/2), ..., INDEX = ...))
#   coef(con); SE(con); confint(con, df = degf(<subset>))   # or df = degf(des)
# with y_j = 1 for an answer 4 or 5 (else 0) and v_j = 1 for an answer 1-5
# (else 0: "not applicable" 9 and unanswered leave the denominator).
# A criterion nobody in the domain answered validly has no rate (R: 0/0 = NaN):
# it is left out of svyratio and of the coefficients, which average the
# criteria (and elements) that have a rate -- the rule analysis/ratios.py
# documents. Each record holds the svyratio and svycontrast calls it used.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

data_dir <- file.path("tests", "analysis", "data")
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20260314)

# ---- the synthetic survey -------------------------------------------------
# 9 criteria in 4 elements; E4 is gated (answered by about 1 in 5).
elements <- list(E1 = c("q1", "q2"), E2 = c("q3", "q4", "q5"), E3 = c("q6", "q7"), E4 = c("q8", "q9"))
criteria <- unlist(elements, use.names = FALSE)
J <- length(criteria)
# 22 clusters (counter x day) in 7 offices (the strata of the "offices"
# design); office O7 has a single cluster (a lonely PSU). Districts are
# unions of offices. Unit F is surveyed in 3 clusters only, unit G in 2
# clusters where nobody reached the gated element E4.
clusters <- sprintf("c%02d", 1:22)
office_of <- c(rep("O1", 4), rep("O2", 4), rep("O3", 3), rep("O4", 5), rep("O5", 3), rep("O6", 2), "O7")
stratum_of <- c(rep("S1", 8), rep("S2", 6), rep("S3", 8))
district_of <- c(O1 = "D1", O2 = "D1", O3 = "D1", O4 = "D2", O5 = "D2", O6 = "D3", O7 = "D3")
rows <- list()
id <- 0
for (k in seq_along(clusters)) {
  size <- sample(6:16, 1)
  effect <- rnorm(1, 0, 0.8)
  base_w <- runif(1, 20, 90)
  for (i in seq_len(size)) {
    id <- id + 1
    leniency <- rnorm(1, 0, 0.7)
    gate <- runif(1) < 0.22
    answers <- sapply(seq_len(J), function(j) {
      if (j >= 8 && !gate) return(NA)
      if (runif(1) < 0.06) return(9)
      latent <- 3.6 + effect + leniency + rnorm(1, 0, 0.9) - 0.25 * (j %% 3)
      min(5, max(1, round(latent)))
    })
    unit <- sample(c("A", "B", "C"), 1, prob = c(0.5, 0.3, 0.2))
    rows[[id]] <- data.frame(
      id = id, cluster = clusters[k], office = office_of[k], district = district_of[[office_of[k]]],
      stratum = stratum_of[k], unit = unit, w = round(base_w * runif(1, 0.8, 1.25), 2),
      t(setNames(answers, criteria))
    )
  }
}
dat <- do.call(rbind, rows)
dat$unit[dat$cluster %in% c("c03", "c12", "c20")] <- "F"
g_rows <- which(dat$cluster %in% c("c05", "c17"))[c(1:4, 9:12)]
g_rows <- g_rows[!is.na(g_rows)]
dat$unit[g_rows] <- "G"
dat[g_rows, c("q8", "q9")] <- NA
write.csv(dat, file.path(data_dir, "index_sample.csv"), row.names = FALSE, na = "")

for (j in seq_len(J)) {
  a <- dat[[criteria[j]]]
  dat[[paste0("y", j)]] <- as.numeric(!is.na(a) & a >= 4 & a <= 5)
  dat[[paste0("v", j)]] <- as.numeric(!is.na(a) & a >= 1 & a <= 5)
}

# ---- the designs ----------------------------------------------------------
designs <- list(
  unweighted_cluster = "svydesign(ids = ~cluster, data = dat)",
  weighted_cluster = "svydesign(ids = ~cluster, weights = ~w, data = dat)",
  stratified = "svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, nest = TRUE, data = dat)",
  offices = "svydesign(ids = ~cluster, strata = ~office, nest = TRUE, data = dat)"
)
domains <- list(
  unweighted_cluster = list(unit = c("A", "B", "C", "F", "G")),
  weighted_cluster = list(unit = c("A", "B", "C", "F", "G")),
  stratified = list(unit = c("A", "B", "C", "F", "G")),
  offices = list(office = c("O1", "O3", "O6", "O7"), district = c("D1", "D2", "D3"))
)
options(survey.lonely.psu = "adjust")

coefficients_for <- function(avail) {
  # avail: logical per criterion; returns list of named coefficient vectors.
  out <- list()
  el_coef <- list()
  for (e in names(elements)) {
    js <- which(criteria %in% elements[[e]] & avail)
    if (length(js) == 0) next
    cf <- setNames(rep(1 / length(js), length(js)), sprintf("y%d/v%d", js, js))
    out[[e]] <- cf
    el_coef[[e]] <- cf
  }
  idx <- unlist(lapply(el_coef, function(cf) cf / length(el_coef)), use.names = FALSE)
  names(idx) <- unlist(lapply(el_coef, names), use.names = FALSE)
  out$INDEX <- idx
  out
}

deparse_list <- function(x) {
  paste0("list(", paste(sprintf("%s = c(%s)", names(x), sapply(x, function(cf) {
    paste(sprintf("\"%s\" = %.17g", names(cf), cf), collapse = ", ")
  })), collapse = ", "), ")")
}

records <- list()
add <- function(...) records[[length(records) + 1]] <<- list(...)

for (name in names(designs)) {
  env <- new.env()
  assign("dat", dat, envir = env)
  des <- eval(parse(text = designs[[name]]), envir = env)
  assign("des", des, envir = env)
  run <- function(text) eval(parse(text = text), envir = env)
  design_df <- degf(des)
  groups <- c(list(list(by = NA, label = NA)), unlist(lapply(names(domains[[name]]), function(by) {
    lapply(domains[[name]][[by]], function(l) list(by = by, label = l))
  }), recursive = FALSE))
  for (g in groups) {
    sub_text <- if (is.na(g$by)) "des" else sprintf("subset(des, %s == \"%s\")", g$by, g$label)
    sub <- run(sub_text)
    in_domain <- if (is.na(g$by)) rep(TRUE, nrow(dat)) else dat[[g$by]] == g$label
    avail <- sapply(seq_len(J), function(j) sum(dat[[paste0("v", j)]][in_domain]) > 0)
    js <- which(avail)
    r_call <- sprintf(
      "r <- svyratio(~%s, ~%s, %s, covmat = TRUE)",
      paste0("y", js, collapse = "+"), paste0("v", js, collapse = "+"), sub_text
    )
    run(r_call)
    coefs <- coefficients_for(avail)
    c_call <- sprintf("con <- svycontrast(r, %s)", deparse_list(coefs))
    run(c_call)
    con <- get("con", envir = env)
    r <- get("r", envir = env)
    df_sub <- degf(sub)
    ci_dom <- confint(con, df = df_sub)
    ci_des <- confint(con, df = design_df)
    rate_names <- sprintf("y%d/v%d", js, js)
    rate_se <- sqrt(diag(vcov(r))[rate_names])
    add(
      design = name, design_call = paste("des <-", designs[[name]]),
      by = if (is.na(g$by)) NA else g$by, domain = if (is.na(g$label)) NA else g$label,
      svyratio_call = r_call, svycontrast_call = c_call,
      df_call = sprintf("degf(%s)", sub_text), df = df_sub,
      design_df_call = "degf(des)", design_df = design_df,
      keys = names(coefs),
      estimate = unname(coef(con)), se = unname(SE(con)),
      ci_call = sprintf("confint(con, df = degf(%s))", sub_text),
      ci_l = unname(ci_dom[, 1]), ci_u = unname(ci_dom[, 2]),
      ci_design_call = "confint(con, df = degf(des))",
      ci_design_l = unname(ci_des[, 1]), ci_design_u = unname(ci_des[, 2]),
      rate_call = "coef(r)[c(\"y1/v1\", ...)]; sqrt(diag(vcov(r)))[c(\"y1/v1\", ...)]",
      criteria = criteria[js], rate = unname(coef(r)[rate_names]), rate_se = unname(rate_se)
    )
  }
}

out <- list(
  generated_by = sprintf(
    "%s; survey %s; tests/analysis/r/make_index_reference.R",
    R.version.string, as.character(packageVersion("survey"))
  ),
  data = "index_sample.csv (read as dat; y_j, v_j derived as in the script)",
  elements = elements,
  lonely_psu = "adjust",
  designs = designs,
  results = records
)
write_json(out, file.path(data_dir, "index_reference.json"),
  digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE
)
cat("wrote", length(records), "reference records\n")
