//! The standard replies of the demo: every phrase of `data/replies.csv`, and when more
//! are asked for, variants made by joining the opening of one phrase to the rest of
//! another of the same group (new codes, same house style and placeholders).

use std::collections::{BTreeSet, HashSet};

use super::data::Reply;
use super::rng::Rng;

/// Sentence pieces, each with the punctuation that ends it.
fn clauses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, ',' | '，' | '!' | '！' | '?' | '？' | '。' | '~' | ';' | '；' | '\n') {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `base` replies, cut to `want` or grown to it with variants.
pub fn reply_set(base: &[Reply], want: Option<usize>, seed: u64) -> Vec<Reply> {
    let want = want.unwrap_or(base.len());
    let mut out: Vec<Reply> = base.iter().take(want).cloned().collect();
    if out.len() >= want || base.is_empty() {
        return out;
    }
    let mut rng = Rng::stream(seed, "replies");
    let mut codes: BTreeSet<String> = out.iter().map(|r| r.code.clone()).collect();
    let mut texts: HashSet<String> = out.iter().map(|r| r.text.clone()).collect();
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = base.iter().map(|r| r.group.as_str()).collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    let by_group: Vec<Vec<&Reply>> =
        groups.iter().map(|g| base.iter().filter(|r| r.group == *g && !r.text.contains('\n')).collect()).collect();
    let weights: Vec<u32> = by_group.iter().map(|v| v.len() as u32).collect();
    if weights.iter().all(|w| *w == 0) {
        return out;
    }
    while out.len() < want {
        let g = rng.weighted(&weights);
        let pool = &by_group[g];
        let a = *rng.pick(pool);
        let b = *rng.pick(pool);
        let (ca, cb) = (clauses(&a.text), clauses(&b.text));
        let mut text = String::new();
        for _attempt in 0..8 {
            let head = rng.range(1, (ca.len() as i64 - 1).max(1)) as usize;
            let tail = rng.range(1, (cb.len() as i64 - 1).max(1)) as usize;
            text = ca[..head.min(ca.len())].concat();
            text.push_str(&cb[tail.min(cb.len())..].concat());
            if !texts.contains(&text) {
                break;
            }
        }
        let mut n = 2;
        let code = loop {
            let c = format!("{}{n}", a.code);
            if !codes.contains(&c) {
                break c;
            }
            n += 1;
        };
        codes.insert(code.clone());
        texts.insert(text.clone());
        out.push(Reply { code, text, group: a.group.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::data::data;

    #[test]
    fn clauses_keep_their_punctuation() {
        assert_eq!(clauses("亲,您好!请稍等哦~"), vec!["亲,", "您好!", "请稍等哦~"]);
        assert_eq!(clauses("亲"), vec!["亲"]);
    }

    #[test]
    fn all_by_default_cut_or_grown_on_request() {
        let base = &data().unwrap().replies;
        assert_eq!(reply_set(base, None, 1).len(), base.len());
        assert_eq!(reply_set(base, Some(10), 1).len(), 10);
        let big = reply_set(base, Some(base.len() + 500), 1);
        assert_eq!(big.len(), base.len() + 500);
        let codes: BTreeSet<&str> = big.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), big.len(), "codes are unique");
        assert!(big[base.len()..].iter().all(|r| r.text.starts_with('亲') && !r.text.is_empty()));
        assert_eq!(big, reply_set(base, Some(base.len() + 500), 1));
    }

    /// Every demo reply fills only placeholders kefu knows, and a sum it states is the
    /// one it names: postage is `{邮费}`, a refund is `{退款金额}`, never the order total.
    #[test]
    fn replies_state_the_right_sum() {
        use crate::domain::placeholders::{PlaceholderValues, fill};
        let base = &data().unwrap().replies;
        for r in base {
            let filled = fill(&r.text, &PlaceholderValues::default()).text;
            let mut rest = filled.as_str();
            while let Some(open) = rest.find('{') {
                let tail = &rest[open..];
                assert!(!tail.contains('}'), "[{}] unknown placeholder in {}", r.code, r.text);
                rest = &rest[open + 1..];
            }
            for (i, _) in r.text.match_indices("}元") {
                let open = r.text[..i].rfind('{').unwrap();
                let name = &r.text[open + 1..i];
                let before: String =
                    r.text[..open].chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
                if before.contains("邮费") {
                    assert!(matches!(name, "邮费" | "postage"), "[{}] postage as {{{name}}}: {}", r.code, r.text);
                } else if before.contains("退款") {
                    assert!(matches!(name, "退款金额" | "refund"), "[{}] refund as {{{name}}}: {}", r.code, r.text);
                }
                assert!(!matches!(name, "金额" | "amount"), "[{}] name the sum: {}", r.code, r.text);
            }
        }
        let uses = |name: &str| base.iter().filter(|r| r.text.contains(name)).count();
        for name in ["{邮费}", "{退款金额}", "{实付}", "{发货时间}", "{今天}", "{商品}", "{颜色尺码}"]
        {
            assert!(uses(name) > 0, "no demo reply uses {name}");
        }
    }
}
