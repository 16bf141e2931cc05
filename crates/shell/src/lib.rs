//! Analysis of `run:` scripts (work in progress).
