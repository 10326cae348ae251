//! Behaviour of the public API, one test per matching/ranking rule.

use super::*;
use std::collections::HashMap;

fn doc(id: &str, code: &str, text: &str, group: &str, uses: u32) -> ReplyDoc {
    ReplyDoc { id: id.into(), code: code.into(), text: text.into(), group: group.into(), uses, mine: 0 }
}

fn sample() -> ReplyIndex {
    ReplyIndex::build(vec![
        doc("r0", "tk", "亲,退款已经提交了呢", "售后", 3),
        doc("r1", "yfx", "亲,本店支持运费险哦", "物流", 5),
        doc("r2", "7t", "亲,支持七天无理由退换哦", "售后", 1),
        doc("r3", "yh", "亲,银行卡转账请备注订单号呢", "付款", 0),
        doc("r4", "pj", "亲,这款已经很便宜了哦", "议价", 0),
        doc("r5", "cp", "亲,中差评请联系我们处理哦", "评价", 0),
        doc("r6", "ems", "亲,偏远地区发EMS哦😀 100% 到", "物流", 0),
    ])
}

fn ids(index: &ReplyIndex, query: &str) -> Vec<String> {
    index.search(query, 50).iter().map(|h| index.doc(h.doc).id.clone()).collect()
}

fn first(index: &ReplyIndex, query: &str) -> Hit {
    index.search(query, 50).into_iter().next().unwrap()
}

#[test]
fn chinese_substring() {
    let index = sample();
    assert_eq!(ids(&index, "运费险"), ["r1"]);
    assert_eq!(ids(&index, "无理由"), ["r2"]);
}

#[test]
fn full_pinyin() {
    let index = sample();
    assert_eq!(ids(&index, "tuikuan"), ["r0"]);
    assert_eq!(ids(&index, "yunfeixian"), ["r1"]);
}

#[test]
fn pinyin_initials() {
    let index = sample();
    assert_eq!(ids(&index, "tk")[0], "r0");
    assert_eq!(ids(&index, "yfx")[0], "r1");
    assert_eq!(ids(&index, "qtwly"), ["r2"]);
}

#[test]
fn mixed_syllables_and_initials_and_syllable_prefixes() {
    let index = sample();
    assert_eq!(ids(&index, "tuik"), ["r0"]);
    assert_eq!(ids(&index, "qitianwly"), ["r2"]);
    assert_eq!(ids(&index, "qtianwuly"), ["r2"]);
    assert!(ids(&index, "tui").contains(&"r0".to_string()));
    assert!(ids(&index, "tui").contains(&"r2".to_string()));
}

#[test]
fn heteronyms_count_every_reading() {
    let index = sample();
    assert_eq!(ids(&index, "yh")[0], "r3");
    assert_eq!(ids(&index, "yinhang"), ["r3"]);
    assert_eq!(ids(&index, "py")[0], "r4");
    assert_eq!(ids(&index, "pianyi"), ["r4"]);
    assert_eq!(ids(&index, "zhongchaping"), ["r5"]);
    assert_eq!(ids(&index, "zcp"), ["r5"]);
}

#[test]
fn ascii_is_case_insensitive_and_query_is_trimmed() {
    let index = sample();
    assert_eq!(ids(&index, "  EMS "), ids(&index, "ems"));
    assert_eq!(first(&index, "EmS").doc, 6);
    assert_eq!(ids(&index, " TuiKuan\t"), ["r0"]);
}

#[test]
fn terms_are_anded_across_fields() {
    let index = sample();
    // 售后 is a group, 退款 is text: both in r0; r2 has 售后 and 退 but not 退款.
    assert_eq!(ids(&index, "shouhou tuikuan"), ["r0"]);
    assert_eq!(ids(&index, "售后 qtwly"), ["r2"]);
    assert!(ids(&index, "售后 运费险").is_empty());
    assert_eq!(ids(&index, "wl ems"), ["r6"]);
}

