//! Keys as data. Each pane has one table: an action, the keys bound to it, a short hint
//! for the status bar and a line for the `?` help. The same table drives the key
//! handling, the hints, the help and the README's key table (a test keeps that in
//! step), and the personal config file can rebind any action (`[keys]`, e.g.
//! `queue.memo = "M"`); a binding that cannot be used is reported, never fatal.
//!
//! Forms, pickers, questions and search boxes take their keys as text and are not in
//! these tables (their fixed keys are in the help's last section).

use std::collections::BTreeMap;
#[cfg(test)]
use std::fmt::Write as _;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as a table names it: the code, and whether Ctrl is held (Shift is in the
/// character itself: `G`, and `S-Tab` is its own code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
}

/// `KeyCode` with an order (for sorted tables and stable output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
    F(u8),
}

impl Key {
    pub(crate) fn of(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::F(n) => KeyCodeOrd::F(n),
            _ => return None,
        };
        Some(Key { code, ctrl: ev.modifiers.contains(KeyModifiers::CONTROL) })
    }

    /// The key event this key is (tests).
    #[cfg(test)]
    pub(crate) fn event(self) -> KeyEvent {
        let code = match self.code {
            KeyCodeOrd::Char(c) => KeyCode::Char(c),
            KeyCodeOrd::Enter => KeyCode::Enter,
            KeyCodeOrd::Esc => KeyCode::Esc,
            KeyCodeOrd::Tab => KeyCode::Tab,
            KeyCodeOrd::BackTab => KeyCode::BackTab,
            KeyCodeOrd::Up => KeyCode::Up,
            KeyCodeOrd::Down => KeyCode::Down,
            KeyCodeOrd::Left => KeyCode::Left,
            KeyCodeOrd::Right => KeyCode::Right,
            KeyCodeOrd::PageUp => KeyCode::PageUp,
            KeyCodeOrd::PageDown => KeyCode::PageDown,
            KeyCodeOrd::Home => KeyCode::Home,
            KeyCodeOrd::End => KeyCode::End,
            KeyCodeOrd::Backspace => KeyCode::Backspace,
            KeyCodeOrd::Delete => KeyCode::Delete,
            KeyCodeOrd::F(n) => KeyCode::F(n),
        };
        let mut mods = if self.ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE };
        if self.code == KeyCodeOrd::BackTab {
            mods |= KeyModifiers::SHIFT;
        }
        KeyEvent::new(code, mods)
    }

    /// `j`, `G`, `?`, `Enter`, `Esc`, `Tab`, `S-Tab`, `Up` (or `↑`), `PgDn`, `Home`,
    /// `F1`, `C-q`, `Space`.
    pub(crate) fn parse(s: &str) -> Result<Key, String> {
        let t = s.trim();
        let (ctrl, rest) = match t.strip_prefix("C-").or_else(|| t.strip_prefix("Ctrl-")) {
            Some(r) if !r.is_empty() => (true, r),
            _ => (false, t),
        };
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && !c.is_whitespace() => KeyCodeOrd::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCodeOrd::Enter,
                "esc" | "escape" => KeyCodeOrd::Esc,
                "tab" => KeyCodeOrd::Tab,
                "s-tab" | "backtab" | "shift-tab" => KeyCodeOrd::BackTab,
                "up" | "↑" => KeyCodeOrd::Up,
                "down" | "↓" => KeyCodeOrd::Down,
                "left" | "←" => KeyCodeOrd::Left,
                "right" | "→" => KeyCodeOrd::Right,
                "pgup" | "pageup" => KeyCodeOrd::PageUp,
                "pgdn" | "pagedown" => KeyCodeOrd::PageDown,
                "home" => KeyCodeOrd::Home,
                "end" => KeyCodeOrd::End,
                "backspace" => KeyCodeOrd::Backspace,
                "delete" | "del" => KeyCodeOrd::Delete,
                "space" => KeyCodeOrd::Char(' '),
                f if f.len() >= 2
                    && f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
                {
                    KeyCodeOrd::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "看不懂的按键 '{}'(例如 j、G、Enter、Esc、Tab、S-Tab、PgDn、Home、F1、C-q)",
                        crate::tui::text::clip(s, 20)
                    ));
                }
            },
        };
        Ok(Key { code, ctrl })
    }

    /// How the key is written in hints, help and the README.
    pub(crate) fn label(self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "Space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::Enter => "Enter".into(),
            KeyCodeOrd::Esc => "Esc".into(),
            KeyCodeOrd::Tab => "Tab".into(),
            KeyCodeOrd::BackTab => "S-Tab".into(),
            KeyCodeOrd::Up => "↑".into(),
            KeyCodeOrd::Down => "↓".into(),
            KeyCodeOrd::Left => "←".into(),
            KeyCodeOrd::Right => "→".into(),
            KeyCodeOrd::PageUp => "PgUp".into(),
            KeyCodeOrd::PageDown => "PgDn".into(),
            KeyCodeOrd::Home => "Home".into(),
            KeyCodeOrd::End => "End".into(),
            KeyCodeOrd::Backspace => "Backspace".into(),
            KeyCodeOrd::Delete => "Del".into(),
            KeyCodeOrd::F(n) => format!("F{n}"),
        };
        if self.ctrl { format!("C-{base}") } else { base }
    }
}

