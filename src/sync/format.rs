//! The sync file, format 2. Self-describing JSON Lines:
//!
//! ```text
//! {"kefu_sync":2,"kefu_version":"0.1.0","seat":"seat-a","created_at":"…","event_count":2,
//!  "seats":{"seat-a":[1,2]},"first_id":"…","last_id":"…"}          ← line 1: header
//! {"id":"…","seat":"seat-a","seq":1,"agent":"宾","at":"2026-06-28T02:00:00.000Z",
//!  "wall":"2026-06-28T02:00:00.000Z","kind":"memo_added","payload":"{…}",
//!  "prev_hash":"","hash":"…"}                                       ← one event a line
//! {"sha256":"<hex of every byte before this line>","event_count":2} ← trailer
//! ```
//!
//! Events carry exactly their stored fields; `payload` stays the exact string that was
//! hashed, so every event's hash verifies on the other side. Large files are gzip
//! compressed; readers detect gzip by its magic bytes, so both kinds always read.
//!
//! Format 2 added `wall`, the writing seat's wall clock, beside `at`, which became a
//! hybrid logical clock (see `Event::at`); its hash covers `wall`. An event written
//! before (format 1, or carried in a format-2 file by a seat that received it so) has
//! no `wall` and hashes as it always did. This kefu reads formats 1 and 2 and writes 2;
//! a kefu that knows only format 1 refuses a format-2 file and asks for an upgrade.
//!
//! Reading verifies everything before anything is imported: the header (a newer
//! format is refused with a message naming the kefu that wrote it), the trailer's
//! SHA-256 over the whole body, the counts, every event's hash and time, each seat's
//! hash chain (across the runs of lines verified in parallel), and that the header and
//! event fields hold clean text (no control characters, escape sequences or bidi
//! overrides: kefu never writes them, so a file that has them was not written by
//! kefu). The payloads of the events an import finds new are checked too (a known
//! kind, clean text) before its transaction begins; an event already present is byte
//! for byte one that was checked when it was stored. Any problem refuses the file as a
//! whole, saying what is wrong and where.

use std::borrow::Cow;
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
use crate::domain::sanitize::first_unclean;

/// The sync format this kefu writes, and the newest it reads (it reads every older one).
pub const FORMAT_VERSION: u32 = 2;
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
    /// Signed chain heads (see `domain::seat_id`): for each seat with a key, its head at
    /// the top of what the file carries of it. A kefu from before signing ignores them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heads: Vec<crate::domain::seat_id::SignedHead>,
}

/// The last line: the SHA-256 of every byte before it, and the number of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    sha256: String,
    event_count: u64,
}

