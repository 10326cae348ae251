//! What the import tests share: the fixture files (tests/fixtures, made by
//! make_fixtures.py and make_xlsx.py) and an empty store.

#![allow(dead_code, reason = "each test file uses some of these")]

use std::fs::File;
use std::path::{Path, PathBuf};

use kefu::domain::event::Actor;
use kefu::store::Store;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn open(name: &str) -> File {
    File::open(fixture(name)).unwrap()
}

pub fn store() -> Store {
    Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap()
}
