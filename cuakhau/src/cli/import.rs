//! `cuakhau import gates FILE.csv`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::Format;
use crate::config::Config;
use crate::registry::{import, store};

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Gate pairs from a CSV in the format of data/gates.csv. Idempotent: the same file
    /// twice adds nothing. Any invalid row aborts the import unless --skip-invalid.
    Gates {
        /// The CSV file.
        file: PathBuf,
        /// Import the valid rows even when some are rejected.
        #[arg(long)]
        skip_invalid: bool,
        /// Validate only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Runs an import command.
pub async fn run(config: Config, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Gates { file, skip_invalid, dry_run, format } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    eprintln!("reading {} …", file.display());
    let parsed = import::parse_csv(&bytes);
    eprintln!("{} valid row(s), {} rejected", parsed.rows.len(), parsed.rejected.len());
    let abort = !parsed.rejected.is_empty() && !skip_invalid;
    let mut report = store::ImportReport { rejected: parsed.rejected.clone(), ..Default::default() };
    if !abort && !dry_run {
        let db = super::open_db(&config).await?;
        eprintln!("importing {} row(s) in one transaction …", parsed.rows.len());
        let written = store::import(&db, &parsed.rows, "cli").await?;
        report = store::ImportReport { rejected: parsed.rejected, ..written };
    }
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&serde_json::json!({
            "file": file.display().to_string(),
            "written": !abort && !dry_run,
            "added": report.added.iter().map(|(line, id)| serde_json::json!({"line": line, "id": id})).collect::<Vec<_>>(),
            "changed": report.changed.iter().map(|(line, id, f)| serde_json::json!({"line": line, "id": id, "fields": f})).collect::<Vec<_>>(),
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        }))?),
        Format::Table => {
            for (line, id) in &report.added {
                println!("added    line {line}: {id}");
            }
            for (line, id, fields) in &report.changed {
                println!("changed  line {line}: {id} ({})", fields.join(", "));
            }
            for r in &report.rejected {
                let field = r.field.as_deref().map(|f| format!(" [{f}]")).unwrap_or_default();
                println!("rejected line {}{field}: {}", r.line, r.reason);
            }
            println!(
                "{} added, {} changed, {} unchanged, {} rejected{}",
                report.added.len(),
                report.changed.len(),
                report.unchanged,
                report.rejected.len(),
                if abort { " — nothing written (fix the rows or pass --skip-invalid)" } else if dry_run { " — dry run, nothing written" } else { "" }
            );
        }
    }
    if abort {
        let first = &report.rejected[0];
        eprintln!("error: line {}: {}", first.line, first.reason);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
