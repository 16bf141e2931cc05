//! Static egress inference (work in progress).
