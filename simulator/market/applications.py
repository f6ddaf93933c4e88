"""Applications: who applies where, and which applications the programs screen in."""

from __future__ import annotations

import numpy as np

from simulator.market.applicants import Applicants
from simulator.market.codes import H1B, IS_IMG_TYPE
from simulator.market.params import MarketParams
from simulator.market.programs import Programs
from simulator.vocabulary import DIVISIONS, VISAS

# SPONSORS[visa * 3 + policy]: does a program with that visa policy sponsor that visa?
SPONSORS = np.array([[True, True, True], [False, True, True], [False, False, True]]).ravel()
MERIT_BANDS = 5
#: Dense application blocks are drawn in pieces of about this many cells: the same draws
#: whatever the size (each stream is read in order), and a piece's arrays stay in cache
#: (the stage took a tenth less than with 4 million, 2026-12-05).
_CELLS_PER_BLOCK = 1_000_000


#: Why a program does not read an application, in the order the reasons are attributed.
SCREENS = ("visa", "score", "graduation", "attempts")


def sponsored(applicants: Applicants, who, programs: Programs, where) -> np.ndarray:
    """Whether program ``where`` can sponsor the visa applicant ``who`` needs.

    J-1 needs a sponsoring program, H-1B one that sponsors H-1B, and Step 3
    passed: without it no program can file an H-1B.
    """
    visa = applicants.visa[who].astype(np.int64)
    can = SPONSORS[visa * 3 + programs.visa_policy[where]]
    return can & ((visa != H1B) | applicants.step3[who])


def screened_score(applicants: Applicants, who, programs: Programs) -> np.ndarray:
    """The Step 2 CK of applicants ``who`` as programs' cut-offs read it: an applicant who is
    not an IMG clears a cut-off ``programs.step2ck_us_offset`` points lower."""
    offset = programs.step2ck_us_offset
    return applicants.step2ck[who] + offset * ~IS_IMG_TYPE[applicants.type[who]]


def screening_reasons(applicants: Applicants, who, programs: Programs, where) -> np.ndarray:
    """Why program ``where`` does not read applicant ``who``'s application: (4, n) booleans.

    Rows follow :data:`SCREENS`.  An application failing several screens is
    counted once, under the first it fails: visa sponsorship, then the Step 2 CK
    cut-off (lowered by ``programs.step2ck_us_offset`` points for applicants who are not
    IMGs: :func:`screened_score`), then (IMGs only) the graduation-year
    limit, then a failed exam attempt at a program that screens attempts.  So
    every application is read or has exactly one reason.
    """
    visa = ~sponsored(applicants, who, programs, where)
    is_img = IS_IMG_TYPE[applicants.type[who]]
    score = ~visa & ~(screened_score(applicants, who, programs) >= programs.step2ck_cutoff[where])
    graduation = is_img & ~visa & ~score & ~(applicants.ysg[who] <= programs.ysg_limit[where])
    attempts = (
        ~visa
        & ~score
        & ~graduation
        & (applicants.failed_attempts[who] > 0)
        & programs.attempts_screen[where]
    )
    return np.stack([visa, score, graduation, attempts])


def screened_in(applicants: Applicants, who, programs: Programs, where) -> np.ndarray:
    """Whether program ``where`` reads the application of applicant ``who`` at all.

    Every screen of :func:`screening_reasons`: visa (:func:`sponsored`), the Step 2 CK
    cut-off (lower for applicants who are not IMGs), for IMGs the graduation-year limit,
    and failed attempts.
    """
    return ~screening_reasons(applicants, who, programs, where).any(axis=0)


