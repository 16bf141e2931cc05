//! The `tollgate` binary: a thin entry point over `tollgate-cli`.

/// mimalloc (v3) instead of the C library's allocator: the run makes millions of small
/// allocations from two threads, and glibc spent up to a quarter of the CPU time on them
/// (docs/performance.md has the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tree_sitter_allocator::install();
    tollgate_cli::main()
}

/// tree-sitter's C core allocates its parse stacks and trees with the C library's
/// `malloc` unless told otherwise: a second allocator beside mimalloc, with its own
/// arenas and its own free lists. Its allocations go to mimalloc too, so that the shell
/// stage's short-lived trees reuse the pages the rest of the run frees, and the C
/// library's heap stays small.
#[allow(unsafe_code)]
mod tree_sitter_allocator {
    use std::ffi::c_void;

    use libmimalloc_sys as mi;

    /// tree-sitter's own allocator aborts when memory runs out; these do the same
    /// (tree-sitter must never see a null pointer for a non-zero size).
    fn checked(p: *mut c_void, size: usize) -> *mut c_void {
        if p.is_null() && size != 0 {
            std::process::abort();
        }
        p
    }

    unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        // SAFETY: mi_malloc takes any size; the result is checked.
        checked(unsafe { mi::mi_malloc(size) }, size)
    }

    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        // SAFETY: mi_calloc checks `count * size` for overflow (null, then abort here).
        checked(
            unsafe { mi::mi_calloc(count, size) },
            count.saturating_mul(size),
        )
    }

    unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
        // SAFETY: `p` is null or was returned by one of these functions (tree-sitter
        // frees and reallocates only what it allocated through them).
        checked(unsafe { mi::mi_realloc(p, size) }, size)
    }

    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: as for `realloc`.
        unsafe { mi::mi_free(p) }
    }

    pub(super) fn install() {
        // SAFETY: the four functions are one allocator family (mimalloc), return
        // malloc-aligned memory and never null for a non-zero size; this runs first in
        // `main`, on the main thread, before any tree-sitter object exists, and once.
        unsafe {
            tree_sitter::set_allocator(Some(tree_sitter::Allocator {
                malloc,
                calloc,
                realloc,
                free,
            }));
        }
    }
}
