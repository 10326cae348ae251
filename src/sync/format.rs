//! The sync file, format 1. Self-describing JSON Lines:
//!
//! ```text
//! {"kefu_sync":1,"kefu_version":"0.1.0","seat":"seat-a","created_at":"…","event_count":2,
//!  "seats":{"seat-a":[1,2]},"first_id":"…","last_id":"…"}          ← line 1: header
//! {"id":"…","seat":"seat-a","seq":1,"agent":"宾","at":"2026-06-28T02:00:00.000Z",
//!  "kind":"memo_added","payload":"{…}","prev_hash":"","hash":"…"}   ← one event a line
//! {"sha256":"<hex of every byte before this line>","event_count":2} ← trailer
//! ```
//!
//! Events carry exactly their stored fields; `payload` stays the exact string that was
//! hashed, so every event's hash verifies on the other side. Large files are gzip
//! compressed; readers detect gzip by its magic bytes, so both kinds always read.
//!
//! Reading verifies everything before anything is imported: the header (a newer
//! format is refused with a message naming the kefu that wrote it), the trailer's
//! SHA-256 over the whole body, the counts, every event's hash, each seat's hash
//! chain, and that every text is clean (no control characters, escape sequences or
//! bidi overrides: kefu never writes them, so a file that has them was not written by
//! kefu). Any problem refuses the file as a whole, saying what is wrong and where.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::bufread::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::event::{Event, EventBody, event_hash, format_at};

/// The sync format this kefu writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
pub const KEFU_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Files whose events take more than this many bytes are written gzip-compressed.
pub const GZIP_ABOVE_BYTES: u64 = 1 << 20;
/// No line of a sync file may be longer (a batch of platform orders is the longest).
const MAX_LINE_BYTES: u64 = 64 << 20;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Line 1 of a sync file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The sync format version.
    pub kefu_sync: u32,
    /// The kefu that wrote the file.
    pub kefu_version: String,
    /// The seat that wrote the file (its events may come from many seats).
    pub seat: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub event_count: u64,
    /// For each seat whose events the file holds: its lowest and highest sequence number.
    pub seats: BTreeMap<String, [i64; 2]>,
    pub first_id: Option<String>,
    pub last_id: Option<String>,
}

/// The last line: the SHA-256 of every byte before it, and the number of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    sha256: String,
    event_count: u64,
}

/// An event line as written: the stored fields, `at` in its stored text form.
#[derive(Debug, Serialize)]
pub struct StoredEvent<'a> {
    pub id: &'a str,
    pub seat: &'a str,
    pub seq: i64,
    pub agent: &'a str,
    pub at: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventIn {
    id: String,
    seat: String,
    seq: i64,
    agent: String,
    at: String,
    kind: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

/// What is wrong with a refused file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Zero bytes.
    Empty,
    /// Not a kefu sync file at all.
    NotKefu,
    /// Written in a newer sync format than this kefu reads.
    NewerFormat,
    /// Cut short: no trailer line.
    Truncated,
    /// The SHA-256 in the trailer does not match, or the gzip data is corrupt.
    Checksum,
    /// The header, trailer and lines disagree on how many events there are.
    Count,
    /// A line that is not an event.
    NotAnEvent,
    /// An event that is malformed (bad time, unknown kind, unclean text …).
    BadEvent,
    /// An event whose hash does not match its content.
    EventHash,
    /// A seat's hash chain is broken, or a seat's number is used twice.
    Chain,
    /// The header does not describe the events that follow it.
    HeaderMismatch,
    /// A line longer than any kefu writes.
    LineTooLong,
}

/// Why a file was refused (as a whole: nothing from it is imported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub problem: Problem,
    pub message: String,
}

fn refuse(problem: Problem, message: impl Into<String>) -> Refusal {
    Refusal { problem, message: message.into() }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Writes a sync file: the header, then `event` for each event, then `finish`.
pub struct FileWriter<W: Write> {
    out: Sink<W>,
    sha: Sha256,
    line: Vec<u8>,
    written: u64,
    expected: u64,
}

enum Sink<W: Write> {
    Plain(BufWriter<W>),
    Gzip(GzEncoder<BufWriter<W>>),
}

impl<W: Write> Sink<W> {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(bytes),
            Sink::Gzip(w) => w.write_all(bytes),
        }
    }
}

