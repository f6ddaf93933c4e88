"""Whether a smaller market changes your answer: how much of your specialty you reach.

At ``market.scale`` below 1 a specialty has fewer programs but each program
the same competition, so the same number of applications reaches a larger
share of the specialty, and your chance changes: a US DO senior in
Anesthesiology sending 40 applications matched 44.5% of the time at scale 0.25
against 31.3% at full scale (docs/model.md, section 12).  Reports say so when
your applications reach at least twice the share of a specialty's programs
they would reach in the full market, and more than a quarter of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """Your applications to one specialty against its programs, at this scale and in full."""

    specialty: str
    applications: int
    programs: int  # at this scale
    programs_full: int

    @property
    def share(self) -> float:
        return min(1.0, self.applications / self.programs)

    @property
    def share_full(self) -> float:
        return min(1.0, self.applications / self.programs_full)

    @property
    def distorted(self) -> bool:
        """Whether this scale reaches a much larger share of the specialty than the full market."""
        return self.share > 0.25 and self.share >= 2 * self.share_full


def coverage(you, published, scale: float) -> list[Coverage]:
    """Your main (and backup) specialty's coverage by your applications at ``scale``."""
    programs = published.programs_by_specialty
    out = []
    for specialty in (you.specialty, you.backup_specialty):
        if specialty:
            full = int(programs[specialty])
            out.append(Coverage(
                specialty=specialty, applications=int(you.applications),
                programs=max(1, round(full * scale)), programs_full=full,
            ))  # fmt: skip
    return out


def scale_notes(yous, published, scale: float) -> list[str]:
    """One line per specialty your applications reach far more of than in the full market."""
    if scale >= 1:
        return []
    worst: dict[str, Coverage] = {}
    for you in yous:
        for c in coverage(you, published, scale):
            if c.distorted and (c.specialty not in worst or c.share > worst[c.specialty].share):
                worst[c.specialty] = c
    return [
        f"at scale {scale:g} your {c.applications} applications reach {c.share:.0%} of the "
        f"{c.programs} programs of {c.specialty}, against {c.share_full:.0%} of "
        f"{c.programs_full} in the full market: your chance at this scale can differ from "
        "the full market's; use market.scale = 1 for your answers"
        for c in worst.values()
    ]
