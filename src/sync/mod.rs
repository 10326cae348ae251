//! Sync between seats by files. Each seat works offline on its own database; seats
//! meet through export files (a USB stick, a shared folder, a chat attachment).
//!
//! * `export` writes this database's events — its own and those it received — in local
//!   arrival order to one file, atomically (a temporary file, then a rename);
//!   `Scope::SinceLast` only what this seat's previous export did not have.
//! * `import` verifies a whole file first (see `format`), then brings in every event
//!   not already here in one transaction. Events are identified by id, so a file
//!   imported twice changes nothing, and the projection is order-independent (or
//!   replayed per entity), so files can arrive in any order. Two seats acting on one
//!   refund keep both events; replay applies the first and marks the other a conflict.
//! * `sync_dir` is the shared-folder routine: export this seat's file into the folder,
//!   then import every other seat's file there.

pub mod format;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Seek};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::store::{BulkLoad, Store, StoreError};

pub use format::{FORMAT_VERSION, Header, Problem, Refusal, SyncFile};

/// The extension of the files `sync_dir` exchanges.
pub const EXTENSION: &str = "kefusync";

const META_EXPORT_ROWID: &str = "sync.last_export_rowid";
const META_EXPORT_ID: &str = "sync.last_export_id";
const META_SEEN_PREFIX: &str = "sync.seen:";
const META_WROTE_PREFIX: &str = "sync.wrote:";
const META_IMPORTED_PREFIX: &str = "sync.imported:";

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The file was refused as a whole; nothing from it was imported.
    #[error("文件 {path} 被拒收,未导入任何内容:{refusal}")]
    Refused { path: String, refusal: Refusal },
    #[error("读写 {path} 失败:{source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The refusal, when the file itself was the problem.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            SyncError::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SyncError + '_ {
    move |source| SyncError::Io { path: path.display().to_string(), source }
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every event this database has.
    All,
    /// Only events that arrived (were written or imported) after this seat's previous
    /// `export`; everything when there was none.
    SinceLast,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub path: PathBuf,
    pub count: u64,
    /// Events per seat that wrote them.
    pub per_seat: BTreeMap<String, u64>,
    pub scope: Scope,
    /// For `SinceLast`: whether a previous export was found to continue from.
    pub continued: bool,
    pub compressed: bool,
    pub bytes: u64,
    /// The trailer's SHA-256 (of the uncompressed body).
    pub sha256: String,
    /// The SHA-256 of the file's bytes as written.
    pub file_sha256: String,
    /// The newest local event (rowid) the file includes.
    pub upto_rowid: i64,
}

/// Progress of a long import, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Reading and verifying the file (raw bytes).
    Verifying { done: u64, total: u64 },
    /// Bringing the events into the database (inside the one transaction).
    Importing { done: u64, total: u64 },
}

/// Writes this database's events to `path` (atomically) and, for a `kefu export`,
/// remembers how far it got for the next `--since-last`.
pub fn export(store: &mut Store, path: &Path, scope: Scope) -> Result<ExportReport, SyncError> {
    let (after, continued) = match scope {
        Scope::All => (0, false),
        Scope::SinceLast => since_last_mark(store)?,
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "kefu-export".into());
    let tmp = sibling(path, &format!(".{name}.tmp-{}", std::process::id()));
    let mut report = write_export(store, path, &tmp, after)?;
    report.scope = scope;
    report.continued = continued;
    if report.upto_rowid > after {
        store.set_meta(META_EXPORT_ROWID, &report.upto_rowid.to_string())?;
        if let Some(id) = store.event_id_at_rowid(report.upto_rowid)? {
            store.set_meta(META_EXPORT_ID, &id)?;
        }
    }
    Ok(report)
}

/// Where the previous export stopped: (rowid, true), or (0, false) when there was no
/// previous export or its mark does not fit this database (then everything goes out:
/// an event sent twice is harmless, one never sent is not).
fn since_last_mark(store: &Store) -> Result<(i64, bool), SyncError> {
    let Some(rowid) = store.meta(META_EXPORT_ROWID)?.and_then(|v| v.parse::<i64>().ok()) else {
        return Ok((0, false));
    };
    let id = store.meta(META_EXPORT_ID)?;
    if id.is_some() && store.event_id_at_rowid(rowid)? == id { Ok((rowid, true)) } else { Ok((0, false)) }
}

