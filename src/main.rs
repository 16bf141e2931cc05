//! The `tollgate` binary: a thin entry point over `tollgate-cli`.

fn main() -> std::process::ExitCode {
    tollgate_cli::main()
}
