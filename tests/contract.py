"""The columns of applicants.parquet that issue 3 fixed as a contract (extend, never rename)."""

CONTRACT_COLUMNS = [
    "trial",
    "applicant_type",
    "specialty",
    "step2ck",
    "usce_months",
    "years_since_graduation",
    "visa",
    "n_applications",
    "n_interviews",
    "rol_length",
    "contiguous_ranks",
    "matched",
    "matched_specialty",
    "matched_rank",
    "is_focal",
]
