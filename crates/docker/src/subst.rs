//! `$NAME` and `${NAME}` in `FROM` and `COPY --from` with the values `ARG` defaults give,
//! as BuildKit expands them; anything whose value only the build knows stays unresolved.

use std::collections::HashMap;

/// The `ARG` values in scope: a name declared with a default has `Some(value)` (itself
/// expanded when it was declared), one declared without a default `None` (the build
/// passes it, or it is empty).
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    vars: HashMap<String, Option<String>>,
}

/// Arguments BuildKit sets for every build from the platforms it builds on and for: a
/// default written in the file does not hold.
const AUTOMATIC: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

impl Scope {
    /// Declare `name` with `default` (already expanded; `None` when there is none, or when
    /// it could not be expanded).
    pub fn declare(&mut self, name: &str, default: Option<String>) {
        self.vars.insert(name.to_owned(), default);
    }

    /// Declare `name` without a default inside a stage: it takes the global value.
    pub fn inherit(&mut self, name: &str, global: &Self) {
        let v = global.vars.get(name).cloned().flatten();
        self.vars.insert(name.to_owned(), v);
    }

    /// The value of `name`: `Ok(Some)` a default, `Ok(None)` declared but known only to
    /// the build, `Err(())` not declared at all.
    fn value(&self, name: &str) -> Result<Option<&str>, ()> {
        if AUTOMATIC.contains(&name) {
            return Ok(None);
        }
        match self.vars.get(name) {
            Some(v) => Ok(v.as_deref()),
            None => Err(()),
        }
    }

    /// `text` with every variable replaced; `None` when one has no value known here.
    pub fn expand(&self, text: &str, escape: char) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == escape {
                // An escaped character stands for itself (`\$` is a dollar).
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
                continue;
            }
            if c != '$' {
                out.push(c);
                continue;
            }
            let rest = &text[i + 1..];
            let (value, used) = self.parameter(rest, escape)?;
            out.push_str(&value);
            // Skip the parameter's characters.
            let end = i + 1 + used;
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
        }
        Some(out)
    }

    /// One parameter after a `$`: its value and how many bytes of `rest` it takes.
    fn parameter(&self, rest: &str, escape: char) -> Option<(String, usize)> {
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if let Some(braced) = rest.strip_prefix('{') {
            let close = braced.find('}')?;
            let inner = &braced[..close];
            let used = close + 2;
            let name_end = inner.find(|c: char| !is_name(c)).unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_end);
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            let value = self.value(name);
            let word = |w: &str| self.expand(w, escape);
            let v = match op {
                "" => value.ok()??.to_owned(),
                _ if op.starts_with(":-") || op.starts_with('-') => {
                    let w = op.trim_start_matches(':')[1..].to_owned();
                    match value {
                        // Declared without a default: the build may pass it.
                        Ok(None) => return None,
                        Ok(Some(v)) if !v.is_empty() || !op.starts_with(':') => v.to_owned(),
                        _ => word(&w)?,
                    }
                }
                _ if op.starts_with(":+") || op.starts_with('+') => {
                    let w = op.trim_start_matches(':')[1..].to_owned();
                    match value {
                        Ok(Some(v)) if !v.is_empty() || !op.starts_with(':') => word(&w)?,
                        Ok(Some(_)) | Err(()) => String::new(),
                        Ok(None) => return None,
                    }
                }
                // `${NAME%suffix}`, `${NAME#prefix}`, `${NAME:?err}`…: not expanded.
                _ => return None,
            };
            return Some((v, used));
        }
        let end = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            // A lone `$` is a dollar.
            return name.is_empty().then(|| ("$".to_owned(), 0));
        }
        Some((self.value(name).ok()??.to_owned(), end))
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn expands_defaults_and_leaves_build_values_unresolved() {
        let mut s = Scope::default();
        s.declare("V", Some("3.20".to_owned()));
        s.declare("REG", Some("ghcr.io/o".to_owned()));
        s.declare("EMPTY", Some(String::new()));
        s.declare("PASSED", None);
        let cases = [
            ("alpine:$V", Some("alpine:3.20")),
            ("${REG}/app:${V}", Some("ghcr.io/o/app:3.20")),
            ("alpine:${PASSED:-3}", None),
            ("alpine:${EMPTY:-3}", Some("alpine:3")),
            ("alpine:${UNDECLARED:-3}", Some("alpine:3")),
            ("alpine:${V:-3}", Some("alpine:3.20")),
            ("alpine${V:+:edge}", Some("alpine:edge")),
            ("alpine:$PASSED", None),
            ("alpine:$UNDECLARED", None),
            ("golang:${TARGETARCH}", None),
            ("alpine:${V%.*}", None),
            ("alpine:${V", None),
            ("cost\\$5", Some("cost$5")),
            ("plain", Some("plain")),
        ];
        for (text, want) in cases {
            assert_eq!(s.expand(text, '\\').as_deref(), want, "{text}");
        }
    }
}
