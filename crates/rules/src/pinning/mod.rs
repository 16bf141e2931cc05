//! Rules about pinning what a pipeline runs and installs to immutable references.

mod gitlab_image;
#[path = "install-reads.rs"]
mod install_reads;
#[path = "known-vulnerable-action.rs"]
mod known_vulnerable_action;
#[path = "ref-version-mismatch.rs"]
mod ref_version_mismatch;
#[path = "unpinned-action.rs"]
mod unpinned_action;
#[path = "unpinned-action-inside.rs"]
mod unpinned_action_inside;
#[path = "unpinned-image.rs"]
mod unpinned_image;
#[path = "unpinned-image-remote.rs"]
mod unpinned_image_remote;
#[path = "unpinned-include.rs"]
mod unpinned_include;
#[path = "unpinned-package-install.rs"]
mod unpinned_package_install;

pub use known_vulnerable_action::KnownVulnerableAction;
pub use ref_version_mismatch::RefVersionMismatch;
pub use unpinned_action::UnpinnedAction;
pub use unpinned_image::UnpinnedImage;
pub use unpinned_include::UnpinnedInclude;
pub use unpinned_package_install::UnpinnedPackageInstall;
