//! Industry sections (门类) of GB/T 4754-2017 《国民经济行业分类》, and reading them from what an
//! applicant typed for "所属行业（GB/T 4754 代码及名称）".
//!
//! The form field is free text: a class code with its name (`C3311 金属结构制造`), a section
//! letter (`C 制造业`), a bare code (`3311`), a section name (`制造业—汽车零部件`) or a division
//! name (`电力、热力生产和供应业`). [`section_of`] reads, in this order, a section letter, a
//! division number (the first two digits of a code, mapped by the 2017 division ranges) and
//! then names: a section's full name, else the typical words of a section's divisions.

use crate::experts::halfwidth;

/// The 20 sections of GB/T 4754-2017: letter, Chinese name, English name.
pub const SECTIONS: [(char, &str, &str); 20] = [
    (
        'A',
        "农、林、牧、渔业",
        "Agriculture, forestry, animal husbandry and fishery",
    ),
    ('B', "采矿业", "Mining"),
    ('C', "制造业", "Manufacturing"),
    (
        'D',
        "电力、热力、燃气及水生产和供应业",
        "Production and supply of electricity, heat, gas and water",
    ),
    ('E', "建筑业", "Construction"),
    ('F', "批发和零售业", "Wholesale and retail trade"),
    (
        'G',
        "交通运输、仓储和邮政业",
        "Transport, storage and postal services",
    ),
    ('H', "住宿和餐饮业", "Accommodation and catering"),
    (
        'I',
        "信息传输、软件和信息技术服务业",
        "Information transmission, software and information technology services",
    ),
    ('J', "金融业", "Finance"),
    ('K', "房地产业", "Real estate"),
    ('L', "租赁和商务服务业", "Leasing and business services"),
    (
        'M',
        "科学研究和技术服务业",
        "Scientific research and technical services",
    ),
    (
        'N',
        "水利、环境和公共设施管理业",
        "Water conservancy, environment and public facilities management",
    ),
    (
        'O',
        "居民服务、修理和其他服务业",
        "Resident services, repair and other services",
    ),
    ('P', "教育", "Education"),
    ('Q', "卫生和社会工作", "Health and social work"),
    (
        'R',
        "文化、体育和娱乐业",
        "Culture, sports and entertainment",
    ),
    (
        'S',
        "公共管理、社会保障和社会组织",
        "Public administration, social security and social organisations",
    ),
    ('T', "国际组织", "International organisations"),
];

/// The division (大类) ranges of each section in GB/T 4754-2017, inclusive.
const DIVISIONS: [(u8, u8, char); 20] = [
    (1, 5, 'A'),
    (6, 12, 'B'),
    (13, 43, 'C'),
    (44, 46, 'D'),
    (47, 50, 'E'),
    (51, 52, 'F'),
    (53, 60, 'G'),
    (61, 62, 'H'),
    (63, 65, 'I'),
    (66, 69, 'J'),
    (70, 70, 'K'),
    (71, 72, 'L'),
    (73, 75, 'M'),
    (76, 79, 'N'),
    (80, 82, 'O'),
    (83, 83, 'P'),
    (84, 85, 'Q'),
    (86, 90, 'R'),
    (91, 96, 'S'),
    (97, 97, 'T'),
];

