//! Lists and contact ↔ list memberships (reference §4).
