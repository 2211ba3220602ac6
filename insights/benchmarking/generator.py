"""A repository at scale: tags, studies, participants, observations (with NPS answers),
insights with evidence, and decisions, from one seed.

Rows get explicit ids (1..n per table) so that one pass can refer to another without reading
back; observations are written study by study, as imports arrive. Tag use follows Zipf's law
(a few tags label much of the repository, most are used rarely), and text comes from
``text.TextMaker``.
"""

import hashlib
import json
import random
import time
from array import array
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from .. import models
from ..confidence import EvidenceSummary
from ..text import make_slug, normalize_name
from . import writers
from .text import TAG_BASES, TAG_GROUP_SHARES, TAG_MODIFIERS, TextMaker

ZIPF_EXPONENT = 1.07
FIRST_DAY = date(2021, 1, 1).toordinal()
DAYS = 6 * 365
OWNER_NAMES = [f"researcher-{n:02}" for n in range(1, 9)]
METHODS = [choice for choice, _label in models.Study.Method.choices]
METHOD_LABELS_RU = {
    "interview": "Глубинные интервью",
    "survey": "Опрос",
    "metric_survey": "NPS-опрос",
    "usability_test": "Юзабилити-тест",
    "support_tickets": "Анализ обращений",
    "review_analysis": "Анализ отзывов",
    "call_audit": "Аудит звонков",
}


@dataclass
class Sizes:
    """How many of each; the defaults are the sizes of the performance targets."""

    studies: int = 5_000
    observations: int = 1_000_000
    insights: int = 100_000
    tags: int = 2_000
    participants: int = 20_000

    def scaled(self, factor: float) -> "Sizes":
        return Sizes(**{k: max(1, round(v * factor)) for k, v in asdict(self).items()})


def stamp(day: int, seconds: int = 0) -> str:
    """A naive UTC timestamp as text (both databases read it as UTC)."""
    moment = datetime.fromordinal(day) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class Zipf:
    """Draws ids with probability falling as 1/rank^s; the ranks are a seeded shuffle."""

    def __init__(self, ids: list[int], rng: random.Random, exponent: float = ZIPF_EXPONENT):
        self.ids = list(ids)
        rng.shuffle(self.ids)
        total, self.cum = 0.0, []
        for rank in range(1, len(self.ids) + 1):
            total += 1 / rank**exponent
            self.cum.append(total)

    def draw(self, rng: random.Random, k: int) -> list[int]:
        if not self.ids or k <= 0:
            return []
        return list(dict.fromkeys(rng.choices(self.ids, cum_weights=self.cum, k=k)))


