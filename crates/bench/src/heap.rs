//! Live heap counting for the examples that report memory per stage: an allocator that
//! defers to the binary's allocator (`tollgate-alloc`: jemalloc and its options, mimalloc
//! on Windows) and counts live bytes and their high-water mark. An example installs it with
//! `#[global_allocator] static ALLOC: tollgate_bench::heap::Counting = tollgate_bench::heap::Counting;`.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

use tollgate_alloc::Allocator as Inner;

/// Counts live heap bytes and their high-water mark, so that each stage's heap can be
/// told apart from the allocator's retained pages (which peak RSS includes).
pub struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static HIGH: AtomicUsize = AtomicUsize::new(0);

// SAFETY: defers to the allocator the binary uses and only adds counters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
        HIGH.fetch_max(now, Ordering::Relaxed);
        // SAFETY: same layout, passed through.
        unsafe { Inner.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: same pointer and layout as allocated.
        unsafe { Inner.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new >= l.size() {
            let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
            HIGH.fetch_max(now, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
        }
        // SAFETY: same pointer and layout as allocated.
        unsafe { Inner.realloc(p, l, new) }
    }
}

/// Live heap now and its high-water mark since the last call, in MB.
#[must_use]
pub fn heap() -> (f64, f64) {
    let live = LIVE.load(Ordering::Relaxed);
    let high = HIGH.swap(live, Ordering::Relaxed);
    (live as f64 / 1e6, high as f64 / 1e6)
}
