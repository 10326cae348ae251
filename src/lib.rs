//! kefu (客服): a terminal workbench for Taobao/Tmall customer-service seats.
//!
//! Layers, bottom up: `domain` (pure rules) → `store` (SQLite, migrations, the event
//! log) → `search`, `import`, `sync`, `report` → `tui` and `cli`. Nothing below `tui`
//! knows a terminal exists.

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod hub;
pub mod import;
pub mod report;
pub mod search;
pub mod store;
pub mod sync;
pub mod tui;