fn sibling(path: &Path, name: &str) -> PathBuf {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    }
}

/// Writes events after `after` to `tmp`, then renames it to `path`.
fn write_export(store: &Store, path: &Path, tmp: &Path, after: i64) -> Result<ExportReport, SyncError> {
    let result = write_export_inner(store, path, tmp, after);
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result
}

fn write_export_inner(store: &Store, path: &Path, tmp: &Path, after: i64) -> Result<ExportReport, SyncError> {
    let file = HashingWriter { inner: File::create(tmp).map_err(io_err(tmp))?, sha: Sha256::new() };
    let seat = store.actor().seat.clone();
    let writer: std::cell::RefCell<Option<format::FileWriter<HashingWriter<File>>>> = std::cell::RefCell::new(None);
    let mut compressed = false;
    let slice = store.read_log_slice(
        after,
        |slice| {
            // Each seat's signed head at the top of what the file carries of it (every
            // one in its range when that has holes): it vouches for the events below.
            let mut heads = Vec::new();
            for (s, (min, max, n)) in &slice.seats {
                heads.extend(store.heads_for_export(s, *min, *max, (*max - *min + 1) as u64 == *n)?);
            }
            let header = Header {
                kefu_sync: FORMAT_VERSION,
                kefu_version: format::KEFU_VERSION.to_string(),
                seat: seat.clone(),
                created_at: format::created_now(store.clock()),
                event_count: slice.count,
                seats: slice.seats.iter().map(|(s, (min, max, _))| (s.clone(), [*min, *max])).collect(),
                first_id: slice.first_id.clone(),
                last_id: slice.last_id.clone(),
                heads,
            };
            compressed = slice.approx_bytes > format::GZIP_ABOVE_BYTES;
            *writer.borrow_mut() = Some(format::FileWriter::new(file, &header, compressed)?);
            Ok(())
        },
        |stored| {
            // The store calls on_slice before the first event, so the writer is there.
            if let Some(w) = writer.borrow_mut().as_mut() {
                w.stored_event(stored)?;
            }
            Ok(())
        },
    )?;
    let Some(writer) = writer.into_inner() else {
        return Err(SyncError::Io {
            path: tmp.display().to_string(), source: io::Error::other("没有写出文件头")
        });
    };
    let (hashing, sha256) = writer.finish().map_err(io_err(tmp))?;
    let file_sha256 = hex::encode(hashing.sha.finalize());
    let file = hashing.inner;
    file.sync_all().map_err(io_err(tmp))?;
    let bytes = file.metadata().map_err(io_err(tmp))?.len();
    drop(file);
    rename_with_retry(tmp, path)?;
    sync_parent(path);
    Ok(ExportReport {
        path: path.to_path_buf(),
        count: slice.count,
        per_seat: slice.seats.iter().map(|(s, (_, _, n))| (s.clone(), *n)).collect(),
        scope: Scope::All,
        continued: false,
        compressed,
        bytes,
        sha256,
        file_sha256,
        upto_rowid: slice.upto_rowid,
    })
}

/// Hashes what passes through to the file.
struct HashingWriter<W> {
    inner: W,
    sha: Sha256,
}

impl<W: io::Write> io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The SHA-256 of a file's bytes, or None if it cannot be read.
fn file_sha256(path: &Path) -> Option<String> {
    let mut hashing = HashingWriter { inner: io::sink(), sha: Sha256::new() };
    io::copy(&mut File::open(path).ok()?, &mut hashing).ok()?;
    Some(hex::encode(hashing.sha.finalize()))
}

/// A rename over a file another process has open can fail for a moment on some
/// systems (Windows, network drives): try again briefly.
fn rename_with_retry(from: &Path, to: &Path) -> Result<(), SyncError> {
    let mut tries = 0;
    loop {
        match fs::rename(from, to) {
            Ok(()) => return Ok(()),
            Err(e) if tries < 20 && e.kind() != io::ErrorKind::NotFound => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(io_err(to)(e)),
        }
    }
}