impl<W: Write> FileWriter<W> {
    pub fn new(inner: W, header: &Header, compress: bool) -> io::Result<FileWriter<W>> {
        let buf = BufWriter::with_capacity(1 << 20, inner);
        let out = if compress { Sink::Gzip(GzEncoder::new(buf, Compression::fast())) } else { Sink::Plain(buf) };
        let mut w = FileWriter { out, sha: Sha256::new(), line: Vec::with_capacity(4096), written: 0, expected: 0 };
        w.expected = header.event_count;
        serde_json::to_writer(&mut w.line, header)?;
        w.emit_line()?;
        Ok(w)
    }

    fn emit_line(&mut self) -> io::Result<()> {
        self.line.push(b'\n');
        self.sha.update(&self.line);
        self.out.write_all(&self.line)?;
        self.line.clear();
        Ok(())
    }

    pub fn event(&mut self, e: &Event) -> io::Result<()> {
        let at = e.at_text();
        self.stored_event(&StoredEvent {
            id: &e.id,
            seat: &e.seat,
            seq: e.seq,
            agent: &e.agent,
            at: &at,
            kind: &e.kind,
            payload: &e.payload,
            prev_hash: &e.prev_hash,
            hash: &e.hash,
        })
    }

    /// An event as its columns are stored (`at` as text), written without parsing.
    pub fn stored_event(&mut self, e: &StoredEvent<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut self.line, e)?;
        self.emit_line()?;
        self.written += 1;
        Ok(())
    }

    /// Writes the trailer and flushes; returns the inner writer and the body's SHA-256.
    pub fn finish(mut self) -> io::Result<(W, String)> {
        if self.written != self.expected {
            return Err(io::Error::other(format!(
                "导出时事件数与文件头不符(文件头 {},写出 {})",
                self.expected, self.written
            )));
        }
        let sha = hex::encode(self.sha.finalize_reset());
        let trailer = Trailer { sha256: sha.clone(), event_count: self.written };
        let mut line = serde_json::to_vec(&trailer)?;
        line.push(b'\n');
        self.out.write_all(&line)?;
        let buf = match self.out {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
        };
        let inner = buf.into_inner().map_err(|e| e.into_error())?;
        Ok((inner, sha))
    }
}

/// A verified sync file: every check passed.
#[derive(Debug)]
pub struct SyncFile {
    pub header: Header,
    /// The events in the file's order.
    pub events: Vec<Event>,
    /// `bodies[i]` is `events[i]`'s parsed payload.
    pub bodies: Vec<EventBody>,
    /// The trailer's SHA-256 (of the uncompressed body).
    pub sha256: String,
    pub compressed: bool,
}

/// Counts the raw bytes read (for progress and for gzip error offsets) and remembers
/// whether the file itself failed to read (as opposed to the gzip data being bad).
struct Counting<R> {
    inner: R,
    read: u64,
    io_failed: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.read += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.io_failed = true;
                Err(e)
            }
        }
    }
}

/// Reads and verifies the sync file at `path`. `progress(done, total)` gets raw bytes.
pub fn read_path(path: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<SyncFile, ReadError> {
    let file = File::open(path)?;
    let total = file.metadata()?.len();
    read_from(file, total, progress)
}

/// Reads and verifies a sync file from `raw` (`total` bytes long, for progress).
/// Compressed data is inflated on a second thread while this one verifies.
pub fn read_from(raw: impl Read + Send, total: u64, progress: &mut dyn FnMut(u64, u64)) -> Result<SyncFile, ReadError> {
    let mut raw = BufReader::with_capacity(1 << 20, Counting { inner: raw, read: 0, io_failed: false });
    let magic = {
        let buf = raw.fill_buf()?;
        if buf.is_empty() {
            return Err(refuse(Problem::Empty, "文件是空的(0 字节)").into());
        }
        buf.len() >= 2 && buf[..2] == GZIP_MAGIC
    };
    if !magic {
        return read_lines(&mut raw, false, total, progress, |r: &BufReader<Counting<_>>| {
            let c = r.get_ref();
            (c.read, c.io_failed)
        });
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(4);
        scope.spawn(move || inflate(raw, tx));
        let chunks = Chunks { rx, cur: Vec::new(), pos: 0, raw_read: 0, io_failed: false };
        let mut reader = BufReader::with_capacity(1 << 16, chunks);
        read_lines(&mut reader, true, total, progress, |r: &BufReader<Chunks>| {
            let c = r.get_ref();
            (c.raw_read, c.io_failed)
        })
    })
}

