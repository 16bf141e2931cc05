//! Per-run memoisation of derived analyses that several rules need (the delivery
//! inventory of every job): computed once, on first use, and shared. Facts every command
//! needs belong in the graph as a pass instead (the egress of every job).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A type-keyed store: one value per type per run.
#[derive(Default)]
pub struct Memo {
    /// Each entry is an `Arc<OnceLock<Arc<T>>>` for the `T` of its key.
    slots: Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    /// The value of type `T`, computed by `init` the first time. The map lock is held only
    /// to find the slot; a second caller waits on the slot while the first computes, so
    /// the work is never done twice.
    pub fn get_or_init<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let cell: Arc<OnceLock<Arc<T>>> = {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            slots
                .entry(TypeId::of::<T>())
                .or_insert_with(|| Box::new(Arc::new(OnceLock::<Arc<T>>::new())))
                .downcast_ref::<Arc<OnceLock<Arc<T>>>>()
                .cloned()
                // Keyed by `T`, the slot always holds a `T` cell; a fresh one keeps this total.
                .unwrap_or_default()
        };
        Arc::clone(cell.get_or_init(|| Arc::new(init())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_type() {
        let m = Memo::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let a = m.get_or_init(|| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            41_u32
        });
        let b = m.get_or_init(|| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            0_u32
        });
        assert_eq!((*a, *b), (41, 41));
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(*m.get_or_init(|| String::from("x")), "x");
    }
}
