//! 公民身份号码 (GB 11643-1999): 18 characters — the region code, the date of birth, a sequence
//! number and a check character over the first 17 digits (ISO 7064 MOD 11-2).

use crate::credit_code::CodeError;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// A citizen identity number that passed its check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        if !c.is_ascii_digit() {
            return None;
        }
        sum += u32::from(c - b'0') * w;
    }
    CHECK
        .get(usize::try_from(sum % 11).ok()?)
        .map(|b| char::from(*b))
}

impl IdNumber {
    /// Parse a number as typed: spaces trimmed, a final `x` upper-cased.
    pub fn parse(input: &str) -> Result<IdNumber, CodeError> {
        let s: String = input.trim().to_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CodeError {
                zh: format!("公民身份号码应为18位，您输入了{n}位。"),
                en: format!("A citizen identity number has 18 characters; this has {n}."),
            });
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(CodeError {
                zh: "公民身份号码前17位应为数字，最后一位为数字或X。".into(),
                en: "The first 17 characters are digits; the last is a digit or X.".into(),
            });
        }
        let birth = &s[6..14];
        let ok_birth = jiff::civil::Date::strptime("%Y%m%d", birth)
            .is_ok_and(|d| d.year() >= 1900 && d.year() <= 2100);
        if !ok_birth {
            return Err(CodeError {
                zh: format!("公民身份号码第7至14位应为出生日期，“{birth}”不是有效日期。"),
                en: format!("Characters 7–14 are the date of birth; “{birth}” is not a date."),
            });
        }
        let want = check_char(&b[..17]).unwrap_or('?');
        let got = char::from(b[17]);
        if want != got {
            return Err(CodeError {
                zh: format!(
                    "公民身份号码校验位不符（最后一位应为“{want}”，输入的是“{got}”），请核对后重新输入。"
                ),
                en: format!(
                    "The check character does not match (it should be “{want}”, not “{got}”); please check the number."
                ),
            });
        }
        Ok(IdNumber(s))
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The number with the middle hidden, for anyone but the office: `441802********123X`.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_example_passes_and_a_wrong_check_character_is_named() {
        // The example of GB 11643-1999: 11010519491231002X.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse(" 11010519491231002x ").is_ok());
        let e = IdNumber::parse("110105194912310021").unwrap_err();
        assert!(e.zh.contains("校验位"), "{}", e.zh);
        assert!(e.zh.contains("“X”"), "{}", e.zh);
    }

    #[test]
    fn length_digits_and_birth_date_are_checked() {
        assert!(
            IdNumber::parse("1101051949123100")
                .unwrap_err()
                .zh
                .contains("16位")
        );
        assert!(IdNumber::parse("1101051949123100AX").is_err());
        let bad_date = "110105194913310021";
        assert!(
            IdNumber::parse(bad_date)
                .unwrap_err()
                .zh
                .contains("出生日期")
        );
    }

    #[test]
    fn check_characters_cover_every_remainder() {
        for first in [
            "44180219800101123",
            "44180219800101124",
            "44180219800101125",
        ] {
            let c = check_char(first.as_bytes()).unwrap();
            assert!(IdNumber::parse(&format!("{first}{c}")).is_ok());
        }
    }

    #[test]
    fn masking_keeps_region_and_last_four() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
    }
}