/// Makes the rename durable where the platform allows it (best effort).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p })
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// What one import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub path: PathBuf,
    /// The seat that wrote the file.
    pub from_seat: String,
    pub events: u64,
    pub new: u64,
    pub already_present: u64,
    /// Conflicts this import created (events newly marked as conflicts).
    pub new_conflicts: u64,
    /// These exact bytes were imported into this database before (so nothing was read
    /// beyond their checksum).
    pub seen_before: bool,
    /// Seats whose latest event is timed more than a minute after this computer's
    /// clock, with by how many seconds: their clock (or ours) is wrong. Nothing is lost
    /// by it (event times are hybrid logical clocks: a change made here afterwards still
    /// wins), but the times shown for their work are off, so someone should set it right.
    pub clocks_ahead: Vec<(String, i64)>,
    /// Seats with new events more than a day after this computer's clock: how many, and
    /// the latest. They were imported like any other (nothing is refused for its time);
    /// the summary names them.
    pub far_future: Vec<FarFuture>,
    /// Seats whose new events no signed head vouched for, with how many: seats from
    /// before keys, or not pinned yet (see `check_seats`). Imported, and reported.
    pub unsigned: Vec<(String, u64)>,
    /// Seats whose key this import pinned (seen for the first time).
    pub pinned: Vec<String>,
}

/// New events of one seat timed more than a day after this computer's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarFuture {
    pub seat: String,
    pub events: u64,
    /// The latest of their wall times.
    pub latest: chrono::DateTime<chrono::Utc>,
}

/// How far ahead of this computer's clock another seat's events may be before the
/// import warns.
pub const CLOCK_AHEAD_WARN_SECS: i64 = 60;

/// From how far ahead of this computer's clock an event is named in the summary.
pub const FAR_FUTURE_SECS: i64 = 24 * 3600;

/// The warning for a seat whose events are timed `secs` after this computer's clock
/// (one of `ImportReport::clocks_ahead`), as the CLI and the TUI show it.
pub fn clock_ahead_warning(seat: &str, secs: i64) -> String {
    format!(
        "注意:席位 {seat} 的事件时间比本机时钟晚 {} — 两台电脑的时钟不一致。事件照常导入、照常生效,但显示的时间不准:请校准时钟(时间和时区)。",
        span_text(secs)
    )
}

/// The line naming a seat's far-future events (one of `ImportReport::far_future`).
pub fn far_future_line(f: &FarFuture) -> String {
    format!(
        "席位 {} 有 {} 条事件的时间在本机时钟一天以后(最晚 {})— 已照常导入。",
        f.seat,
        f.events,
        crate::domain::timefmt::format_datetime(crate::domain::clock::to_shop(f.latest))
    )
}

/// `3 小时`, `5 分钟`, `2 天`: a span of seconds as people say it.
pub fn span_text(secs: i64) -> String {
    let secs = secs.abs();
    if secs >= 2 * 86400 {
        format!("{} 天", secs / 86400)
    } else if secs >= 3600 {
        format!("{} 小时", secs / 3600)
    } else if secs >= 60 {
        format!("{} 分钟", (secs + 30) / 60)
    } else {
        format!("{secs} 秒")
    }
}

/// Verifies `path` as a whole, then imports it in one transaction.
pub fn import(store: &mut Store, path: &Path) -> Result<ImportReport, SyncError> {
    import_with_progress(store, path, &mut |_| {})
}