def application_weights(
    programs: Programs, is_img, visa, merit_level, home_division, params: MarketParams
):
    """How strongly applicants of a kind favour each program: a (kinds, programs) matrix.

    Bigger programs draw more applications; applicants needing a visa avoid
    programs that do not sponsor it; IMGs favour IMG-friendly programs; all
    favour programs within reach of their merit and in their home division.
    """
    a = params.applicants
    factors = [  # each a row over the programs per value of one trait of the kind
        (
            visa,
            lambda v: np.where(SPONSORS[v * 3 + programs.visa_policy], 1.0, a.visa_mismatch_weight),
        ),
        (is_img, lambda i: np.exp(a.friendliness_weight * i * (programs.friendliness - 0.5))),
        (
            home_division,
            lambda d: np.exp(params.geography.home_application_weight * (programs.division == d)),
        ),
        (
            merit_level,
            lambda m: np.exp(-a.reach_weight * np.maximum(programs.desirability - m, 0.0)),
        ),
    ]
    # Multiplied in this order, each product once per distinct value of the traits so far:
    # the few kinds' rows are built up without a (kinds, programs) array per factor.
    rows = (programs.positions**a.size_weight)[None, :]
    row_of = np.zeros(len(is_img), dtype=np.int64)
    for number, (trait, factor) in enumerate(factors):
        values, value_of = np.unique(np.asarray(trait), return_inverse=True)
        table = np.stack([factor(value) for value in values])
        if number == len(factors) - 1:  # the last: straight into the kinds' order
            return np.multiply(rows[row_of], table[value_of])
        pairs, row_of = np.unique(row_of * values.size + value_of, return_inverse=True)
        rows = rows[pairs // values.size] * table[pairs % values.size]


def kind_weights(programs: Programs, applicants: Applicants, applicant_merit, params):
    """The applicants' kinds (IMG or not, visa, merit band, home division) and their
    application weights: ``(kinds, kind_of, weights)``, each kind's four traits, each
    applicant's kind, and the (kinds, programs) :func:`application_weights`.

    A merit band is a quintile of ``applicant_merit`` (:data:`MERIT_BANDS`); its level, the
    quantile at its middle.
    """
    edges = np.quantile(applicant_merit, np.linspace(0, 1, MERIT_BANDS + 1)[1:-1])
    band = np.searchsorted(edges, applicant_merit)
    band_level = np.quantile(applicant_merit, (np.arange(MERIT_BANDS) + 0.5) / MERIT_BANDS)
    divisions = len(DIVISIONS)
    kinds = np.array(
        [
            (i, v, b, d)
            for i in (0, 1)
            for v in range(len(VISAS))
            for b in range(MERIT_BANDS)
            for d in range(divisions)
        ]
    )
    is_img = IS_IMG_TYPE[applicants.type]
    kind_of = (
        (is_img * len(VISAS) + applicants.visa) * MERIT_BANDS + band
    ) * divisions + applicants.home_division
    weights = application_weights(
        programs, kinds[:, 0], kinds[:, 1], band_level[kinds[:, 2]], kinds[:, 3], params
    )
    return kinds, kind_of, weights


def draw_applications(programs, applicants, applicant_merit, inputs, params, rng, signaller):
    """Who applies where, and which applications the programs read (screen in).

    Applicant ``a`` applies to program ``p`` of a specialty they seek with
    probability ``min(1, n_a w_p / sum w)`` (Poisson sampling), where ``n_a``
    is the number of applications they send to that specialty and ``w`` the
    weights of :func:`application_weights` for their kind (IMG or not, visa,
    merit band, home division).  ``signaller(part, count, hits, specialty)``
    gives the signal code of each application of applicants ``part`` to one
    specialty (``count`` each; ``hits``: their flat cells in the dense block of
    ``part`` by the specialty's programs, row by row), as they are sent.  Returns every
    application sent ``(who, where)``, whether the program reads it (screens
    it in), its signal code, and the number of applications each applicant sent.
    Works on dense (applicants x programs) blocks of one specialty at a time.
    """
    n = applicants.size
    is_img = IS_IMG_TYPE[applicants.type]
    kinds, kind_of, weights = kind_weights(programs, applicants, applicant_merit, params)
    sponsors = SPONSORS[kinds[:, 1:2] * 3 + programs.visa_policy[None, :]]
    screen = _IntegerScreens(applicants, programs, is_img)

    seekers, sought, wanted = _sought(applicants, len(inputs.specialties), params)
    order = np.argsort(sought, kind="stable")
    seekers, sought, wanted = seekers[order], sought[order], wanted[order]
    bounds = np.searchsorted(sought, np.arange(len(inputs.specialties) + 1))

    drawn = _Applications(expected=float(np.minimum(wanted, inputs.programs[sought]).sum()))
    sent = np.zeros(n, dtype=np.int64)
    for s in range(len(inputs.specialties)):  # a loop over specialties, not applicants
        first, last = programs.specialty_indptr[s], programs.specialty_indptr[s + 1]
        block = weights[:, first:last]
        block = block / block.sum(axis=1, keepdims=True)
        scale = _inclusion_scale(
            block, kind_of[seekers[bounds[s] : bounds[s + 1]]], wanted[bounds[s] : bounds[s + 1]]
        )
        block = block.astype(np.float32)
        step = max(1, _CELLS_PER_BLOCK // max(last - first, 1))
        for start in range(bounds[s], bounds[s + 1], step):
            part = seekers[start : min(start + step, bounds[s + 1])]
            chance = block[kind_of[part]]
            chance *= scale[start - bounds[s] : start - bounds[s] + part.size, None]
            applied = rng.random(chance.shape, dtype=np.float32) < chance
            reads = sponsors[kind_of[part], first:last]  # a copy: advanced indexing
            screen.apply(reads, part, first, last)
            hits = np.flatnonzero(applied)  # much faster than a 2-D np.nonzero
            # Row by row: each row's hits are a run, from its first.
            row_start = np.arange(0, applied.size, applied.shape[1])
            count = np.diff(np.searchsorted(hits, row_start), append=hits.size)
            np.add.at(sent, part, count)
            who, where, read, code = drawn.next(hits.size)
            who[:] = np.repeat(part, count)
            row_start -= first
            np.subtract(hits, np.repeat(row_start, count), out=where)
            np.take(reads.ravel(), hits, out=read)
            code[:] = signaller(part, count, hits, s)
    who, where, read, code = drawn.all()
    return who, where, read, code, sent


class _IntegerScreens:
    """The Step 2 CK cut-off, the IMGs' graduation-year limit and the failed-attempts
    screen of :func:`screening_reasons`, as comparisons of small integers: a dense block
    compares int16 ranks several times faster than int64 scores with float64 cut-offs.

    A score clears a cut-off when more distinct cut-offs are at or below the score than are
    below the cut-off; a year count is within a limit when fewer distinct limits are below it
    than below the limit.  Only the rows whose score is below the block's highest cut-off
    are compared (the others clear them all).
    """

    def __init__(self, applicants: Applicants, programs: Programs, is_img):
        rank = np.int16 if programs.size < 2**15 - 1 else np.int32
        cutoffs, limits = np.unique(programs.step2ck_cutoff), np.unique(programs.ysg_limit)
        self.cutoff = np.searchsorted(cutoffs, programs.step2ck_cutoff).astype(rank)
        self.limit = np.searchsorted(limits, programs.ysg_limit).astype(rank)
        img = np.flatnonzero(is_img)  # only IMGs have graduation-year limits
        self.years = np.zeros(applicants.size, dtype=rank)
        self.years[img] = np.searchsorted(limits, applicants.ysg[img])
        score = screened_score(applicants, np.arange(applicants.size), programs)
        self.score = np.searchsorted(cutoffs, score, side="right").astype(rank)
        self.is_img = is_img
        self.failed = applicants.failed_attempts > 0
        self.reads_failed = ~programs.attempts_screen

    def apply(self, reads, part, first, last) -> None:
        """Clears in ``reads`` (rows ``part``, columns the programs ``first:last``, the visa
        screen already applied) what the other screens keep programs from reading."""
        cutoff = self.cutoff[first:last]
        low = np.flatnonzero(self.score[part] <= cutoff.max(initial=-1))
        reads[low] &= self.score[part[low], None] > cutoff[None, :]
        img = np.flatnonzero(self.is_img[part])
        reads[img] &= self.years[part[img], None] <= self.limit[None, first:last]
        reads[np.flatnonzero(self.failed[part])] &= self.reads_failed[None, first:last]


def _sought(applicants: Applicants, n_specialties: int, params: MarketParams):
    """Who seeks which specialty with how many applications: the main choice, the backup
    (``applicants.backup_application_share`` of them) and an advanced seeker's one-year
    PGY-1 track (``advanced.pgy1_application_share``); the rest go to the main choice."""
    sent = applicants.applications
    has_backup = applicants.backup < n_specialties
    has_pgy1 = applicants.pgy1_track < n_specialties
    to_preferred = np.where(
        has_backup, np.round(sent * (1 - params.applicants.backup_application_share)), sent
    )
    to_backup = sent - to_preferred
    to_pgy1 = np.where(has_pgy1, np.round(sent * params.advanced.pgy1_application_share), 0)
    to_preferred = np.maximum(to_preferred - to_pgy1, 0)
    seekers = np.r_[np.arange(sent.size), np.flatnonzero(has_backup), np.flatnonzero(has_pgy1)]
    sought = np.r_[
        applicants.specialty, applicants.backup[has_backup], applicants.pgy1_track[has_pgy1]
    ]
    wanted = np.r_[to_preferred, to_backup[has_backup], to_pgy1[has_pgy1]].astype(np.float32)
    return seekers, sought, wanted


class _Applications:
    """The applications drawn so far, written in place into arrays sized for about as many as
    expected (Poisson sampling: the count's SD is at most its mean's square root), so that
    no copy joins the pieces."""

    def __init__(self, expected: float):
        capacity = int(expected + 10.0 * np.sqrt(expected) + 1024)
        self.columns = [np.empty(capacity, dtype=t) for t in (np.int64, np.int64, bool, np.uint8)]
        self.size = 0

    def next(self, count: int) -> list[np.ndarray]:
        """Views of the next ``count`` rows of who, where, read and signal code, to fill."""
        if self.size + count > self.columns[0].size:  # more than expected: grow
            capacity = max(self.size + count, int(1.5 * self.columns[0].size))
            self.columns = [np.resize(c[: self.size], capacity) for c in self.columns]
        rows = slice(self.size, self.size + count)
        self.size += count
        return [c[rows] for c in self.columns]

    def all(self) -> list[np.ndarray]:
        """Every row drawn: who, where, read and signal code."""
        return [c[: self.size] for c in self.columns]


def _inclusion_scale(weights, kind, wanted) -> np.ndarray:
    """Per applicant, the ``c`` with ``sum_p min(1, c w_p) = wanted`` over their kind's weights.

    Poisson sampling with probabilities ``min(1, c w_p)`` then sends ``wanted``
    applications on average, however many programs a large ``wanted`` caps at
    certainty.  ``weights`` is (kinds, programs), each row summing to 1.
    ``f_j``, the expected count when the ``j``-th heaviest program just reaches
    probability 1, rises with ``j``; ``wanted`` falls between two of them.
    """
    q = weights.shape[1]
    present = np.bincount(kind) > 0
    rows = np.flatnonzero(present)  # the kinds present: each row's numbers are its own
    heaviest = np.sort(weights[rows], axis=1)[:, ::-1]  # each row in descending order
    cumulative = np.cumsum(heaviest, axis=1)
    f = cumulative - heaviest  # the weight of the heavier programs
    np.subtract(1.0, f, out=f)
    f /= heaviest
    f += np.arange(q)  # (kinds, q), rising along each row
    stride = 2.0 * q + 2.0  # lay the rows end to end, at their kind's place, in one
    f += stride * rows[:, None]  # increasing array
    wanted = np.minimum(wanted, q)  # more than every program: apply to all of them
    row = (np.cumsum(present) - 1)[kind]
    capped = searchsorted_right(f.ravel(), wanted + stride * kind, guess=q * row)
    capped -= q * row
    remaining = 1.0 - np.where(capped > 0, cumulative[row, np.maximum(capped - 1, 0)], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # all capped: c is infinite
        return np.where(capped >= q, np.inf, (wanted - capped) / remaining).astype(np.float32)


def searchsorted_right(values, needle, guess) -> np.ndarray:
    """``np.searchsorted(values, needle, side="right")``, faster: each needle's ``guess`` (a
    place) is checked first, the other needles searched in increasing order.

    Taken only when no needle falls where ``values`` decrease (``values[i] > needle >=
    values[i + 1]``): then each answer is the one place its needle splits ``values`` at,
    whatever the search's path.  Otherwise (or with NaNs) NumPy's answers depend on its path
    (from the previous needle): that call itself, needles in their order.
    """
    n = values.size
    if n < 2 or np.isnan(needle).any():
        return np.searchsorted(values, needle, side="right")
    falls = np.flatnonzero(~(values[:-1] <= values[1:]))  # decreases and NaNs
    if falls.size:
        high, low = values[falls], values[falls + 1]
        ordered = np.sort(needle)
        inside = np.searchsorted(ordered, high) > np.searchsorted(ordered, low)
        if np.isnan(high).any() or np.isnan(low).any() or inside.any():
            return np.searchsorted(values, needle, side="right")
    answer = np.asarray(guess, dtype=np.int64).copy()
    above = (answer == 0) | (values[answer - 1] <= needle)  # (ignored where 0)
    below = (answer == n) | (values[np.minimum(answer, n - 1)] > needle)
    rest = np.flatnonzero(~(above & below))
    rest = rest[np.argsort(needle[rest])]
    answer[rest] = np.searchsorted(values, needle[rest], side="right")
    return answer
