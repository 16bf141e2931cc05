//! The fast parser against tree-sitter on every `*.sh` file of a directory (one `run:`
//! script each): how much it takes and where it disagrees.
//! `cargo run --release -p tollgate-shell --example fast_check -- DIR`

#![allow(clippy::print_stdout)]

fn main() -> std::io::Result<()> {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_bash::LANGUAGE.into())
        .map_err(std::io::Error::other)?;
    // With FAST_DECLINED set, names each script the fast parser leaves to tree-sitter.
    let list_declined = std::env::var_os("FAST_DECLINED").is_some();
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    files.sort();
    let (mut bytes, mut taken_bytes, mut taken, mut bad) = (0, 0, 0, 0);
    for f in &files {
        let script = std::fs::read_to_string(f)?;
        bytes += script.len();
        match tollgate_shell::fast::check(&mut p, &script) {
            None => {
                if list_declined {
                    println!("DECLINED {}", f.display());
                }
            }
            Some(Ok(())) => {
                taken += 1;
                taken_bytes += script.len();
            }
            Some(Err(e)) => {
                bad += 1;
                println!("DISAGREE {}:\n{e}\n", f.display());
            }
        }
    }
    println!(
        "scripts {}, taken {taken}, bytes {bytes}, taken {taken_bytes} ({:.1} %), disagreements {bad}",
        files.len(),
        taken_bytes as f64 * 100.0 / bytes.max(1) as f64
    );
    Ok(())
}
