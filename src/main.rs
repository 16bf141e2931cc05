//! The `tollgate` binary: a thin entry point over `tollgate-cli`.

/// mimalloc (v3) instead of the C library's allocator: the run makes millions of small
/// allocations from two threads, and glibc spent up to a quarter of the CPU time on them
/// (docs/performance.md has the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tollgate_cli::main()
}
