//! Reply search per keystroke at 10k and 100k synthetic house-style replies,
//! index build at 100k, and SkimMatcherV2 over the same texts as a baseline.
//!
//! Run: `cargo bench --bench search -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use kefu::search::{ReplyDoc, ReplyIndex};
use std::hint::black_box;

/// Results a reply picker shows at once.
const LIMIT: usize = 50;

const KEYSTROKES: [&str; 7] = ["y", "yf", "yfx", "tuikuan", "七天无理由", "qtwly", "zzzzzz"];

const PHRASES: &[&str] = &[
    "退款",
    "运费险",
    "七天无理由",
    "顺丰",
    "申通",
    "圆通",
    "EMS",
    "发货",
    "尺码",
    "银行",
    "便宜",
    "换货",
    "质量问题",
    "好评",
    "快递",
    "破损",
    "遗失",
    "中差评",
    "包邮",
    "补差价",
    "退货地址",
    "退货单号",
    "物流信息",
    "签收",
    "拒签",
    "催件",
    "到付",
    "偏远地区",
    "新疆西藏",
    "港澳台",
    "发票",
    "开增值税发票",
    "优惠券",
    "满减活动",
    "店铺红包",
    "会员折扣",
    "预售",
    "定金",
    "尾款",
    "库存",
    "缺货",
    "补货",
    "现货",
    "色差",
    "实物拍摄",
    "图片仅供参考",
    "面料",
    "纯棉",
    "洗涤说明",
    "不可机洗",
    "起球",
    "掉色",
    "缩水",
    "开线",
    "做工",
    "正品保证",
    "假一赔十",
    "防伪码",
    "专柜验货",
    "售后服务",
    "保修一年",
    "三包",
    "维修",
    "上门取件",
    "运单号",
    "包裹",
    "快递员",
    "驿站",
    "代收点",
    "丰巢",
    "取件码",
    "地址修改",
    "电话号码",
    "收货人",
    "备注",
    "留言",
    "拍下",
    "付款",
    "支付宝",
    "信用卡",
    "花呗分期",
    "银行卡转账",
    "对公账户",
    "汇款",
    "到账时间",
    "审核",
    "退款原因",
    "仅退款",
    "退货退款",
    "换货申请",
    "举证",
    "小二介入",
    "维权",
    "投诉",
    "纠纷",
    "协商",
    "补偿",
    "赠品",
    "小礼物",
    "试用装",
    "尺码表",
    "身高体重",
    "偏大",
    "偏小",
    "标准码",
    "建议拍大一码",
    "腰围",
    "胸围",
    "肩宽",
    "衣长",
    "裤长",
    "鞋码",
    "脚长",
    "颜色",
    "黑色",
    "白色",
    "卡其色",
    "藏青色",
    "款式",
    "新款",
    "爆款",
    "清仓",
    "特价",
    "秒杀",
    "聚划算",
    "直通车",
    "双十一",
    "年货节",
    "打包",
    "仓库",
    "分拣",
    "加急",
    "当天发货",
    "四点前下单",
    "二十四小时内发货",
    "一般两到五天",
    "不能保证到货时间",
    "天气原因",
    "节假日",
    "延迟发货",
    "补发",
    "漏发",
    "错发",
    "少件",
    "换个快递",
    "指定快递",
    "加钱",
    "差价",
    "运费",
    "首重",
    "续重",
    "重量",
    "体积",
    "易碎品",
    "包装",
    "泡沫",
    "纸箱",
    "防水袋",
    "拆封",
    "吊牌",
    "不影响二次销售",
    "质检",
    "验收",
    "截图",
    "聊天记录",
    "不要接收文件",
    "不要点陌生链接",
    "钓鱼网站",
    "账号安全",
    "密码",
    "验证码",
    "客服工号",
    "人工客服",
    "自动回复",
    "稍等",
    "马上为您查询",
    "已经为您登记",
    "已经备注",
    "已经催促",
    "耐心等待",
    "感谢支持",
    "欢迎再次光临",
    "收藏店铺",
    "关注我们",
    "晒图返现",
    "追评",
    "评价有礼",
    "五星好评",
    "默认好评",
    "修改评价",
    "商品链接",
    "详情页",
    "规格参数",
    "材质",
    "产地",
    "保质期",
    "生产日期",
    "批次",
    "过敏",
    "孕妇可用",
    "儿童款",
    "男款",
    "女款",
    "情侣款",
    "礼盒装",
    "贺卡",
    "代写祝福语",
    "银行行号",
];

const CONNECTORS: &[&str] = &["，", "的", "和", "请", "我们", "已经", "可以", "如果", "这边", "麻烦"];
const PARTICLES: &[&str] = &["呢", "哦", "哪", "啊"];
const GROUPS: &[&str] = &[
    "售前咨询",
    "售后",
    "物流",
    "退换货",
    "付款",
    "尺码",
    "评价",
    "活动优惠",
    "发票",
    "安全提醒",
    "质量问题",
    "催发货",
    "议价",
    "快捷短语",
    "自动回复",
];

/// splitmix64: deterministic, no external crate.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn replies(n: usize) -> Vec<ReplyDoc> {
    let mut rng = SplitMix(0x6b65_6675);
    (0..n)
        .map(|i| {
            let target = 30 + (rng.next() % 91) as usize;
            let mut text = String::from("亲,");
            while text.chars().count() < target {
                text.push_str(rng.pick(PHRASES));
                text.push_str(rng.pick(CONNECTORS));
            }
            text.push_str(rng.pick(PARTICLES));
            let letters: String = (0..2 + rng.next() % 3).map(|_| char::from(b'a' + (rng.next() % 26) as u8)).collect();
            ReplyDoc {
                id: format!("r{i}"),
                code: format!("{letters}{}", i % 100),
                text,
                group: rng.pick(GROUPS).to_string(),
                uses: (rng.next() % 500) as u32,
                mine: 0,
            }
        })
        .collect()
}

fn keystrokes(c: &mut Criterion) {
    for n in [10_000, 100_000] {
        let index = ReplyIndex::build(replies(n));
        let mut group = c.benchmark_group(format!("search_{}k", n / 1000));
        for query in KEYSTROKES {
            group.bench_function(query, |b| b.iter(|| index.search(black_box(query), LIMIT)));
        }
        group.finish();
    }
}

fn build(c: &mut Criterion) {
    let docs = replies(100_000);
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("100k", |b| b.iter_batched(|| docs.clone(), ReplyIndex::build, BatchSize::PerIteration));
    group.finish();
}

fn fuzzy_matcher_baseline(c: &mut Criterion) {
    let docs = replies(100_000);
    let matcher = SkimMatcherV2::default();
    let mut group = c.benchmark_group("fuzzy_matcher_baseline");
    group.sample_size(10);
    for query in ["qtwly", "七天无理由"] {
        group.bench_function(format!("100k/{query}"), |b| {
            b.iter(|| docs.iter().filter_map(|d| matcher.fuzzy_match(&d.text, black_box(query))).count())
        });
    }
    group.finish();
}

criterion_group!(benches, keystrokes, build, fuzzy_matcher_baseline);
criterion_main!(benches);