#[test]
fn non_chinese_chars_are_matched_literally() {
    let index = sample();
    assert_eq!(ids(&index, "😀"), ["r6"]);
    assert_eq!(ids(&index, "100%"), ["r6"]);
    assert_eq!(ids(&index, "ems😀"), ["r6"]);
    assert!(ids(&index, "zzzzzz").is_empty());
    let hit = first(&index, "100%");
    assert_eq!(hit.field, Field::Text);
    assert_eq!(hit.highlights, [13, 14, 15, 16]);
}

#[test]
fn exact_short_code_ranks_first() {
    let index = ReplyIndex::build(vec![
        doc("a", "yfxx", "亲,运费险哦", "物流", 99),
        doc("b", "x", "亲,运费险说明呢", "物流", 50),
        doc("c", "yfx", "亲,包邮哦", "物流", 0),
    ]);
    let hits = index.search("YFX", 10);
    assert_eq!(hits[0].doc, 2);
    assert_eq!(hits[0].field, Field::Code);
    assert_eq!(hits[0].highlights, [0, 1, 2]);
    assert!(hits[0].score >= score::EXACT_CODE);
    // Code prefix beats the text matches.
    assert_eq!(hits[1].doc, 0);
    assert_eq!(hits[1].field, Field::Code);
    assert_eq!(hits[2].doc, 1);
}

