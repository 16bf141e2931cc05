//! `broad-permissions`' fix: the least-privilege `permissions:` block the needs pass
//! computed, written per job (or once per workflow when every job needs the same), with
//! one comment per scope naming the step that needs it. Only for jobs whose every need is
//! known: a part the knowledge base does not know may need any scope.

use tollgate_facts::needs::Needs;
use tollgate_gha::{Job, PermissionLevel, Workflow};
use tollgate_model::{Edit, Span};

use super::{Text, comment_text};

/// The lines of the block for `needs` with its key at column `col`, scopes `unit` deeper.
fn lines(needs: &Needs, col: usize, unit: usize) -> Vec<String> {
    let pad = " ".repeat(col);
    let inner = " ".repeat(col + unit);
    let scopes: Vec<String> = needs
        .scopes
        .iter()
        .filter(|(_, (l, _))| *l != PermissionLevel::None)
        .map(|(scope, (l, why))| {
            let level = if *l == PermissionLevel::Write {
                "write"
            } else {
                "read"
            };
            let why = comment_text(why);
            if why.is_empty() {
                format!("{inner}{scope}: {level}")
            } else {
                format!("{inner}{scope}: {level} # {why}")
            }
        })
        .collect();
    if scopes.is_empty() {
        return vec![format!("{pad}permissions: {{}}")];
    }
    let mut out = vec![format!("{pad}permissions:")];
    out.extend(scopes);
    out
}

/// `lines` as the replacement of text that starts at the key's column: the first line
/// without its indentation, joined with the file's line ending.
fn joined(text: &Text<'_>, lines: &[String]) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.trim_start() } else { l.as_str() })
        .collect::<Vec<_>>()
        .join(text.eol)
}

/// The edits replacing `block` by `new`. A value on the key's line (`write-all`, `{}`)
/// keeps that line and its comment: the value goes and the scopes follow on new lines.
fn replace(
    text: &Text<'_>,
    block: &tollgate_gha::PermissionsBlock,
    new: &[String],
) -> Option<Vec<Edit>> {
    let end = text.trim_end(block.value_span).end();
    let inline = !text.s.get(block.key.start()..end)?.contains('\n');
    if inline && new.len() > 1 {
        let mut edits = vec![Edit {
            span: Span::new(block.key.end(), end),
            text: ":".to_owned(),
        }];
        edits.push(text.insert_after(end, &new[1..])?);
        return Some(edits);
    }
    Some(vec![Edit {
        span: Span::new(block.key.start(), end),
        text: joined(text, new),
    }])
}

/// Set job `job`'s block to what `needs` says: replace its `permissions:` or add one after
/// `runs-on:` (or as its first key).
pub fn job(text: &Text<'_>, job: &Job, needs: &Needs) -> Option<Vec<Edit>> {
    if !needs.is_known() {
        return None;
    }
    let col = text.key_column(job.span.start())?;
    let unit = col
        .checked_sub(text.key_column(job.id.span.start())?)
        .filter(|u| *u > 0)?;
    if let Some(block) = &job.permissions {
        return replace(text, block, &lines(needs, col, unit));
    }
    if let Some(runs_on) = &job.runs_on {
        let end = text.trim_end(runs_on.span).end();
        if let Some(edit) = text.insert_after(end, &lines(needs, col, unit)) {
            return Some(vec![edit]);
        }
    }
    let mut new = joined(text, &lines(needs, col, unit));
    new.push_str(text.eol);
    new.push_str(&" ".repeat(col));
    Some(vec![Edit {
        span: Span::empty(job.span.start()),
        text: new,
    }])
}

/// How deep the workflow indents a job's id under `jobs:` (two spaces when it has none).
fn workflow_unit(text: &Text<'_>, wf: &Workflow) -> usize {
    wf.jobs
        .first()
        .and_then(|j| text.key_column(j.id.span.start()))
        .filter(|u| *u > 0)
        .unwrap_or(2)
}

/// One block for the whole workflow, before `jobs:` (and any comment lines right above
/// it): for a workflow with no block anywhere whose jobs all need the same.
pub fn workflow(text: &Text<'_>, wf: &Workflow, needs: &Needs) -> Option<Edit> {
    if !needs.is_known() || wf.permissions.is_some() {
        return None;
    }
    let jobs_key = wf.jobs_key?;
    if text.key_column(jobs_key.start())? != 0 {
        return None;
    }
    let unit = workflow_unit(text, wf);
    // Above the comments that introduce `jobs:`.
    let mut at = text.line_start(jobs_key.start());
    while at > 0 {
        let prev = text.line_start(at - 1);
        if text.s[prev..at].trim_start().starts_with('#') {
            at = prev;
        } else {
            break;
        }
    }
    let mut new = lines(needs, 0, unit).join(text.eol);
    new.push_str(text.eol);
    new.push_str(text.eol);
    Some(Edit {
        span: Span::empty(at),
        text: new,
    })
}

/// The workflow-level block replaced by `permissions: {}` (once every job that inherited
/// it has its own) or by the block every job shares.
pub fn workflow_replaced(
    text: &Text<'_>,
    wf: &Workflow,
    needs: Option<&Needs>,
) -> Option<Vec<Edit>> {
    let block = wf.permissions.as_ref()?;
    if text.key_column(block.key.start())? != 0 {
        return None;
    }
    let unit = workflow_unit(text, wf);
    let new = match needs {
        Some(n) if n.is_known() => lines(n, 0, unit),
        Some(_) => return None,
        None => vec!["permissions: {}".to_owned()],
    };
    replace(text, block, &new)
}