/// Words typical of each section's divisions and classes, for text that names no section in
/// full. When several match, the one ending last in the text wins (the head word of a Chinese
/// industry name comes last: `文化用品制造` is manufacturing), and at the same end the longer.
const KEYWORDS: [(char, &[&str]); 20] = [
    (
        'A',
        &["农林牧渔", "农业", "林业", "畜牧", "渔业", "种植", "养殖"],
    ),
    ('B', &["采矿", "开采", "采选", "洗选"]),
    (
        'C',
        &[
            "制造", "加工", "冶炼", "压延", "制品", "纺织", "印刷", "酿造",
        ],
    ),
    (
        'D',
        &[
            "电力",
            "热力",
            "燃气",
            "供电",
            "发电",
            "供水",
            "自来水",
            "水生产",
            "水的生产",
        ],
    ),
    ('E', &["建筑", "土木工程", "施工", "建筑安装", "装修"]),
    ('F', &["批发", "零售", "商贸"]),
    (
        'G',
        &["交通运输", "运输", "仓储", "邮政", "物流", "快递", "装卸"],
    ),
    ('H', &["住宿", "餐饮", "酒店", "饭店"]),
    (
        'I',
        &[
            "信息传输",
            "软件",
            "信息技术",
            "信息技术服务",
            "信息服务",
            "互联网",
            "电信",
            "数据处理",
        ],
    ),
    ('J', &["金融", "银行", "保险", "证券", "信托"]),
    ('K', &["房地产", "物业管理"]),
    (
        'L',
        &[
            "租赁",
            "商务服务",
            "企业管理",
            "广告",
            "人力资源服务",
            "会展",
        ],
    ),
    (
        'M',
        &[
            "科学研究",
            "研究和试验发展",
            "技术服务",
            "专业技术服务",
            "科技推广",
            "检验检测",
            "检测",
            "认证",
            "工程设计",
            "勘察",
        ],
    ),
    (
        'N',
        &[
            "水利",
            "环境治理",
            "生态保护",
            "公共设施",
            "环境卫生",
            "环保",
        ],
    ),
    ('O', &["居民服务", "修理", "维修", "家政"]),
    ('P', &["教育", "学校", "培训"]),
    ('Q', &["卫生", "医院", "医疗服务", "社会工作"]),
    ('R', &["文化", "体育", "娱乐", "出版", "广播电视", "影视"]),
    (
        'S',
        &[
            "公共管理",
            "社会保障",
            "社会组织",
            "国家机构",
            "群众自治",
            "社会团体",
        ],
    ),
    ('T', &["国际组织"]),
];

/// The Chinese name of a section.
pub fn section_zh(c: char) -> Option<&'static str> {
    SECTIONS.iter().find(|s| s.0 == c).map(|s| s.1)
}

/// The English name of a section.
pub fn section_en(c: char) -> Option<&'static str> {
    SECTIONS.iter().find(|s| s.0 == c).map(|s| s.2)
}

/// The section of a two-digit division number (01–97).
pub fn section_of_division(division: u8) -> Option<char> {
    DIVISIONS
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&division))
        .map(|d| d.2)
}

/// Full-width characters as ASCII, and references to the standard itself (`GB/T 4754-2017`,
/// `GB/T4754—2011`, `4754`) blanked so that their letters and digits are not read as codes.
fn prepare(text: &str) -> String {
    let chars: Vec<char> = text.chars().map(halfwidth).collect();
    let digit_at = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let standard = chars[i..].starts_with(&['4', '7', '5', '4'])
            && !(i > 0 && digit_at(i - 1))
            && !digit_at(i + 4);
        if !standard {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let kept = out.trim_end().len();
        out.truncate(kept);
        let upper = out.to_ascii_uppercase();
        if let Some(cut) = ["GB/T", "GBT", "GB"]
            .iter()
            .find(|p| upper.ends_with(*p))
            .map(|p| kept - p.len())
        {
            out.truncate(cut);
        }
        i += 4;
        // An edition year: `-2017`, `—2017`, ` 2017`.
        let mut j = i;
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        if chars.get(j).is_some_and(|c| "-—–‐".contains(*c)) {
            j += 1;
        }
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        if (j..j + 4).all(digit_at) && !digit_at(j + 4) {
            i = j + 4;
        }
        out.push(' ');
    }
    out
}

/// Punctuation after which a lone section letter still reads as a code.
fn closes_code(c: char) -> bool {
    c.is_whitespace() || ",，、;；:：)）]】.。".contains(c)
}