pub fn import_with_progress(
    store: &mut Store,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, SyncError> {
    Ok(import_file(store, path, progress)?.1)
}

/// Imports one file, unless this database already imported these exact bytes: the
/// SHA-256 of every file imported in full is kept in `meta`, and since nothing ever
/// deletes an event, the same bytes again are all already present. Returns the file's
/// SHA-256 with the report. The file is opened once: the checksum and the import read
/// the same content even if another seat replaces the file meanwhile.
fn import_file(
    store: &mut Store,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(String, ImportReport), SyncError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let total = file.metadata().map_err(io_err(path))?.len();
    let mut hashing = HashingWriter { inner: io::sink(), sha: Sha256::new() };
    io::copy(&mut file, &mut hashing).map_err(io_err(path))?;
    let raw_sha = hex::encode(hashing.sha.finalize());
    let key = format!("{META_IMPORTED_PREFIX}{raw_sha}");
    if let Some((count, seat)) = store.meta(&key)?.as_deref().and_then(|v| v.split_once(' '))
        && let Ok(count) = count.parse::<u64>()
    {
        progress(Progress::Verifying { done: total, total });
        let report = ImportReport {
            path: path.to_path_buf(),
            from_seat: seat.to_string(),
            events: count,
            new: 0,
            already_present: count,
            new_conflicts: 0,
            seen_before: true,
            clocks_ahead: Vec::new(),
            far_future: Vec::new(),
            unsigned: Vec::new(),
            pinned: Vec::new(),
        };
        return Ok((raw_sha, report));
    }
    file.rewind().map_err(io_err(path))?;
    let mut on_bytes = |done, total| progress(Progress::Verifying { done, total });
    let verified = format::read_from(file, total, &mut on_bytes).map_err(|e| match e {
        format::ReadError::Refused(refusal) => SyncError::Refused { path: path.display().to_string(), refusal },
        format::ReadError::Io(source) => SyncError::Io { path: path.display().to_string(), source },
    })?;
    let report = import_verified(store, path, &verified, progress)?;
    store.set_meta(&key, &format!("{} {}", report.events, report.from_seat))?;
    Ok((raw_sha, report))
}

/// Reads and verifies a file, without touching any database.
pub fn read_verified(path: &Path, progress: &mut dyn FnMut(Progress)) -> Result<SyncFile, SyncError> {
    let mut on_bytes = |done, total| progress(Progress::Verifying { done, total });
    format::read_path(path, &mut on_bytes).map_err(|e| match e {
        format::ReadError::Refused(refusal) => SyncError::Refused { path: path.display().to_string(), refusal },
        format::ReadError::Io(source) => SyncError::Io { path: path.display().to_string(), source },
    })
}

/// Imports a verified file in one transaction. First, outside it, the events this
/// database does not have yet are found (one ordered scan per seat); if there are none,
/// nothing is written. Then, in the transaction, presence is checked again (another
/// import may have run meanwhile; nothing ever deletes an event, so the new ones can
/// only be fewer) and every new event is inserted and projected, in the file's order,
/// while a second thread parses and checks the next ones (`SyncFile::checked_event`; an
/// event already here is byte for byte one that was checked when it was stored). The
/// first bad payload in file order refuses the file and rolls the transaction back.
/// Conflicts are counted by comparing the conflict set before and after.
pub fn import_verified(
    store: &mut Store,
    path: &Path,
    file: &SyncFile,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, SyncError> {
    let refused = |refusal: Refusal| SyncError::Refused { path: path.display().to_string(), refusal };
    let total = file.len() as u64;
    let here = presence(file, |seat, min, max, f| store.stored_hashes(seat, min, max, f))?.map_err(refused)?;
    let new: Vec<usize> = (0..file.len()).filter(|&i| !here[i]).collect();
    let (unsigned, pinned) = check_seats(store, file, &new)?.map_err(refused)?;
    let now = store.clock().now_utc();
    store.note_clock_skews(&observed_skews(file, now), now)?;
    if new.is_empty() {
        // Everything is here already, and nothing ever deletes an event: no write.
        progress(Progress::Importing { done: total, total });
        return Ok(ImportReport {
            path: path.to_path_buf(),
            from_seat: file.header.seat.clone(),
            events: total,
            new: 0,
            already_present: total,
            new_conflicts: 0,
            seen_before: false,
            clocks_ahead: clocks_ahead(file, now),
            far_future: Vec::new(),
            unsigned: Vec::new(),
            pinned: Vec::new(),
        });
    }
    let far_future = far_future(file, &new, now);

    let mut refusal: Option<Refusal> = None;
    let import = |w: &mut crate::store::Writer<'_>| {
        progress(Progress::Importing { done: 0, total });
        let here = match presence(file, |seat, min, max, f| w.stored_hashes(seat, min, max, f))? {
            Ok(here) => here,
            Err(r) => {
                refusal = Some(r);
                return Err(StoreError::Rule("refused".into()));
            }
        };
        let new_count = here.iter().filter(|h| !**h).count() as u64;
        let before = if new_count > 0 { w.conflict_ids()? } else { Default::default() };
        // Parsing runs on a second thread while this one writes.
        let new: Vec<usize> = (0..file.len()).filter(|&i| !here[i]).collect();
        std::thread::scope(|scope| -> crate::store::Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(8);
            let new = &new;
            scope.spawn(move || {
                for batch in new.chunks(256) {
                    let parsed: Vec<Parsed> = batch.iter().map(|&i| (i, file.checked_event(i))).collect();
                    if tx.send(parsed).is_err() {
                        return; // the writer stopped
                    }
                }
            });
            for parsed in rx.iter() {
                let mut batch = Vec::with_capacity(parsed.len());
                let mut lines = Vec::with_capacity(parsed.len());
                for (i, p) in parsed {
                    match p {
                        Ok(checked) => {
                            batch.push(checked);
                            lines.push(i);
                        }
                        Err(r) => {
                            refusal = Some(r);
                            return Err(StoreError::Rule("refused".into()));
                        }
                    }
                }
                match w.ingest_verified_batch(&batch) {
                    Ok(()) => {}
                    // The id is here under another seat number: not the same log.
                    Err((k, StoreError::Corrupt(msg))) => {
                        refusal = Some(Refusal {
                            problem: Problem::Chain,
                            message: format!("第 {} 行:{msg} — 文件或本库被改动过", file.line_no(lines[k])),
                        });
                        return Err(StoreError::Rule("refused".into()));
                    }
                    Err((_, e)) => return Err(e),
                }
                // How far into the file the import is (a batch is a few hundred events,
                // or fewer large ones: each batch is worth a report).
                let done = lines.last().map_or(0, |&i| i as u64 + 1);
                progress(Progress::Importing { done, total });
            }
            Ok(())
        })?;
        w.keep_heads(&file.header.heads)?;
        let new_conflicts = if new_count > 0 { w.conflict_ids()?.difference(&before).count() as u64 } else { 0 };
        progress(Progress::Importing { done: total, total });
        Ok((new_count, total - new_count, new_conflicts))
    };
    let result = if new.len() >= BULK_ABOVE_EVENTS {
        store.write_bulk(BulkLoad::Events(new.len()), import)
    } else {
        store.write(import)
    };
    match (result, refusal) {
        (_, Some(refusal)) => Err(refused(refusal)),
        (Err(e), None) => Err(e.into()),
        (Ok((new, already_present, new_conflicts)), None) => Ok(ImportReport {
            path: path.to_path_buf(),
            from_seat: file.header.seat.clone(),
            events: total,
            new,
            already_present,
            new_conflicts,
            seen_before: false,
            clocks_ahead: clocks_ahead(file, now),
            far_future,
            unsigned,
            pinned,
        }),
    }
}