class Generator:
    def __init__(self, sizes: Sizes, seed: int = 1, log=print):
        self.sizes, self.seed, self.log = sizes, seed, log
        self.counts: dict[str, int] = {}

    def rng(self, part: int) -> random.Random:
        """An independent random stream per pass: one pass's change leaves the others be."""
        return random.Random(self.seed * 1_000 + part)

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self.owners = self._owners()
            for step in (
                self._tags,
                self._studies,
                self._participants,
                self._observations,
                self._insights,
                self._decisions,
            ):
                started = time.perf_counter()
                step()
                self.log(f"  {step.__name__.strip('_')}: {time.perf_counter() - started:.1f} s")
            writers.finish()
        return self.counts

    def _write(self, model, columns, rows) -> int:
        count = writers.insert(model, columns, rows)
        key = model._meta.db_table.removeprefix("insights_")
        self.counts[key] = self.counts.get(key, 0) + count
        return count

    def _owners(self) -> list[int]:
        User = get_user_model()
        ids = []
        for name in OWNER_NAMES:
            user, created = User.objects.get_or_create(username=name)
            if created:
                user.set_unusable_password()
                user.save()
            ids.append(user.pk)
        return ids

    # Tags ------------------------------------------------------------------------------------

    def _tags(self) -> None:
        rng = self.rng(1)
        groups = dict(models.TagGroup.objects.values_list("slug", "pk"))
        used: set[str] = set(models.TagAlias.objects.values_list("normalized_name", flat=True))
        slugs: set[str] = set()
        tags, aliases, self.tag_group, id_of = [], [], {}, {}
        for slug, share in TAG_GROUP_SHARES.items():
            want = max(1, round(self.sizes.tags * share))
            for name, alias, parent in _tag_names(slug, want):
                if len(tags) >= self.sizes.tags:
                    break
                if normalize_name(name) in used:
                    continue
                used.add(normalize_name(name))
                tag_id = len(tags) + 1
                parent_id = id_of.get(parent)
                id_of[name] = tag_id
                tag_slug = _unique_slug(make_slug(name, 55), slugs)
                tags.append((tag_id, name, parent_id, groups[slug], tag_slug))
                self.tag_group[tag_id] = slug
                if alias and normalize_name(alias) not in used and rng.random() < 0.6:
                    used.add(normalize_name(alias))
                    aliases.append((len(aliases) + 1, alias, normalize_name(alias), tag_id))
        now = stamp(FIRST_DAY)
        self._write(
            models.Tag,
            ["id", "name", "normalized_name", "slug", "group_id", "parent_id", "description",
             "position", "created_at"],
            ((i, n, normalize_name(n), s, g, p, "", 0, now) for i, n, p, g, s in tags),
        )  # fmt: skip
        self._write(models.TagAlias, ["id", "name", "normalized_name", "tag_id"], aliases)
        ids = [t[0] for t in tags]
        self.zipf = Zipf(ids, rng)
        segments = [t for t in ids if self.tag_group[t] == "segment"] or ids
        self.segment_zipf = Zipf(segments, rng)

    # Studies and participants ----------------------------------------------------------------

    def _studies(self) -> None:
        rng, text = self.rng(2), TextMaker(self.rng(2))
        self.study_method, self.study_days = [], []
        rows, tag_rows = [], []
        for study_id in range(1, self.sizes.studies + 1):
            method = rng.choice(METHODS)
            start = FIRST_DAY + rng.randrange(DAYS - 60)
            length = rng.randint(5, 60)
            self.study_method.append(method)
            self.study_days.append((start, length))
            title = text.study_title(METHOD_LABELS_RU.get(method, method.replace("_", " ")))
            status = rng.choices(["completed", "in_progress", "archived"], [8, 1, 1])[0]
            rows.append(
                (study_id, f"{title}, волна {study_id}", f"study-{study_id}",
                 text.research_questions(), method, status, date.fromordinal(start).isoformat(),
                 date.fromordinal(start + length).isoformat(), rng.choice(self.owners),
                 rng.choice(["CX", "Продукт", "Исследования"]), text.observation(), "",
                 stamp(start), stamp(start + length))
            )  # fmt: skip
            for tag_id in self.zipf.draw(rng, rng.randint(1, 3)):
                tag_rows.append((len(tag_rows) + 1, study_id, tag_id))
        self._write(
            models.Study,
            ["id", "title", "slug", "research_questions", "method", "status", "started_on",
             "finished_on", "owner_id", "team", "summary", "report_url", "created_at",
             "updated_at"],
            rows,
        )  # fmt: skip
        self._write(models.Study.tags.through, ["id", "study_id", "tag_id"], tag_rows)

    def _participants(self) -> None:
        rng = self.rng(3)
        rows = [
            (n, f"P-{n:06}", "", None, stamp(FIRST_DAY))
            for n in range(1, self.sizes.participants + 1)
        ]
        self._write(
            models.Participant, ["id", "code", "notes", "consent_expires_on", "created_at"], rows
        )
        tag_rows = (
            (0, n, tag_id)
            for n in range(1, self.sizes.participants + 1)
            for tag_id in self.segment_zipf.draw(rng, rng.randint(1, 2))
        )
        self._write(
            models.Participant.tags.through,
            ["id", "participant_id", "tag_id"],
            ((i, p, t) for i, (_, p, t) in enumerate(tag_rows, start=1)),
        )

    # Observations ----------------------------------------------------------------------------

    def _observations(self) -> None:
        n, studies = self.sizes.observations, self.sizes.studies
        # Observation ids run study by study: study s holds ids first[s] .. first[s + 1] - 1.
        weights = [random.Random(self.seed + s).paretovariate(1.5) for s in range(studies)]
        scale = n / sum(weights)
        self.first = array("l", [1])
        for s in range(studies):
            remaining = n + 1 - self.first[-1]
            share = remaining if s == studies - 1 else min(remaining, round(weights[s] * scale))
            self.first.append(self.first[-1] + share)
        self.obs_participant = array("l", bytes(8 * (n + 1)))
        self._write(
            models.Observation,
            ["id", "study_id", "kind", "text", "participant_id", "observed_on", "source_url",
             "source_ref", "external_id", "metric", "score", "scrubbed_count", "content_hash",
             "created_by_id", "created_at", "updated_at"],
            self._observation_rows(),
        )  # fmt: skip
        rng = self.rng(5)
        tag_rows = (
            (obs_id, tag_id)
            for obs_id in range(1, n + 1)
            for tag_id in self.zipf.draw(rng, int(rng.random() * 2.6))
        )
        self._write(
            models.Observation.tags.through,
            ["id", "observation_id", "tag_id"],
            ((i, o, t) for i, (o, t) in enumerate(tag_rows, start=1)),
        )

    def _observation_rows(self):
        rng, text = self.rng(4), TextMaker(self.rng(4))
        participants = self.sizes.participants
        kinds = ["quote", "note", "survey_answer", "support_ticket", "review"]
        for s in range(self.sizes.studies):
            start, length = self.study_days[s]
            metric_share = 0.8 if self.study_method[s] == "metric_survey" else 0.03
            for obs_id in range(self.first[s], self.first[s + 1]):
                participant = rng.randint(1, participants) if rng.random() < 0.85 else None
                self.obs_participant[obs_id] = participant or 0
                day = start + rng.randint(0, length)
                metric, score, kind = "", None, rng.choice(kinds)
                if rng.random() < metric_share:
                    # NPS answers lean to the ends of the scale, as real ones do.
                    kind, metric = "metric", "nps"
                    score = rng.choice([0, 2, 5, 6, 7, 8, 8, 9, 9, 10, 10, 10])
                body = "" if metric and rng.random() < 0.4 else text.observation()
                code = f"P-{participant:06}" if participant else ""
                observed = date.fromordinal(day).isoformat()
                fingerprint = "\x1f".join(
                    [kind, body, code, observed, metric, "" if score is None else str(score),
                     "", ""]
                )  # fmt: skip
                yield (
                    obs_id, s + 1, kind, body, participant, observed, "", "", f"gen-{obs_id}",
                    metric, score, 0, hashlib.sha256(fingerprint.encode()).hexdigest(), None,
                    stamp(day, 36_000), stamp(day, 36_000),
                )  # fmt: skip

    # Insights, evidence, decisions -------------------------------------------------------------

    def _insights(self) -> None:
        evidence_rows: list[tuple] = []
        self._write(
            models.Insight,
            ["id", "statement", "details", "status", "superseded_by_id", "review_by", "owner_id",
             "confidence", "supporting_count", "contradicting_count", "participant_count",
             "study_count", "methods", "created_at", "updated_at", "published_at"],
            self._insight_rows(evidence_rows),
        )  # fmt: skip
        self._write(
            models.Evidence,
            ["id", "insight_id", "observation_id", "relation", "note", "created_at"],
            evidence_rows,
        )
        rng = self.rng(7)
        tag_rows = (
            (insight_id, tag_id)
            for insight_id in range(1, self.sizes.insights + 1)
            for tag_id in self.zipf.draw(rng, rng.randint(1, 4))
        )
        self._write(
            models.Insight.tags.through,
            ["id", "insight_id", "tag_id"],
            ((i, n, t) for i, (n, t) in enumerate(tag_rows, start=1)),
        )

    def _insight_rows(self, evidence_rows: list):
        rng, text = self.rng(6), TextMaker(self.rng(6))
        studies, n_obs = self.sizes.studies, self.sizes.observations
        for insight_id in range(1, self.sizes.insights + 1):
            home = rng.randrange(studies)
            picked: dict[int, str] = {}
            for _ in range(1 + int(19 * rng.random() ** 2.5)):
                s = home if rng.random() < 0.7 else rng.randrange(studies)
                low, high = self.first[s], self.first[s + 1]
                obs = rng.randrange(low, high) if high > low else rng.randint(1, n_obs)
                picked.setdefault(obs, "supports" if rng.random() < 0.9 else "contradicts")
            supporting = [o for o, relation in picked.items() if relation == "supports"]
            study_of = [self._study_of(o) for o in supporting]
            summary = EvidenceSummary(
                supporting=len(supporting),
                contradicting=len(picked) - len(supporting),
                participants=len({self.obs_participant[o] for o in supporting} - {0}),
                studies=len(set(study_of)),
                methods=tuple(sorted({self.study_method[s] for s in study_of})),
            )
            day = FIRST_DAY + rng.randrange(DAYS)
            created, updated = stamp(day, rng.randrange(86_400)), stamp(day + rng.randrange(60))
            status = rng.choices(["published", "draft", "superseded", "archived"], [60, 25, 10, 5])
            status = status[0] if insight_id > 1 or status[0] in ("published", "draft") else "draft"
            successor = rng.randint(1, insight_id - 1) if status == "superseded" else None
            for obs, relation in picked.items():
                evidence_rows.append(
                    (len(evidence_rows) + 1, insight_id, obs, relation, "", created)
                )
            yield (
                insight_id, text.insight()[:280], text.details(), status, successor,
                date.fromordinal(day + 365).isoformat() if rng.random() < 0.3 else None,
                rng.choice(self.owners), summary.grade(), summary.supporting,
                summary.contradicting, summary.participants, summary.studies,
                json.dumps(list(summary.methods)), created, updated,
                updated if status == "published" else None,
            )  # fmt: skip

    def _study_of(self, obs_id: int) -> int:
        """The study index of an observation (binary search over the blocks)."""
        low, high = 0, len(self.first) - 1
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if self.first[middle] <= obs_id else (low, middle)
        return low

    def _decisions(self) -> None:
        rng, text = self.rng(8), TextMaker(self.rng(8))
        count = max(1, self.sizes.insights // 20)
        rows, links, changes = [], [], []
        statuses = [choice for choice, _label in models.Decision.Status.choices]
        for decision_id in range(1, count + 1):
            day = FIRST_DAY + rng.randrange(DAYS)
            status = rng.choice(statuses)
            decided = date.fromordinal(day).isoformat()
            rows.append(
                (decision_id, text.decision(), "", status, decided, rng.choice(self.owners), "",
                 "", "", decided if status == "shipped" else None, stamp(day), stamp(day))
            )  # fmt: skip
            for insight_id in {rng.randint(1, self.sizes.insights) for _ in range(3)}:
                links.append((len(links) + 1, decision_id, insight_id))
            changes.append((decision_id, decision_id, "", status, stamp(day), None, ""))
        self._write(
            models.Decision,
            ["id", "title", "description", "status", "decided_on", "owner_id", "external_url",
             "outcome", "target_metric", "shipped_on", "created_at", "updated_at"],
            rows,
        )  # fmt: skip
        self._write(models.Decision.insights.through, ["id", "decision_id", "insight_id"], links)
        self._write(
            models.DecisionStatusChange,
            ["id", "decision_id", "from_status", "to_status", "changed_at", "changed_by_id",
             "note"],
            changes,
        )  # fmt: skip


def _tag_names(group: str, want: int):
    """(name, English alias, parent name) for a group: the bases first, then narrower tags
    "base: modifier" under them, then numbered variants if a large size asks for more."""
    bases = TAG_BASES[group]
    for name, alias in bases:
        yield name, alias, None
    made, round_ = len(bases), 0
    while made < want:
        round_ += 1
        for modifier, modifier_en in TAG_MODIFIERS:
            for name, alias in bases:
                suffix = f" {round_}" if round_ > 1 else ""
                yield f"{name}: {modifier}{suffix}", f"{alias}: {modifier_en}{suffix}", name
                made += 1
                if made >= want:
                    return


def _unique_slug(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate
