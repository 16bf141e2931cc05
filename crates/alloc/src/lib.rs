//! The allocator tollgate runs with, shared by the binary (`src/main.rs`) and the
//! benchmarks' counting allocator, so that both measure the same thing.
//!
//! jemalloc instead of the C library's allocator: the run makes millions of small
//! allocations from several threads; glibc spent up to a quarter of the CPU time on them,
//! and jemalloc holds the least memory of the allocators measured at the same speed
//! (docs/performance.md has the figures). jemalloc does not build for MSVC: Windows
//! keeps mimalloc. A program installs [`Allocator`] as its global allocator and calls
//! [`install_for_tree_sitter`] first thing in `main`.

/// The allocator to install: jemalloc with small blocks grown by moving.
#[cfg(not(target_env = "msvc"))]
pub use jemalloc_grow::Jemalloc as Allocator;
/// The allocator to install: mimalloc, called directly.
#[cfg(target_env = "msvc")]
pub use mimalloc_direct::Mimalloc as Allocator;

/// Route tree-sitter's C allocations to [`Allocator`]'s family; call once, first in
/// `main`, before any tree-sitter object exists.
pub fn install_for_tree_sitter() {
    tree_sitter_allocator::install();
}

/// jemalloc, with small blocks grown by allocating, copying and freeing. A vector or
/// string that grows by doubling crosses a size class each time, so jemalloc's `realloc`
/// always moves it, but through a general path (about 480 instructions a call, 290,000
/// calls and 8 % of the instructions of a check of the corpus's 521 workflows) where a new
/// block from the thread's cache, a copy and a sized free cost a fraction of that. Large
/// blocks, which jemalloc can extend where they are, and shrinking keep its `realloc`.
#[cfg(not(target_env = "msvc"))]
#[allow(unsafe_code)]
mod jemalloc_grow {
    use std::alloc::{GlobalAlloc, Layout};

    /// Up to here a block grows by moving: below jemalloc's smallest large size class on
    /// every page size it is built with (16 KiB with 4 KiB pages).
    const MOVE_UP_TO: usize = 8 * 1024;

    pub struct Jemalloc;

    // SAFETY: every block comes from and goes back to `tikv_jemallocator::Jemalloc` with
    // the layout it was allocated with; a grown block is a new one of the new size and
    // the same alignment, holding the old block's bytes, the old one freed once.
    unsafe impl GlobalAlloc for Jemalloc {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's layout, passed on.
            unsafe { tikv_jemallocator::Jemalloc.alloc(layout) }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as `alloc`.
            unsafe { tikv_jemallocator::Jemalloc.alloc_zeroed(layout) }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was allocated by this allocator with `layout`.
            unsafe { tikv_jemallocator::Jemalloc.dealloc(ptr, layout) }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if new_size <= layout.size() || new_size > MOVE_UP_TO {
                // SAFETY: the caller's block, layout and size, passed on.
                return unsafe { tikv_jemallocator::Jemalloc.realloc(ptr, layout, new_size) };
            }
            // SAFETY: `new_size` is non-zero (it exceeds the old size) and, being at most
            // `MOVE_UP_TO`, cannot overflow when rounded up to the old alignment.
            let grown = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: a fresh block of `grown`; the old block holds `layout.size()`
            // readable bytes and the new one room for more; the two do not overlap; the
            // old block is freed once, with its layout, after the copy.
            unsafe {
                let new = self.alloc(grown);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size());
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

/// The allocator's blocks, of every size and alignment, grown and shrunk.
#[cfg(test)]
#[allow(unsafe_code)]
mod allocator_tests {
    use std::alloc::{GlobalAlloc, Layout};

    /// Blocks of every size from one byte to a megabyte, asked for with each alignment up
    /// to a page, come back aligned, hold what was written (or zeros), and keep it through
    /// growing (across the size where growing stops moving) and shrinking.
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes() {
        let a = &super::Allocator;
        let sizes = (1..=200).chain([1000, 4095, 4096, 5000, 8191, 8192, 70_000, 1 << 20]);
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in sizes.clone() {
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: a non-zero size; every block is freed once, with its layout.
                unsafe {
                    let p = if size % 2 == 0 {
                        a.alloc(layout)
                    } else {
                        a.alloc_zeroed(layout)
                    };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    if size % 2 == 1 {
                        assert!((0..size).all(|k| *p.add(k) == 0));
                    }
                    for k in 0..size {
                        *p.add(k) = (k % 251) as u8;
                    }
                    // Grown by one byte, to twice and to three times the size, then
                    // shrunk to half the original.
                    let mut p = p;
                    let mut have = layout;
                    for new in [size + 1, size * 2, size * 3, (size / 2).max(1)] {
                        p = a.realloc(p, have, new);
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "to {new} bytes, align {align}");
                        // The bytes written at first, as far as the block still holds.
                        let kept = size.min(new);
                        assert!((0..kept).all(|k| *p.add(k) == (k % 251) as u8));
                        have = Layout::from_size_align(new, align).expect("layout");
                    }
                    a.dealloc(p, have);
                }
            }
        }
    }
}

/// jemalloc's options, read once when it starts (before `main`): one arena for all
/// threads. By default jemalloc gives each thread one of four arenas per processor, and
/// each arena keeps its own partly used pages of every size class: on the corpus's 521
/// workflows one arena holds 2 MB less at the peak than the default, at the same speed
/// (the threads' caches serve most allocations without touching the arena). `MALLOC_CONF`
/// is read after this, under the name `_RJEM_MALLOC_CONF`, and overrides it.
#[cfg(not(target_env = "msvc"))]
#[allow(unsafe_code)]
mod jemalloc_options {
    /// The option string, NUL-terminated as jemalloc reads it.
    const OPTIONS: &std::ffi::CStr = c"narenas:1";

    /// jemalloc reads the global `malloc_conf` (under the prefix the crate builds it
    /// with) as an optional pointer to a C string.
    #[repr(transparent)]
    pub(super) struct Options(Option<&'static std::ffi::c_char>);

    // SAFETY: the pointer is to a string in read-only memory that nothing writes.
    unsafe impl Sync for Options {}

    // SAFETY: the name is the one the `tikv-jemalloc-sys` build of jemalloc reads
    // (`_rjem_` prefix); the value has the type it reads (`const char *`, nullable),
    // points at a NUL-terminated string with static lifetime, and is never written.
    #[unsafe(export_name = "_rjem_malloc_conf")]
    pub(super) static MALLOC_CONF: Options = Options(Some(
        // SAFETY: `OPTIONS` is a static C string; its first byte is a valid reference.
        unsafe { &*OPTIONS.as_ptr() },
    ));

    #[cfg(test)]
    mod tests {
        /// jemalloc took the option: the test binary links this module too, so jemalloc
        /// started with one arena (the default would be four per processor).
        #[test]
        fn jemalloc_runs_with_one_arena() {
            let mut narenas: u32 = 0;
            let mut len = std::mem::size_of::<u32>();
            // SAFETY: `opt.narenas` is an unsigned int; the output buffer is one, with
            // its length; nothing is written.
            let rc = unsafe {
                tikv_jemalloc_sys::mallctl(
                    c"opt.narenas".as_ptr(),
                    (&raw mut narenas).cast(),
                    &raw mut len,
                    std::ptr::null_mut(),
                    0,
                )
            };
            assert_eq!(rc, 0);
            assert_eq!(narenas, 1);
            let conf = super::MALLOC_CONF.0.map(|p| {
                // SAFETY: the pointer is the start of `OPTIONS`, a NUL-terminated string.
                unsafe { std::ffi::CStr::from_ptr(p) }
            });
            assert_eq!(conf, Some(super::OPTIONS));
        }
    }
}

/// mimalloc called directly. The `mimalloc` crate's allocator asks for every block with
/// its alignment (`mi_malloc_aligned`), a slower path than `mi_malloc` that nearly every
/// allocation here does not need: mimalloc's blocks are word-aligned whatever their size,
/// and almost all of the run's types (strings, vectors of words and pointers) ask for no
/// more. Those go to the plain functions, the rest to the aligned ones.
#[cfg(target_env = "msvc")]
#[allow(unsafe_code)]
mod mimalloc_direct {
    use std::alloc::{GlobalAlloc, Layout};
    use std::ffi::c_void;

    use libmimalloc_sys as mi;

    /// The alignment every mimalloc block has (a word), so the plain functions serve it.
    const PLAIN: usize = std::mem::size_of::<usize>();

