//! Who is working and which shop: the personal config file, the agent's name on every
//! command line write, the shop's synced settings — the real binary on a temp database,
//! with a config file of its own (never the developer's).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::PathBuf;
use std::process::{Command, Output};

use kefu::domain::event::{Actor, EventBody};
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::domain::timefmt::parse_datetime;
use kefu::store::Store;

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kefu.sqlite");
        let mut s = Store::open(&db, Actor::new("导入", "seat-0")).unwrap();
        let order = |no: &str, paid: &str| OrderRecord {
            order_no: no.into(),
            buyer: "tb_小猪".into(),
            receiver_name: "王芳".into(),
            status: OrderStatus::WaitSellerSendGoods.into(),
            amount_fen: 8800,
            paid_at: parse_datetime(paid),
            title: "连帽卫衣".into(),
            ..Default::default()
        };
        s.record(EventBody::OrdersUpserted {
            source: "t".into(),
            orders: vec![order("1001", "2026-06-28 15:30:00"), order("1002", "2026-06-28 09:00:00")],
        })
        .unwrap();
        let config = dir.path().join("cfg").join("config.toml");
        Env { dir, db, config }
    }

    /// kefu with this env's database and config file, nobody named.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
        c.arg("--db")
            .arg(&self.db)
            .args(["--seat", "seat-1"])
            .args(args)
            .env("KEFU_CONFIG", &self.config)
            .env("KEFU_NOW", "2026-06-28 10:00:00")
            .env("USER", "zhangwei")
            .env_remove("KEFU_AGENT")
            .env_remove("KEFU_DB");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn err(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8(out.stderr).unwrap()
    }

    fn store(&self) -> Store {
        Store::open(&self.db, Actor::new("读", "seat-9")).unwrap()
    }
}

#[test]
fn a_write_with_nobody_named_is_refused_with_the_command_that_names_you() {
    let e = Env::new();
    let before = e.store().event_count().unwrap();
    let err = e.err(&["memo", "1001", "核对地址"]);
    assert!(err.contains("kefu config set agent"), "{err}");
    assert!(!err.contains("zhangwei"), "$USER is not an agent name: {err}");
    assert_eq!(e.store().event_count().unwrap(), before, "nothing was written");
    // reads need nobody
    for read in [&["orders"][..], &["refund", "list"], &["case", "list"], &["log"], &["shop"], &["config"]] {
        e.ok(read);
    }
    // the command it names works, and from then on the name signs every change
    e.ok(&["config", "set", "agent", "宾"]);
    assert_eq!(std::fs::read_to_string(&e.config).unwrap(), "agent = \"宾\"\n");
    let out = e.ok(&["memo", "1001", "核对地址", "--result", "无误"]);
    assert!(out.contains("6-28核对地址,无误 宾"), "{out}");
    let memos = e.store().memo_lines("1001").unwrap();
    assert_eq!(memos.last().map(|m| m.agent.as_str()), Some("宾"));
}

#[test]
fn the_flag_and_the_environment_name_the_agent_before_the_file() {
    let e = Env::new();
    std::fs::create_dir_all(e.config.parent().unwrap()).unwrap();
    std::fs::write(&e.config, "agent = \"宾\"\n").unwrap();
    e.ok(&["--agent", "琳琳", "memo", "1001", "a"]);
    let out = e.cmd(&["memo", "1001", "b"]).env("KEFU_AGENT", "小美").output().unwrap();
    assert!(out.status.success());
    e.ok(&["memo", "1001", "c"]);
    let who: Vec<String> = e.store().memo_lines("1001").unwrap().into_iter().map(|m| m.agent).collect();
    assert_eq!(who, ["琳琳", "小美", "宾"]);
    let shown = e.cmd(&["config"]).env("KEFU_AGENT", "小美").output().unwrap();
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(shown.contains("小美") && shown.contains("环境变量 KEFU_AGENT"), "{shown}");
    assert!(e.ok(&["config"]).contains("配置文件第 1 行"));
}

#[test]
fn role_words_are_not_names() {
    let e = Env::new();
    let err = e.err(&["--agent", "客服", "memo", "1001", "a"]);
    assert!(err.contains("不是一个人的名字"), "{err}");
    let err = e.err(&["config", "set", "agent", "客服"]);
    assert!(err.contains("config.toml") && err.contains("agent"), "{err}");
    assert!(!e.config.exists(), "a refused name writes no file");
}

