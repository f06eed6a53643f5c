"""One matcher for every detector of bench/bench_quality.py.

A detection is ``(first, last, start)``: the frames its transition spans and the first frame of the
new shot (a detector that only names a frame gives ``(f, f, f)``). A detection spanning at most two
frames is cut-like, anything longer gradual-like; that decides which class an unmatched detection
counts against.

* a true cut at frame c is found by a detection with ``|start - c| <= 1``;
* a true gradual transition (first..last) is found by a detection whose span overlaps
  first-1..last+1 (a point detection just past the end of a dissolve still counts);
* every truth entry and every detection is matched at most once, closest first; a second detection
  inside the same transition is a false positive. ``repeats`` counts those apart (a fade through
  black read as a fade-out and a fade-in, as TransNetV2 often does): the table's ``P'`` forgives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    truth: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.truth += other.truth

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    cuts: Counts = field(default_factory=Counts)
    gradual: Counts = field(default_factory=Counts)
    missed: list[dict] = field(default_factory=list)
    false: list[tuple[int, int, int]] = field(default_factory=list)
    repeats: int = 0
    """False positives that lie inside a transition another detection found."""

    @property
    def all(self) -> Counts:
        c = Counts()
        c.add(self.cuts)
        c.add(self.gradual)
        return c

    def add(self, other: "Score") -> None:
        self.cuts.add(other.cuts)
        self.gradual.add(other.gradual)
        self.missed += other.missed
        self.false += other.false
        self.repeats += other.repeats

    @property
    def lenient_precision(self) -> float:
        a = self.all
        return a.tp / (a.tp + a.fp - self.repeats) if a.tp + a.fp - self.repeats else 1.0


def match(detections: list[tuple[int, int, int]], truth: list[dict]) -> Score:
    free = sorted(set(detections), key=lambda d: d[2])
    score = Score()
    found: list[dict] = []
    for t in sorted(truth, key=lambda t: t["first"]):
        if t["kind"] == "cut":
            score.cuts.truth += 1
            near = [d for d in free if abs(d[2] - t["start"]) <= 1]
            key = lambda d: abs(d[2] - t["start"])  # noqa: E731
            counts = score.cuts
        else:
            score.gradual.truth += 1
            near = [d for d in free if d[1] >= t["first"] - 1 and d[0] <= t["last"] + 1]
            centre = (t["first"] + t["last"]) / 2
            key = lambda d: abs((d[0] + d[1]) / 2 - centre)  # noqa: E731
            counts = score.gradual
        if near:
            free.remove(min(near, key=key))
            counts.tp += 1
            found.append(t)
        else:
            score.missed.append(t)
    for d in free:
        (score.cuts if d[1] - d[0] <= 1 else score.gradual).fp += 1
        score.false.append(d)
        score.repeats += any(d[1] >= t["first"] - 1 and d[0] <= t["last"] + 1 for t in found)
    return score