/// An event line as written: the stored fields, `at` in its stored text form.
pub use crate::store::sync_queries::StoredEvent;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventIn {
    id: String,
    seat: String,
    seq: i64,
    agent: String,
    at: String,
    #[serde(default)]
    wall: Option<String>,
    kind: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

/// An event line read without copying what needs no unescaping.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventRef<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    seat: Cow<'a, str>,
    seq: i64,
    #[serde(borrow)]
    agent: Cow<'a, str>,
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(borrow, default)]
    wall: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    payload: Cow<'a, str>,
    #[serde(borrow)]
    prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    hash: Cow<'a, str>,
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
    /// A signed chain head that does not hold, or a seat's events that its key did not
    /// sign when it must have (see `sync::import`).
    Signature,
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
    // Boxed: the encoder's state is several kilobytes, the plain writer a pointer.
    Gzip(Box<GzEncoder<BufWriter<W>>>),
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
        let out =
            if compress { Sink::Gzip(Box::new(GzEncoder::new(buf, Compression::new(2)))) } else { Sink::Plain(buf) };
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
        let wall = e.wall_text();
        self.stored_event(&StoredEvent {
            id: &e.id,
            seat: &e.seat,
            seq: e.seq,
            agent: &e.agent,
            at: &at,
            wall: wall.as_deref(),
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

/// A verified sync file: the structure, checksum, counts, every event's hash and each
/// seat's chain were checked. The event lines are kept as read (one buffer and a
/// compact index), and turned into `Event`s only for the events an import needs.
#[derive(Debug)]
pub struct SyncFile {
    pub header: Header,
    /// The trailer's SHA-256 (of the uncompressed body).
    pub sha256: String,
    pub compressed: bool,
    /// Every event line, back to back, each ending in a newline.
    data: Vec<u8>,
    index: Vec<Entry>,
    seat_names: Vec<String>,
    /// For each seat (as `seat_names`), its latest event's wall time.
    seat_latest: Vec<DateTime<Utc>>,
    /// For each event, whether one of the header's signed heads vouches for it (it is
    /// the head, or linked by the chain to the head above it).
    signed: Vec<bool>,
}

/// Where an event's line is, and what sync needs to know without parsing it again.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    end: usize,
    seat: u32,
    seq: i64,
    hash: [u8; 32],
    /// Its wall time (ms since the epoch; its `at` when it has none).
    wall_ms: i64,
}

impl SyncFile {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The line number of event `i` in the file (the header is line 1).
    pub fn line_no(&self, i: usize) -> u64 {
        i as u64 + 2
    }

    pub fn seat(&self, i: usize) -> &str {
        &self.seat_names[self.index[i].seat as usize]
    }

    pub fn seq(&self, i: usize) -> i64 {
        self.index[i].seq
    }

    /// Each seat in the file with the wall time of its latest event.
    pub fn seat_latest(&self) -> impl Iterator<Item = (&str, DateTime<Utc>)> {
        self.seat_names.iter().map(String::as_str).zip(self.seat_latest.iter().copied())
    }

    /// Whether a signed head in the file vouches for event `i`.
    pub fn is_signed(&self, i: usize) -> bool {
        self.signed.get(i).copied().unwrap_or(false)
    }

    /// Event `i`'s hash, as bytes.
    pub fn hash(&self, i: usize) -> &[u8; 32] {
        &self.index[i].hash
    }

    /// Event `i`'s wall time (its `at` when it has none).
    pub fn wall(&self, i: usize) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.index[i].wall_ms).unwrap_or_default()
    }

    fn line(&self, i: usize) -> &[u8] {
        &self.data[self.index[i].start..self.index[i].end]
    }

    /// Event `i`, as stored.
    pub fn event(&self, i: usize) -> Result<Event, Refusal> {
        let line_no = self.line_no(i);
        let bad = |what: String| refuse(Problem::NotAnEvent, format!("第 {line_no} 行不是一条事件:{what}"));
        let w: EventIn = serde_json::from_slice(self.line(i)).map_err(|e| bad(e.to_string()))?;
        let at = parse_at(&w.at).ok_or_else(|| bad(format!("时间 {}", w.at)))?;
        let wall = w.wall.map(|t| parse_at(&t).ok_or_else(|| bad(format!("时间 {t}")))).transpose()?;
        Ok(Event {
            id: w.id,
            seat: w.seat,
            seq: w.seq,
            agent: w.agent,
            at,
            wall,
            kind: w.kind,
            payload: w.payload,
            prev_hash: w.prev_hash,
            hash: w.hash,
        })
    }

    /// Every event, in the file's order.
    pub fn events(&self) -> impl Iterator<Item = Result<Event, Refusal>> + '_ {
        (0..self.len()).map(|i| self.event(i))
    }

    /// Event `i` with its payload parsed and checked the way an event new to this
    /// database must be: a kind this kefu knows, matching the event's kind, and only
    /// clean text (kefu never stores control characters, escape sequences or bidi
    /// overrides, so a payload that has them was not written by kefu).
    pub fn checked_event(&self, i: usize) -> Result<(Event, EventBody), Refusal> {
        let e = self.event(i)?;
        let who = || format!("第 {} 行事件 {}(席位 {} 第 {} 号)", self.line_no(i), e.id, e.seat, e.seq);
        let body: EventBody = serde_json::from_str(&e.payload).map_err(|err| {
            let msg = if EventBody::KINDS.contains(&&*e.kind) {
                format!("{}的内容无法解析:{err}", who())
            } else {
                format!("{}的类型「{}」本 kefu ({KEFU_VERSION}) 不认识 — 请升级 kefu", who(), e.kind)
            };
            refuse(Problem::BadEvent, msg)
        })?;
        if body.kind() != e.kind {
            return Err(refuse(Problem::BadEvent, format!("{}的类型 {} 与内容 {} 不符", who(), e.kind, body.kind())));
        }
        if let Some(c) = payload_unclean(&e.payload) {
            return Err(refuse(
                Problem::BadEvent,
                format!("{}的内容含控制字符或转义序列 U+{:04X} — 不是 kefu 写出的", who(), c as u32),
            ));
        }
        Ok((e, body))
    }
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

