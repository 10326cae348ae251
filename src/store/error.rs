use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库错误:{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A business rule said no; the message says which and why.
    #[error("{0}")]
    Rule(String),
    #[error("找不到{what} {key}")]
    NotFound { what: &'static str, key: String },
    #[error(
        "数据库 {path} 由更新版本的 kefu 创建(数据库版本 {found},本程序最高支持 {supported})。请升级 kefu;文件未作任何修改。"
    )]
    NewerSchema { path: String, found: i64, supported: i64 },
    #[error("事件日志损坏:{0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
