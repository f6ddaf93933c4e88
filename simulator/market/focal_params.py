"""The focal applicant's settings (the ``[you]`` section): who you are and what you do.

Each is documented, with its range, as every parameter of
:mod:`simulator.market.params` is; :mod:`simulator.market.focal` puts copies
of you through the market.
"""

from __future__ import annotations

from simulator.market.fields import frozen, param, table
from simulator.market.soap_params import SOAP_APPLICATION_LIMIT
from simulator.vocabulary import APPLICANT_TYPES, ONE_YEAR_TRACKS, advanced_row_name

__all__ = ["Focal", "Partner"]


@frozen
class Partner:
    """Your partner in the Match (the ``[you.partner]`` table): with a ``specialty``, copies of
    you apply and interview alone, then rank pairs of programs together as a couple."""

    specialty: str = param(
        "",
        "Your partner's preferred specialty (a name in data/specialties_2025.csv); empty (the "
        "default): no partner, you rank alone.",
    )
    type: str = param(
        "non_us_img", f"Your partner's applicant type, one of {', '.join(APPLICANT_TYPES[:4])}."
    )
    backup_specialty: str = param("", "Your partner's backup specialty, or empty for none.")
    step2ck: int = param(240, "Your partner's Step 2 CK score.", 1, 300)
    usce_months: float = param(0, "Your partner's months of US clinical experience (IMGs).", 0, 120)
    usce_kind: str = param("none", "Kind of your partner's USCE: none, observership, hands_on.")
    years_since_graduation: float = param(
        0, "Years since your partner's medical school graduation.", 0, 60
    )
    visa: str = param(
        "none", "Visa your partner needs: none, j1, h1b (only non-US IMGs may need one)."
    )
    step3: bool = param(False, "Whether your partner has passed Step 3 (an H-1B needs it).")
    applications: int = param(100, "Number of programs your partner applies to.", 1, 2000)

    def as_focal(self, you: Focal) -> Focal:
        """Your partner as a focal applicant: their own profile, your home region and stated
        geographic preference (a couple looks for places near each other), every program
        that interviews them ranked, every signal sent, no SOAP of their own."""
        mine = {name: getattr(self, name) for name in _PARTNER_FIELDS}
        return Focal(
            **mine,
            home_region=you.home_region,
            geographic_preference=you.geographic_preference,
            soap=False,
        )


