//! `cuakhau users …`: accounts and API tokens.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Subcommand;

use super::{table, Format};
use crate::auth::store::{self, CreateUserError, NewUser};
use crate::auth::{password, Agency, Role};
use crate::config::Config;

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user. The password is read from stdin (one line) when piped, else generated and printed once.
    Create {
        /// Login name (a-z 0-9 . _ -).
        username: String,
        /// admin, officer, trader, viewer.
        #[arg(long)]
        role: String,
        /// Officers: border_guard, customs, quarantine.
        #[arg(long)]
        agency: Option<String>,
        /// Traders: company name.
        #[arg(long)]
        company: Option<String>,
        /// Officers: gate id (repeat for several), e.g. vn-moc-bai.
        #[arg(long = "gate")]
        gates: Vec<String>,
        /// Read the password from stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Set a user's password (read from stdin).
    Password {
        /// Login name.
        username: String,
    },
    /// API bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user; the secret is printed once.
    Create {
        /// Login name of the owner.
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List tokens (not their secrets).
    List {
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Revoke a token by id.
    Revoke {
        /// Token id.
        id: String,
    },
}

fn read_stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn parse<T: std::str::FromStr<Err = String>>(field: &str, v: Option<&str>) -> anyhow::Result<Option<T>> {
    v.map(|s| s.parse::<T>().map_err(|e| anyhow::anyhow!("--{field}: {e}"))).transpose()
}

/// Runs a users command.
pub async fn run(config: Config, cmd: UsersCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UsersCommand::Create { username, role, agency, company, gates, password_stdin } => {
            let role: Option<Role> = parse("role", Some(&role))?;
            let agency: Option<Agency> = parse("agency", agency.as_deref())?;
            let (pw, generated) = if password_stdin { (read_stdin_line()?, false) } else { (password::random_password(), true) };
            let new = NewUser { username, password: pw.clone(), role, agency, company, gates };
            new.validate().map_err(|(f, m)| anyhow::anyhow!("{f}: {m}"))?;
            let db = super::open_db(&config).await?;
            let user = store::create_user(&db, &new, "cli").await.map_err(|e| match e {
                CreateUserError::Invalid((f, m)) => anyhow::anyhow!("{f}: {m}"),
                CreateUserError::Store(s) => anyhow::anyhow!(s),
            })?;
            println!("created {} ({})", user.username, user.role);
            if generated {
                println!("password: {pw}");
            }
        }
        UsersCommand::List { format } => {
            let db = super::open_db(&config).await?;
            let users = store::list_users(&db).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&users)?),
                Format::Table => {
                    let rows: Vec<Vec<String>> = users
                        .iter()
                        .map(|u| {
                            vec![
                                u.username.clone(),
                                u.role.to_string(),
                                u.agency.map(|a| a.to_string()).unwrap_or_default(),
                                u.company.clone().unwrap_or_default(),
                                u.gates.join(", "),
                            ]
                        })
                        .collect();
                    print!("{}", table::render(&["user", "role", "agency", "company", "gates"], &rows));
                }
            }
        }
        UsersCommand::Password { username } => {
            let pw = read_stdin_line()?;
            let db = super::open_db(&config).await?;
            store::set_password(&db, &username, &pw, "cli").await.map_err(|e| match e {
                CreateUserError::Invalid((f, m)) => anyhow::anyhow!("{f}: {m}"),
                CreateUserError::Store(crate::db::StoreError::NotFound) => anyhow::anyhow!("no user {username:?}"),
                CreateUserError::Store(s) => anyhow::anyhow!(s),
            })?;
            println!("password of {username} changed");
        }
        UsersCommand::Token(TokenCommand::Create { username, name, format }) => {
            let db = super::open_db(&config).await?;
            let (info, secret) = match store::create_token(&db, &username, &name, "cli").await {
                Ok(t) => t,
                Err(crate::db::StoreError::NotFound) => anyhow::bail!("no user {username:?}"),
                Err(e) => return Err(e.into()),
            };
            match format {
                Format::Json => println!("{}", serde_json::json!({"id": info.id, "user": info.username, "name": info.name, "token": secret})),
                Format::Table => {
                    println!("token id: {}", info.id);
                    println!("secret (shown once): {secret}");
                }
            }
        }
        UsersCommand::Token(TokenCommand::List { user, format }) => {
            let db = super::open_db(&config).await?;
            let tokens = store::list_tokens(&db, user.as_deref()).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&tokens)?),
                Format::Table => {
                    let rows: Vec<Vec<String>> = tokens
                        .iter()
                        .map(|t| vec![t.id.clone(), t.username.clone(), t.name.clone(), t.created_at.clone(), t.revoked_at.clone().unwrap_or_default()])
                        .collect();
                    print!("{}", table::render(&["id", "user", "name", "created", "revoked"], &rows));
                }
            }
        }
        UsersCommand::Token(TokenCommand::Revoke { id }) => {
            let db = super::open_db(&config).await?;
            match store::revoke_token(&db, &id, "cli").await {
                Ok(()) => println!("token {id} revoked"),
                Err(crate::db::StoreError::NotFound) => anyhow::bail!("no live token with id {id:?}"),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
