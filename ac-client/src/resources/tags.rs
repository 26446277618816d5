//! Tags and contact ↔ tag associations (reference §3).