/// One seat's events in a run of lines, for the chain check.
#[derive(Debug, Clone, Default)]
struct SeatChain {
    min: i64,
    max: i64,
    /// The first event of the seat in the run: its number, line and `prev_hash`.
    first_seq: i64,
    first_line: u64,
    first_prev: Option<[u8; 32]>,
    /// The highest number so far and its hash.
    last_seq: i64,
    last_hash: [u8; 32],
    /// The seat's events were not in increasing sequence order: check after sorting.
    unordered: bool,
    /// The latest wall time (ms since the epoch).
    latest_ms: i64,
}

/// What verifying one run of consecutive event lines found.
#[derive(Default)]
struct Run {
    entries: Vec<Entry>,
    /// Seats by their local number (`Entry::seat` within this run).
    seats: Vec<(String, SeatChain)>,
    error: Option<(u64, Refusal)>,
}

fn read_lines<R: BufRead>(
    reader: &mut R,
    compressed: bool,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    raw_pos: impl Fn(&R) -> (u64, bool),
) -> Result<SyncFile, ReadError> {
    // Appends one line to `buf`; maps a read error to a refusal when it comes from the
    // gzip data, not the disk.
    let read_line = |reader: &mut R, buf: &mut Vec<u8>| -> Result<usize, ReadError> {
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
    let mut head: Vec<u8> = Vec::with_capacity(4096);
    let n = read_line(reader, &mut head)?;
    if n == 0 {
        return Err(refuse(Problem::Empty, "文件是空的(解压后 0 字节)").into());
    }
    if head.last() != Some(&b'\n') && head.starts_with(b"{\"kefu_sync\"") {
        return Err(refuse(Problem::Truncated, "文件只有不完整的文件头 — 文件被截断").into());
    }
    let header = parse_header(&head)?;
    if head.last() != Some(&b'\n') {
        return Err(refuse(Problem::Truncated, "文件只有不完整的文件头 — 文件被截断").into());
    }
    let header_len = n as u64;

    // Every further line, straight into one buffer; the last is the trailer.
    // Room for what the header announces, within what a file of this size can hold
    // (a line is at least ~200 bytes, and gzip shrinks them about sixfold).
    let expected = header.event_count.min(total / 30 + 1).min(1 << 24) as usize;
    let mut data: Vec<u8> = Vec::with_capacity(expected.saturating_mul(420).min(1 << 30));
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(expected + 1);
    let mut last_progress = 0u64;
    loop {
        let start = data.len();
        let n = read_line(reader, &mut data)?;
        if n as u64 > MAX_LINE_BYTES {
            return Err(refuse(
                Problem::LineTooLong,
                format!(
                    "第 {} 行(字节偏移 {})超过 {} MB — 不是 kefu 写出的文件",
                    spans.len() + 2,
                    header_len + start as u64,
                    MAX_LINE_BYTES >> 20
                ),
            )
            .into());
        }
        if n == 0 {
            break;
        }
        spans.push((start, data.len()));
        let (raw, _) = raw_pos(reader);
        if raw >= last_progress + (1 << 20) {
            last_progress = raw;
            progress(raw, total);
        }
    }
    progress(total, total);

    let Some((trailer_start, trailer_end)) = spans.pop() else {
        return Err(refuse(Problem::Truncated, "文件只有文件头,没有事件也没有结尾校验行 — 文件被截断").into());
    };
    let last = &data[trailer_start..trailer_end];
    let trailer = match parse_trailer(last) {
        Some(t) => t,
        None => {
            let place = format!("最后一行(第 {} 行,字节偏移 {})", spans.len() + 2, header_len + trailer_start as u64);
            return Err(if last.last() != Some(&b'\n') {
                refuse(Problem::Truncated, format!("没有结尾校验行,{place}不完整 — 文件被截断"))
            } else if serde_json::from_slice::<EventRef<'_>>(trim_newline(last)).is_ok() {
                refuse(Problem::Truncated, format!("没有结尾校验行,{place}是一条事件 — 文件被截断"))
            } else {
                refuse(Problem::Checksum, format!("文件损坏:{place}应是结尾校验行,但无法识别"))
            }
            .into());
        }
    };
    data.truncate(trailer_start);

    // The checksum, and every line, on all cores.
    let (sha, runs) = std::thread::scope(|scope| {
        let checksum = scope.spawn(|| {
            let mut sha = Sha256::new();
            sha.update(&head);
            sha.update(&data);
            hex::encode(sha.finalize())
        });
        let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
        let per = spans.len().div_ceil(workers).max(4096);
        let handles: Vec<_> = spans
            .chunks(per)
            .enumerate()
            .map(|(k, chunk)| {
                let data = &data;
                scope.spawn(move || verify_run(data, chunk, k * per, header_len))
            })
            .collect();
        let runs: Vec<Run> =
            handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        (checksum.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), runs)
    });
    let (index, seat_names, chains, first_error) = merge_runs(runs);

    if sha != trailer.sha256.to_ascii_lowercase() {
        let hint = first_error.as_ref().map(|e| format!(";第一处异常:{}", e.message)).unwrap_or_default();
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
    if let Some(e) = first_error {
        return Err(e.into());
    }
    let count = index.len() as u64;
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
    let seat_latest = chains.iter().map(|c| DateTime::from_timestamp_millis(c.latest_ms).unwrap_or_default()).collect();
    let mut file =
        SyncFile { header, sha256: sha, compressed, data, index, seat_names, seat_latest, signed: Vec::new() };
    finish_chains(&file, &chains)?;
    check_header(&file, &chains)?;
    file.signed = check_heads(&file)?;
    Ok(file)
}