/// A section letter standing alone: not next to another ASCII letter or a `/`, and either
/// starting the text or followed by a digit, a space, punctuation or the end. Lower case counts
/// only directly before a digit (`c3311`).
fn by_letter(text: &str) -> Option<char> {
    let chars: Vec<char> = text.trim().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        if prev.is_some_and(|p| p.is_ascii_alphabetic() || p == '/')
            || next.is_some_and(|n| n.is_ascii_alphabetic())
        {
            continue;
        }
        let upper = c.to_ascii_uppercase();
        if !('A'..='T').contains(&upper) {
            continue;
        }
        let before_digit = next.is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_lowercase() {
            if before_digit {
                return Some(upper);
            }
            continue;
        }
        if i == 0 || before_digit || next.is_none_or(closes_code) {
            return Some(c);
        }
    }
    None
}

/// The first run of 2–4 ASCII digits that is not a date (`2019年`) and whose first two digits
/// are a division, mapped to its section.
fn by_division(text: &str) -> Option<char> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        let len = i - start;
        let date = chars.get(i).is_some_and(|c| "年月日%".contains(*c));
        if (2..=4).contains(&len) && !date {
            let tens = chars[start].to_digit(10).unwrap_or(0);
            let ones = chars[start + 1].to_digit(10).unwrap_or(0);
            if let Some(s) = u8::try_from(tens * 10 + ones)
                .ok()
                .and_then(section_of_division)
            {
                return Some(s);
            }
        }
    }
    None
}

/// Text as names are compared: no whitespace, the list comma for other commas.
fn name_form(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' || c == '，' { '、' } else { c })
        .collect()
}

/// The section of the match ending last in `text` (at the same end, the longer match).
fn last_match<'a>(text: &str, words: impl Iterator<Item = (char, &'a str)>) -> Option<char> {
    words
        .flat_map(|(c, w)| {
            text.match_indices(w)
                .map(move |(at, m)| ((at + m.len(), m.len()), c))
        })
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, c)| c)
}

/// A section named in full, else by the typical words of its divisions.
fn by_name(text: &str) -> Option<char> {
    let t = name_form(text);
    last_match(&t, SECTIONS.iter().map(|s| (s.0, s.1))).or_else(|| {
        last_match(
            &t,
            KEYWORDS
                .iter()
                .flat_map(|(c, ws)| ws.iter().map(move |w| (*c, *w))),
        )
    })
}

/// The section of what an applicant typed for their industry: a section letter (`C3311`,
/// `C 制造业`), else the first division number (`3311` → C), else a section or division name
/// (`制造业—汽车零部件`, `电力、热力生产和供应业`). `None` when nothing is recognised.
pub fn section_of(text: &str) -> Option<char> {
    let t = prepare(text);
    by_letter(&t)
        .or_else(|| by_division(&t))
        .or_else(|| by_name(&t))
}

/// Separators between the items of a list of sections.
fn is_list_separator(c: char) -> bool {
    c.is_whitespace() || ",，、;；/|".contains(c)
}

