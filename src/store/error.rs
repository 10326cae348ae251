use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// Said once: SQLite's own message, never the SQL it was running (a migration's
    /// whole script) nor the same words again from the error's sources.
    #[error("数据库错误:{}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
    /// A business rule said no; the message says which and why.
    #[error("{0}")]
    Rule(String),
    #[error("找不到{what} {key}")]
    NotFound { what: &'static str, key: String },
    #[error(
        "数据库 {path} 由更新版本的 kefu 创建(数据库版本 {found},本程序最高支持 {supported})。请升级 kefu;文件未作任何修改。"
    )]
    NewerSchema { path: String, found: i64, supported: i64 },
    /// A migration failed: which one and why; the database stays at the version before
    /// it (each migration is one transaction).
    #[error(
        "数据库 {path} 升级到版本 {to} 失败:迁移 {name} 出错({reason});数据库仍是版本 {from},这一步没有写入任何东西。"
    )]
    Migration { path: String, name: &'static str, from: i64, to: i64, reason: String },
    /// Opened read-only (the file, or the folder it is in, cannot be written): a change
    /// was asked for.
    #[error("{}", read_only_message(path, *folder))]
    ReadOnly { path: String, folder: bool },
    /// Read-only, and the file needs what only a write can do first.
    #[error("{}打不开:{why};请让它可写后再打开一次,文件未作任何修改。", read_only_place(path, *folder))]
    ReadOnlyCannotOpen { path: String, folder: bool, why: String },
    #[error("事件日志损坏:{0}")]
    Corrupt(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub(crate) fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) | rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(f, None) => f.to_string(),
        other => other.to_string(),
    }
}

fn read_only_place(path: &str, folder: bool) -> String {
    if folder {
        format!("数据库 {path} 所在的文件夹是只读的,")
    } else {
        format!("数据库文件 {path} 是只读的,")
    }
}

fn read_only_message(path: &str, folder: bool) -> String {
    format!("{}只能查看,不能修改:这次什么也没有写入。", read_only_place(path, folder))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
