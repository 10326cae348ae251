//! The `?` overlay: every key of every pane, laid out in as many columns as it needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::popup;
use crate::tui::text::cell;

pub const GLOBAL: &[(&str, &str)] = &[
    ("Tab/S-Tab", "切换窗格"),
    ("1 2 3", "订单 / 售后 / 快捷回复"),
    ("4 5", "日志 / 报表(全屏视图,1/2/3 返回)"),
    ("j k ↓ ↑", "移动"),
    ("PgDn PgUp", "翻页"),
    ("g G", "到顶 / 到底"),
    ("Enter", "打开 / 确认"),
    ("Esc", "返回 / 取消"),
    ("/", "在当前窗格搜索"),
    ("E", "导出同步文件(全部 / 自上次导出以来)"),
    ("I", "导入同步文件(↑/↓ 选文件夹里的 .kefusync)"),
    ("S", "同步文件夹:写出本席位的,导入其他席位的"),
    ("?", "帮助"),
    ("q", "退出(有未保存内容先确认)"),
    ("Ctrl-Q", "在表单中也能退出"),
];

pub const QUEUE: &[(&str, &str)] = &[
    ("Enter", "订单详情"),
    ("/", "搜索单号/买家/收货人/手机尾号/运单"),
    ("f F", "筛选:全部/待发货/超时/已发货/退款中/旗帜"),
    ("s", "设置旗帜"),
    ("m", "写备注(工号/做了什么/结果)"),
    ("r", "登记退款"),
    ("x", "换货"),
    ("b", "中差评(设紫旗,评价抄进备注)"),
    ("d", "破损/遗失报告"),
    ("p", "详情中显示/隐藏手机"),
];

pub const AFTERSALES: &[(&str, &str)] = &[
    ("a", "本单售后 / 全部进行中"),
    ("Enter", "打开售后单 / 执行所选操作"),
    ("j k", "选择操作(只列出当前可执行的)"),
    ("e", "编辑售后登记"),
    ("c", "记录联系(同时写备注)"),
    ("y Y", "复制破损报告 / 登记行"),
    ("w", "谁付邮费?(t 切换C店/天猫)"),
    ("R", "处理冲突(写明如何处理,至少 2 字)"),
    ("PgDn PgUp", "滚动时间线"),
];

pub const REPLIES: &[(&str, &str)] = &[
    ("/", "搜索:中文、全拼、首字母"),
    ("Enter", "复制(填好订单信息)并计数"),
    ("a", "新增快捷回复"),
    ("e", "修改"),
    ("D", "删除"),
    ("R", "分组改名"),
    ("X", "删除分组"),
    ("Esc", "清空搜索"),
];

pub const LOG: &[(&str, &str)] = &[
    ("/", "过滤:客服/席位/订单/售后单/类型/内容"),
    ("j k PgDn", "滚动,到底自动读下一页"),
    ("r", "从最新一条重读"),
    ("Esc", "清空过滤"),
];

pub const REPORTS: &[(&str, &str)] = &[
    ("h l ← →", "换报表:日报/退款7天/退款30天/中差评/破损/客服"),
    ("[ ]", "前一天 / 后一天(日报日期、周期截止日)"),
    ("j k PgDn", "滚动表格"),
    ("r", "重新计算"),
    ("d", "DSR 计算(评分人数与目标分)"),
];

pub fn lines() -> Vec<Line<'static>> {
    let head = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    for (title, keys) in [
        ("全局", GLOBAL),
        ("① 订单", QUEUE),
        ("② 售后", AFTERSALES),
        ("③ 快捷回复", REPLIES),
        ("④ 日志", LOG),
        ("⑤ 报表", REPORTS),
    ] {
        out.push(Line::styled(title, head));
        for (k, what) in keys.iter() {
            out.push(Line::from(vec![
                Span::styled(cell(k, 10), Style::default().fg(Color::Yellow)),
                Span::raw(format!(" {what}")),
            ]));
        }
    }
    out
}

pub fn draw(f: &mut Frame, screen: Rect) {
    let all = lines();
    let area = popup::centered(screen, screen.width.saturating_sub(4), screen.height.saturating_sub(2));
    let inner = popup::frame(f, area, "帮助 · 所有按键 (Esc/? 关闭)");
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let h = inner.height as usize;
    let cols = all.len().div_ceil(h).max(1);
    let col_w = inner.width / cols as u16;
    for (c, chunk) in all.chunks(h).enumerate() {
        let x = inner.x + c as u16 * col_w;
        f.render_widget(Paragraph::new(chunk.to_vec()), Rect::new(x, inner.y, col_w.saturating_sub(1), inner.height));
    }
}