/// Verifies consecutive event lines `spans` (the first being event number `first`):
/// each line's structure, time, hash and place in its seat's chain. Stops at the first
/// problem. Payloads are checked by `SyncFile::checked_event` when an import finds the
/// event new.
fn verify_run(data: &[u8], spans: &[(usize, usize)], first: usize, header_len: u64) -> Run {
    let mut run = Run { entries: Vec::with_capacity(spans.len()), ..Default::default() };
    let mut seat_ids: HashMap<Cow<'_, str>, u32> = HashMap::new();
    for (k, &(start, end)) in spans.iter().enumerate() {
        let line_no = (first + k) as u64 + 2;
        let line = trim_newline(&data[start..end]);
        let fail = |problem, message: String| Some((line_no, refuse(problem, message)));
        let w: EventRef<'_> = match serde_json::from_slice(line) {
            Ok(w) => w,
            Err(e) => {
                let offset = header_len + start as u64;
                run.error = fail(Problem::NotAnEvent, format!("第 {line_no} 行(字节偏移 {offset})不是一条事件:{e}"));
                break;
            }
        };
        let Some(at) = parse_at(&w.at) else {
            run.error = fail(
                Problem::BadEvent,
                format!("第 {line_no} 行事件 {} 的时间「{}」不是 kefu 的写法(如 2026-06-28T02:00:00.000Z)", w.id, w.at),
            );
            break;
        };
        let wall = match w.wall.as_deref().map(|t| (t, parse_at(t))) {
            None => at,
            Some((_, Some(wall))) if wall <= at => wall,
            Some((text, parsed)) => {
                let why =
                    if parsed.is_some() { "晚于它的 at(kefu 从不这样写)" } else { "不是 kefu 的写法" };
                run.error =
                    fail(Problem::BadEvent, format!("第 {line_no} 行事件 {} 的 wall 时间「{text}」{why}", w.id));
                break;
            }
        };
        let who = || format!("第 {line_no} 行事件 {}(席位 {} 第 {} 号)", w.id, w.seat, w.seq);
        // The hash covers the times as written; each is exactly that text (checked above).
        let computed =
            event_hash(&w.id, &w.seat, w.seq, &w.agent, &w.at, w.wall.as_deref(), &w.kind, &w.payload, &w.prev_hash);
        let mut hash = [0u8; 32];
        if computed != w.hash || !decode_hash(&w.hash, &mut hash) {
            run.error = fail(Problem::EventHash, format!("{}的哈希与内容不符 — 事件被改动过", who()));
            break;
        }
        if w.id.is_empty() || w.seat.is_empty() || w.seq < 1 {
            run.error = fail(Problem::BadEvent, format!("{}缺少编号、席位或序号", who()));
            break;
        }
        if let Some(c) = [&w.id, &w.seat, &w.agent, &w.kind]
            .iter()
            .find_map(|s| first_unclean(s).or_else(|| s.contains('\n').then_some('\n')))
        {
            run.error = fail(Problem::BadEvent, format!("{}含控制字符 U+{:04X} — 不是 kefu 写出的", who(), c as u32));
            break;
        }
        let mut prev = [0u8; 32];
        let prev = match w.prev_hash.is_empty() {
            true => None,
            false if decode_hash(&w.prev_hash, &mut prev) => Some(prev),
            false => {
                run.error = fail(Problem::Chain, format!("{}的上一条哈希无效 — 事件被伪造过", who()));
                break;
            }
        };
        let seat = match seat_ids.get(&*w.seat) {
            Some(&id) => id,
            None => {
                let id = run.seats.len() as u32;
                run.seats.push((w.seat.to_string(), SeatChain::default()));
                // Borrowed from `data` when the name needs no unescaping (always, from kefu).
                seat_ids.insert(w.seat.clone(), id);
                id
            }
        };
        let chain = &mut run.seats[seat as usize].1;
        let mut broken = w.seq == 1 && prev.is_some();
        if chain.max == 0 {
            *chain = SeatChain {
                min: w.seq,
                max: w.seq,
                first_seq: w.seq,
                first_line: line_no,
                first_prev: prev,
                ..SeatChain::default()
            };
        } else {
            chain.min = chain.min.min(w.seq);
            chain.max = chain.max.max(w.seq);
            if w.seq <= chain.last_seq {
                chain.unordered = true;
            } else if w.seq == chain.last_seq + 1 && prev != Some(chain.last_hash) {
                broken = true;
            }
        }
        if w.seq > chain.last_seq {
            chain.last_seq = w.seq;
            chain.last_hash = hash;
        }
        chain.latest_ms = chain.latest_ms.max(wall.timestamp_millis());
        if broken {
            run.error = fail(
                Problem::Chain,
                format!("{}接不上该席位的上一条事件(第 {} 号)— 事件被改动、删除或伪造过", who(), w.seq - 1),
            );
            break;
        }
        run.entries.push(Entry {
            start,
            end: start + line.len(),
            seat,
            seq: w.seq,
            hash,
            wall_ms: wall.timestamp_millis(),
        });
    }
    run
}