/// Unsigned new events per seat, and the seats whose key this import pins.
type SeatCheck = (Vec<(String, u64)>, Vec<String>);

/// Who may bring what in, checked against the keys this database knows before anything
/// is written. The file as a whole is refused, naming the seat, when
/// * a signed head of a seat is signed by another key than the one pinned for it;
/// * a seat whose key is pinned has new events no signed head vouches for (events from
///   before signing are accepted only for seats not pinned yet);
/// * after `kefu seats trust` (the list is closed), a seat with new events has no known
///   key.
///
/// Otherwise unsigned new events are imported and reported, and the key of a seat seen
/// for the first time is pinned (trust on first use).
fn check_seats(store: &Store, file: &SyncFile, new: &[usize]) -> crate::store::Result<Result<SeatCheck, Refusal>> {
    let refuse = |message: String| Ok(Err(Refusal { problem: Problem::Signature, message }));
    let mut pinned = Vec::new();
    for h in &file.header.heads {
        match store.pinned_key(&h.seat)? {
            Some(k) if k != h.key => {
                return refuse(format!(
                    "席位 {} 登记的密钥是 {}…,这个文件却由另一把密钥 {}… 签名 — 冒名或伪造的文件",
                    h.seat,
                    k.get(..16).unwrap_or(&k),
                    h.key.get(..16).unwrap_or(&h.key)
                ));
            }
            Some(_) => {}
            None if !pinned.contains(&h.seat) => pinned.push(h.seat.clone()),
            None => {}
        }
    }
    let closed = store.trust_closed()?;
    // seat → (new events, unsigned ones, first unsigned line)
    let mut per_seat: BTreeMap<&str, (u64, u64, Option<u64>)> = BTreeMap::new();
    for &i in new {
        let e = per_seat.entry(file.seat(i)).or_default();
        e.0 += 1;
        if !file.is_signed(i) {
            e.1 += 1;
            e.2 = Some(e.2.map_or(file.line_no(i), |l: u64| l.min(file.line_no(i))));
        }
    }
    let mut unsigned = Vec::new();
    for (seat, (_, bare, line)) in per_seat {
        let known = store.pinned_key(seat)?.is_some();
        if known && bare > 0 {
            return refuse(format!(
                "席位 {seat} 的密钥已登记,文件里却有它 {bare} 条没有签名的事件(第 {} 行起)— 不是它签发的",
                line.unwrap_or(0)
            ));
        }
        if !known && closed {
            return refuse(format!(
                "席位 {seat} 不在本库的信任名单里(kefu seats trust 之后只收名单上的席位)— 请主管把它加进名单"
            ));
        }
        if bare > 0 {
            unsigned.push((seat.to_string(), bare));
        }
    }
    Ok(Ok((unsigned, pinned)))
}

