//! `rules/data/image-inputs.toml`: actions that run a container image named by one of
//! their `with:` inputs (docker-run wrappers, build actions with a `container` input), so
//! that `unpinned-image` judges the input like a job's `container:`.

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "image-inputs.toml",
    text: include_str!("../../../rules/data/image-inputs.toml"),
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageInputs {
    #[serde(default)]
    pub action: Vec<ImageInput>,
}

/// One action whose input names an image it runs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ImageInput {
    pub uses: String,
    pub input: String,
    /// Values of the input that mean "no image" (`container: off`).
    #[serde(default)]
    pub none: Vec<String>,
    pub source: String,
}

impl ImageInputs {
    /// The entry of a remote action (`owner/repo[/path]`, compared without case).
    #[must_use]
    pub fn of(&self, action: &str) -> Option<&ImageInput> {
        self.action
            .iter()
            .find(|e| e.uses.eq_ignore_ascii_case(action))
    }
}

impl Sourced for ImageInputs {
    fn check(&self) -> Result<(), Invalid> {
        for e in &self.action {
            cites(&e.source, &e.uses)?;
            if e.uses.split('/').count() < 2 {
                return Err(Invalid::new(
                    &e.uses,
                    format!("`{}` is not `owner/repo[/path]`", e.uses),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lookups_ignore_case() {
        let base = crate::image_inputs();
        let e = base.of("pyo3/maturin-action").expect("maturin-action");
        assert_eq!(e.input, "container");
        assert_eq!(e.none, ["off"]);
        assert!(base.of("actions/checkout").is_none());
    }
}