/// The sections of a list such as `C,D`, `C、M`, `C3311 金属结构制造` or `制造业、建筑业`,
/// sorted and without repeats. Full section names are read first, so the commas inside
/// `农、林、牧、渔业` do not split it.
pub fn parse_sections(text: &str) -> Vec<char> {
    let mut rest: String = prepare(text)
        .chars()
        .map(|c| if c == ',' || c == '，' { '、' } else { c })
        .collect();
    let mut found = Vec::new();
    for (c, name, _) in SECTIONS {
        if rest.contains(name) {
            found.push(c);
            rest = rest.replace(name, " ");
        }
    }
    found.extend(
        rest.split(is_list_separator)
            .filter(|p| !p.is_empty())
            .filter_map(section_of),
    );
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_divisions_agree() {
        for (i, (c, zh, en)) in SECTIONS.iter().enumerate() {
            assert_eq!(u32::from(*c), u32::from('A') + u32::try_from(i).unwrap());
            assert_eq!(section_zh(*c), Some(*zh));
            assert_eq!(section_en(*c), Some(*en));
            assert_eq!(DIVISIONS[i].2, *c);
            assert_eq!(KEYWORDS[i].0, *c);
            // Every section's own name reads back as that section.
            assert_eq!(section_of(zh), Some(*c), "{zh}");
            assert_eq!(parse_sections(zh), vec![*c], "{zh}");
        }
        // The ranges cover 01–97 without gaps or overlaps.
        let mut next = 1;
        for (lo, hi, _) in DIVISIONS {
            assert_eq!(lo, next);
            assert!(hi >= lo);
            next = hi + 1;
        }
        assert_eq!(next, 98);
        assert_eq!(section_of_division(0), None);
        assert_eq!(section_of_division(98), None);
        assert_eq!(section_zh('U'), None);
        assert_eq!(section_en('a'), None);
    }

    #[test]
    fn letters() {
        assert_eq!(section_of("C3311 金属结构制造"), Some('C'));
        assert_eq!(section_of("C 制造业"), Some('C'));
        assert_eq!(section_of("C制造业"), Some('C'));
        assert_eq!(section_of("Ｃ３３１１"), Some('C'));
        assert_eq!(section_of("c3311"), Some('C'));
        assert_eq!(section_of("行业代码：D4411"), Some('D'));
        assert_eq!(section_of("行业：M"), Some('M'));
        // A letter inside a word is no code; nor is U or later.
        assert_eq!(section_of("IT服务"), None);
        assert_eq!(section_of("U 其他"), None);
        // The standard's own name is not read as section T or division 47.
        assert_eq!(section_of("GB/T 4754-2017 C3311 金属结构制造"), Some('C'));
        assert_eq!(section_of("GB/T4754—2017：3311"), Some('C'));
        assert_eq!(section_of("GB/T 4754 代码及名称：电力生产"), Some('D'));
    }

    #[test]
    fn division_numbers() {
        assert_eq!(section_of("3311"), Some('C'));
        assert_eq!(section_of("0511 农业专业及辅助性活动"), Some('A'));
        assert_eq!(section_of("44"), Some('D'));
        assert_eq!(section_of("代码 7010"), Some('K'));
        assert_eq!(section_of("97"), Some('T'));
        // A single digit, five digits, a year and an unknown division are passed over.
        assert_eq!(section_of("5 年"), None);
        assert_eq!(section_of("12345"), None);
        assert_eq!(section_of("2019年起 制造业"), Some('C'));
        assert_eq!(section_of("99 7511"), Some('M'));
    }

    #[test]
    fn names() {
        assert_eq!(section_of("制造业—汽车零部件"), Some('C'));
        assert_eq!(section_of("电力、热力生产和供应业"), Some('D'));
        assert_eq!(section_of("金属结构制造"), Some('C'));
        assert_eq!(section_of("文化用品制造"), Some('C'));
        assert_eq!(section_of("农副食品加工业"), Some('C'));
        assert_eq!(section_of("房屋建筑业"), Some('E'));
        assert_eq!(section_of("软件开发"), Some('I'));
        assert_eq!(section_of("信息技术服务"), Some('I'));
        assert_eq!(section_of("环境卫生管理"), Some('N'));
        assert_eq!(section_of("汽车修理与维护"), Some('O'));
        assert_eq!(section_of("农林牧渔业"), Some('A'));
        assert_eq!(section_of("批发和零售业，主要为家电零售"), Some('F'));
        // A section named in full beats the words of another.
        assert_eq!(section_of("制造业（电力设备）"), Some('C'));
        assert_eq!(section_of("其他"), None);
        assert_eq!(section_of(""), None);
    }

    #[test]
    fn lists() {
        assert_eq!(parse_sections("C,D"), vec!['C', 'D']);
        assert_eq!(parse_sections("D C"), vec!['C', 'D']);
        assert_eq!(parse_sections("M、C"), vec!['C', 'M']);
        assert_eq!(parse_sections("制造业、建筑业"), vec!['C', 'E']);
        assert_eq!(parse_sections("C3311 金属结构制造"), vec!['C']);
        assert_eq!(
            parse_sections("农、林、牧、渔业；信息传输、软件和信息技术服务业"),
            vec!['A', 'I']
        );
        assert_eq!(parse_sections("C，C，e4710"), vec!['C', 'E']);
        assert_eq!(parse_sections("GB/T 4754-2017"), Vec::<char>::new());
        assert_eq!(parse_sections(""), Vec::<char>::new());
    }
}
