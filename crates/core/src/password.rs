//! The password policy (GB/T 22239 level-3 practice: length and character classes).

/// Minimum length.
pub const MIN_LEN: usize = 10;

/// Check a new password; the refusal names what is missing, in Chinese and English.
pub fn check(password: &str, username: &str) -> Result<(), (&'static str, &'static str)> {
    if password.chars().count() < MIN_LEN {
        return Err(("密码至少10位。", "A password has at least 10 characters."));
    }
    if password.chars().count() > 128 {
        return Err((
            "密码不能超过128位。",
            "A password has at most 128 characters.",
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err((
            "密码须包含大写字母、小写字母、数字、符号中的至少三类。",
            "A password mixes at least three of: capitals, small letters, digits, symbols.",
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err((
            "密码不能包含用户名。",
            "A password may not contain the user name.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn policy() {
        assert!(check("Qingyuan#2026", "office").is_ok());
        assert!(check("short1A!", "x").is_err());
        assert!(check("alllowercaseletters", "x").is_err());
        assert!(check("Office#20260", "office").is_err());
    }
}
