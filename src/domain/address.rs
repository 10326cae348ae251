//! Reading a receiver's address the way a courier reads it: the region a parcel goes to.

/// Where a parcel goes, for a courier's report: province and city of a receiver's address
/// (`浙江省 杭州市 西湖区 …` → `浙江杭州`; a municipality once: `北京 北京市 朝阳区 …` → `北京`).
/// Addresses with or without spaces are read; empty when none is recognised.
pub fn region(address: &str) -> String {
    let parts = split_region(address.trim());
    let short = |s: &str| -> String {
        let s = s.trim();
        for suffix in ["特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"]
        {
            if let Some(stem) = s.strip_suffix(suffix)
                && !stem.is_empty()
            {
                return stem.to_string();
            }
        }
        s.to_string()
    };
    match parts.as_slice() {
        [] => String::new(),
        [one] => short(one),
        [p, c, ..] => {
            let (p, c) = (short(p), short(c));
            if p == c || c.is_empty() { p } else { format!("{p}{c}") }
        }
    }
}

/// The province and city parts of an address (at most two).
fn split_region(address: &str) -> Vec<&str> {
    if address.is_empty() {
        return Vec::new();
    }
    let words: Vec<&str> = address.split_whitespace().collect();
    if words.len() >= 2 && is_region_word(words[0]) {
        let mut out = vec![words[0]];
        if is_region_word(words[1]) {
            out.push(words[1]);
        }
        return out;
    }
    // No spaces: cut after the first 省/自治区/市 and then after the next 市/州/盟/地区.
    let mut out = Vec::new();
    let mut rest = address;
    for ends in [&["特别行政区", "自治区", "省", "市"][..], &["自治州", "地区", "市", "州", "盟"][..]]
    {
        let cut = ends.iter().filter_map(|e| rest.find(e).map(|i| i + e.len())).min();
        match cut {
            Some(i) if rest[..i].chars().count() <= 10 => {
                out.push(&rest[..i]);
                rest = &rest[i..];
            }
            _ => break,
        }
    }
    out
}

fn is_region_word(w: &str) -> bool {
    ["省", "市", "自治区", "特别行政区", "州", "盟", "地区"].iter().any(|s| w.ends_with(s))
        || ["北京", "上海", "天津", "重庆", "香港", "澳门"].contains(&w)
}

#[cfg(test)]
mod tests {
    use super::region;

    #[test]
    fn province_and_city_of_a_spaced_address() {
        assert_eq!(region("浙江省 杭州市 西湖区 文三路90号"), "浙江杭州");
        assert_eq!(region("湖北省 武汉市 武昌区 中北路109号"), "湖北武汉");
        assert_eq!(region("广西壮族自治区 南宁市 青秀区 民族大道"), "广西南宁");
    }

    #[test]
    fn a_municipality_is_named_once() {
        assert_eq!(region("北京 北京市 朝阳区 建国路88号"), "北京");
        assert_eq!(region("上海市 上海市 浦东新区 世纪大道1号"), "上海");
        assert_eq!(region("北京市 朝阳区 建国路88号"), "北京");
    }

    #[test]
    fn an_address_without_spaces() {
        assert_eq!(region("浙江省杭州市西湖区文三路90号"), "浙江杭州");
        assert_eq!(region("北京市朝阳区建国路88号"), "北京");
    }

    #[test]
    fn nothing_recognised_is_empty() {
        assert_eq!(region(""), "");
        assert_eq!(region("   "), "");
        assert_eq!(region("文三路90号"), "");
    }
}
