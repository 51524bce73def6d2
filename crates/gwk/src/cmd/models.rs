//! `gwk models list|show`: the local model registry that `create-model@v1`
//! writes (`$GWK_HOME/models/`).

use crate::cmd::datasets::table;
use anyhow::Result;
use gwk_run::models::ModelStore;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// List models, newest first.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one model (an id or a unique prefix of one).
    Show {
        /// A model id, or a unique prefix of one.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    let store = ModelStore::new(&home);
    match args.command {
        Sub::List { json } => {
            let models = store.list();
            if json {
                println!("{}", serde_json::to_string_pretty(&models)?);
            } else if models.is_empty() {
                println!("no models yet (create-model@v1 jobs register them)");
            } else {
                let rows: Vec<Vec<String>> = models
                    .iter()
                    .map(|m| {
                        vec![
                            m.id.clone(),
                            m.name.clone(),
                            m.model_type.clone(),
                            format!("{}:{}", m.dataset, m.version),
                            m.created.clone(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["MODEL", "NAME", "TYPE", "DATASET", "CREATED"], &rows)
                );
            }
        }
        Sub::Show { id, json } => {
            let m = store.get(&id).map_err(anyhow::Error::msg)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&m)?);
            } else {
                println!("model    {}", m.id);
                println!("name     {}", m.name);
                println!("type     {}", m.model_type);
                println!("dataset  {}:{}", m.dataset, m.version);
                println!("files    {}", m.path);
                println!("created  {}", m.created);
                if let (Some(r), Some(j)) = (&m.run, &m.job) {
                    println!("from     run {r}, job {j}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
