"""Calibrated similarity: how much closer an answer span is to a claim than generic text is.

A raw cosine means different things for different claims and encoders: a short claim about a
common topic sits at 0.4 from almost any sentence about work, a long specific one at 0.1. So a
claim's similarity is read against its background ceiling, the highest cosine the claim reaches
with a fixed set of generic, on-topic-sounding interview sentences that state no particular fact
(written for this purpose, not taken from any graded set); keypoints.py also raises it, per
span, to the span's cosine with the other key points' claims, so restating a sibling key point
does not cover this one. Meaning-only credit ramps from a little below that ceiling to a little
above it ("closer to this claim than to anything generic"), which transfers across topics and
embedders, so a paraphrase in entirely different words earns it. Embeddings barely see negation
and say nothing of how much a span states, so keypoints.py also asks for the claim's polarity and
about as many content words beyond the question as the claim has.
"""

from __future__ import annotations

import numpy as np

from prep_agent.grading.models import Encoder

BACKGROUND: tuple[str, ...] = (
    "I think this is an important part of how the team works day to day.",
    "It helps the company move faster and keeps everyone on the same page.",
    "In my last role I worked closely with engineering and product on this.",
    "There are a lot of moving parts, so communication matters a great deal.",
    "It depends on the situation, but generally it makes things more efficient.",
    "The main idea is to make the system reliable and easy to use.",
    "We used a similar approach at my previous company and it worked well.",
    "It's basically a tool that engineers use to get their work done.",
    "Good planning up front saves a lot of trouble later on.",
    "I would talk to the stakeholders first and understand what they need.",
    "The technology keeps changing, so you have to keep learning.",
    "It is a key concept that every engineer on the team should understand.",
    "Customers care about performance, cost and reliability.",
    "I'd make sure the right people are involved and that risks are tracked.",
    "Data is at the center of most of these decisions.",
    "This is one of those things that sounds simple but gets complicated at scale.",
    "There are trade-offs, and you have to pick what matters most for the business.",
    "Security and compliance are always part of the conversation.",
    "I'm not an expert, but I know the basics and how it fits together.",
    "The goal is to deliver value to users as quickly as possible.",
    "Teams need clear ownership and good documentation.",
    "Monitoring tells you when something goes wrong so you can react.",
    "The hardware and the software have to work well together.",
    "It scales with the size of the organisation and the workload.",
    "You measure success with a few clear metrics and review them regularly.",
    "Cloud platforms make it easier to get started without buying servers.",
    "Most problems come from unclear requirements rather than the technology.",
    "I'd prioritise the work based on impact and effort.",
    "Automation removes a lot of manual, error-prone steps.",
    "Plants and animals depend on each other in many ways.",
    "The process has several stages, each with its own inputs and outputs.",
    "Latency and throughput are both important for a good user experience.",
    "Budget and timelines usually drive the final decision.",
    "Open source tools are widely used for this kind of work.",
    "Training people on the new process takes time and patience.",
    # Technical statements with specifics but no particular claim: jargon alone is not meaning.
    "It has a fast chip, a lot of memory and a high-speed interconnect.",
    "Engineers write code, fix bugs and maintain the drivers and libraries.",
    "The new version adds more cores, more bandwidth and a bigger cache.",
    "You configure it with a few settings files and command-line flags.",
    "The servers sit in racks with their own networking, storage and power.",
    "It runs on Linux and supports the common frameworks and APIs.",
    "The model was trained on a large dataset and evaluated on benchmarks.",
    "We track tickets, sprints and releases in a shared dashboard.",
)


def background_vectors(encoder: Encoder) -> np.ndarray:
    """The background sentences embedded (through the encoder's cache when it has one)."""
    cached = getattr(encoder, "encode_cached", None)
    texts = list(BACKGROUND)
    vecs = cached(texts) if callable(cached) else encoder.encode(texts, batch_size=8)
    return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)


def ceilings(claim_vecs: np.ndarray, background: np.ndarray, rank: int = 1) -> np.ndarray:
    """Each claim's rank-th highest cosine with the background (how close generic text gets)."""
    if len(claim_vecs) == 0 or len(background) == 0:
        return np.zeros(len(claim_vecs), dtype=np.float32)
    sims = np.sort(claim_vecs @ background.T, axis=1)
    return np.asarray(sims[:, -min(max(1, rank), sims.shape[1])], dtype=np.float32)


def calibrated(sim: float, ceiling: float) -> float:
    """The share of the distance from the background ceiling to a perfect match covered."""
    return (sim - ceiling) / max(1e-6, 1.0 - ceiling)
