//! `spec: inputs:` and `include: inputs:`: a file written for inputs names them as
//! `$[[ inputs.NAME ]]` anywhere in its configuration (values and keys); GitLab replaces
//! each with the value the including entry gives, else the `default:` of the file's
//! `spec:` header, when it reads the file. A reference with neither stays as written
//! (GitLab would reject the configuration). Only scalar values are interpolated; the
//! functions after a `|` (`expand_vars`, `truncate`) are not applied.

use tollgate_yaml::{Node, NodeKind};

/// The `inputs:` of a `spec:` header: each name with its `default:` when it is a scalar.
pub(crate) fn spec_defaults(header: &Node) -> Vec<(String, Option<String>)> {
    header
        .get("spec")
        .and_then(|s| s.get("inputs"))
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?.to_owned();
            let default = v
                .get("default")
                .and_then(Node::as_scalar)
                .map(|s| s.value.clone());
            Some((name, default))
        })
        .collect()
}

/// The scalar values of an include entry's `inputs:` mapping.
pub(crate) fn given(entry: &Node) -> Vec<(String, String)> {
    entry
        .get("inputs")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_scalar()?.value.clone())))
        .collect()
}

/// `text` with every `$[[ inputs.NAME … ]]` whose value is known replaced; `None` when
/// nothing was.
fn replace(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if !text.contains("$[[") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(i) = rest.find("$[[") {
        let Some(len) = rest[i..].find("]]") else {
            break;
        };
        let inner = rest[i + 3..i + len].trim();
        let name = inner.strip_prefix("inputs.").map(|n| {
            n.split(|c: char| c.is_whitespace() || c == '|')
                .next()
                .unwrap_or("")
        });
        out.push_str(&rest[..i]);
        match name.and_then(value) {
            Some(v) => {
                out.push_str(&v);
                changed = true;
            }
            None => out.push_str(&rest[i..i + len + 2]),
        }
        rest = &rest[i + len + 2..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `node` with its inputs interpolated: `given` values first, then `defaults`.
#[must_use]
pub(crate) fn interpolate(
    node: &Node,
    given: &[(String, String)],
    defaults: &[(String, Option<String>)],
) -> Node {
    let value = |name: &str| {
        given
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                defaults
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, d)| d.clone())
            })
    };
    walk(node, &value, 0)
}

/// Deepest nesting interpolated.
const MAX_DEPTH: usize = 64;

fn walk(node: &Node, value: &dyn Fn(&str) -> Option<String>, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return node.clone();
    }
    let kind = match &node.kind {
        NodeKind::Scalar(s) => match replace(&s.value, value) {
            Some(v) => {
                let mut s = s.clone();
                s.value = v;
                NodeKind::Scalar(s)
            }
            None => return node.clone(),
        },
        NodeKind::Seq(items) => {
            NodeKind::Seq(items.iter().map(|n| walk(n, value, depth + 1)).collect())
        }
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| (walk(k, value, depth + 1), walk(v, value, depth + 1)))
                .collect(),
        ),
    };
    Node {
        kind,
        ..node.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::replace;

    #[test]
    fn references_are_replaced_when_known() {
        let v = |n: &str| (n == "image").then(|| "alpine:3.20".to_owned());
        assert_eq!(
            replace("$[[ inputs.image ]]", &v).as_deref(),
            Some("alpine:3.20")
        );
        assert_eq!(
            replace("x-$[[inputs.image | expand_vars]]-y", &v).as_deref(),
            Some("x-alpine:3.20-y")
        );
        assert_eq!(replace("$[[ inputs.other ]]", &v), None);
        assert_eq!(replace("plain", &v), None);
        assert_eq!(replace("$[[ inputs.image", &v), None);
    }
}
