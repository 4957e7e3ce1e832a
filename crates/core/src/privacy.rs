//! Personal data shown to readers who may not see it whole: masked the way Chinese government
//! systems usually mask it (a mobile number 3-4-4 as `138****5678`, an identity-card number
//! with its first 3 and last 4 characters, so neither the place nor the date of birth shows).

/// Keep the first `head` and last `tail` characters of `s`, every other one `*`. A value too
/// short to keep both ends is masked whole.
fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A mobile number, 3-4-4: `13812345678` → `138****5678`.
pub fn mask_phone(s: &str) -> String {
    keep_ends(s, 3, 4)
}

/// An identity-card number: `44180219700101002X` → `441***********002X`.
pub fn mask_id_number(s: &str) -> String {
    keep_ends(s, 3, 4)
}

/// An email address: the first character of the name and the whole domain,
/// `zhang.san@example.cn` → `z***@example.cn`.
pub fn mask_email(s: &str) -> String {
    match s.trim().split_once('@') {
        Some((name, domain)) => {
            let first: String = name.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => keep_ends(s, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_the_usual_way() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id_number("44180219700101002X"), "441***********002X");
        assert_eq!(mask_email("zhang.san@example.cn"), "z***@example.cn");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_email("nobody"), "******");
    }
}
