//! The `cuakhau` binary: a thin shim over [`cuakhau::cli`].

fn main() -> std::process::ExitCode {
    cuakhau::cli::run()
}
