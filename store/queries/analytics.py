"""SQL aggregates for pipeline analytics: conversion, velocity, win/loss, sources, reps, MRR."""

from __future__ import annotations


class AnalyticsQueries:
    """Reached as `store.analytics`."""
