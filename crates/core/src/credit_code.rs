//! 统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character over the first 17.

use std::fmt;

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code that passed its check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

/// Why a code was refused; the message names the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError {
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

fn value(c: u8) -> Option<u32> {
    CHARSET
        .iter()
        .position(|x| *x == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character for the first 17 characters.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET
        .get(usize::try_from(check).ok()?)
        .map(|b| char::from(*b))
}

impl CreditCode {
    /// Parse a code as typed: spaces trimmed, letters upper-cased.
    pub fn parse(input: &str) -> Result<CreditCode, CodeError> {
        let s: String = input.trim().to_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CodeError {
                zh: format!("统一社会信用代码应为18位，您输入了{n}位。"),
                en: format!("A unified social credit code has 18 characters; this has {n}."),
            });
        }
        if let Some((i, c)) = s.bytes().enumerate().find(|(_, c)| value(*c).is_none()) {
            return Err(CodeError {
                zh: format!(
                    "第{}位“{}”不是统一社会信用代码允许的字符（不使用 I、O、S、V、Z）。",
                    i + 1,
                    char::from(c)
                ),
                en: format!(
                    "Character {} (“{}”) is not allowed in a credit code (I, O, S, V and Z are never used).",
                    i + 1,
                    char::from(c)
                ),
            });
        }
        let b = s.as_bytes();
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CodeError {
                zh: "第3至8位应为登记管理机关行政区划码（6位数字）。".into(),
                en: "Characters 3–8 are the registering authority's six-digit region code.".into(),
            });
        }
        let expected = check_char(&b[..17]).unwrap_or('?');
        if char::from(b[17]) != expected {
            return Err(CodeError {
                zh: "校验位不正确：代码可能有输入错误，请与营业执照逐位核对。".into(),
                en: "The check character is wrong: compare the code with the business licence character by character.".into(),
            });
        }
        Ok(CreditCode(s))
    }

    /// A valid code from 17 characters (for fictional demo data).
    pub fn complete(first17: &str) -> Option<CreditCode> {
        let c = check_char(first17.as_bytes())?;
        CreditCode::parse(&format!("{first17}{c}")).ok()
    }

    /// The six-digit region code of the registering authority.
    pub fn region(&self) -> &str {
        &self.0[2..8]
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_pass() {
        // Codes printed on public business licences.
        for c in [
            "91440300708461136T",
            "91110000802100433B",
            "91350100M000100Y43",
        ] {
            assert!(CreditCode::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn a_wrong_check_character_is_named() {
        let e = CreditCode::parse("91440300708461136A").unwrap_err();
        assert!(e.zh.contains("校验位"));
    }

    #[test]
    fn length_and_characters_are_named() {
        assert!(
            CreditCode::parse("9144030070846113")
                .unwrap_err()
                .zh
                .contains("18位")
        );
        assert!(
            CreditCode::parse("91440300708461136O")
                .unwrap_err()
                .zh
                .contains("第18位")
        );
    }

    #[test]
    fn completes_demo_codes() {
        let c = CreditCode::complete("91441802MA4DEM01X").unwrap();
        assert_eq!(c.region(), "441802");
        assert!(CreditCode::parse(c.as_str()).is_ok());
    }
}
