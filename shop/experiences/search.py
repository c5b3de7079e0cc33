"""Experiences on the search page (``search.kinds.other_kinds``; docs/search.md, Other
kinds): the published experiences with an open session (on the days asked for, in the
province chosen) whose text matches the query, best first, each with its next session.

Their words are cut once per version of the experience (its ``updated_at``) and kept
per process, with the list of published experiences, read again at most every
``EXPERIENCE_SEARCH_CACHE_SECONDS``: a search whose words match none of them costs no query at all.
The sessions (the days, the seats) of those that match are read at each search, so a
new session or a full one shows at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import selectinload

from shop.experiences import listing
from shop.experiences.models import Experience, ExperienceSession
from shop.experiences.services import photo_url
from shop.extensions import db
from shop.geo import province_by_code
from shop.search import kinds

#: The most experiences one search reads (all of them, at the market's size).
MAX_CANDIDATES = 2000
_documents: dict[int, tuple[datetime | None, kinds.TextDocument]] = {}
_published: tuple[float, int, dict[int, tuple[str, kinds.TextDocument]]] | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class ExperienceHit:
    experience: Experience
    session: ExperienceSession  # the next open one (on the days asked for)
    photo_url: str | None  # the cover at card size


def _document(experience: Experience) -> kinds.TextDocument:
    stamp = experience.updated_at
    with _lock:
        known = _documents.get(experience.id)
    if known is not None and known[0] == stamp:
        return known[1]
    province = province_by_code(experience.province_code)
    document = kinds.text_document(
        name=[experience.title_th, experience.title_en],
        place=[experience.village, experience.subdistrict, experience.district,
               province.name_th if province else None, province.name_en if province else None],
        enterprise=[experience.enterprise.name_th, experience.enterprise.name_en],
        description=[experience.description_th, experience.description_en, experience.included_th,
                     experience.included_en],
    )
    with _lock:
        _documents[experience.id] = (stamp, document)
    return document


def _published_documents() -> dict[int, tuple[str, kinds.TextDocument]]:
    """Every published experience's province and words, kept
    ``EXPERIENCE_SEARCH_CACHE_SECONDS`` (per app)."""
    global _published
    now = time.monotonic()
    app_id = id(current_app._get_current_object())
    with _lock:
        kept = _published
    if kept is not None and kept[1] == app_id and now - kept[0] < current_app.config["EXPERIENCE_SEARCH_CACHE_SECONDS"]:
        return kept[2]
    rows = db.session.scalars(listing.published_experiences().options(selectinload(Experience.enterprise))
                              .limit(MAX_CANDIDATES))
    found = {e.id: (e.province_code, _document(e)) for e in rows}
    with _lock:
        _published = (now, app_id, found)
    return found


def _days(query: kinds.KindQuery) -> listing.DayRange | None:
    if query.when:
        return listing.window(query.when)
    if query.day is not None:
        return listing.DayRange(query.day, query.day)
    return None


def search_experiences(query: kinds.KindQuery) -> kinds.KindResults | None:
    """The handler of ``search.kinds.other_kinds``."""
    if "experiences.detail" not in current_app.view_functions:
        return None
    days = _days(query)
    documents = {key: document for key, (province_code, document) in _published_documents().items()
                 if query.province_code is None or province_code == query.province_code}
    matched = [key for key, _score in kinds.match(query.plan, documents)]
    candidates = {e.id: e for e in db.session.scalars(
        listing.published_experiences(province_code=query.province_code, days=days, upcoming_only=True)
        .where(Experience.id.in_(matched))
        .options(selectinload(Experience.enterprise)))} if matched else {}
    found = [key for key in matched if key in candidates]
    shown = [candidates[key] for key in found[:kinds.SHOWN]]
    sessions = listing.open_sessions(shown, days=days, limit=1)
    hits = [ExperienceHit(e, sessions[e.id][0], photo_url(e.photos[0]) if e.photos else None)
            for e in shown if sessions[e.id]]
    return kinds.KindResults(kind=kinds.EXPERIENCES, label=str(kinds.KIND_LABELS[kinds.EXPERIENCES]),
                             total=len(found), hits=hits, template="experiences/_search_hits.html")

