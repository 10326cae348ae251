//! A compact little-endian binary layout for the stored reply index: lengths first,
//! every read bounded, a broken file read as `None`, never a panic.

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

/// Bytes being read.
pub(crate) struct In<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> In<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> In<'a> {
        In { buf, pos: 0 }
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A length, no larger than what is left to read divided by `unit` bytes.
    pub(crate) fn len(&mut self, unit: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n.checked_mul(unit.max(1))? <= self.buf.len() - self.pos).then_some(n)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let n = self.len(1)?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    pub(crate) fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    pub(crate) fn u16s(&mut self) -> Option<Vec<u16>> {
        let n = self.len(2)?;
        Some(self.take(n * 2)?.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect())
    }

    pub(crate) fn u64s(&mut self) -> Option<Vec<u64>> {
        let n = self.len(8)?;
        Some(
            self.take(n * 8)?
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        )
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }
}

/// A fast 64-bit checksum of `bytes` (eight bytes a step), to tell a damaged file.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x6b65_6675_2d69_6478 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(23) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h ^ (h >> 29)
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
        let mut i = In::new(&o.0);
        assert_eq!(i.u32(), Some(7));
        assert_eq!(i.str(), Some("运费险"));
        assert_eq!(i.u16s(), Some(vec![1, 2, 65535]));
        assert_eq!(i.u64s(), Some(vec![u64::MAX, 0]));
        assert!(i.at_end());
        assert_eq!(i.u32(), None);
        // A length past the end is refused, not allocated.
        let mut o = Out::default();
        o.u64(u64::MAX);
        assert_eq!(In::new(&o.0).u16s(), None);
        assert_eq!(In::new(&o.0[..3]).u64(), None);
    }

    #[test]
    fn checksum_sees_one_flipped_bit() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut other = data.clone();
        other[517] ^= 4;
        assert_ne!(checksum(&data), checksum(&other));
        assert_ne!(checksum(&data), checksum(&data[..999]));
        assert_eq!(checksum(&data), checksum(&data.clone()));
    }
}