/// Seats in `file` whose latest event is timed in this computer's future (`now`).
fn clocks_ahead(file: &SyncFile, now: DateTime<Utc>) -> Vec<(String, i64)> {
    file.seat_latest()
        .map(|(seat, at)| (seat.to_string(), (at - now).num_seconds()))
        .filter(|(_, ahead)| *ahead > CLOCK_AHEAD_WARN_SECS)
        .collect()
}

/// The new events (`new`, positions in `file`) more than a day after `now`, per seat.
fn far_future(file: &SyncFile, new: &[usize], now: DateTime<Utc>) -> Vec<FarFuture> {
    let limit = now + chrono::Duration::seconds(FAR_FUTURE_SECS);
    let mut by_seat: BTreeMap<&str, (u64, DateTime<Utc>)> = BTreeMap::new();
    for &i in new {
        let wall = file.wall(i);
        if wall > limit {
            let e = by_seat.entry(file.seat(i)).or_insert((0, wall));
            e.0 += 1;
            e.1 = e.1.max(wall);
        }
    }
    by_seat.into_iter().map(|(seat, (events, latest))| FarFuture { seat: seat.to_string(), events, latest }).collect()
}

/// How far each seat's clock is from ours (`now`), as far as `file` shows it: for the
/// seat that wrote it, the file's creation time against now (a file that waited a day
/// reads as a clock a day behind: the latest observation replaces the one before); for
/// any seat, its latest wall time when that is ahead of now (that far ahead at least).
fn observed_skews(file: &SyncFile, now: DateTime<Utc>) -> Vec<(String, i64)> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    if let Ok(created) = DateTime::parse_from_rfc3339(&file.header.created_at) {
        out.insert(file.header.seat.clone(), (created.with_timezone(&Utc) - now).num_milliseconds());
    }
    for (seat, latest) in file.seat_latest() {
        let ahead = (latest - now).num_milliseconds();
        if ahead > 0 {
            let e = out.entry(seat.to_string()).or_insert(ahead);
            *e = (*e).max(ahead);
        }
    }
    out.into_iter().collect()
}

/// An event to insert, or why the file is refused after all.
type Parsed = (usize, Result<(crate::domain::event::Event, crate::domain::event::EventBody), Refusal>);

/// From this many new events, an import is a bulk load (`Store::write_bulk`: a bigger
/// page cache, and into a small log, some indexes built after the load).
const BULK_ABOVE_EVENTS: usize = 50_000;

/// Reads, for one seat, the stored (seq, hash) of events with `min <= seq <= max`.
type ScanFn<'a> = dyn FnMut(i64, &str) + 'a;

