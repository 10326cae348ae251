//! A compact little-endian binary layout for the stored reply index: lengths first,
//! every read bounded, a broken file read as `None`, never a panic.

use std::io::Read;

/// Bytes being written.
#[derive(Default)]
pub(crate) struct Out(pub(crate) Vec<u8>);

impl Out {
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn u16s(&mut self, v: &[u16]) {
        self.len(v.len());
        self.0.reserve(v.len() * 2);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }

    pub(crate) fn u64s(&mut self, v: &[u64]) {
        self.len(v.len());
        self.0.reserve(v.len() * 8);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
}

/// Bytes being read from a stream of a known length, checksummed on the way: the
/// stored index is parsed as it is read, never held whole in memory twice.
pub(crate) struct In<R: Read> {
    r: R,
    left: usize,
    sum: Checksum,
}

impl<R: Read> In<R> {
    /// Reads at most `len` bytes from `r`.
    pub(crate) fn new(r: R, len: usize) -> In<R> {
        In { r, left: len, sum: Checksum::new(len) }
    }

    fn fill(&mut self, out: &mut [u8]) -> Option<()> {
        if out.len() > self.left {
            return None;
        }
        self.r.read_exact(out).ok()?;
        self.left -= out.len();
        self.sum.feed(out);
        Some(())
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        if n > self.left {
            return None;
        }
        let mut out = vec![0; n];
        self.fill(&mut out)?;
        Some(out)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        let mut b = [0; 4];
        self.fill(&mut b)?;
        Some(u32::from_le_bytes(b))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut b = [0; 8];
        self.fill(&mut b)?;
        Some(u64::from_le_bytes(b))
    }

    /// A length, no larger than what is left to read divided by `unit` bytes.
    pub(crate) fn len(&mut self, unit: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n.checked_mul(unit.max(1))? <= self.left).then_some(n)
    }

    pub(crate) fn string(&mut self) -> Option<String> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?).ok()
    }

    /// `n` items of `width` bytes each, decoded a block at a time.
    fn items<T>(&mut self, width: usize, decode: impl Fn(&[u8]) -> T) -> Option<Vec<T>> {
        let n = self.len(width)?;
        let mut out = Vec::with_capacity(n);
        let mut block = vec![0u8; (64 * 1024 / width).max(1) * width];
        let mut left = n;
        while left > 0 {
            let k = left.min(block.len() / width);
            let chunk = &mut block[..k * width];
            self.fill(chunk)?;
            out.extend(chunk.chunks_exact(width).map(&decode));
            left -= k;
        }
        Some(out)
    }

    pub(crate) fn u16s(&mut self) -> Option<Vec<u16>> {
        self.items(2, |c| u16::from_le_bytes([c[0], c[1]]))
    }

    pub(crate) fn u64s(&mut self) -> Option<Vec<u64>> {
        self.items(8, |c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
    }

    /// Everything was read, and nothing follows in the stream.
    pub(crate) fn at_end(&mut self) -> bool {
        self.left == 0 && matches!(self.r.read(&mut [0u8; 1]), Ok(0))
    }

    /// The checksum of what was read (when all of it was).
    pub(crate) fn checksum(self) -> u64 {
        self.sum.finish()
    }
}

/// [`checksum`], fed piece by piece.
pub(crate) struct Checksum {
    h: u64,
    pending: [u8; 8],
    n: usize,
}

const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

impl Checksum {
    pub(crate) fn new(len: usize) -> Checksum {
        Checksum { h: 0x6b65_6675_2d69_6478 ^ len as u64, pending: [0; 8], n: 0 }
    }

    fn word(&mut self, w: u64) {
        self.h = (self.h.rotate_left(23) ^ w).wrapping_mul(MUL);
    }

    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        if self.n > 0 {
            let k = (8 - self.n).min(bytes.len());
            self.pending[self.n..self.n + k].copy_from_slice(&bytes[..k]);
            self.n += k;
            bytes = &bytes[k..];
            if self.n < 8 {
                return;
            }
            self.word(u64::from_le_bytes(self.pending));
            self.n = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.n = rest.len();
    }

    pub(crate) fn finish(mut self) -> u64 {
        for i in 0..self.n {
            let b = self.pending[i];
            self.word(u64::from(b));
        }
        self.h ^ (self.h >> 29)
    }
}

/// A fast 64-bit checksum of `bytes` (eight bytes a step), to tell a damaged file.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let mut c = Checksum::new(bytes.len());
    c.feed(bytes);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_short_reads() {
        let mut o = Out::default();
        o.u32(7);
        o.str("运费险");
        o.u16s(&[1, 2, 65535]);
        o.u64s(&[u64::MAX, 0]);
        let mut i = In::new(&o.0[..], o.0.len());
        assert_eq!(i.u32(), Some(7));
        assert_eq!(i.string().as_deref(), Some("运费险"));
        assert_eq!(i.u16s(), Some(vec![1, 2, 65535]));
        assert_eq!(i.u64s(), Some(vec![u64::MAX, 0]));
        assert!(i.at_end());
        assert_eq!(i.u32(), None);
        assert_eq!(i.checksum(), checksum(&o.0));
        // A length past the end is refused, not allocated.
        let mut o = Out::default();
        o.u64(u64::MAX);
        assert_eq!(In::new(&o.0[..], 8).u16s(), None);
        assert_eq!(In::new(&o.0[..3], 8).u64(), None);
        // Bytes after the expected length: not at the end.
        let mut i = In::new(&o.0[..], 4);
        assert!(i.u32().is_some());
        assert!(!i.at_end());
    }

    #[test]
    fn checksum_sees_one_flipped_bit_and_streams_alike() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut other = data.clone();
        other[517] ^= 4;
        assert_ne!(checksum(&data), checksum(&other));
        assert_ne!(checksum(&data), checksum(&data[..999]));
        for cut in [0, 1, 3, 8, 13, 500, 999] {
            let mut c = Checksum::new(data.len());
            c.feed(&data[..cut]);
            c.feed(&data[cut..cut + (data.len() - cut) / 2]);
            c.feed(&data[cut + (data.len() - cut) / 2..]);
            assert_eq!(c.finish(), checksum(&data), "cut at {cut}");
        }
    }
}
