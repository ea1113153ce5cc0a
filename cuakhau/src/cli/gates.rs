//! `cuakhau gates list|show`.

use std::process::ExitCode;

use clap::Subcommand;

use super::{table, Format};
use crate::config::Config;
use crate::registry::api::PairQuery;
use crate::registry::store;

/// Gate-pair commands.
#[derive(Debug, Subcommand)]
pub enum GatesCommand {
    /// List gate pairs, filtered.
    List {
        /// Country on either side (VN, KH, LA, CN).
        #[arg(long)]
        country: Option<String>,
        /// Province, by today's or pre-2025 name.
        #[arg(long)]
        province: Option<String>,
        /// international, main, secondary, border_market.
        #[arg(long)]
        class: Option<String>,
        /// road, rail, river.
        #[arg(long)]
        mode: Option<String>,
        /// planned, operating, upgraded, suspended, retired.
        #[arg(long)]
        status: Option<String>,
        /// Text in gate or province names.
        #[arg(long)]
        q: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show one gate pair with its history.
    Show {
        /// Pair id (e.g. moc-bai--bavet).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Runs a gates command.
pub async fn run(config: Config, cmd: GatesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        GatesCommand::List { country, province, class, mode, status, q, format } => {
            let query = PairQuery { country, province, class, mode, status, q, per_page: Some("500".into()), ..Default::default() };
            let filter = query.to_filter().map_err(|e| anyhow::anyhow!(e.problem().detail))?;
            let db = super::open_db(&config).await?;
            let mut items = Vec::new();
            let mut f = filter;
            loop {
                let page = store::list_pairs(&db, &f).await?;
                let done = page.page * page.per_page >= page.total;
                items.extend(page.items);
                if done {
                    break;
                }
                f.page += 1;
            }
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&items)?),
                Format::Table => {
                    let rows: Vec<Vec<String>> = items
                        .iter()
                        .map(|p| {
                            vec![
                                p.id.clone(),
                                p.gate_a.clone(),
                                p.gate_b.clone().unwrap_or_else(|| "—".into()),
                                format!("{}–{}", p.country_a, p.country_b),
                                p.province_a.clone().unwrap_or_default(),
                                p.class.map_or("—".into(), |c| c.to_string()),
                                p.modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join("+"),
                                match &p.status_since {
                                    Some(d) => format!("{} since {}", p.status, d.display()),
                                    None => p.status.to_string(),
                                },
                            ]
                        })
                        .collect();
                    print!("{}", table::render(&["id", "gate", "partner gate", "countries", "province", "class", "modes", "status"], &rows));
                    println!("{} gate pair(s)", items.len());
                }
            }
        }
        GatesCommand::Show { id, format } => {
            let db = super::open_db(&config).await?;
            let pair = match store::get_pair(&db, &id).await {
                Ok(p) => p,
                Err(crate::db::StoreError::NotFound) => anyhow::bail!("no gate pair with id {id:?} (see `cuakhau gates list`)"),
                Err(e) => return Err(e.into()),
            };
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&pair)?),
                Format::Table => {
                    let s = &pair.summary;
                    println!("{} – {}", s.gate_a, s.gate_b.as_deref().unwrap_or("(partner gate not named)"));
                    println!("  id:        {}", s.id);
                    println!("  countries: {} – {}", s.country_a, s.country_b);
                    println!("  province:  {}", s.province_a.as_deref().unwrap_or("—"));
                    println!("  class:     {}", s.class.map_or("—".into(), |c| c.to_string()));
                    println!("  modes:     {}", s.modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "));
                    println!("  history:");
                    for h in &pair.history {
                        println!("    {:<10} {}", h.status.as_str(), h.date.as_ref().map_or("(date unknown)".into(), |d| d.display()));
                    }
                    println!("  source:    {}", pair.source);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