/// Joins the runs in order: one index, one seat table, and each seat's chain checked
/// across the boundaries between runs. The first problem (by line) is kept.
fn merge_runs(runs: Vec<Run>) -> (Vec<Entry>, Vec<String>, Vec<SeatChain>, Option<Refusal>) {
    let mut index: Vec<Entry> = Vec::with_capacity(runs.iter().map(|r| r.entries.len()).sum());
    let mut names: Vec<String> = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut chains: Vec<SeatChain> = Vec::new();
    let mut error: Option<(u64, Refusal)> = None;
    let keep = |e: (u64, Refusal), error: &mut Option<(u64, Refusal)>| {
        if error.as_ref().is_none_or(|(line, _)| e.0 < *line) {
            *error = Some(e);
        }
    };
    for run in runs {
        if error.is_some() {
            // Lines after an error are not judged (as if read one by one).
            if let Some(e) = run.error {
                keep(e, &mut error);
            }
            continue;
        }
        let mut local_to_global = Vec::with_capacity(run.seats.len());
        for (name, c) in run.seats {
            let id = match ids.get(&name) {
                Some(&id) => id,
                None => {
                    let id = names.len() as u32;
                    names.push(name.clone());
                    ids.insert(name.clone(), id);
                    chains.push(SeatChain::default());
                    id
                }
            };
            local_to_global.push(id);
            let g = &mut chains[id as usize];
            if g.max == 0 {
                *g = c;
                continue;
            }
            if c.first_seq <= g.last_seq || c.unordered {
                g.unordered = true;
            } else if c.first_seq == g.last_seq + 1 && c.first_prev != Some(g.last_hash) {
                keep(
                    (
                        c.first_line,
                        refuse(
                            Problem::Chain,
                            format!(
                                "第 {} 行事件(席位 {name} 第 {} 号)接不上该席位的上一条事件 — 事件被改动、删除或伪造过",
                                c.first_line, c.first_seq
                            ),
                        ),
                    ),
                    &mut error,
                );
            }
            g.min = g.min.min(c.min);
            g.max = g.max.max(c.max);
            g.latest_ms = g.latest_ms.max(c.latest_ms);
            if c.last_seq > g.last_seq {
                g.last_seq = c.last_seq;
                g.last_hash = c.last_hash;
            }
        }
        index.extend(run.entries.into_iter().map(|mut e| {
            e.seat = local_to_global[e.seat as usize];
            e
        }));
        if let Some(e) = run.error {
            keep(e, &mut error);
        }
    }
    (index, names, chains, error.map(|(_, e)| e))
}