/// Which of the file's events the log has already (`true`), found with one ordered
/// scan per seat of the stored (seq, hash) range the file covers. A stored event with
/// the same seat and number but another hash refuses the file: two databases wrote as
/// the same seat, or one of them was tampered with.
fn presence(
    file: &SyncFile,
    mut scan: impl FnMut(&str, i64, i64, &mut ScanFn<'_>) -> crate::store::Result<()>,
) -> crate::store::Result<Result<Vec<bool>, Refusal>> {
    let mut by_seat: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..file.len() {
        by_seat.entry(file.seat(i)).or_default().push(i);
    }
    let mut here = vec![false; file.len()];
    let mut clash: Option<usize> = None;
    for (seat, mut idx) in by_seat {
        if !idx.is_sorted_by_key(|&i| file.seq(i)) {
            idx.sort_by_key(|&i| file.seq(i));
        }
        let (min, max) = (file.seq(idx[0]), file.seq(idx[idx.len() - 1]));
        let mut j = 0;
        let mut stored = [0u8; 32];
        scan(seat, min, max, &mut |seq, hash| {
            while j < idx.len() && file.seq(idx[j]) < seq {
                j += 1;
            }
            while j < idx.len() && file.seq(idx[j]) == seq {
                if format::decode_hash(hash, &mut stored) && stored == *file.hash(idx[j]) {
                    here[idx[j]] = true;
                } else if clash.is_none_or(|c| idx[j] < c) {
                    clash = Some(idx[j]);
                }
                j += 1;
            }
        })?;
    }
    Ok(match clash {
        None => Ok(here),
        Some(i) => Err(Refusal {
            problem: Problem::Chain,
            message: format!(
                "第 {} 行:席位 {} 的第 {} 号事件在本库中是另一条事件 — {}",
                file.line_no(i),
                file.seat(i),
                file.seq(i),
                if crate::domain::seat_id::split(file.seat(i)).1.is_some() {
                    "文件或本库被改动过(有密钥的席位不会分叉)"
                } else {
                    "两个数据库用了同一个席位名?(签名之前的旧席位分叉了:在用过这个名字的数据库上运行 kefu seats recover 此文件)"
                }
            ),
        }),
    })
}

/// The file name a seat's export has in a shared folder.
pub fn seat_file_name(seat: &str) -> String {
    format!("kefu-{}.{EXTENSION}", safe_file_part(seat))
}

/// A seat name made safe for a file name on any system.
fn safe_file_part(seat: &str) -> String {
    let s: String =
        seat.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let s = s.trim_matches('.').to_string();
    if s.is_empty() { "seat".into() } else { s }
}

/// What `sync_dir` did with one other seat's file.
#[derive(Debug)]
pub enum DirFile {
    Imported(ImportReport),
    /// Byte for byte the file this database imported last time from this folder.
    Unchanged(PathBuf),
    Failed(PathBuf, SyncError),
}

#[derive(Debug)]
pub struct SyncReport {
    pub export: ExportReport,
    /// False when this seat's file in the folder already had everything (it is then
    /// left as it is, so the other seats see it unchanged and skip it).
    pub rewrote: bool,
    pub files: Vec<DirFile>,
}

/// The shared-folder routine: writes this seat's full export into `dir` as
/// `kefu-<seat>.kefusync` (a hidden temporary file, then a rename, so other seats never
/// see half a file), then imports every other `*.kefusync` there, each verified and
/// imported on its own (a bad file is reported and the others still come in). Several
/// seats may run it on one folder at once.
pub fn sync_dir(
    store: &mut Store,
    dir: &Path,
    progress: &mut dyn FnMut(&Path, Progress),
) -> Result<SyncReport, SyncError> {
    let meta = fs::metadata(dir).map_err(io_err(dir))?;
    if !meta.is_dir() {
        return Err(SyncError::Io {
            path: dir.display().to_string(),
            source: io::Error::new(io::ErrorKind::NotADirectory, "不是文件夹"),
        });
    }
    let seat = store.actor().seat.clone();
    let own = seat_file_name(&seat);
    let target = dir.join(&own);
    let tmp = dir.join(format!(".kefu-{}.tmp-{}", safe_file_part(&seat), std::process::id()));
    let dir_key = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()).display().to_string();
    let wrote_key = format!("{META_WROTE_PREFIX}{dir_key}");
    // Our file there is current if nothing arrived since we wrote it and nobody touched it.
    let current = store.meta(&wrote_key)?.and_then(|v| {
        let (upto, sha) = v.split_once(' ')?;
        Some((upto.parse::<i64>().ok()?, sha.to_string()))
    });
    let up_to_date = match current {
        Some((upto, sha)) if upto == store.max_event_rowid()? => {
            file_sha256(&target).filter(|s| *s == sha).map(|s| (upto, s))
        }
        _ => None,
    };
    let (export, rewrote) = match up_to_date {
        Some((upto, sha)) => {
            let slice = store.log_slice(0)?;
            let bytes = fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
            let report = ExportReport {
                path: target.clone(),
                count: slice.count,
                per_seat: slice.seats.iter().map(|(s, (_, _, n))| (s.clone(), *n)).collect(),
                scope: Scope::All,
                continued: false,
                compressed: slice.approx_bytes > format::GZIP_ABOVE_BYTES,
                bytes,
                sha256: String::new(),
                file_sha256: sha,
                upto_rowid: upto,
            };
            (report, false)
        }
        None => {
            let report = write_export(store, &target, &tmp, 0)?;
            store.set_meta(&wrote_key, &format!("{} {}", report.upto_rowid, report.file_sha256))?;
            (report, true)
        }
    };

    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == own || name.starts_with('.') || !name.ends_with(&format!(".{EXTENSION}")) {
            continue;
        }
        if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            names.push(name);
        }
    }
    names.sort();
    let mut files = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let outcome =
            sync_one(store, &path, &format!("{META_SEEN_PREFIX}{dir_key}/{name}"), &mut |p| progress(&path, p));
        files.push(match outcome {
            Ok(Some(report)) => DirFile::Imported(report),
            Ok(None) => DirFile::Unchanged(path),
            Err(e) => DirFile::Failed(path, e),
        });
    }
    Ok(SyncReport { export, rewrote, files })
}

