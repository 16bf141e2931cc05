//! Rules about pinning what a pipeline runs to immutable references.

#[path = "unpinned-action.rs"]
mod unpinned_action;
#[path = "unpinned-image.rs"]
mod unpinned_image;

pub use unpinned_action::UnpinnedAction;
pub use unpinned_image::UnpinnedImage;
