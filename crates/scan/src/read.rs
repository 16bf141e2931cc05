//! Reading a file into text within limits, decoding what real repositories contain.

use std::path::Path;

use tollgate_model::{Diagnostic, DiagnosticCode, FileKind, SourceFile, Span};

use crate::confine;

#[derive(Clone, Copy, Debug)]
pub struct ReadLimits {
    /// Workflows, actions and configs: GitHub itself refuses workflow files far smaller.
    pub max_yaml: u64,
    /// Lockfiles of large monorepos run to tens of megabytes.
    pub max_lockfile: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_yaml: 8 << 20,
            max_lockfile: 128 << 20,
        }
    }
}

/// The limit for a kind of file.
#[must_use]
pub fn limit_for(kind: FileKind, limits: ReadLimits) -> u64 {
    if kind.is_lockfile() {
        limits.max_lockfile
    } else {
        limits.max_yaml
    }
}

/// Read `disk` as text, confined to `root` (resolved). UTF-8 (with or without BOM) and
/// UTF-16 with a BOM are accepted; files with NUL bytes or invalid UTF-8 are reported with
/// the position of the first bad byte, and files over the limit are not read past it.
///
/// # Errors
/// A diagnostic saying why the file cannot be used.
pub fn read_text(
    disk: &Path,
    root: &Path,
    display: &str,
    kind: FileKind,
    limits: ReadLimits,
) -> Result<SourceFile, Diagnostic> {
    let bytes = read_bytes(disk, root, display, kind, limits)?;
    decode(bytes, display, disk).map(|s| SourceFile::new(display, disk, s))
}

/// The bytes of `disk`, through [`confine::read`]: a regular file inside `root`, within
/// the limit for its kind. [`decode`] makes them text.
///
/// # Errors
/// A diagnostic saying why the file cannot be read (never quoting what it holds).
pub(crate) fn read_bytes(
    disk: &Path,
    root: &Path,
    display: &str,
    kind: FileKind,
    limits: ReadLimits,
) -> Result<Vec<u8>, Diagnostic> {
    confine::read(disk, root, limit_for(kind, limits)).map_err(|r| {
        let code = match r {
            confine::Refusal::TooLarge(_) => DiagnosticCode::TooLarge,
            _ => DiagnosticCode::Io,
        };
        Diagnostic::file(display, code, r.to_string())
    })
}

/// The text of a file's bytes: UTF-8 (a byte order mark dropped) or UTF-16 with a byte
/// order mark; NUL bytes and invalid UTF-8 are reported at the first bad byte.
///
/// # Errors
/// A diagnostic saying why the bytes are not text.
pub(crate) fn decode(bytes: Vec<u8>, display: &str, disk: &Path) -> Result<String, Diagnostic> {
    if let Some(units) = utf16(&bytes) {
        return match String::from_utf16(&units) {
            Ok(s) => Ok(s),
            Err(_) => Err(Diagnostic::file(
                display,
                DiagnosticCode::NotText,
                "file starts with a UTF-16 byte order mark but is not valid UTF-16",
            )),
        };
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => {
            if let Some(nul) = s.find('\0') {
                let f = SourceFile::new(display, disk, s.as_str());
                return Err(Diagnostic::at(
                    &f,
                    Span::new(nul, nul + 1),
                    DiagnosticCode::NotText,
                    "binary file: contains a NUL byte",
                ));
            }
            Ok(s)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has the same bytes up to `at`, so the position is exact.
            let f = SourceFile::new(display, disk, lossy);
            Err(Diagnostic::at(
                &f,
                Span::new(at, at + 1),
                DiagnosticCode::NotText,
                "file is not valid UTF-8",
            )
            .with_help("save the file as UTF-8"))
        }
    }
}

/// The UTF-16 code units of a file with a UTF-16 byte order mark.
fn utf16(bytes: &[u8]) -> Option<Vec<u16>> {
    let (le, rest) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return None,
    };
    Some(
        rest.chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<SourceFile, Diagnostic> {
        decode(bytes.to_vec(), "x.yml", Path::new("x.yml"))
            .map(|s| SourceFile::new("x.yml", "x.yml", s))
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let f = dec(b"\xEF\xBB\xBFon: push").expect("ok");
        assert_eq!(f.text(), "on: push");
    }

    #[test]
    fn utf16_le_and_be_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("on: x".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(dec(&le).expect("le").text(), "on: x");
        let mut be = vec![0xFE, 0xFF];
        be.extend("on: y".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(dec(&be).expect("be").text(), "on: y");
    }

    #[test]
    fn invalid_utf8_points_at_the_byte() {
        let d = dec(b"on: push\njobs: \xFF\n").expect_err("bad");
        assert_eq!(d.code, DiagnosticCode::NotText);
        let l = d.location.expect("loc");
        assert_eq!((l.start.line, l.start.column), (2, 7));
    }

    #[test]
    fn nul_byte_is_binary() {
        let d = dec(b"\x7fELF\0\0\0").expect_err("bin");
        assert_eq!(d.code, DiagnosticCode::NotText);
        assert!(d.message.contains("binary"));
    }
}
