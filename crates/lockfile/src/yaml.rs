//! YAML lockfiles through `tollgate-yaml`, with recovery of the entries before an error.

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile};
use tollgate_yaml::{Limits, Node, parse};

/// Parse every document of `file`. On a syntax error, record one diagnostic and re-parse
/// the text up to the last top-level-or-entry line before the error, so the entries that
/// precede a corruption or truncation are still returned. Entries start at column 0
/// (yarn berry) or column 2 (pnpm `packages:`), so cutting at the last line indented two
/// spaces or less before the error keeps only complete entries.
pub(crate) fn parse_recovering(
    file: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
    what: &str,
) -> Vec<Node> {
    match parse(file, Limits::default()) {
        Ok((docs, _)) => docs,
        Err(e) => {
            let code = match e {
                tollgate_yaml::YamlError::Limit { .. } => DiagnosticCode::Limit,
                tollgate_yaml::YamlError::Syntax { .. } => DiagnosticCode::Syntax,
            };
            diagnostics.push(Diagnostic::at(
                file,
                e.span(),
                code,
                format!("invalid YAML in {what}: {}", e.message()),
            ));
            let cut = recovery_cut(file.text(), e.span().start());
            if cut == 0 {
                return Vec::new();
            }
            let prefix = SourceFile::new(file.display.clone(), &file.disk, &file.text()[..cut]);
            parse(&prefix, Limits::default())
                .map(|(d, _)| d)
                .unwrap_or_default()
        }
    }
}

/// The start of the last line indented at most two spaces, at or before the error's line.
fn recovery_cut(text: &str, err: usize) -> usize {
    let err = err.min(text.len());
    let mut line_start = text[..err].rfind('\n').map_or(0, |i| i + 1);
    loop {
        let line = &text[line_start..];
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim_start_matches(' ');
        if indent <= 2
            && !content.starts_with('\n')
            && !content.is_empty()
            && !content.starts_with('#')
        {
            // Only cut at a line that begins a key (not a continuation of a flow value).
            return line_start;
        }
        if line_start == 0 {
            return 0;
        }
        line_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
}