#[test]
fn contiguous_ranks_above_scattered() {
    let index = ReplyIndex::build(vec![
        doc("scattered", "", "亲,退货时运费由买家承担哦", "", 100),
        doc("contiguous", "", "亲,本商品不含运费呢", "", 0),
    ]);
    // 退…运费 is only a subsequence: found, but as a scattered match.
    let hits = index.search("tyf", 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(index.doc(hits[0].doc).id, "scattered");
    assert_eq!(hits[0].highlights, [2, 5, 6]);
    let hits = index.search("hyf", 10);
    assert_eq!(hits.len(), 2);
    assert_eq!(index.doc(hits[0].doc).id, "contiguous");
    assert_eq!(hits[0].highlights, [6, 7, 8]);
    assert_eq!(index.doc(hits[1].doc).id, "scattered");
    assert!(hits[0].score > hits[1].score);
    // 货 (huo), 运 (yun), 费 (fei): scattered over 货时运费.
    assert_eq!(hits[1].highlights, [3, 5, 6]);
}

#[test]
fn scattered_fallback_only_when_contiguous_runs_short() {
    let mut docs = vec![doc("s", "", "亲,退货时运费由买家承担哦", "", 0)];
    docs.extend((0..5).map(|i| doc(&format!("c{i}"), "", "亲,含运费呢", "", 0)));
    let index = ReplyIndex::build(docs);
    assert_eq!(index.search("hyf", 5).len(), 5);
    assert!(index.search("hyf", 5).iter().all(|h| h.doc != 0));
    let hits = index.search("hyf", 6);
    assert_eq!(hits.len(), 6);
    assert_eq!(hits[5].doc, 0);
}

#[test]
fn field_start_ranks_above_middle() {
    let index = ReplyIndex::build(vec![
        doc("middle", "", "亲,本店退款很快的呢", "", 10),
        doc("start", "", "退款到账时间说明哦", "", 0),
        doc("group", "", "亲,请稍等哦", "退款", 0),
    ]);
    let hits = index.search("tk", 10);
    let order: Vec<&str> = hits.iter().map(|h| index.doc(h.doc).id.as_str()).collect();
    assert_eq!(order, ["group", "start", "middle"]);
    assert_eq!(hits[0].field, Field::Group);
    assert_eq!(hits[1].highlights, [0, 1]);
    assert_eq!(hits[2].highlights, [4, 5]);
}

#[test]
fn ties_break_by_uses_then_shorter_text_then_doc_order() {
    let index = ReplyIndex::build(vec![
        doc("long", "", "亲,顺丰快递需要补运费哦", "", 1),
        doc("short", "", "亲,顺丰要补差价哦", "", 1),
        doc("used", "", "亲,顺丰快递需要补运费很多钱哦", "", 7),
        doc("twin", "", "亲,顺丰要补差价哦", "", 1),
    ]);
    let order = ids(&index, "shunfeng");
    assert_eq!(order, ["used", "short", "twin", "long"]);
    // Deterministic.
    for _ in 0..5 {
        assert_eq!(ids(&index, "shunfeng"), order);
    }
}

#[test]
fn highlights_chinese_and_pinyin_matches() {
    let index = sample();
    let hit = first(&index, "运费险");
    assert_eq!((hit.field, hit.highlights), (Field::Text, vec![6, 7, 8]));
    let hit = first(&index, "yunfeix");
    assert_eq!((hit.field, hit.highlights), (Field::Text, vec![6, 7, 8]));
    let hit = first(&index, "qtwly");
    assert_eq!(hit.highlights, [4, 5, 6, 7, 8]);
    let hit = first(&index, "zcp");
    assert_eq!(hit.highlights, [2, 3, 4]);
    // Two terms in the same field: both highlighted.
    let hit = first(&index, "七天 退换");
    assert_eq!(hit.highlights, [4, 5, 9, 10]);
}

#[test]
fn highlights_are_char_indices_after_emoji() {
    let index = ReplyIndex::build(vec![doc("e", "", "😀😀亲,退款哦", "", 0)]);
    assert_eq!(first(&index, "tk").highlights, [4, 5]);
}

#[test]
fn empty_query_lists_most_used_then_code_order() {
    let index = ReplyIndex::build(vec![
        doc("a", "zz", "亲,一哦", "", 1),
        doc("b", "bb", "亲,二哦", "", 5),
        doc("c", "aa", "亲,三哦", "", 1),
        doc("d", "cc", "亲,四哦", "", 0),
    ]);
    for query in ["", "   ", "\t"] {
        let order: Vec<usize> = index.search(query, 10).iter().map(|h| h.doc).collect();
        assert_eq!(order, [1, 2, 0, 3]);
    }
    let order: Vec<usize> = index.search("", 2).iter().map(|h| h.doc).collect();
    assert_eq!(order, [1, 2]);
    assert!(index.search("", 0).is_empty());
    assert!(index.search("tk", 0).is_empty());
}

#[test]
fn upsert_replaces_by_id_or_adds() {
    let mut index = sample();
    index.upsert(doc("r1", "yfx", "亲,本店不支持包邮哦", "物流", 5));
    assert_eq!(index.len(), 7);
    assert!(ids(&index, "运费险").is_empty());
    assert_eq!(ids(&index, "baoyou"), ["r1"]);
    index.upsert(doc("r7", "sf", "亲,加10元可发顺丰哦", "物流", 0));
    assert_eq!(index.len(), 8);
    assert_eq!(ids(&index, "shunfeng"), ["r7"]);
    assert_eq!(index.doc(7).id, "r7");
}

#[test]
fn remove_shifts_later_docs() {
    let mut index = sample();
    assert!(index.remove("r1"));
    assert!(!index.remove("r1"));
    assert_eq!(index.len(), 6);
    assert!(ids(&index, "运费险").is_empty());
    assert_eq!(ids(&index, "qtwly"), ["r2"]);
    assert_eq!(first(&index, "qtwly").doc, 1);
    index.bump_use("r6");
    assert_eq!(index.doc(5).uses, 1);
    assert!(index.docs().iter().all(|d| d.id != "r1"));
}

#[test]
fn bump_use_counts_and_reorders() {
    let mut index = ReplyIndex::build(vec![doc("a", "", "亲,顺丰哦", "", 0), doc("b", "", "亲,顺丰呢", "", 0)]);
    assert_eq!(ids(&index, "sf"), ["a", "b"]);
    index.bump_use("b");
    index.bump_use("nope");
    assert_eq!(index.doc(1).uses, 1);
    assert_eq!(ids(&index, "sf"), ["b", "a"]);
    assert_eq!(index.search("", 1)[0].doc, 1);
}

#[test]
fn empty_index() {
    let index = ReplyIndex::build(Vec::new());
    assert!(index.is_empty());
    assert_eq!(index.len(), 0);
    assert!(index.search("", 10).is_empty());
    assert!(index.search("tk", 10).is_empty());
}

#[test]
fn threaded_scan_matches_single_threaded() {
    let words = ["退款", "运费险", "顺丰", "银行", "便宜", "七天无理由", "中差评"];
    let docs: Vec<ReplyDoc> = (0..9000)
        .map(|i| {
            let text = format!("亲,{}和{}哦", words[i % 7], words[(i / 7) % 7]);
            doc(&i.to_string(), &format!("c{i}"), &text, "", (i % 13) as u32)
        })
        .collect();
    let mut index = ReplyIndex::build(docs);
    for query in ["y", "yh", "tk yfx", "c12", "zzz", "hp"] {
        index.threads = 2;
        let threaded = index.search(query, 40);
        index.threads = 1;
        let single = index.search(query, 40);
        assert_eq!(threaded, single, "{query}");
    }
    assert_eq!(index.search("C4321", 5)[0].doc, 4321);
}

#[test]
fn build_and_one_by_one_upserts_agree() {
    let docs: Vec<ReplyDoc> = (0..300)
        .map(|i| {
            let text = ["亲,退款哦", "亲,运费险呢", "亲,顺丰包邮哪"][i % 3];
            doc(&format!("d{}", i % 250), &format!("k{i}"), text, ["售后", "物流"][i % 2], i as u32)
        })
        .collect();
    let built = ReplyIndex::build(docs.clone());
    let mut upserted = ReplyIndex::build(Vec::new());
    for d in docs {
        upserted.upsert(d);
    }
    assert_eq!(built.len(), 250);
    assert_eq!(built.docs(), upserted.docs());
    for query in ["tk", "yfx", "shouhou", "wl sf", "k1", "", "zz"] {
        assert_eq!(built.search(query, 500), upserted.search(query, 500), "{query}");
    }
}

#[test]
fn many_updates_compact_the_text_arena_without_losing_docs() {
    let mut index = sample();
    for i in 0..400 {
        let text = if i % 2 == 0 {
            "亲,运费险由保险公司赔付给您哦,七天内都可以申请的呢"
        } else {
            "亲,本店暂不支持运费险,但是可以七天无理由退换的哦"
        };
        index.upsert(doc("r1", &format!("yfx{i}"), text, "物流", 5));
        if i % 50 == 0 {
            index.upsert(doc("tmp", "tmp", text, "物流", 0));
            assert!(index.remove("tmp"));
        }
    }
    assert_eq!(index.len(), 7);
    assert_eq!(ids(&index, "qtwly"), ["r1", "r2"]);
    assert_eq!(first(&index, "bu zhichi").highlights, [5, 6, 7]);
    assert_eq!(ids(&index, "tuikuan"), ["r0"]);
    assert_eq!(first(&index, "ems").doc, 6);
}

#[test]
fn words_found_whole_outrank_abbreviations_used_more() {
    let index = ReplyIndex::build(vec![
        // 新安 reads xin'an: "xian" only abbreviates it (xi… an).
        doc("partial", "", "亲,新安那边的快递哦", "", 99),
        doc("whole", "", "亲,这单有运费险哦", "", 0),
    ]);
    let hits = index.search("xian", 10);
    let order: Vec<&str> = hits.iter().map(|h| index.doc(h.doc).id.as_str()).collect();
    assert_eq!(order, ["whole", "partial"]);
    assert!(hits[0].score >= score::WHOLE);
    assert!(hits[1].score < score::WHOLE);
    assert_eq!(hits[0].highlights, [7]);
    // Chinese typed as Chinese is whole too.
    assert!(first(&index, "运费险").score >= score::WHOLE);
    // Initials never are.
    assert!(first(&index, "yfx").score < score::WHOLE);
}

#[test]
fn full_pinyin_of_a_code_ranks_as_the_code() {
    let index = ReplyIndex::build(vec![
        doc("th2", "th2", "亲,退货请用普通快递寄回,运费险最多赔付首重运费哦", "售后", 90),
        doc("yfx", "yfx", "亲,您的订单有运费险哦,退款完成后运费险会赔付到您的支付宝", "售后", 1),
    ]);
    assert_eq!(ids(&index, "yunfeixian"), ["yfx", "th2"]);
    assert_eq!(ids(&index, "yun fei xian"), ["yfx", "th2"]);
    assert!(first(&index, "yunfeixian").score >= score::EXACT_CODE);
    // Without the code, use decides between equal matches.
    assert_eq!(ids(&index, "运费险"), ["th2", "yfx"]);
}

#[test]
fn the_agents_own_use_comes_before_the_shops() {
    let mut mine = ReplyIndex::build(vec![
        doc("shop", "", "亲,顺丰包邮哦", "", 50),
        doc("mine", "", "亲,顺丰到付哦", "", 2),
        doc("exact", "sf", "亲,可以发顺丰的", "", 0),
    ]);
    assert_eq!(ids(&mine, "sf"), ["exact", "shop", "mine"]);
    mine.set_mine(&[("mine".to_string(), 3)].into_iter().collect());
    // Meaning first: the exact code stays on top; then the agent's own reply.
    assert_eq!(ids(&mine, "sf"), ["exact", "mine", "shop"]);
    assert_eq!(index_order(&mine, ""), ["mine", "shop", "exact"]);
    mine.set_mine(&HashMap::new());
    mine.bump_use("shop");
    mine.bump_use("mine");
    assert_eq!(mine.doc(1).mine, MINE_TODAY);
    assert_eq!(ids(&mine, "sf"), ["exact", "shop", "mine"]);
}

fn index_order(index: &ReplyIndex, query: &str) -> Vec<String> {
    ids(index, query)
}

#[test]
fn scattered_matches_stay_within_a_clause() {
    let index = ReplyIndex::build(vec![
        doc("across", "", "亲,有问题的话,发给我们,小二处理", "", 0),
        doc("within", "", "亲,有空发个小视频哦", "", 0),
    ]);
    let hits = index.search("yfx", 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(index.doc(hits[0].doc).id, "within");
    assert_eq!(hits[0].highlights, [2, 4, 6]);
}

/// The demo's replies, as a seat starts with them.
fn demo_index() -> ReplyIndex {
    let replies = &crate::demo::data::data().unwrap().replies;
    ReplyIndex::build(
        replies
            .iter()
            .enumerate()
            .map(|(i, r)| ReplyDoc {
                id: r.code.clone(),
                code: r.code.clone(),
                text: r.text.clone(),
                group: r.group.clone(),
                // th2 is used far more than yfx.
                uses: if r.code == "th2" { 300 } else { (i % 17) as u32 },
                mine: 0,
            })
            .collect(),
    )
}

#[test]
fn demo_yfx_brings_the_postage_insurance_replies_not_scattered_initials() {
    let index = demo_index();
    assert!(index.len() >= 236, "{}", index.len());
    let hits = index.search("yfx", 200);
    let about = |h: &Hit| index.doc(h.doc).text.contains("运费险");
    let insured = index.docs().iter().filter(|d| d.text.contains("运费险")).count();
    assert!(insured >= 6, "{insured}");
    assert_eq!(index.doc(hits[0].doc).code, "yfx");
    assert!(hits[..insured].iter().all(about), "{:?}", hits.iter().map(|h| &index.doc(h.doc).code).collect::<Vec<_>>());
    let scattered = hits.iter().filter(|h| h.score < 1 << 32).count();
    assert!(scattered < 40, "{scattered} scattered of {}", hits.len());
}

#[test]
fn demo_yunfeixian_puts_yfx_above_th2() {
    let index = demo_index();
    let order = ids(&index, "yunfeixian");
    let at = |code: &str| order.iter().position(|c| c == code).unwrap();
    assert_eq!(order[0], "yfx");
    assert!(at("yfx") < at("th2"));
}
