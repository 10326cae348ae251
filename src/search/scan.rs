//! Evaluating documents, split over the cores.

use super::grams::bits;
use super::score::Ranked;

/// Below this many candidate words (64 documents each) per thread, fewer threads.
const WORDS_PER_THREAD: usize = 64;
/// Below this many listed documents per thread (each a full text scan), fewer threads.
const DOCS_PER_THREAD: usize = 256;

/// Runs `eval` on every document set in `candidates`; matches in document order.
pub(crate) fn collect<F>(candidates: &[u64], threads: usize, eval: F) -> Vec<Ranked>
where
    F: Fn(usize) -> Option<Ranked> + Sync,
{
    split(candidates, threads, WORDS_PER_THREAD, |words, first| {
        let mut out = Vec::new();
        for (w, &word) in words.iter().enumerate() {
            let base = (first + w) * 64;
            out.extend(bits(word).filter_map(|b| eval(base + b)));
        }
        out
    })
}

/// Runs `eval` on every document of `docs`; results in list order.
pub(crate) fn map<T, F>(docs: &[u32], threads: usize, eval: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    split(docs, threads, DOCS_PER_THREAD, |chunk, _| {
        chunk.iter().map(|&d| eval(d as usize)).collect()
    })
}

/// Runs `work(chunk, offset of chunk)` over consecutive chunks of `items`, one
/// thread each, and concatenates the results in order.
fn split<I, T, W>(items: &[I], threads: usize, min_per_thread: usize, work: W) -> Vec<T>
where
    I: Sync,
    T: Send,
    W: Fn(&[I], usize) -> Vec<T> + Sync,
{
    let threads = threads.min(items.len() / min_per_thread).max(1);
    if threads == 1 {
        return work(items, 0);
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
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_third(doc: usize) -> Option<Ranked> {
        doc.is_multiple_of(3).then_some(Ranked {
            score: 0,
            uses: 0,
            text_len: 0,
            doc: doc as u32,
            pending: false,
        })
    }

    #[test]
    fn threaded_and_single_collect_agree() {
        let mut candidates = vec![u64::MAX; 1000];
        candidates[7] = 0b1010;
        let single = collect(&candidates, 1, every_third);
        let threaded = collect(&candidates, 4, every_third);
        assert_eq!(single, threaded);
        let expected: Vec<u32> = (0..64_000u32)
            .filter(|d| d % 3 == 0 && (d / 64 != 7 || [1, 3].contains(&(d % 64))))
            .collect();
        let docs: Vec<u32> = single.iter().map(|r| r.doc).collect();
        assert_eq!(docs, expected);
    }

    #[test]
    fn threaded_and_single_map_agree() {
        let docs: Vec<u32> = (0..5000).rev().collect();
        let single = map(&docs, 1, every_third);
        assert_eq!(single, map(&docs, 3, every_third));
        let got: Vec<u32> = single.iter().flatten().map(|r| r.doc).collect();
        let expected: Vec<u32> = docs.iter().copied().filter(|d| d % 3 == 0).collect();
        assert_eq!(got, expected);
    }
}
