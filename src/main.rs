//! The `tollgate` binary: a thin entry point over `tollgate-cli`, with the allocator of
//! `tollgate-alloc`.

#[global_allocator]
static ALLOCATOR: tollgate_alloc::Allocator = tollgate_alloc::Allocator;

fn main() -> std::process::ExitCode {
    tollgate_alloc::install_for_tree_sitter();
    tollgate_cli::main()
}