/// A 64-digit lowercase hex hash as bytes.
pub(crate) fn decode_hash(text: &str, out: &mut [u8; 32]) -> bool {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let b = text.as_bytes();
    if b.len() != 64 {
        return false;
    }
    for (i, o) in out.iter_mut().enumerate() {
        match (digit(b[2 * i]), digit(b[2 * i + 1])) {
            (Some(h), Some(l)) => *o = h << 4 | l,
            _ => return false,
        }
    }
    true
}

/// Seats whose events came out of order: sort and check numbers and links.
fn finish_chains(file: &SyncFile, chains: &[SeatChain]) -> Result<(), Refusal> {
    for (seat, _) in chains.iter().enumerate().filter(|(_, c)| c.unordered) {
        let mut mine: Vec<usize> = (0..file.len()).filter(|&i| file.index[i].seat as usize == seat).collect();
        mine.sort_by_key(|&i| file.index[i].seq);
        for w in mine.windows(2) {
            let (a, b) = (&file.index[w[0]], &file.index[w[1]]);
            let name = &file.seat_names[seat];
            if a.seq == b.seq {
                return Err(refuse(
                    Problem::Chain,
                    format!(
                        "席位 {name} 的第 {} 号事件在文件中出现两次(第 {} 行和第 {} 行)",
                        a.seq,
                        file.line_no(w[0]),
                        file.line_no(w[1])
                    ),
                ));
            }
            if b.seq == a.seq + 1 {
                let prev = file.event(w[1])?.prev_hash;
                if prev != hex::encode(a.hash) {
                    return Err(refuse(
                        Problem::Chain,
                        format!(
                            "席位 {name} 的第 {} 号事件(第 {} 行)接不上第 {} 号 — 事件被改动或伪造过",
                            b.seq,
                            file.line_no(w[1]),
                            a.seq
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_header(file: &SyncFile, chains: &[SeatChain]) -> Result<(), Refusal> {
    let seats: BTreeMap<String, [i64; 2]> =
        chains.iter().enumerate().map(|(i, c)| (file.seat_names[i].clone(), [c.min, c.max])).collect();
    let mismatch = |what: &str| refuse(Problem::HeaderMismatch, format!("文件头与内容不符:{what}"));
    if seats != file.header.seats {
        return Err(mismatch("各席位的序号范围不一致"));
    }
    let id =
        |i: Option<usize>| -> Result<Option<String>, Refusal> { i.map(|i| file.event(i).map(|e| e.id)).transpose() };
    if file.header.first_id != id((!file.is_empty()).then_some(0))? {
        return Err(mismatch("第一条事件不一致"));
    }
    if file.header.last_id != id(file.len().checked_sub(1))? {
        return Err(mismatch("最后一条事件不一致"));
    }
    Ok(())
}

/// Checks every signed head in the header (its key is the one the seat's id names, the
/// signature holds, and the file has that very event) and returns, for each event,
/// whether a head vouches for it: it is a head, or the next event of its seat is in the
/// file and vouched for (consecutive events of a seat are chain-linked, checked above).
/// Which seats must be signed is the importing database's call (`sync::import`).
fn check_heads(file: &SyncFile) -> Result<Vec<bool>, Refusal> {
    let mut signed = vec![false; file.len()];
    if file.header.heads.is_empty() {
        return Ok(signed);
    }
    let bad = |m: String| refuse(Problem::Signature, m);
    let mut by_seat: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for h in &file.header.heads {
        h.verify().map_err(|e| bad(format!("文件头的签名链头不成立:{e}")))?;
        by_seat.entry(h.seat.as_str()).or_default().push(h.seq);
    }
    for (seat_no, name) in file.seat_names.iter().enumerate() {
        let Some(head_seqs) = by_seat.remove(name.as_str()) else { continue };
        let mut mine: Vec<usize> = (0..file.len()).filter(|&i| file.index[i].seat as usize == seat_no).collect();
        if !mine.is_sorted_by_key(|&i| file.index[i].seq) {
            mine.sort_by_key(|&i| file.index[i].seq);
        }
        for h in file.header.heads.iter().filter(|h| h.seat == *name) {
            let at = mine.binary_search_by_key(&h.seq, |&i| file.index[i].seq);
            let mut hash = [0u8; 32];
            let same = at.is_ok_and(|k| decode_hash(&h.hash, &mut hash) && file.index[mine[k]].hash == hash);
            if !same {
                return Err(bad(format!("席位 {name} 签名的第 {} 号链头与文件里的事件不符 — 文件被改动过", h.seq)));
            }
        }
        let mut above: Option<(i64, bool)> = None;
        for &i in mine.iter().rev() {
            let seq = file.index[i].seq;
            let ok = head_seqs.contains(&seq) || above.is_some_and(|(s, ok)| ok && s == seq + 1);
            signed[i] = ok;
            above = Some((seq, ok));
        }
    }
    if let Some(seat) = by_seat.keys().next() {
        return Err(bad(format!("文件头有席位 {seat} 的签名链头,文件里却没有它的事件")));
    }
    Ok(signed)
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
    let header: Header = serde_json::from_value(value).map_err(|e| not_kefu(&format!("文件头不完整({e})")))?;
    let texts = [&header.kefu_version, &header.seat, &header.created_at]
        .into_iter()
        .chain(header.first_id.iter())
        .chain(header.last_id.iter())
        .chain(header.seats.keys());
    for text in texts {
        if let Some(c) = first_unclean(text).or_else(|| text.contains('\n').then_some('\n')) {
            return Err(not_kefu(&format!("文件头含控制字符 U+{:04X}", c as u32)));
        }
    }
    Ok(header)
}

fn parse_trailer(line: &[u8]) -> Option<Trailer> {
    let t: Trailer = serde_json::from_slice(trim_newline(line)).ok()?;
    (t.sha256.len() == 64 && t.sha256.bytes().all(|b| b.is_ascii_hexdigit())).then_some(t)
}

/// Whether a payload holds text kefu would have cleaned. The common case (no escapes,
/// no odd characters) costs one scan; otherwise every string in it is checked.
fn payload_unclean(payload: &str) -> Option<char> {
    let suspicious = payload.contains('\\') || first_unclean(payload).is_some();
    if !suspicious {
        return None;
    }
    fn walk(v: &serde_json::Value) -> Option<char> {
        match v {
            serde_json::Value::String(s) => first_unclean(s),
            serde_json::Value::Array(a) => a.iter().find_map(walk),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, v)| first_unclean(k).or_else(|| walk(v))),
            _ => None,
        }
    }
    serde_json::from_str::<serde_json::Value>(payload).ok().as_ref().and_then(walk)
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
pub fn created_now(clock: &crate::domain::clock::Clock) -> String {
    format_at(clock.now_utc())
}
