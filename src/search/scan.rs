//! Evaluating the candidate documents of a bitmap, split over the cores.

use super::grams::bits;
use super::score::Ranked;

/// Below this many candidate words (64 documents each) one thread is faster.
const WORDS_PER_THREAD: usize = 64;

/// Runs `eval` on every document set in `candidates`, on up to `threads` threads,
/// and collects the matches in document order.
pub(crate) fn collect<F>(candidates: &[u64], threads: usize, eval: F) -> Vec<Ranked>
where
    F: Fn(usize) -> Option<Ranked> + Sync,
{
    let threads = threads.min(candidates.len() / WORDS_PER_THREAD).max(1);
    if threads == 1 {
        return run(candidates, 0, &eval);
    }
    let chunk = candidates.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = candidates
            .chunks(chunk)
            .enumerate()
            .map(|(i, words)| {
                let eval = &eval;
                s.spawn(move || run(words, i * chunk, eval))
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

fn run<F>(words: &[u64], first_word: usize, eval: &F) -> Vec<Ranked>
where
    F: Fn(usize) -> Option<Ranked>,
{
    let mut out = Vec::new();
    for (w, &word) in words.iter().enumerate() {
        let base = (first_word + w) * 64;
        out.extend(bits(word).filter_map(|b| eval(base + b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_third(doc: usize) -> Option<Ranked> {
        doc.is_multiple_of(3).then_some(Ranked { score: 0, uses: 0, text_len: 0, doc: doc as u32 })
    }

    #[test]
    fn threaded_and_single_runs_agree() {
        let mut candidates = vec![u64::MAX; 1000];
        candidates[7] = 0b1010;
        let single = collect(&candidates, 1, every_third);
        let threaded = collect(&candidates, 4, every_third);
        assert_eq!(single, threaded);
        let expected: Vec<u32> =
            (0..64_000u32).filter(|d| d % 3 == 0 && (d / 64 != 7 || [1, 3].contains(&(d % 64)))).collect();
        let docs: Vec<u32> = single.iter().map(|r| r.doc).collect();
        assert_eq!(docs, expected);
    }
}