/// Inflated bytes and how far into the raw file they reach, or the error (with where
/// it happened and whether the disk, not the data, failed).
type Chunk = Result<(Vec<u8>, u64), (io::Error, u64, bool)>;

fn inflate<R: Read>(raw: BufReader<Counting<R>>, tx: std::sync::mpsc::SyncSender<Chunk>) {
    let mut dec = MultiGzDecoder::new(raw);
    loop {
        let mut buf = vec![0u8; 1 << 20];
        let mut filled = 0;
        let result = loop {
            match dec.read(&mut buf[filled..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    filled += n;
                    if filled == buf.len() {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        let counting = dec.get_ref().get_ref();
        let (raw_read, io_failed) = (counting.read, counting.io_failed);
        if filled > 0 {
            buf.truncate(filled);
            if tx.send(Ok((buf, raw_read))).is_err() {
                return; // the reader stopped: the file was refused
            }
        }
        match result {
            Err(e) => {
                let _ = tx.send(Err((e, raw_read, io_failed)));
                return;
            }
            Ok(()) if filled == 0 => return, // end of data: dropping `tx` says so
            Ok(()) => {}
        }
    }
}

/// The reading end of `inflate`.
struct Chunks {
    rx: std::sync::mpsc::Receiver<Chunk>,
    cur: Vec<u8>,
    pos: usize,
    raw_read: u64,
    io_failed: bool,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.cur.len() {
            match self.rx.recv() {
                Ok(Ok((chunk, raw_read))) => {
                    self.cur = chunk;
                    self.pos = 0;
                    self.raw_read = raw_read;
                }
                Ok(Err((e, raw_read, io_failed))) => {
                    self.raw_read = raw_read;
                    self.io_failed = io_failed;
                    return Err(e);
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// One seat's events seen so far, for the chain check.
#[derive(Default)]
struct SeatChain {
    min: i64,
    max: i64,
    last_seq: i64,
    last_hash: String,
    /// The seat's events were not in increasing sequence order: check after sorting.
    unordered: bool,
}

struct Verifier {
    sha: Sha256,
    events: Vec<Event>,
    bodies: Vec<EventBody>,
    seats: HashMap<String, SeatChain>,
    /// The first problem with a line; reported if the checksum is right (a file written
    /// wrongly, or edited with its checksum recomputed), else as a hint.
    first_error: Option<Refusal>,
}

fn read_lines<R: BufRead>(
    reader: &mut R,
    compressed: bool,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    raw_pos: impl Fn(&R) -> (u64, bool),
) -> Result<SyncFile, ReadError> {
    let mut line: Vec<u8> = Vec::with_capacity(4096);
    // Maps a read error to a refusal when it comes from the gzip data, not the disk.
    let read_line = |reader: &mut R, buf: &mut Vec<u8>| -> Result<usize, ReadError> {
        buf.clear();
        match reader.by_ref().take(MAX_LINE_BYTES + 1).read_until(b'\n', buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                let (at, io_failed) = raw_pos(reader);
                if !compressed || io_failed {
                    Err(ReadError::Io(e))
                } else if e.kind() == io::ErrorKind::UnexpectedEof {
                    Err(refuse(Problem::Truncated, format!("压缩数据在字节偏移 {at} 附近中断 — 文件被截断({e})"))
                        .into())
                } else {
                    Err(refuse(
                        Problem::Checksum,
                        format!("压缩数据损坏,gzip 校验失败(压缩文件字节偏移 {at} 附近):{e}"),
                    )
                    .into())
                }
            }
        }
    };

    // Line 1: the header.
    let n = read_line(reader, &mut line)?;
    if n == 0 {
        return Err(refuse(Problem::Empty, "文件是空的(解压后 0 字节)").into());
    }
    if line.last() != Some(&b'\n') && line.starts_with(b"{\"kefu_sync\"") {
        return Err(refuse(Problem::Truncated, "文件只有不完整的文件头 — 文件被截断").into());
    }
    let header = parse_header(&line)?;
    let mut v = Verifier {
        sha: Sha256::new(),
        events: Vec::with_capacity(header.event_count.min(10_000_000) as usize),
        bodies: Vec::with_capacity(header.event_count.min(10_000_000) as usize),
        seats: HashMap::new(),
        first_error: None,
    };
    if line.last() != Some(&b'\n') {
        return Err(refuse(Problem::Truncated, "文件只有不完整的文件头 — 文件被截断").into());
    }
    v.sha.update(&line);

    // Every further line is an event, but the last, which is the trailer: a line is
    // judged when the next one has been read.
    let mut pending: Vec<u8> = Vec::with_capacity(4096);
    let mut have_pending = false;
    let mut line_no: u64 = 1; // number of the pending line
    let mut offset: u64 = n as u64; // where the pending line starts (uncompressed)
    let mut next_offset: u64 = n as u64;
    let mut last_progress = 0u64;
    loop {
        let n = read_line(reader, &mut line)?;
        if n as u64 > MAX_LINE_BYTES {
            return Err(refuse(
                Problem::LineTooLong,
                format!(
                    "第 {} 行(字节偏移 {next_offset})超过 {} MB — 不是 kefu 写出的文件",
                    line_no + 1,
                    MAX_LINE_BYTES >> 20
                ),
            )
            .into());
        }
        if n == 0 {
            break;
        }
        if have_pending {
            v.sha.update(&pending);
            if v.first_error.is_none() {
                v.event_line(&pending, line_no, offset);
            }
        }
        std::mem::swap(&mut pending, &mut line);
        have_pending = true;
        line_no += 1;
        offset = next_offset;
        next_offset += n as u64;
        let (raw, _) = raw_pos(reader);
        if raw >= last_progress + (1 << 20) {
            last_progress = raw;
            progress(raw, total);
        }
    }
    progress(total, total);

    if !have_pending {
        return Err(refuse(Problem::Truncated, "文件只有文件头,没有事件也没有结尾校验行 — 文件被截断").into());
    }
    let trailer = match parse_trailer(&pending) {
        Some(t) => t,
        None => {
            let place = format!("最后一行(第 {line_no} 行,字节偏移 {offset})");
            return Err(if pending.last() != Some(&b'\n') {
                refuse(Problem::Truncated, format!("没有结尾校验行,{place}不完整 — 文件被截断"))
            } else if serde_json::from_slice::<EventIn>(trim_newline(&pending)).is_ok() {
                refuse(Problem::Truncated, format!("没有结尾校验行,{place}是一条事件 — 文件被截断"))
            } else {
                refuse(Problem::Checksum, format!("文件损坏:{place}应是结尾校验行,但无法识别"))
            }
            .into());
        }
    };
    let sha = hex::encode(v.sha.finalize_reset());
    if sha != trailer.sha256.to_ascii_lowercase() {
        let hint = v.first_error.as_ref().map(|e| format!(";第一处异常:{}", e.message)).unwrap_or_default();
        return Err(refuse(
            Problem::Checksum,
            format!(
                "SHA-256 校验不符 — 文件写出后被改动或损坏(结尾行记录 {}…,实际 {}…){hint}",
                short(&trailer.sha256),
                short(&sha)
            ),
        )
        .into());
    }
    if let Some(e) = v.first_error.take() {
        return Err(e.into());
    }
    let count = v.events.len() as u64;
    if trailer.event_count != count || header.event_count != count {
        return Err(refuse(
            Problem::Count,
            format!(
                "事件数不符:文件头写 {} 条,结尾行写 {} 条,实际有 {count} 条",
                header.event_count, trailer.event_count
            ),
        )
        .into());
    }
    v.finish_chains()?;
    v.check_header(&header)?;
    Ok(SyncFile { header, events: v.events, bodies: v.bodies, sha256: sha, compressed })
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

fn trim_newline(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").map(|l| l.strip_suffix(b"\r").unwrap_or(l)).unwrap_or(line)
}

fn parse_header(line: &[u8]) -> Result<Header, Refusal> {
    let not_kefu = |why: &str| refuse(Problem::NotKefu, format!("不是 kefu 同步文件:{why}"));
    let body = trim_newline(line);
    if body.first() != Some(&b'{') {
        return Err(not_kefu("第 1 行应是 kefu 同步文件头"));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| not_kefu(&format!("第 1 行不是 JSON 文件头({e})")))?;
    let Some(version) = value.get("kefu_sync").and_then(|v| v.as_u64()) else {
        return Err(not_kefu("第 1 行没有 kefu_sync 格式版本"));
    };
    if version > FORMAT_VERSION as u64 {
        let writer = value.get("kefu_version").and_then(|v| v.as_str()).unwrap_or("(未知版本)");
        return Err(refuse(
            Problem::NewerFormat,
            format!(
                "这个文件由 kefu {} 写出,同步格式 {version};本 kefu ({KEFU_VERSION}) 只能读取格式 ≤ {FORMAT_VERSION} — 请升级 kefu",
                crate::domain::sanitize::clean_line(writer)
            ),
        ));
    }
    if version == 0 {
        return Err(not_kefu("同步格式版本 0 不存在"));
    }
    serde_json::from_value(value).map_err(|e| not_kefu(&format!("文件头不完整({e})")))
}

fn parse_trailer(line: &[u8]) -> Option<Trailer> {
    let t: Trailer = serde_json::from_slice(trim_newline(line)).ok()?;
    (t.sha256.len() == 64 && t.sha256.bytes().all(|b| b.is_ascii_hexdigit())).then_some(t)
}

/// The first character kefu would never store: a control character (newline aside) or
/// a bidi override.
fn unclean_char(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// Whether a payload holds text kefu would have cleaned. The common case (no escapes,
/// no odd characters) costs one scan; otherwise every string in it is checked.
fn payload_unclean(payload: &str) -> Option<char> {
    let suspicious = payload.contains('\\') || unclean_char(payload).is_some();
    if !suspicious {
        return None;
    }
    fn walk(v: &serde_json::Value) -> Option<char> {
        match v {
            serde_json::Value::String(s) => unclean_char(s),
            serde_json::Value::Array(a) => a.iter().find_map(walk),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, v)| unclean_char(k).or_else(|| walk(v))),
            _ => None,
        }
    }
    serde_json::from_str::<serde_json::Value>(payload).ok().as_ref().and_then(walk)
}

impl Verifier {
    fn fail(&mut self, problem: Problem, message: String) {
        if self.first_error.is_none() {
            self.first_error = Some(refuse(problem, message));
        }
    }

    fn event_line(&mut self, line: &[u8], line_no: u64, offset: u64) {
        let wire: EventIn = match serde_json::from_slice(trim_newline(line)) {
            Ok(w) => w,
            Err(e) => {
                return self.fail(Problem::NotAnEvent, format!("第 {line_no} 行(字节偏移 {offset})不是一条事件:{e}"));
            }
        };
        let at = match parse_at(&wire.at) {
            Some(at) => at,
            None => {
                return self.fail(
                    Problem::BadEvent,
                    format!(
                        "第 {line_no} 行事件 {} 的时间「{}」不是 kefu 的写法(如 2026-06-28T02:00:00.000Z)",
                        wire.id, wire.at
                    ),
                );
            }
        };
        // The hash covers the time as written; `at` is exactly that text (checked above).
        let hash = event_hash(
            &wire.id,
            &wire.seat,
            wire.seq,
            &wire.agent,
            &wire.at,
            &wire.kind,
            &wire.payload,
            &wire.prev_hash,
        );
        let event = Event {
            id: wire.id,
            seat: wire.seat,
            seq: wire.seq,
            agent: wire.agent,
            at,
            kind: wire.kind,
            payload: wire.payload,
            prev_hash: wire.prev_hash,
            hash: wire.hash,
        };
        let who = format!("第 {line_no} 行事件 {}(席位 {} 第 {} 号)", event.id, event.seat, event.seq);
        if hash != event.hash {
            return self.fail(Problem::EventHash, format!("{who}的哈希与内容不符 — 事件被改动过"));
        }
        if event.id.is_empty() || event.seat.is_empty() || event.seq < 1 {
            return self.fail(Problem::BadEvent, format!("{who}缺少编号、席位或序号"));
        }
        if let Some(c) = [&event.id, &event.seat, &event.agent, &event.kind]
            .iter()
            .find_map(|s| unclean_char(s).or_else(|| s.contains('\n').then_some('\n')))
        {
            return self.fail(Problem::BadEvent, format!("{who}含控制字符 U+{:04X} — 不是 kefu 写出的", c as u32));
        }
        let body: EventBody = match serde_json::from_str(&event.payload) {
            Ok(b) => b,
            Err(e) => {
                let msg = if EventBody::KINDS.contains(&event.kind.as_str()) {
                    format!("{who}的内容无法解析:{e}")
                } else {
                    format!("{who}的类型「{}」本 kefu ({KEFU_VERSION}) 不认识 — 请升级 kefu", event.kind)
                };
                return self.fail(Problem::BadEvent, msg);
            }
        };
        if body.kind() != event.kind {
            return self.fail(Problem::BadEvent, format!("{who}的类型 {} 与内容 {} 不符", event.kind, body.kind()));
        }
        if let Some(c) = payload_unclean(&event.payload) {
            return self.fail(
                Problem::BadEvent,
                format!("{who}的内容含控制字符或转义序列 U+{:04X} — 不是 kefu 写出的", c as u32),
            );
        }
        // The seat's chain: consecutive numbers must link by hash.
        let first_of_chain_ok = event.seq != 1 || event.prev_hash.is_empty();
        if !self.seats.contains_key(&event.seat) {
            self.seats.insert(event.seat.clone(), SeatChain::default());
        }
        let chain = self.seats.get_mut(&event.seat).expect("just inserted");
        let mut broken = !first_of_chain_ok;
        if chain.max == 0 {
            chain.min = event.seq;
            chain.max = event.seq;
        } else {
            chain.min = chain.min.min(event.seq);
            chain.max = chain.max.max(event.seq);
            if event.seq <= chain.last_seq {
                chain.unordered = true;
            } else if event.seq == chain.last_seq + 1 && event.prev_hash != chain.last_hash {
                broken = true;
            }
        }
        if event.seq > chain.last_seq {
            chain.last_seq = event.seq;
            chain.last_hash = event.hash.clone();
        }
        if broken {
            return self.fail(
                Problem::Chain,
                format!("{who}接不上该席位的上一条事件(第 {} 号)— 事件被改动、删除或伪造过", event.seq - 1),
            );
        }
        self.events.push(event);
        self.bodies.push(body);
    }

    /// Seats whose events came out of order: sort and check numbers and links.
    fn finish_chains(&self) -> Result<(), Refusal> {
        let unordered: Vec<&String> = self.seats.iter().filter(|(_, c)| c.unordered).map(|(s, _)| s).collect();
        for seat in unordered {
            let mut mine: Vec<&Event> = self.events.iter().filter(|e| &e.seat == seat).collect();
            mine.sort_by_key(|e| e.seq);
            for w in mine.windows(2) {
                if w[0].seq == w[1].seq {
                    return Err(refuse(
                        Problem::Chain,
                        format!("席位 {seat} 的第 {} 号事件在文件中出现两次({} 和 {})", w[0].seq, w[0].id, w[1].id),
                    ));
                }
                if w[1].seq == w[0].seq + 1 && w[1].prev_hash != w[0].hash {
                    return Err(refuse(
                        Problem::Chain,
                        format!(
                            "席位 {seat} 的第 {} 号事件 {} 接不上第 {} 号 — 事件被改动或伪造过",
                            w[1].seq, w[1].id, w[0].seq
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_header(&self, header: &Header) -> Result<(), Refusal> {
        let seats: BTreeMap<String, [i64; 2]> = self.seats.iter().map(|(s, c)| (s.clone(), [c.min, c.max])).collect();
        let mismatch = |what: &str| refuse(Problem::HeaderMismatch, format!("文件头与内容不符:{what}"));
        if seats != header.seats {
            return Err(mismatch("各席位的序号范围不一致"));
        }
        if header.first_id.as_deref() != self.events.first().map(|e| e.id.as_str()) {
            return Err(mismatch("第一条事件不一致"));
        }
        if header.last_id.as_deref() != self.events.last().map(|e| e.id.as_str()) {
            return Err(mismatch("最后一条事件不一致"));
        }
        Ok(())
    }
}

/// Whether `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[..2] == GZIP_MAGIC
}

/// An event time exactly as kefu writes it (`2026-06-28T02:00:00.000Z`, UTC,
/// milliseconds), so that `format_at` of the result gives the same text back.
fn parse_at(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let shape = b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
        && &text[17..19] < "60";
    if !shape {
        return None;
    }
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    debug_assert_eq!(format_at(at), text);
    Some(at)
}

/// Now, as a header's `created_at`.
pub fn created_now() -> String {
    format_at(crate::domain::clock::now_utc())
}
