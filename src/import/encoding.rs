//! Which encoding an export file is in, found without asking: a UTF-8 BOM means UTF-8;
//! text that is valid UTF-8 is UTF-8; anything else is read as GB18030 (a superset of
//! GBK, which the seller centre writes). Binary files (NUL bytes, or too much that no
//! encoding can read) are refused. Without a BOM, detection streams over the whole file
//! in fixed chunks before it is read, so a 400 MB export costs no more memory than a
//! small one; with one, the file is checked as it is read (`DecodingReader`).

use std::io::{self, Read, Seek, SeekFrom};

use encoding_rs::{DecoderResult, GB18030, UTF_8};

use super::ImportError;

const CHUNK: usize = 1 << 16;
const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8Bom,
    Utf8,
    Gb18030,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8Bom => "UTF-8(带BOM)",
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GBK/GB18030",
        }
    }
}

/// Counts over a scan: how much text, how much of it unreadable.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    bytes: u64,
    chars: u64,
    bad: u64,
}

impl Tally {
    /// More than 2% unreadable: not a text file in this encoding.
    fn too_bad(&self) -> bool {
        self.bad > 0 && self.bad * 50 > self.chars
    }
}

fn refuse_binary(why: &str) -> ImportError {
    ImportError::Refused(format!("这不是文本文件({why})。请选择千牛/卖家中心导出的 CSV 文件(.csv,GBK 或 UTF-8 编码)"))
}

/// Reads `r` from its start to its end and says how it is encoded, or why it is refused.
/// Leaves the reader at the start again.
pub fn detect<R: Read + Seek>(r: &mut R) -> Result<TextEncoding, ImportError> {
    r.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; CHUNK];
    let mut first = true;
    let mut has_bom = false;
    let mut carry: Vec<u8> = Vec::new();
    let mut utf8 = Tally::default();
    let mut any_text = false;
    loop {
        let n = read_full(r, &mut buf)?;
        let mut chunk = &buf[..n];
        if first {
            first = false;
            if chunk.starts_with(b"\xFF\xFE") || chunk.starts_with(b"\xFE\xFF") {
                return Err(refuse_binary("UTF-16 编码,请在 Excel 里另存为「CSV UTF-8」或「CSV」"));
            }
            if chunk.starts_with(b"PK\x03\x04") {
                return Err(refuse_binary("看起来是 .xlsx/.zip 压缩文件,请导出或另存为 CSV"));
            }
            if chunk.starts_with(BOM) {
                has_bom = true;
                chunk = &chunk[BOM.len()..];
                // A BOM says UTF-8: the rest of the file is checked as it is read
                // (`DecodingReader`), not in a pass of its own over a 400 MB export.
                if !chunk.contains(&0) && chunk.iter().any(|b| !b.is_ascii_whitespace()) {
                    r.seek(SeekFrom::Start(0))?;
                    return Ok(TextEncoding::Utf8Bom);
                }
            }
        }
        if chunk.contains(&0) {
            return Err(refuse_binary("含有 NUL 字节"));
        }
        if !any_text {
            any_text = chunk.iter().any(|b| !b.is_ascii_whitespace());
        }
        utf8.bytes += chunk.len() as u64;
        utf8.chars += chunk.iter().filter(|b| (**b as i8) >= -0x40).count() as u64;
        // Validate, carrying an incomplete trailing sequence into the next chunk.
        let mut data: Vec<u8>;
        let mut rest: &[u8] = if carry.is_empty() {
            chunk
        } else {
            data = std::mem::take(&mut carry);
            data.extend_from_slice(chunk);
            &data[..]
        };
        loop {
            match std::str::from_utf8(rest) {
                Ok(_) => break,
                Err(e) => match e.error_len() {
                    Some(len) => {
                        utf8.bad += 1;
                        rest = &rest[e.valid_up_to() + len..];
                    }
                    None => {
                        if n == 0 {
                            utf8.bad += 1;
                        } else {
                            carry = rest[e.valid_up_to()..].to_vec();
                        }
                        break;
                    }
                },
            }
        }
        if n == 0 {
            break;
        }
    }
    if !any_text {
        return Err(ImportError::Refused("文件是空的(没有表头,也没有数据行)".into()));
    }
    let enc = if has_bom {
        if utf8.too_bad() {
            return Err(refuse_binary("有 BOM 但大量字节不是 UTF-8"));
        }
        TextEncoding::Utf8Bom
    } else if utf8.bad == 0 {
        TextEncoding::Utf8
    } else {
        let gb = tally_gb18030(r)?;
        if gb.too_bad() {
            return Err(refuse_binary(&format!("{} 处字节既不是 UTF-8 也不是 GBK", gb.bad)));
        }
        TextEncoding::Gb18030
    };
    r.seek(SeekFrom::Start(0))?;
    Ok(enc)
}