/// Imports one folder file unless it is byte for byte the one imported last time.
/// The file is opened once: the checksum and the import read the same content even
/// if the other seat replaces the file meanwhile.
fn sync_one(
    store: &mut Store,
    path: &Path,
    seen_key: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<Option<ImportReport>, SyncError> {
    if let (Some(seen), Some(now)) = (store.meta(seen_key)?, file_sha256(path))
        && seen == now
    {
        return Ok(None);
    }
    let (raw_sha, report) = import_file(store, path, progress)?;
    store.set_meta(seen_key, &raw_sha)?;
    Ok(Some(report))
}

/// Recovers from a fork (see `store::fork`): `path` is the other side's file that this
/// database refuses because both wrote as this database's old seat. The first seq where
/// they differ is found; this database's events of that seat from there on are recorded
/// again as new events of its own (keyed) seat, after which the two can exchange files
/// both ways. The file is verified first; nothing of it is imported here.
pub fn recover_fork(store: &mut Store, path: &Path) -> Result<crate::store::fork::Recovered, SyncError> {
    let file = read_verified(path, &mut |_| {})?;
    let Some(old) = store.meta("seat")?.filter(|s| crate::domain::seat_id::split(s).1.is_none()) else {
        return Err(SyncError::Store(StoreError::Rule("本库没有签名之前的旧席位,不会有分叉".into())));
    };
    let (mut min, mut max) = (i64::MAX, i64::MIN);
    let mut theirs: BTreeMap<i64, [u8; 32]> = BTreeMap::new();
    for i in (0..file.len()).filter(|&i| file.seat(i) == old) {
        min = min.min(file.seq(i));
        max = max.max(file.seq(i));
        theirs.insert(file.seq(i), *file.hash(i));
    }
    let mut fork: Option<i64> = None;
    if !theirs.is_empty() {
        let mut stored = [0u8; 32];
        store.stored_hashes(&old, min, max, &mut |seq, hash| {
            let differs = theirs.get(&seq).is_some_and(|h| !format::decode_hash(hash, &mut stored) || stored != *h);
            if differs && fork.is_none_or(|f| seq < f) {
                fork = Some(seq);
            }
        })?;
    }
    let Some(from) = fork else {
        return Err(SyncError::Store(StoreError::Rule(format!(
            "{} 与本库没有分叉:席位 {old} 的事件两边一致,直接导入即可",
            path.display()
        ))));
    };
    Ok(store.recover_fork(&old, from)?)
}