@frozen
class Focal:
    """The focal applicant: the user, simulated as several independent copies per trial."""

    type: str = param("non_us_img", f"Applicant type, one of {', '.join(APPLICANT_TYPES[:4])}.")
    specialty: str = param(
        "Internal Medicine (Categorical)",
        "Preferred specialty (a name in data/specialties_2025.csv).",
    )
    backup_specialty: str = param("", "Backup specialty, or empty for none.")
    advanced: bool = param(
        False,
        "Seek the advanced (PGY-2) positions of you.specialty (Anesthesiology, Dermatology, "
        "Neurology, Physical Medicine & Rehab, Radiation Oncology, Radiology-Diagnostic), "
        "ranking each with a supplemental list of your you.pgy1_track interviews for the "
        "PGY-1 year; false: its PGY-1 positions.",
    )
    pgy1_track: str = param(
        ONE_YEAR_TRACKS[2],
        "With you.advanced: the one-year PGY-1 track of your supplemental lists (Transitional, "
        "Medicine-Preliminary or Surgery-Preliminary); advanced.pgy1_application_share of "
        "your applications go to it.",
    )
    step2ck: int = param(240, "Step 2 CK score.", 1, 300)
    usce_months: float = param(0, "Months of US clinical experience (IMGs).", 0, 120)
    usce_kind: str = param("none", "Kind of USCE: none, observership, hands_on.")
    observership_months: float = param(
        0,
        "Months of observership beside your you.usce_months of you.usce_kind (IMGs), to state "
        "both kinds: hands-on months count first, observerships in what is left under "
        "selection.usce_months_cap.",
        0,
        120,
    )
    years_since_graduation: float = param(0, "Years since medical school graduation.", 0, 60)
    visa: str = param("none", "Visa needed: none, j1, h1b (only non-US IMGs may need one).")
    step1_attempts: int = param(
        1, "Attempts it took you to pass Step 1 (1: passed first time).", 1, 6
    )
    step2ck_attempts: int = param(
        1, "Attempts it took you to pass Step 2 CK (1: passed first time).", 1, 6
    )
    step3: bool = param(
        False,
        "Whether you have passed Step 3. An H-1B needs it: without it no program can sponsor "
        "your H-1B (if you would take a J-1 instead, set you.visa = 'j1').",
    )
    applications: int = param(100, "Number of programs applied to.", 1, 2000)
    application_policy: str = param(
        "broad",
        "Where your applications go: broad (everywhere, as the population does), "
        "visa_sponsoring (only programs that sponsor the visa you need), img_friendly "
        "(visa-sponsoring, only programs whose Step 2 CK cut-off, graduation-year limit and "
        "attempts policy you meet, and weighted towards IMG-friendly ones).",
    )
    signals: int = param(
        -1,
        "Preference signals you send in each specialty you apply to: -1 all it allows (as the "
        "population does), 0 none, else at most this many; gold ones first where the "
        "specialty has two tiers.",
        -1,
        100,
    )
    signal_policy: str = param(
        "most_preferred",
        "Where your signals go among the programs you apply to: most_preferred (the ones you "
        "want most), best_chance (where you are likeliest to be invited), spread (evenly down "
        "your preference order), shares (you.signal_reach_share to reach programs, "
        "you.signal_safer_share to safer ones, the rest to target ones).",
    )
    signal_reach_share: float = param(
        0.3,
        "With signal_policy = 'shares': share of your signals sent to reach programs (the third "
        "of your applications where your chance of an invitation is lowest).",
        0,
        1,
    )
    signal_safer_share: float = param(
        0.2,
        "With signal_policy = 'shares': share of your signals sent to safer programs (the third "
        "where your chance is highest); target programs get the rest.",
        0,
        1,
    )
    home_region: str = param(
        "",
        "The US Census division you come from or want to live in (e.g. 'south_atlantic'); "
        "empty: each copy of you draws one as the population does. US graduates and US IMGs "
        "also have a home state in it (in-state at its programs).",
    )
    geographic_preference: str = param(
        "home",
        "The division you state as your geographic preference on ERAS: home (your home region), "
        "none, or a division name.",
    )
    rank_list_length: int = param(
        0, "Most programs ranked (0: rank every program that interviews you).", 0, 200
    )
    soap: bool = param(
        True, "Whether you take part in SOAP if the Main Match leaves you unmatched."
    )
    soap_applications: int = param(
        SOAP_APPLICATION_LIMIT,
        "Applications you send in SOAP (the NRMP allows at most 45).",
        1,
        SOAP_APPLICATION_LIMIT,
    )
    partner: Partner = table(
        Partner,
        "Your partner, if you enter the Match as a couple: [you.partner] with a specialty. "
        "Each copy of you has a copy of your partner; the two rank pairs of programs from "
        "their own interviews as the population's couples do (couples.apart_penalty, "
        "alone_penalty, max_pairs), and your chances are those of you in the pair.",
    )

    @property
    def has_partner(self) -> bool:
        return bool(self.partner.specialty)

    @property
    def partner_sought(self) -> tuple[str, ...]:
        """The specialties your partner's copies apply to (none without a partner)."""
        partner = self.partner
        return tuple(s for s in (partner.specialty, partner.backup_specialty) if s)

    @property
    def sought(self) -> tuple[str, ...]:
        """The specialties your copies apply to: your main choice (its advanced row with
        you.advanced, and then your one-year track) and your backup, if any."""
        if not self.advanced:
            return tuple(s for s in (self.specialty, self.backup_specialty) if s)
        main = advanced_row_name(self.specialty)
        return tuple(s for s in (main, self.backup_specialty, self.pgy1_track) if s)


#: The fields of :class:`Partner` that are fields of :class:`Focal` too.
_PARTNER_FIELDS = tuple(f for f in Partner.__dataclass_fields__)