fn tally_gb18030<R: Read + Seek>(r: &mut R) -> Result<Tally, ImportError> {
    r.seek(SeekFrom::Start(0))?;
    let mut dec = GB18030.new_decoder_without_bom_handling();
    let mut inbuf = vec![0u8; CHUNK];
    let mut out = vec![0u8; CHUNK * 2 + 16];
    let mut t = Tally::default();
    loop {
        let n = read_full(r, &mut inbuf)?;
        let last = n == 0;
        let mut src = &inbuf[..n];
        t.bytes += n as u64;
        loop {
            let (res, read, written) = dec.decode_to_utf8_without_replacement(src, &mut out, last);
            t.chars += out[..written].iter().filter(|b| (**b as i8) >= -0x40).count() as u64;
            src = &src[read..];
            match res {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(_, _) => {
                    t.bad += 1;
                    t.chars += 1;
                }
            }
        }
        if last {
            break;
        }
    }
    Ok(t)
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Turns the file's bytes into UTF-8 as they are read (BOM removed; what cannot be read
/// becomes U+FFFD), for the CSV reader to consume. A file with a BOM, which `detect`
/// took at its word, is checked here as it goes: a NUL byte, or more than one character
/// in 50 unreadable by the end, is an error (`InvalidData`), and the import that was
/// reading it writes nothing.
pub struct DecodingReader<R> {
    inner: R,
    /// For a BOM file: what has been read so far.
    check: Option<Tally>,
    decoder: encoding_rs::Decoder,
    inbuf: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    eof: bool,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    done: bool,
}

impl<R: Read> DecodingReader<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        let decoder = match encoding {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8.new_decoder_with_bom_removal(),
            TextEncoding::Gb18030 => GB18030.new_decoder_without_bom_handling(),
        };
        DecodingReader {
            inner,
            check: (encoding == TextEncoding::Utf8Bom).then(Tally::default),
            decoder,
            inbuf: vec![0; CHUNK],
            in_pos: 0,
            in_len: 0,
            eof: false,
            out: vec![0; CHUNK * 2 + 16],
            out_pos: 0,
            out_len: 0,
            done: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.out_pos == self.out_len && !self.done {
            if self.in_pos == self.in_len && !self.eof {
                self.in_len = read_full(&mut self.inner, &mut self.inbuf)?;
                self.in_pos = 0;
                self.eof = self.in_len == 0;
            }
            let (res, read, written, replaced) =
                self.decoder.decode_to_utf8(&self.inbuf[self.in_pos..self.in_len], &mut self.out, self.eof);
            self.in_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            if self.eof && res == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
            if let Some(t) = self.check.as_mut() {
                check_text(t, &self.out[..written], replaced, self.done)?;
            }
        }
        Ok(())
    }
}

