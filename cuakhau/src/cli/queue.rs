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
            println!("{}", serde_json::json!({"valid": false, "line": line_of(&text, &e), "reason": e.to_string()}));
            return Ok(ExitCode::FAILURE);
        }
        (Err(e), Format::Table) => {
            let at = line_of(&text, &e).map(|l| format!("line {l}: ")).unwrap_or_default();
            eprintln!("error: queue log invalid: {at}{e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The line of the file (from 1; blank lines count, as in an editor) holding the entry a
/// violation is about.
fn line_of(text: &str, e: &queue::QueueViolation) -> Option<usize> {
    let position = match e {
        queue::QueueViolation::Tampered { seq }
        | queue::QueueViolation::JumpedQueue { seq, .. }
        | queue::QueueViolation::UnknownVehicle { seq, .. }
        | queue::QueueViolation::DuplicateArrival { seq, .. } => usize::try_from(*seq).ok()?,
    };
    // The same lines `from_jsonl` reads: blank ones are skipped.
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).nth(position).map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violation_names_the_line_of_its_entry() {
        let text = "{}\n\n{}\n{}\n";
        assert_eq!(line_of(text, &queue::QueueViolation::Tampered { seq: 0 }), Some(1));
        assert_eq!(line_of(text, &queue::QueueViolation::Tampered { seq: 1 }), Some(3));
        assert_eq!(line_of(text, &queue::QueueViolation::UnknownVehicle { seq: 2, vehicle: "v".into() }), Some(4));
        assert_eq!(line_of(text, &queue::QueueViolation::Tampered { seq: 3 }), None);
    }
}
