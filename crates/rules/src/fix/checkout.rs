//! `persisted-credentials`' fix: `persist-credentials: false` on the checkout.

use tollgate_gha::Step;
use tollgate_model::{Edit, Span};

use super::Text;

/// Set `persist-credentials: false` on checkout step `step`: the value replaced when the
/// input is there, else a line added to its block `with:`, else a `with:` added after
/// `uses:`. `None` for a `with:` in flow style or given as one expression.
pub fn persist_false(text: &Text<'_>, step: &Step) -> Option<Edit> {
    if step.with_expression().is_some() {
        return None;
    }
    if let Some(kv) = step.with_value("persist-credentials") {
        text.key_column(kv.key.span.start())?;
        return Some(Edit {
            span: text.trim_end(kv.value.span),
            text: "false".to_owned(),
        });
    }
    if step.with_key.is_some() {
        let first = step.with.first()?;
        let col = text.key_column(first.key.span.start())?;
        let end = step
            .with
            .iter()
            .map(|kv| text.trim_end(kv.value.span).end().max(kv.key.span.end()))
            .max()?;
        return text.insert_after(
            end,
            &[format!("{}persist-credentials: false", " ".repeat(col))],
        );
    }
    let uses = step.uses_text()?;
    let col = text.key_column(step.span.start())?;
    let pad = " ".repeat(col);
    text.insert_after(
        text.trim_end(Span::new(uses.span.start(), uses.span.end()))
            .end(),
        &[
            format!("{pad}with:"),
            format!("{pad}  persist-credentials: false"),
        ],
    )
}