/// An action a table binds keys to.
pub(crate) trait KeyAction: Copy + Eq + std::fmt::Debug + 'static {
    /// Its name in the config file (`queue.memo`).
    fn name(self) -> &'static str;
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding<A> {
    pub(crate) action: A,
    pub(crate) keys: Vec<Key>,
    /// A word or two for the status bar; rows with the same hint next to each other
    /// share it (`j/k 移动`).
    pub(crate) hint: &'static str,
    /// A line for the `?` help.
    pub(crate) help: &'static str,
}

/// One pane's (or view's) keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keymap<A> {
    /// Its name in the config file (`[keys] queue.…`).
    pub(crate) name: &'static str,
    /// Its heading in the help and the README.
    pub(crate) title: &'static str,
    pub(crate) bindings: Vec<Binding<A>>,
}

impl<A: KeyAction> Keymap<A> {
    pub(crate) fn lookup(&self, ev: &KeyEvent) -> Option<A> {
        let k = Key::of(ev)?;
        self.bindings.iter().find(|b| b.keys.contains(&k)).map(|b| b.action)
    }

    /// The first key bound to `action` (how a hint or a message names it).
    pub(crate) fn key_of(&self, action: A) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| k.label())
            .unwrap_or_default()
    }

    /// The status bar's hints: `Enter 详情 · / 搜索 · f/F 筛选 · …`, for the rows `keep` lets through.
    pub(crate) fn hints_where(&self, keep: impl Fn(A) -> bool) -> String {
        let mut groups: Vec<(Vec<String>, &str)> = Vec::new();
        for b in self.bindings.iter().filter(|b| keep(b.action) && !b.keys.is_empty()) {
            let k = b.keys[0].label();
            match groups.last_mut() {
                Some((keys, hint)) if *hint == b.hint => keys.push(k),
                _ => groups.push((vec![k], b.hint)),
            }
        }
        groups.iter().map(|(keys, hint)| format!("{} {hint}", compact(keys))).collect::<Vec<_>>().join(" · ")
    }

    pub(crate) fn hints(&self) -> String {
        self.hints_where(|_| true)
    }

    /// The help's rows: every key of a row, and what it does.
    pub(crate) fn help_rows(&self) -> Vec<(String, &'static str)> {
        self.bindings.iter().map(|b| (b.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" "), b.help)).collect()
    }

    /// Every key bound here.
    fn all_keys(&self) -> impl Iterator<Item = (Key, A)> + '_ {
        self.bindings.iter().flat_map(|b| b.keys.iter().map(move |k| (*k, b.action)))
    }

    /// Binds the keys `wanted` names (action name → keys) instead of the defaults.
    /// Whatever cannot be used is left as it was and reported: an unknown action, an
    /// unreadable key, a key in `taken` (read before this table), a key that another
    /// action here keeps. Swaps work (`memo = "M"` and `flag = "m"` together).
    pub(crate) fn apply(&mut self, wanted: &BTreeMap<String, Vec<String>>, taken: &[Key]) -> Vec<String> {
        let table = self.name;
        let mut problems = Vec::new();
        let mut chosen: Vec<(usize, Vec<Key>)> = Vec::new();
        for (name, keys) in wanted {
            let Some(i) = self.bindings.iter().position(|b| b.action.name() == name) else {
                let known: Vec<&str> = self.bindings.iter().map(|b| b.action.name()).collect();
                problems.push(format!(
                    "[keys] {table}.{}:没有这个操作(可用:{})",
                    crate::tui::text::clip(name, 20),
                    known.join("、")
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for s in keys {
                match Key::parse(s) {
                    Err(e) => problems.push(format!("[keys] {table}.{name}:{e}")),
                    Ok(k) if taken.contains(&k) => {
                        problems.push(format!("[keys] {table}.{name}:{} 已是全局按键", k.label()))
                    }
                    Ok(k) if !parsed.contains(&k) => parsed.push(k),
                    Ok(_) => {}
                }
            }
            if parsed.is_empty() {
                problems.push(format!("[keys] {table}.{name}:没有可用的按键,保持默认"));
                continue;
            }
            chosen.push((i, parsed));
        }
        let old: Vec<Vec<Key>> = self.bindings.iter().map(|b| b.keys.clone()).collect();
        for (i, keys) in &chosen {
            self.bindings[*i].keys = keys.clone();
        }
        // A key now bound twice stays with an action that was not rebound (or the one
        // rebound first) and is taken from the other.
        for (i, _) in &chosen {
            let i = *i;
            let mine = self.bindings[i].keys.clone();
            let mut keep = Vec::new();
            for k in mine {
                let holder = self.bindings.iter().enumerate().find(|(j, b)| *j != i && b.keys.contains(&k));
                match holder {
                    Some((j, b))
                        if !chosen.iter().any(|(c, _)| *c == j)
                            || chosen.iter().position(|(c, _)| *c == j) < chosen.iter().position(|(c, _)| *c == i) =>
                    {
                        problems.push(format!(
                            "[keys] {table}.{}:{} 已用于 {table}.{}",
                            self.bindings[i].action.name(),
                            k.label(),
                            b.action.name()
                        ));
                    }
                    _ => keep.push(k),
                }
            }
            if keep.is_empty() {
                keep = old[i]
                    .iter()
                    .copied()
                    .filter(|k| !self.bindings.iter().enumerate().any(|(j, b)| j != i && b.keys.contains(k)))
                    .collect();
            }
            self.bindings[i].keys = keep;
        }
        problems
    }

    /// The README's rows for this table.
    #[cfg(test)]
    fn markdown(&self, out: &mut String) {
        for (keys, help) in self.help_rows() {
            let keys: Vec<String> = keys.split(' ').map(|k| format!("`{}`", k.replace('|', "\\|"))).collect();
            let _ = writeln!(out, "| {} | {} | {help} |", self.title, keys.join(" "));
        }
    }

    pub(crate) fn keys(&self) -> Vec<Key> {
        self.all_keys().map(|(k, _)| k).collect()
    }
}

/// The keys joined by `/`, three or more digits in a row as a range (`1-5`).
fn compact(keys: &[String]) -> String {
    let digit = |k: &String| k.len() == 1 && k.chars().all(|c| c.is_ascii_digit());
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let mut j = i;
        while j + 1 < keys.len()
            && digit(&keys[j])
            && digit(&keys[j + 1])
            && keys[j + 1].as_bytes()[0] == keys[j].as_bytes()[0] + 1
        {
            j += 1;
        }
        if j >= i + 2 {
            out.push(format!("{}-{}", keys[i], keys[j]));
        } else {
            out.extend(keys[i..=j].iter().cloned());
        }
        i = j + 1;
    }
    out.join("/")
}

/// Defines a table's action enum, each action's config name, and its default rows.
macro_rules! keymap {
    ($(#[$m:meta])* $enum:ident, $name:literal, $title:literal, {
        $($(#[$vm:meta])* $var:ident $vname:literal [$($key:literal),*] $hint:literal $help:literal,)*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $enum { $($(#[$vm])* $var,)* }

        impl $crate::tui::keymap::KeyAction for $enum {
            fn name(self) -> &'static str {
                match self { $($enum::$var => $vname,)* }
            }
        }

        impl $enum {
            /// The table with its default keys.
            pub(crate) fn defaults() -> $crate::tui::keymap::Keymap<$enum> {
                $crate::tui::keymap::Keymap {
                    name: $name,
                    title: $title,
                    bindings: vec![$($crate::tui::keymap::Binding {
                        action: $enum::$var,
                        keys: vec![$($crate::tui::keymap::Key::parse($key).unwrap_or_else(|_| $crate::tui::keymap::Key::NONE)),*],
                        hint: $hint,
                        help: $help,
                    },)*],
                }
            }
        }
    };
}

impl Key {
    /// Stands in for a default key that does not parse (a test checks none does).
    pub(crate) const NONE: Key = Key { code: KeyCodeOrd::F(0), ctrl: false };
}

keymap!(
    /// Everywhere (when no box has the keys).
    GlobalKey, "global", "全局", {
    FocusNext "focus_next" ["Tab"] "窗格" "下一个窗格",
    FocusPrev "focus_prev" ["S-Tab"] "窗格" "上一个窗格",
    Queue "queue" ["1"] "窗格" "① 订单",
    AfterSales "aftersales" ["2"] "窗格" "② 售后",
    Replies "replies" ["3"] "窗格" "③ 快捷回复",
    Log "log" ["4"] "窗格" "④ 日志(全屏视图,1/2/3 返回)",
    Reports "reports" ["5"] "窗格" "⑤ 报表(全屏视图,1/2/3 返回)",
    Export "export" ["E"] "同步" "导出同步文件(全部 / 自上次导出以来)",
    Import "import" ["I"] "同步" "导入同步文件(↑/↓ 选文件夹里的 .kefusync)",
    Sync "sync" ["S"] "同步" "同步文件夹:写出本席位的,导入其他席位的",
    Help "help" ["?"] "帮助" "所有按键(输入即筛选)",
    Quit "quit" ["q"] "退出" "退出(有未保存内容先确认;表单里用 Ctrl-Q)",
});

keymap!(
    /// ① the order queue's list.
    QueueKey, "queue", "① 订单", {
    Open "open" ["Enter"] "详情" "订单详情(宝贝、收货人、留言、备注、售后)",
    Search "search" ["/"] "搜索" "搜索单号/买家/收货人/手机尾号/运单号",
    FilterNext "filter_next" ["f"] "筛选" "下一个筛选:全部/待发货/超时/已发货/退款中/旗帜",
    FilterPrev "filter_prev" ["F"] "筛选" "上一个筛选",
    Flag "flag" ["s"] "旗帜" "设置旗帜",
    Memo "memo" ["m"] "备注" "写备注(工号/做了什么/结果)",
    Refund "refund" ["r"] "退款" "登记退款",
    Exchange "exchange" ["x"] "换货" "换货",
    BadReview "bad_review" ["b"] "差评" "中差评(设紫旗,评价抄进备注)",
    Damage "damage" ["d"] "破损" "破损/遗失报告",
    ClearSearch "clear_search" ["Esc"] "清除搜索" "清除搜索,回到筛选",
    Down "down" ["j", "Down"] "移动" "下一个订单",
    Up "up" ["k", "Up"] "移动" "上一个订单",
    PageDown "page_down" ["PgDn"] "翻页" "下一页",
    PageUp "page_up" ["PgUp"] "翻页" "上一页",
    Top "top" ["g", "Home"] "两端" "到最前",
    Bottom "bottom" ["G", "End"] "两端" "到最后",
});

keymap!(
    /// ① an order's detail.
    DetailKey, "detail", "① 订单 · 详情", {
    RevealPhone "reveal_phone" ["p"] "手机" "显示/隐藏收货人手机",
    Back "back" ["Esc"] "返回" "回到订单列表",
    Down "down" ["j", "Down"] "滚动" "向下滚动",
    Up "up" ["k", "Up"] "滚动" "向上滚动",
    PageDown "page_down" ["PgDn"] "翻页" "向下翻页",
    PageUp "page_up" ["PgUp"] "翻页" "向上翻页",
    Top "top" ["g", "Home"] "两端" "到顶",
    Bottom "bottom" ["G", "End"] "两端" "到底",
});

keymap!(
    /// ② the after-sales list.
    CasesKey, "aftersales", "② 售后", {
    Open "open" ["Enter"] "打开" "打开售后单",
    Scope "scope" ["a"] "本单/全部" "本单售后 / 全部进行中",
    Postage "postage" ["w"] "邮费" "谁付邮费?(C店/天猫 × 情形 × 退换)",
    SearchNote "search_note" ["/"] "无需搜索" "售后列表不需要搜索:a 切换本单/全部",
    Down "down" ["j", "Down"] "移动" "下一个",
    Up "up" ["k", "Up"] "移动" "上一个",
    PageDown "page_down" ["PgDn"] "翻页" "下一页",
    PageUp "page_up" ["PgUp"] "翻页" "上一页",
    Top "top" ["g", "Home"] "两端" "到最前",
    Bottom "bottom" ["G", "End"] "两端" "到最后",
});

keymap!(
    /// ② one refund or case.
    CaseKeyMap, "case", "② 售后 · 售后单", {
    Run "run" ["Enter"] "执行" "执行所选操作(只列出当前可执行的)",
    Register "register" ["e"] "登记" "编辑售后登记",
    Contact "contact" ["c"] "联系" "记录联系(同时写备注)",
    CopySentence "copy_sentence" ["y"] "复制" "复制破损报告",
    CopyLine "copy_line" ["Y"] "复制" "复制破损登记行",
    Postage "postage" ["w"] "邮费" "谁付邮费?(C店/天猫 × 情形 × 退换)",
    Resolve "resolve" ["R"] "处理冲突" "处理冲突(写明如何处理,至少 2 字)",
    Back "back" ["Esc"] "返回" "回到售后列表",
    Down "down" ["j", "Down"] "选操作" "下一个操作",
    Up "up" ["k", "Up"] "选操作" "上一个操作",
    ScrollDown "scroll_down" ["PgDn"] "滚动" "向下滚动时间线",
    ScrollUp "scroll_up" ["PgUp"] "滚动" "向上滚动时间线",
    Top "top" ["g", "Home"] "两端" "滚到顶",
    Bottom "bottom" ["G", "End"] "两端" "滚到底",
});

keymap!(
    /// ③ standard replies.
    RepliesKey, "replies", "③ 快捷回复", {
    Search "search" ["/"] "搜索" "搜索:中文、全拼、首字母",
    Use "use" ["Enter"] "复制" "复制(填好订单信息)并计数",
    Add "add" ["a"] "新增" "新增快捷回复",
    Edit "edit" ["e"] "修改" "修改",
    Delete "delete" ["D"] "删除" "删除",
    RenameGroup "rename_group" ["R"] "分组改名" "分组改名",
    DeleteGroup "delete_group" ["X"] "删分组" "删除分组",
    Clear "clear" ["Esc"] "清空" "清空搜索",
    Down "down" ["j", "Down"] "选择" "下一条",
    Up "up" ["k", "Up"] "选择" "上一条",
    PageDown "page_down" ["PgDn"] "翻页" "下一页",
    PageUp "page_up" ["PgUp"] "翻页" "上一页",
    Top "top" ["g", "Home"] "两端" "到最前",
    Bottom "bottom" ["G", "End"] "两端" "到最后",
});

keymap!(
    /// ④ the after-sales log.
    LogKey, "log", "④ 日志", {
    Filter "filter" ["/"] "过滤" "过滤:客服/席位/订单/售后单/类型/内容",
    Reload "reload" ["r"] "刷新" "从最新一条重读",
    Clear "clear" ["Esc"] "清空" "清空过滤",
    Down "down" ["j", "Down"] "滚动" "下一条(到底自动读下一页)",
    Up "up" ["k", "Up"] "滚动" "上一条",
    PageDown "page_down" ["PgDn"] "翻页" "下一页",
    PageUp "page_up" ["PgUp"] "翻页" "上一页",
    Top "top" ["g", "Home"] "两端" "到最新",
    Bottom "bottom" ["G", "End"] "两端" "到已读的最后一条",
});

keymap!(
    /// ⑤ reports.
    ReportsKey, "reports", "⑤ 报表", {
    Next "next" ["l", "Right"] "换报表" "下一个报表:日报/退款7天/退款30天/中差评/破损/客服",
    Prev "prev" ["h", "Left"] "换报表" "上一个报表",
    DayBefore "day_before" ["["] "日期" "前一天(日报日期、周期截止日)",
    DayAfter "day_after" ["]"] "日期" "后一天",
    Rebuild "rebuild" ["r"] "重算" "重新计算",
    Dsr "dsr" ["d"] "DSR" "DSR 计算(评分人数与目标分)",
    Down "down" ["j", "Down"] "滚动" "向下滚动表格",
    Up "up" ["k", "Up"] "滚动" "向上滚动表格",
    PageDown "page_down" ["PgDn"] "翻页" "向下翻页",
    PageUp "page_up" ["PgUp"] "翻页" "向上翻页",
    Top "top" ["g", "Home"] "两端" "到顶",
    Bottom "bottom" ["G", "End"] "两端" "到底",
});

keymap!(
    /// ② who pays the postage (`w`): a panel over the screen that has every key.
    PostageKey, "postage", "② 售后 · 谁付邮费", {
    NextCase "next_case" ["j", "Down"] "情形" "下一个情形",
    PrevCase "prev_case" ["k", "Up"] "情形" "上一个情形",
    RemedyPrev "remedy_prev" ["Left", "h"] "换货/退款" "换货 ↔ 退款",
    RemedyNext "remedy_next" ["Right", "l", "Space"] "换货/退款" "换货 ↔ 退款",
    ShopType "shop_type" ["t"] "店铺类型" "切换 C店/天猫(写入店铺设置,各席位同步)",
    Invoice "invoice" ["i"] "发票" "发票未退回:是 ↔ 否",
    Close "close" ["Esc", "Enter", "w"] "关闭" "关闭",
});

keymap!(
    /// The summary after an export, import or folder sync: a panel that has every key.
    SummaryKey, "sync_summary", "同步结果", {
    Ok "ok" ["Enter", "Space"] "关闭" "关闭",
    Close "close" ["Esc", "q"] "关闭" "关闭",
    Down "down" ["j", "Down"] "滚动" "向下滚动",
    Up "up" ["k", "Up"] "滚动" "向上滚动",
    PageDown "page_down" ["PgDn"] "翻页" "向下翻页",
    PageUp "page_up" ["PgUp"] "翻页" "向上翻页",
});

/// Every table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keymaps {
    pub(crate) global: Keymap<GlobalKey>,
    pub(crate) queue: Keymap<QueueKey>,
    pub(crate) detail: Keymap<DetailKey>,
    pub(crate) cases: Keymap<CasesKey>,
    pub(crate) case: Keymap<CaseKeyMap>,
    pub(crate) replies: Keymap<RepliesKey>,
    pub(crate) log: Keymap<LogKey>,
    pub(crate) reports: Keymap<ReportsKey>,
    /// Panels over the screen: they have every key, global ones too.
    pub(crate) postage: Keymap<PostageKey>,
    pub(crate) summary: Keymap<SummaryKey>,
}

impl Default for Keymaps {
    fn default() -> Self {
        Keymaps {
            global: GlobalKey::defaults(),
            queue: QueueKey::defaults(),
            detail: DetailKey::defaults(),
            cases: CasesKey::defaults(),
            case: CaseKeyMap::defaults(),
            replies: RepliesKey::defaults(),
            log: LogKey::defaults(),
            reports: ReportsKey::defaults(),
            postage: PostageKey::defaults(),
            summary: SummaryKey::defaults(),
        }
    }
}

/// Keys that forms, pickers and questions read (fixed: they are typed into text).
pub(crate) const FIXED: &[(&str, &str)] = &[
    ("Tab ↓ / S-Tab ↑", "表单:下一项 / 上一项"),
    ("← →  h l  Space", "表单:改选项"),
    ("Enter", "表单:提交;选择器:选定;问题:确认"),
    ("Esc", "表单、选择器、搜索框:取消"),
    ("y n", "问题:确认 / 取消"),
    ("j k ↑ ↓", "选择器:上一项 / 下一项"),
    ("0-9", "选择器:直接选第几项"),
    ("C-u", "输入框:清空"),
    ("C-q C-c", "任何时候:退出(先确认)"),
];

impl Keymaps {
    /// Applies the config file's `[keys]` (table name → action name → key or keys).
    /// Returns what could not be applied; everything else is bound.
    pub(crate) fn apply(&mut self, wanted: &BTreeMap<String, BTreeMap<String, Vec<String>>>) -> Vec<String> {
        let mut problems = Vec::new();
        // The global table first: pane keys may not shadow it.
        if let Some(actions) = wanted.get("global") {
            problems.extend(self.global.apply(actions, &[]));
        }
        let global = self.global.keys();
        for (table, actions) in wanted {
            let p = match table.as_str() {
                "global" => continue,
                "queue" => self.queue.apply(actions, &global),
                "detail" => self.detail.apply(actions, &global),
                "aftersales" => self.cases.apply(actions, &global),
                "case" => self.case.apply(actions, &global),
                "replies" => self.replies.apply(actions, &global),
                "log" => self.log.apply(actions, &global),
                "reports" => self.reports.apply(actions, &global),
                // Panels have every key: a global key may be theirs too.
                "postage" => self.postage.apply(actions, &[]),
                "sync_summary" => self.summary.apply(actions, &[]),
                other => vec![format!(
                    "[keys] {}:没有这个窗格(可用:global queue detail aftersales case replies log reports postage sync_summary)",
                    crate::tui::text::clip(other, 20)
                )],
            };
            problems.extend(p);
        }
        problems
    }

    /// The help's sections: a title and rows of (keys, what they do).
    pub(crate) fn help_sections(&self) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
        let mut out = vec![
            (self.global.title, self.global.help_rows()),
            (self.queue.title, self.queue.help_rows()),
            (self.detail.title, self.detail.help_rows()),
            (self.cases.title, self.cases.help_rows()),
            (self.case.title, self.case.help_rows()),
            (self.replies.title, self.replies.help_rows()),
            (self.log.title, self.log.help_rows()),
            (self.reports.title, self.reports.help_rows()),
            (self.postage.title, self.postage.help_rows()),
            (self.summary.title, self.summary.help_rows()),
        ];
        out.push(("表单、选择器、问题", FIXED.iter().map(|(k, h)| (k.to_string(), *h)).collect()));
        out
    }

    /// The README's key table (between its `keys:begin` and `keys:end` marks).
    #[cfg(test)]
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::from("| where | keys | what |\n| --- | --- | --- |\n");
        self.global.markdown(&mut out);
        self.queue.markdown(&mut out);
        self.detail.markdown(&mut out);
        self.cases.markdown(&mut out);
        self.case.markdown(&mut out);
        self.replies.markdown(&mut out);
        self.log.markdown(&mut out);
        self.reports.markdown(&mut out);
        self.postage.markdown(&mut out);
        self.summary.markdown(&mut out);
        for (k, h) in FIXED {
            let keys: Vec<String> = k.split_whitespace().filter(|k| *k != "/").map(|k| format!("`{k}`")).collect();
            let _ = writeln!(out, "| 表单、选择器、问题 | {} | {h} |", keys.join(" "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print_both_ways() {
        for s in ["j", "G", "?", "/", "[", "Enter", "Esc", "Tab", "S-Tab", "PgDn", "PgUp", "Home", "End", "C-q", "F2"] {
            let k = Key::parse(s).unwrap();
            assert_eq!(Key::parse(&k.label()).unwrap(), k, "{s}");
            assert_eq!(Key::of(&k.event()), Some(k), "{s}");
        }
        assert_eq!(Key::parse("Down").unwrap().label(), "↓");
        assert!(Key::parse("Hyper-x").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn every_default_key_parses_and_no_table_binds_a_key_twice() {
        let k = Keymaps::default();
        let tables: Vec<(&str, Vec<Key>)> = vec![
            ("global", k.global.keys()),
            ("queue", k.queue.keys()),
            ("detail", k.detail.keys()),
            ("aftersales", k.cases.keys()),
            ("case", k.case.keys()),
            ("replies", k.replies.keys()),
            ("log", k.log.keys()),
            ("reports", k.reports.keys()),
            ("postage", k.postage.keys()),
            ("sync_summary", k.summary.keys()),
        ];
        for (name, keys) in &tables {
            assert!(!keys.contains(&Key::NONE), "{name} has a default key that does not parse");
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), keys.len(), "{name} binds a key twice");
            if !["global", "postage", "sync_summary"].contains(name) {
                for g in &tables[0].1 {
                    assert!(!keys.contains(g), "{name} binds the global key {}", g.label());
                }
            }
        }
    }

    #[test]
    fn hints_group_rows_with_the_same_hint() {
        let k = Keymaps::default();
        assert_eq!(k.global.hints(), "Tab/S-Tab/1-5 窗格 · E/I/S 同步 · ? 帮助 · q 退出");
        assert!(k.queue.hints().contains("j/k 移动 · PgDn/PgUp 翻页 · g/G 两端"), "{}", k.queue.hints());
    }

    /// The README's key table is this table: when a key changes, the README says so.
    #[test]
    fn the_readme_key_table_is_the_keymap() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let (begin, end) = ("<!-- keys:begin (generated from src/tui/keymap.rs) -->\n", "<!-- keys:end -->");
        let from = readme.find(begin).map(|i| i + begin.len()).expect("the README has the key table's marks");
        let to = readme[from..].find(end).map(|i| from + i).expect("and its end mark");
        let want = Keymaps::default().markdown();
        assert!(readme[from..to] == want, "README.md's key table is out of date; it should be:\n{want}");
    }

    #[test]
    fn a_rebinding_applies_and_a_bad_one_is_reported() {
        let mut k = Keymaps::default();
        let mut wanted: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        let mut queue = BTreeMap::new();
        queue.insert("memo".to_string(), vec!["M".to_string()]);
        queue.insert("flag".to_string(), vec!["m".to_string()]);
        queue.insert("refund".to_string(), vec!["q".to_string()]);
        queue.insert("nope".to_string(), vec!["z".to_string()]);
        queue.insert("exchange".to_string(), vec!["Hyper-z".to_string()]);
        wanted.insert("queue".into(), queue);
        wanted.insert("pane9".into(), BTreeMap::new());
        let mut bogus = BTreeMap::new();
        bogus.insert("x".to_string(), vec!["x".to_string()]);
        wanted.insert("pane9".into(), bogus);
        let problems = k.apply(&wanted);
        let m = KeyEvent::from(KeyCode::Char('M'));
        assert_eq!(k.queue.lookup(&m), Some(QueueKey::Memo));
        assert_eq!(
            k.queue.lookup(&KeyEvent::from(KeyCode::Char('m'))),
            Some(QueueKey::Flag),
            "m freed by the memo rebinding"
        );
        assert_eq!(k.queue.lookup(&KeyEvent::from(KeyCode::Char('r'))), Some(QueueKey::Refund), "refused: q is global");
        assert_eq!(k.queue.lookup(&KeyEvent::from(KeyCode::Char('x'))), Some(QueueKey::Exchange));
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("queue.refund") && p.contains("全局")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("queue.nope")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("看不懂")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("queue.exchange") && p.contains("保持默认")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("pane9")), "{problems:?}");
    }
}