#[test]
fn a_problem_in_the_config_file_is_named_by_file_line_and_key_and_is_not_fatal() {
    let e = Env::new();
    std::fs::create_dir_all(e.config.parent().unwrap()).unwrap();
    std::fs::write(&e.config, "# 我的\ntheme = \"default\"\nagent = 42\n").unwrap();
    let file = e.config.display().to_string();
    let out = e.run(&["orders"]);
    assert!(out.status.success(), "a read still works");
    let warn = String::from_utf8(out.stderr).unwrap();
    assert!(warn.contains(&file) && warn.contains("第 3 行") && warn.contains("agent"), "{warn}");
    // a write has nobody to sign it, and says why
    let err = e.err(&["memo", "1001", "a"]);
    assert!(err.contains("kefu config set agent") && err.contains("第 3 行"), "{err}");
    std::fs::write(&e.config, "agent = \"宾\"\nagnet = \"x\"\n").unwrap();
    let out = e.run(&["memo", "1001", "a"]);
    assert!(out.status.success());
    let warn = String::from_utf8(out.stderr).unwrap();
    assert!(warn.contains("第 2 行") && warn.contains("agnet"), "an unknown key warns: {warn}");
}

#[test]
fn the_config_file_can_name_the_database() {
    let e = Env::new();
    std::fs::create_dir_all(e.config.parent().unwrap()).unwrap();
    // relative to the file's folder
    std::fs::write(&e.config, "agent = \"宾\"\ndb = \"../kefu.sqlite\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["orders", "--json"])
        .env("KEFU_CONFIG", &e.config)
        .env_remove("KEFU_DB")
        .env_remove("KEFU_AGENT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "read the database the file names");
    let shown = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("config")
        .env("KEFU_CONFIG", &e.config)
        .env_remove("KEFU_DB")
        .env_remove("KEFU_AGENT")
        .output()
        .unwrap();
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(shown.contains("配置文件第 2 行"), "{shown}");
}

#[test]
fn xdg_config_home_is_where_the_file_lives() {
    let e = Env::new();
    let xdg = e.dir.path().join("xdg");
    let out = e
        .cmd(&["config", "set", "agent", "宾"])
        .env_remove("KEFU_CONFIG")
        .env("XDG_CONFIG_HOME", &xdg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(xdg.join("kefu/config.toml")).unwrap(), "agent = \"宾\"\n");
}

fn ship_by(store: &Store, order_no: &str) -> String {
    let row = store.queue_row(order_no).unwrap().unwrap();
    row.ship_by.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn shop_settings_are_events_and_the_cutoff_reranks_the_queue() {
    let e = Env::new();
    assert_eq!(ship_by(&e.store(), "1001"), "2026-06-28 23:59:59", "paid 15:30, before the default 16:00");
    let err = e.err(&["--agent", "宾", "shop", "set", "cutoff", "晚上"]);
    assert!(err.contains("16:00"), "{err}");
    let err = e.err(&["--agent", "宾", "shop", "set", "colour", "red"]);
    assert!(err.contains("name、type、origin、cutoff"), "{err}");
    e.ok(&["--agent", "宾", "shop", "set", "cutoff", "15:00"]);
    e.ok(&["--agent", "宾", "shop", "set", "name", "19shop"]);
    let s = e.store();
    // paid 15:30, after the new 15:00 cutoff: within 24 hours
    assert_eq!(ship_by(&s, "1001"), "2026-06-29 15:30:00");
    assert_eq!(ship_by(&s, "1002"), "2026-06-28 23:59:59");
    let listed = e.ok(&["shop"]);
    assert!(listed.contains("19shop") && listed.contains("宾 @ seat-1"), "{listed}");
    assert!(listed.contains("flags.purple"), "{listed}");
    // every seat ranks alike: a rebuild from the log gives the same queue
    let mut s = e.store();
    s.rebuild().unwrap();
    assert_eq!(ship_by(&s, "1001"), "2026-06-29 15:30:00");
    let shown = e.ok(&["config"]);
    assert!(shown.contains("店铺设置") && shown.contains("15:00"), "{shown}");
}

#[test]
fn a_later_cutoff_puts_the_afternoon_back_to_the_same_day() {
    let e = Env::new();
    e.ok(&["--agent", "宾", "shop", "set", "cutoff", "17:00"]);
    assert_eq!(ship_by(&e.store(), "1001"), "2026-06-28 23:59:59");
    e.ok(&["--agent", "宾", "shop", "set", "cutoff", "15:00"]);
    assert_eq!(ship_by(&e.store(), "1001"), "2026-06-29 15:30:00");
}
