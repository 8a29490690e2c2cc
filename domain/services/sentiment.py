"""Sentiment of free text, from VADER (vaderSentiment), which ships its own validated lexicon and rules.

The seed's analyzeSentiment counted 14 hand-picked words at ±0.1 each; it missed negation
("not happy"), punctuation ("excellent." did not match "excellent"), intensity ("very",
"!!!") and every word outside its list. VADER's compound score handles those and is already
normalised to −1…1, which is exactly the range `activity.sentiment` holds.

The analyzer loads its lexicon once (lazily, on first use, thread-safe) and is shared.
"""

from __future__ import annotations

import threading
from typing import Literal

# VADER's own convention for the compound score: ≥ 0.05 positive, ≤ −0.05 negative.
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05

_analyzer = None
_lock = threading.Lock()


def _get_analyzer():
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


def sentiment_score(text: str | None) -> float | None:
    """VADER's compound score of `text` in [−1, 1], rounded to 4 places; None for empty or blank text."""
    if text is None or not text.strip():
        return None
    compound = _get_analyzer().polarity_scores(text)["compound"]
    return round(max(-1.0, min(1.0, float(compound))), 4)


def sentiment_label(score: float | None) -> Literal["positive", "neutral", "negative"] | None:
    """positive (≥ 0.05), negative (≤ −0.05) or neutral in between; None when not scored."""
    if score is None:
        return None
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_TO:
        return "negative"
    return "neutral"
