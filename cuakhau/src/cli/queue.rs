//! `cuakhau queue verify FILE`: check a gate's published yard-queue log.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::Format;
use crate::clearance::queue;

/// Queue commands.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Verify a queue log (JSON lines from /api/v1/gates/{gate}/queue-log): the hash
    /// chain, and that nobody was called ahead of an earlier arrival without a recorded
    /// skip. Exit 1 on any violation.
    Verify {
        /// The log file, or `-` for stdin.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Runs a queue command.
pub fn run(cmd: QueueCommand) -> anyhow::Result<ExitCode> {
    let QueueCommand::Verify { file, format } = cmd;
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        s
    } else {
        std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?
    };
    let log = queue::from_jsonl(&text).map_err(anyhow::Error::msg)?;
    match (queue::verify(&log), format) {
        (Ok(r), Format::Json) => println!("{}", serde_json::json!({"valid": true, "entries": r.entries, "calls": r.calls, "head": r.head})),
        (Ok(r), Format::Table) => println!("valid: {} entries, {} arrivals, {} calls, head {}", r.entries, r.arrivals, r.calls, r.head),
        (Err(e), Format::Json) => {
            println!("{}", serde_json::json!({"valid": false, "reason": e.to_string()}));
            return Ok(ExitCode::FAILURE);
        }
        (Err(e), Format::Table) => {
            eprintln!("error: queue log invalid: {e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
