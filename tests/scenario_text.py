"""TOML text shared by the tests that write small scenarios of their own."""

#: The applicant the test scenarios simulate: a non-US IMG seeking Internal Medicine.
YOU_NON_US_IMG = """\
[you]
type = "non_us_img"
specialty = "Internal Medicine (Categorical)"
step2ck = 240
usce_months = 3
usce_kind = "hands_on"
years_since_graduation = 2
visa = "j1"
applications = 100
"""
