//! Evaluating documents, split over the cores.

use super::grams::bits;
use super::score::{Bounds, Ranked};

/// Below this many candidate words (64 documents each) per thread, fewer threads.
const WORDS_PER_THREAD: usize = 128;
/// Below this many listed documents per thread (each a full text scan), fewer threads.
const DOCS_PER_THREAD: usize = 4096;

/// Runs `eval` on every document set in `candidates`, each thread keeping only
/// what could make the best `limit`.
pub(crate) fn collect<F>(candidates: &[u64], threads: usize, limit: usize, eval: F) -> Bounds
where
    F: Fn(usize) -> Option<Ranked> + Sync,
{
    let parts = split(candidates, threads, WORDS_PER_THREAD, |words, first| {
        let mut bounds = Bounds::default();
        for (w, &word) in words.iter().enumerate() {
            let base = (first + w) * 64;
            for b in bits(word) {
                if let Some(r) = eval(base + b) {
                    bounds.push(r);
                }
            }
        }
        bounds.prune(limit);
        bounds
    });
    let mut all = Bounds::default();
    for part in parts {
        all.append(part);
    }
    all
}

/// Documents whose memory is requested together before they are evaluated.
const WARM_GROUP: usize = 32;

/// Runs `eval` on every document of `docs`; results in list order.
///
/// `warm(doc)` reads a little of each cache line `eval` will read and returns
/// anything derived from it: calling it for a group of documents first lets the
/// CPU fetch all their lines at once instead of one miss after another.
pub(crate) fn map<T, W, F>(docs: &[u32], threads: usize, warm: W, eval: F) -> Vec<T>
where
    T: Send,
    W: Fn(usize) -> u32 + Sync,
    F: Fn(usize) -> T + Sync,
{
    let parts = split(docs, threads, DOCS_PER_THREAD, |chunk, _| {
        let mut out = Vec::with_capacity(chunk.len());
        for group in chunk.chunks(WARM_GROUP) {
            std::hint::black_box(group.iter().fold(0, |acc, &d| acc ^ warm(d as usize)));
            out.extend(group.iter().map(|&d| eval(d as usize)));
        }
        out
    });
    parts.into_iter().flatten().collect()
}

/// Runs `work(chunk, offset of chunk)` over consecutive chunks of `items`, one
/// thread each; the results in chunk order.
fn split<I, R, W>(items: &[I], threads: usize, min_per_thread: usize, work: W) -> Vec<R>
where
    I: Sync,
    R: Send,
    W: Fn(&[I], usize) -> R + Sync,
{
    let threads = threads.min(items.len() / min_per_thread).max(1);
    if threads == 1 {
        return vec![work(items, 0)];
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| {
                let work = &work;
                s.spawn(move || work(part, i * chunk))
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_third(doc: usize) -> Option<Ranked> {
        doc.is_multiple_of(3).then_some(Ranked {
            score: 0,
            mine: 0,
            uses: 0,
            text_len: 0,
            doc: doc as u32,
            pending: false,
        })
    }

    /// Exact when divisible by 3, pending (with a better bound) when by 5.
    fn thirds_and_fifths(doc: usize) -> Option<Ranked> {
        every_third(doc).or_else(|| {
            doc.is_multiple_of(5).then_some(Ranked {
                score: 1,
                mine: 0,
                uses: 0,
                text_len: 0,
                doc: doc as u32,
                pending: true,
            })
        })
    }

    fn docs(ranked: &[Ranked]) -> Vec<u32> {
        ranked.iter().map(|r| r.doc).collect()
    }

    #[test]
    fn threaded_and_single_collect_agree() {
        let mut candidates = vec![u64::MAX; 1000];
        candidates[7] = 0b1010;
        let single = collect(&candidates, 1, usize::MAX, thirds_and_fifths);
        let threaded = collect(&candidates, 4, usize::MAX, thirds_and_fifths);
        assert_eq!(single.exact, threaded.exact);
        assert_eq!(single.pending, threaded.pending);
        let set = |d: &u32| d / 64 != 7 || [1, 3].contains(&(d % 64));
        let expected: Vec<u32> = (0..64_000u32).filter(|d| d % 3 == 0 && set(d)).collect();
        assert_eq!(docs(&single.exact), expected);
        let expected: Vec<u32> = (0..64_000u32).filter(|d| d % 3 != 0 && d % 5 == 0 && set(d)).collect();
        assert_eq!(docs(&single.pending), expected);
    }

    #[test]
    fn collect_prunes_per_thread() {
        let candidates = vec![u64::MAX; 1000];
        let threaded = collect(&candidates, 4, 10, thirds_and_fifths);
        assert!(threaded.exact.len() <= 40);
        let mut exact = docs(&threaded.exact);
        exact.sort_unstable();
        assert_eq!(exact[..10], [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
        // Pending bounds beat every exact entry, so none were dropped.
        let fifths = (0..64_000).filter(|d| d % 5 == 0 && d % 3 != 0).count();
        assert_eq!(threaded.pending.len(), fifths);
    }

    #[test]
    fn threaded_and_single_map_agree() {
        let docs: Vec<u32> = (0..5000).rev().collect();
        let warm = |d: usize| d as u32;
        let single = map(&docs, 1, warm, every_third);
        assert_eq!(single, map(&docs, 3, warm, every_third));
        let got: Vec<u32> = single.iter().flatten().map(|r| r.doc).collect();
        let expected: Vec<u32> = docs.iter().copied().filter(|d| d % 3 == 0).collect();
        assert_eq!(got, expected);
    }
}
