//! `kefu dsr --counts 5:N5,4:N4,3:N3,2:N2,1:N1 [--target P]`: the DSR score and how many
//! more five-star ratings lift it to P (`001`'s sheet: n = N·(P − S)/(5 − P), rounded up).
//! Repeat `--counts` for the three scores (描述相符, 服务态度, 发货速度, in that order), or
//! name each: `--counts 服务态度=5:120,4:8`.

use anyhow::{Result, bail};
use serde_json::json;

use super::out;
use crate::domain::dsr::{Needed, StarCounts, five_stars_needed, parse_target};

#[derive(clap::Args)]
pub struct Args {
    /// Star counts: 5:N5,4:N4,3:N3,2:N2,1:N1 (missing stars count 0); repeat for several scores.
    #[arg(long, required = true, value_name = "COUNTS")]
    counts: Vec<String>,
    /// The target score, below 5 (e.g. 4.85).
    #[arg(long, value_name = "P")]
    target: Option<String>,
    #[arg(long)]
    json: bool,
}

const NAMES: [&str; 3] = ["描述相符", "服务态度", "发货速度"];

pub fn run(a: Args) -> Result<()> {
    let target = a.target.as_deref().map(parse_target).transpose()?;
    let mut dims = Vec::new();
    for (i, text) in a.counts.iter().enumerate() {
        // `服务态度=5:120,…` names a score; a bare number before `=` is a typo, not a name.
        let (name, counts) = match text.split_once('=') {
            Some((n, c)) if !n.trim().is_empty() && !n.trim().chars().all(|c| c.is_ascii_digit()) => {
                (n.trim().to_string(), c)
            }
            _ => (default_name(i, a.counts.len()), text.as_str()),
        };
        let c = StarCounts::parse(counts)?;
        if c.raters() == 0 && counts.trim().is_empty() {
            bail!("--counts 是空的:请写成 5:数量,4:数量,3:数量,2:数量,1:数量");
        }
        dims.push((name, c));
    }
    let mut out = Vec::new();
    for (name, c) in &dims {
        let needed = target.map(|p| five_stars_needed(c, p)).transpose()?;
        out.push((name, c, needed));
    }
    if a.json {
        let v: Vec<_> = out
            .iter()
            .map(|(name, c, needed)| {
                json!({
                    "name": name,
                    "counts": {"5": c.counts[0], "4": c.counts[1], "3": c.counts[2], "2": c.counts[3], "1": c.counts[4]},
                    "raters": c.raters(),
                    "score": c.score().map(|s| (s * 1000.0).round() / 1000.0),
                    "target": target.map(|p| p as f64 / 1000.0),
                    "already_reached": matches!(needed, Some(Needed::AlreadyReached)),
                    "five_stars_needed": match needed { Some(Needed::More(n)) => Some(*n), Some(Needed::AlreadyReached) => Some(0), None => None },
                })
            })
            .collect();
        out::json(&if v.len() == 1 { v[0].clone() } else { json!(v) })?;
        return Ok(());
    }
    for (name, c, needed) in &out {
        let score = c.score().map(|s| format!("{s:.3}")).unwrap_or_else(|| "—".into());
        let detail: Vec<String> = (0..5).map(|i| format!("{}星 {}", 5 - i, c.counts[i])).collect();
        out::line(format!("{name}:{score}({} 人评分:{})", c.raters(), detail.join(" · ")))?;
        let (Some(p), Some(needed)) = (target, needed) else { continue };
        let p_text = format!("{:.3}", p as f64 / 1000.0);
        match needed {
            Needed::AlreadyReached => out::line(format!(
                "  目标 {p_text}:已达到,当前 {score} ≥ {p_text}(already reached: current {score} ≥ {p_text})"
            ))?,
            Needed::More(n) => out::line(format!("  目标 {p_text}:还需要 {n} 个五星评价"))?,
        }
    }
    Ok(())
}

fn default_name(i: usize, n: usize) -> String {
    if n == 1 {
        "DSR".into()
    } else {
        NAMES.get(i).map(|s| s.to_string()).unwrap_or_else(|| format!("第{}项", i + 1))
    }
}
