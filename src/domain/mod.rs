//! Pure rules: no I/O, no SQL, no terminal. Everything here is unit-tested case by case.

pub mod address;
pub mod agent;
pub mod case;
pub mod clock;
pub mod dsr;
pub mod event;
pub mod flag;
pub mod intervention;
pub mod money;
pub mod order;
pub mod placeholders;
pub mod postage;
pub mod promise;
pub mod refund;
pub mod sanitize;
pub mod seat_id;
pub mod setting;
pub mod shop;
pub mod text_format;
pub mod text_len;
pub mod timefmt;
pub mod toml_tree;
pub mod width;
