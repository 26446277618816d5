//! Custom field resolution and value encoding (filled in with part 2).
