//! Lockfile and registry-configuration parsers (work in progress).