/// Tallies a piece of decoded text of a BOM file; `last`: the file has ended.
fn check_text(t: &mut Tally, text: &[u8], replaced: bool, last: bool) -> io::Result<()> {
    let refuse = |why: &str| io::Error::new(io::ErrorKind::InvalidData, refuse_binary(why).to_string());
    if memchr::memchr(0, text).is_some() {
        return Err(refuse("含有 NUL 字节"));
    }
    t.bytes += text.len() as u64;
    t.chars += text.iter().filter(|b| (**b as i8) >= -0x40).count() as u64;
    if replaced {
        t.bad += memchr::memmem::find_iter(text, "\u{FFFD}".as_bytes()).count() as u64;
    }
    if last && t.too_bad() {
        return Err(refuse("有 BOM 但大量字节不是 UTF-8"));
    }
    Ok(())
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let n = (self.out_len - self.out_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Detects the encoding of `r` and returns a reader of its text as UTF-8.
pub fn open_text<R: Read + Seek>(mut r: R) -> Result<(TextEncoding, DecodingReader<R>), ImportError> {
    let enc = detect(&mut r)?;
    Ok((enc, DecodingReader::new(r, enc)))
}

/// The whole of a small input decoded (tests and small files).
pub fn decode_all(bytes: &[u8]) -> Result<(TextEncoding, String), ImportError> {
    let (enc, mut rd) = open_text(io::Cursor::new(bytes))?;
    let mut s = String::new();
    rd.read_to_string(&mut s)?;
    Ok((enc, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    #[test]
    fn utf8_with_bom_is_utf8_and_loses_the_bom() {
        let mut b = BOM.to_vec();
        b.extend_from_slice("订单编号,买家会员名\n1,小王\n".as_bytes());
        let (enc, text) = decode_all(&b).unwrap();
        assert_eq!(enc, TextEncoding::Utf8Bom);
        assert_eq!(text, "订单编号,买家会员名\n1,小王\n");
    }

    #[test]
    fn valid_utf8_is_utf8() {
        let (enc, text) = decode_all("订单编号,买家会员名\n1,小王\n".as_bytes()).unwrap();
        assert_eq!(enc, TextEncoding::Utf8);
        assert_eq!(text, "订单编号,买家会员名\n1,小王\n");
        let (enc, _) = decode_all(b"a,b\n1,2\n").unwrap();
        assert_eq!(enc, TextEncoding::Utf8);
    }

    #[test]
    fn gbk_is_read_as_gb18030() {
        let src = "订单编号,买家会员名,订单状态\n1,小王,买家已付款，等待卖家发货\n";
        let b = gbk(src);
        assert!(std::str::from_utf8(&b).is_err());
        let (enc, text) = decode_all(&b).unwrap();
        assert_eq!(enc, TextEncoding::Gb18030);
        assert_eq!(text, src);
    }

    #[test]
    fn gbk_split_across_chunks_decodes_whole() {
        // Multi-byte characters straddle every 64 KiB chunk boundary.
        let src: String = "收货地址浙江省杭州市,".repeat(20_000);
        let b = gbk(&src);
        assert!(b.len() > 3 * CHUNK);
        let (enc, text) = decode_all(&b).unwrap();
        assert_eq!(enc, TextEncoding::Gb18030);
        assert_eq!(text, src);
        // and UTF-8 the same way
        let (enc, text) = decode_all(src.as_bytes()).unwrap();
        assert_eq!(enc, TextEncoding::Utf8);
        assert_eq!(text, src);
    }

    #[test]
    fn a_few_bad_bytes_in_gbk_become_replacement_chars() {
        let mut b =
            gbk("订单编号,买家会员名\n1,小王张三李四赵六钱七孙八周九吴十郑一王二冯三陈四褚五卫六蒋七沈八韩九杨十\n");
        b.push(0xFF);
        b.extend_from_slice(&gbk("\n2,小李\n"));
        let (enc, text) = decode_all(&b).unwrap();
        assert_eq!(enc, TextEncoding::Gb18030);
        assert!(text.contains('\u{FFFD}'));
        assert!(text.ends_with("2,小李\n"));
    }

    #[test]
    fn binary_is_refused() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
        let err = decode_all(png).unwrap_err().to_string();
        assert!(err.contains("不是文本文件") && err.contains("NUL"), "{err}");
        // no NUL, but mostly unreadable in any encoding
        let junk: Vec<u8> = (0..4000u32).map(|i| [0x80u8, 0xFF, 0xA1, 0x7F, 0xFE][(i % 5) as usize]).collect();
        let err = decode_all(&junk).unwrap_err().to_string();
        assert!(err.contains("不是文本文件"), "{err}");
        let err = decode_all(b"PK\x03\x04\x14\x00").unwrap_err().to_string();
        assert!(err.contains("xlsx"), "{err}");
        let err = decode_all(b"\xFF\xFEa\0b\0").unwrap_err().to_string();
        assert!(err.contains("UTF-16"), "{err}");
    }

    /// A BOM file is taken at its word when opened, and checked as it is read.
    #[test]
    fn a_bom_file_is_checked_as_it_is_read() {
        let mut text = BOM.to_vec();
        text.extend_from_slice("订单编号,买家会员名\n".as_bytes());
        let head = text.len();
        for _ in 0..2 * CHUNK / 20 {
            text.extend_from_slice("1,小王\n".as_bytes());
        }
        // a few bad bytes far in: read, as U+FFFD
        let mut few = text.clone();
        few.extend_from_slice(b"2,\xFF\xFE\n");
        let (enc, out) = decode_all(&few).unwrap();
        assert_eq!(enc, TextEncoding::Utf8Bom);
        assert!(out.ends_with("2,\u{FFFD}\u{FFFD}\n"), "{:?}", &out[out.len() - 20..]);
        // mostly garbage after the header: refused once read
        let mut junk = text[..head].to_vec();
        junk.extend((0..4 * CHUNK as u32).map(|i| [0x80u8, 0xFF, 0xA1, 0x41, 0xFE][(i % 5) as usize]));
        let (enc, mut rd) = open_text(io::Cursor::new(junk)).unwrap();
        assert_eq!(enc, TextEncoding::Utf8Bom);
        let err = io::read_to_string(&mut rd).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("有 BOM 但大量字节不是 UTF-8"), "{err}");
        // a NUL byte after the first chunk
        let mut nul = text.clone();
        nul.extend_from_slice(b"3,\0\n");
        let err = decode_all(&nul).unwrap_err().to_string();
        assert!(err.contains("NUL"), "{err}");
    }

    #[test]
    fn empty_is_refused() {
        for b in [&b""[..], b"   \r\n\n", BOM] {
            let err = decode_all(b).unwrap_err().to_string();
            assert!(err.contains("空"), "{err}");
        }
    }
}
