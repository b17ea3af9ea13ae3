//! Compiles the dates scan DFA from the built-in rules into `src/extract/dates/scan.dfa`,
//! which the binary embeds (run it after changing `rules/dates/`; a test says when it is
//! out of date):
//!
//!     cargo run --release --example build_dates_dfa
use std::path::Path;

fn main() {
    let rules = newsextract::rules::RuleSet::builtin();
    let bytes = match newsextract::extract::dates::grammar::scan_dfa_file(&rules) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("build_dates_dfa: {e}");
            std::process::exit(1);
        }
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/extract/dates/scan.dfa");
    if let Err(e) = std::fs::write(&path, &bytes) {
        eprintln!("build_dates_dfa: cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
    println!("{}: {} bytes", path.display(), bytes.len());
}