    pub struct Mimalloc;

    // SAFETY: each function returns a block of at least `layout.size()` bytes aligned to
    // `layout.align()` (the plain functions for alignments of a word or less, which every
    // mimalloc block has; the aligned ones otherwise), or null; every block is freed and
    // reallocated by mimalloc, which finds its page from the pointer alone, and
    // reallocation keeps the original alignment in the same way.
    unsafe impl GlobalAlloc for Mimalloc {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: see the impl.
            unsafe {
                if layout.align() <= PLAIN {
                    mi::mi_malloc(layout.size()).cast()
                } else {
                    mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
                }
            }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: see the impl.
            unsafe {
                if layout.align() <= PLAIN {
                    mi::mi_zalloc(layout.size()).cast()
                } else {
                    mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
                }
            }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: `ptr` came from this allocator.
            unsafe { mi::mi_free(ptr.cast::<c_void>()) }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `ptr` came from this allocator with `layout`; see the impl.
            unsafe {
                if layout.align() <= PLAIN {
                    mi::mi_realloc(ptr.cast(), new_size).cast()
                } else {
                    mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
                }
            }
        }
    }
}

/// tree-sitter's C core allocates its parse stacks and trees with the C library's
/// `malloc` unless told otherwise: a second allocator beside the run's, with its own
/// arenas and its own free lists. Its allocations go to the run's allocator too (jemalloc,
/// or mimalloc on Windows), so that the shell stage's short-lived trees reuse the pages
/// the rest of the run frees, and the C library's heap stays small.
#[allow(unsafe_code)]
mod tree_sitter_allocator {
    use std::ffi::c_void;

    #[cfg(target_env = "msvc")]
    use libmimalloc_sys::{
        mi_calloc as c_calloc, mi_free as c_free, mi_malloc as c_malloc, mi_realloc as c_realloc,
    };
    #[cfg(not(target_env = "msvc"))]
    use tikv_jemalloc_sys::{
        calloc as c_calloc, free as c_free, malloc as c_malloc, realloc as c_realloc,
    };

    /// tree-sitter's own allocator aborts when memory runs out; these do the same
    /// (tree-sitter must never see a null pointer for a non-zero size).
    fn checked(p: *mut c_void, size: usize) -> *mut c_void {
        if p.is_null() && size != 0 {
            std::process::abort();
        }
        p
    }

    unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        // SAFETY: malloc takes any size; the result is checked.
        checked(unsafe { c_malloc(size) }, size)
    }

    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        // SAFETY: calloc checks `count * size` for overflow (null, then abort here).
        checked(unsafe { c_calloc(count, size) }, count.saturating_mul(size))
    }

    unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
        // SAFETY: `p` is null or was returned by one of these functions (tree-sitter
        // frees and reallocates only what it allocated through them).
        checked(unsafe { c_realloc(p, size) }, size)
    }

    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: as for `realloc`.
        unsafe { c_free(p) }
    }

    pub(super) fn install() {
        // SAFETY: the four functions are one allocator family (jemalloc or mimalloc), return
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

    #[cfg(test)]
    mod tests {
        /// The four functions tree-sitter is given are one working allocator: zeroed
        /// blocks, bytes kept through growing and shrinking, null only for a null free.
        #[test]
        fn tree_sitter_blocks_keep_their_bytes() {
            for size in [1usize, 7, 64, 1000, 4096, 70_000, 1 << 20] {
                // SAFETY: every block comes from these functions and is freed once.
                unsafe {
                    let p = super::calloc(size, 1).cast::<u8>();
                    assert!(!p.is_null());
                    assert!((0..size).all(|k| *p.add(k) == 0));
                    for k in 0..size {
                        *p.add(k) = (k % 251) as u8;
                    }
                    let q = super::realloc(p.cast(), size * 3).cast::<u8>();
                    assert!((0..size).all(|k| *q.add(k) == (k % 251) as u8));
                    let half = (size / 2).max(1);
                    let r = super::realloc(q.cast(), half).cast::<u8>();
                    assert!((0..half).all(|k| *r.add(k) == (k % 251) as u8));
                    super::free(r.cast());
                    let m = super::malloc(size);
                    assert!(!m.is_null());
                    super::free(m);
                    super::free(std::ptr::null_mut());
                }
            }
        }
    }
}
