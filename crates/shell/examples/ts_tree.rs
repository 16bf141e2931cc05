//! Print tree-sitter-bash's tree of each argument (or of the file named `@FILE`): kinds,
//! fields, byte ranges, anonymous nodes marked `'`. For checking a shape before the fast
//! parser builds it. `cargo run -p tollgate-shell --example ts_tree -- 'a | b > f'`

#![allow(clippy::print_stdout)]

fn dump(n: tree_sitter::Node<'_>, src: &str, depth: usize, field: Option<&str>) {
    let text = if n.child_count() == 0 {
        format!(" {:?}", &src[n.byte_range()])
    } else {
        String::new()
    };
    println!(
        "{}{}{}{} {}..{}{text}",
        "  ".repeat(depth),
        field.map(|f| format!("{f}: ")).unwrap_or_default(),
        if n.is_named() { "" } else { "'" },
        n.kind(),
        n.start_byte(),
        n.end_byte(),
    );
    let mut c = n.walk();
    for (i, ch) in n.children(&mut c).enumerate() {
        dump(ch, src, depth + 1, n.field_name_for_child(i as u32));
    }
}

fn main() -> std::io::Result<()> {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_bash::LANGUAGE.into())
        .map_err(std::io::Error::other)?;
    for arg in std::env::args().skip(1) {
        let script = match arg.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)?,
            None => arg,
        };
        let Some(tree) = p.parse(&script, None) else {
            continue;
        };
        println!("=== {script:?}");
        dump(tree.root_node(), &script, 0, None);
    }
    Ok(())
}
