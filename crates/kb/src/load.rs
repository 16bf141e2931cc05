//! The one loader every data file goes through: TOML into typed structs (unknown fields
//! rejected), then the file's own checks (every entry cites its source); any error names
//! the file and the line.

use serde::de::DeserializeOwned;

/// A data file that does not parse or fails its checks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("rules/data/{file}:{line}: {message}")]
pub struct KbError {
    pub file: &'static str,
    /// 1-based line of the offending text.
    pub line: usize,
    pub message: String,
}

/// A check that failed: the message and a piece of text near the entry at fault (its
/// identifying value as written), which the loader turns into a line.
#[derive(Clone, Debug)]
pub struct Invalid {
    pub near: String,
    pub message: String,
}

impl Invalid {
    pub fn new(near: &str, message: impl Into<String>) -> Self {
        Self {
            near: near.to_owned(),
            message: message.into(),
        }
    }
}

/// The checks a data file passes after parsing.
pub trait Sourced {
    /// # Errors
    /// The first entry that breaks a rule of the file.
    fn check(&self) -> Result<(), Invalid>;
}

/// Fail unless `source` is a link (every entry cites where its fact is documented).
pub(crate) fn cites(source: &str, near: &str) -> Result<(), Invalid> {
    if source.starts_with("https://") {
        Ok(())
    } else {
        Err(Invalid::new(
            near,
            format!("`{near}` cites no https:// source"),
        ))
    }
}

/// Parse and check `text`, the content of `rules/data/<file>`.
///
/// # Errors
/// The TOML or schema error, or the first failed check, with its line.
pub fn load<T: DeserializeOwned + Sourced>(file: &'static str, text: &str) -> Result<T, KbError> {
    let value: T = toml::from_str(text).map_err(|e| KbError {
        file,
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().to_owned(),
    })?;
    value.check().map_err(|inv| KbError {
        file,
        line: find_line(text, &inv.near),
        message: inv.message,
    })?;
    Ok(value)
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line where `near` is first written as a quoted value, else where it first appears.
fn find_line(text: &str, near: &str) -> usize {
    let quoted = format!("\"{near}\"");
    text.find(&quoted)
        .or_else(|| (!near.is_empty()).then(|| text.find(near)).flatten())
        .map_or(1, |at| line_of(text, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[serde(default)]
        entry: Vec<Entry>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        name: String,
        source: String,
    }

    impl Sourced for Doc {
        fn check(&self) -> Result<(), Invalid> {
            self.entry
                .iter()
                .try_for_each(|e| cites(&e.source, &e.name))
        }
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let text = "[[entry]]\nname = \"a\"\nsource = \"https://x\"\n\n[[entry]]\nname = \"b\n";
        let err = load::<Doc>("t.toml", text).expect_err("broken string");
        assert_eq!(err.file, "t.toml");
        assert_eq!(err.line, 6, "{err}");
        assert!(
            err.to_string().starts_with("rules/data/t.toml:6: "),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_field_names_its_line() {
        let text = "[[entry]]\nname = \"a\"\nsource = \"https://x\"\nsorce = \"y\"\n";
        let err = load::<Doc>("t.toml", text).expect_err("unknown field");
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("sorce"), "{err}");
    }

    #[test]
    fn a_missing_source_names_its_entry_line() {
        let text = "[[entry]]\nname = \"a\"\nsource = \"https://x\"\n\n[[entry]]\nname = \"b\"\nsource = \"see the docs\"\n";
        let err = load::<Doc>("t.toml", text).expect_err("no https source");
        assert_eq!(err.line, 6, "{err}");
        assert!(err.message.contains("`b`"), "{err}");
    }

    /// A generated file of 50,000 entries with a bad one at the end: the error names the
    /// last line, and the loader stays linear (a generous bound catches a blow-up).
    #[test]
    fn a_large_file_names_the_line_of_its_last_entry() {
        let n = 50_000;
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "[[entry]]\nname = \"e{i}\"\nsource = \"https://x\"\n"
            ));
        }
        text.push_str("[[entry]]\nname = \"last\"\nsource = \"ftp://x\"\n");
        let start = std::time::Instant::now();
        let err = load::<Doc>("t.toml", &text).expect_err("bad last source");
        assert_eq!(err.line, 3 * n + 2, "{err}");
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn a_valid_file_loads() {
        let doc = load::<Doc>(
            "t.toml",
            "[[entry]]\nname = \"a\"\nsource = \"https://x\"\n",
        )
        .expect("valid");
        assert_eq!(doc.entry[0].name, "a");
    }
}
