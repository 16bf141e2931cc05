//! Masking of GitHub expressions (`${{ … }}`) so that a `run:` body parses as shell.
//!
//! GitHub substitutes expressions textually before the shell ever runs, so `${{ x }}` can
//! sit anywhere: in command position, inside quotes, even in comments. tree-sitter-bash
//! would read `${{` as a broken parameter expansion and lose the rest of the line. Each
//! expression is therefore replaced by a placeholder of the same byte length that bash
//! reads as one variable expansion (`$_xxxx…`), which keeps every byte offset exact.

use tollgate_model::Span;

/// The masked text (borrowed when the script holds no expression) and the spans of the
/// expressions, sorted and non-overlapping.
pub(crate) fn mask(script: &str) -> (std::borrow::Cow<'_, str>, Vec<Span>) {
    let bytes = script.as_bytes();
    let mut spans = Vec::new();
    let mut pos = 0;
    while let Some(rel) = find(&bytes[pos..], b"${{") {
        let start = pos + rel;
        let Some(close) = find(&bytes[start + 3..], b"}}") else {
            break;
        };
        let end = start + 3 + close + 2;
        spans.push(Span::new(start, end));
        pos = end;
    }
    if spans.is_empty() {
        return (std::borrow::Cow::Borrowed(script), spans);
    }
    let mut out = bytes.to_vec();
    for s in &spans {
        out[s.start()] = b'$';
        out[s.start() + 1] = b'_';
        // Every byte becomes ASCII `x`, including newlines and multi-byte characters: the
        // placeholder must stay one shell word (a newline would split it into a phantom
        // command), and byte offsets are all callers use (lines are counted on the
        // original text).
        for b in &mut out[s.start() + 2..s.end()] {
            *b = b'x';
        }
    }
    // Only ASCII bytes replaced whole UTF-8 sequences inside `${{ … }}`, which starts and
    // ends on ASCII, so the text is still valid UTF-8.
    match String::from_utf8(out) {
        Ok(s) => (std::borrow::Cow::Owned(s), spans),
        Err(_) => (std::borrow::Cow::Borrowed(script), Vec::new()),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let rel = hay[i..].iter().position(|&b| b == first)?;
        i += rel;
        if hay[i..].starts_with(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether `span` overlaps any of the sorted expression spans.
pub(crate) fn overlaps(expressions: &[Span], span: Span) -> bool {
    if expressions.is_empty() {
        return false;
    }
    // First expression that ends after the span starts.
    let i = expressions.partition_point(|e| e.end() <= span.start());
    expressions
        .get(i)
        .is_some_and(|e| e.start() < span.end() || (span.is_empty() && e.start() == span.start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_length_and_offsets() {
        let s = "echo ${{ github.sha }} and ${{ secrets.TOKEN\n}} é ${{ 'é' }}";
        let (m, spans) = mask(s);
        assert_eq!(m.len(), s.len());
        assert_eq!(spans.len(), 3);
        assert_eq!(&s[spans[0].start()..spans[0].end()], "${{ github.sha }}");
        assert_eq!(&m[spans[0].start()..spans[0].end()], "$_xxxxxxxxxxxxxxx");
        assert!(!m[spans[1].start()..spans[1].end()].contains('\n'));
        assert_eq!(&s[spans[2].start()..spans[2].end()], "${{ 'é' }}");
    }

    #[test]
    fn unterminated_expression_is_left_alone() {
        let (m, spans) = mask("echo ${{ oops");
        assert!(spans.is_empty());
        assert_eq!(m, "echo ${{ oops");
    }

    #[test]
    fn overlap_queries() {
        let e = [Span::new(5, 10), Span::new(20, 25)];
        assert!(overlaps(&e, Span::new(0, 6)));
        assert!(!overlaps(&e, Span::new(10, 20)));
        assert!(overlaps(&e, Span::new(24, 30)));
        assert!(!overlaps(&e, Span::new(25, 30)));
    }
}
