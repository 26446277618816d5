//! Host package for the workspace recipes (`examples/`) and end-to-end tests (`tests/`).
