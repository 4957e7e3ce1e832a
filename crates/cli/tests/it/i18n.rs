//! Every Chinese message the pages use has its English translation.

use crate::helpers::repo;

#[test]
fn every_message_has_an_english_translation() {
    let web = repo().join("crates/web");
    let en: std::collections::HashMap<String, String> =
        toml::from_str(&std::fs::read_to_string(web.join("i18n/en.toml")).unwrap()).unwrap();
    let re = regex::Regex::new(r#"\bt\("([^"]+)"\)"#).unwrap();
    let mut missing = std::collections::BTreeSet::new();
    // Every file of the web crate's templates and sources, at any depth.
    let mut files = Vec::new();
    let mut dirs = vec![web.join("templates"), web.join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push(p);
            }
        }
    }
    let mut used = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for c in re.captures_iter(&text) {
            used += 1;
            if !en.contains_key(&c[1]) {
                missing.insert(c[1].to_owned());
            }
        }
    }
    assert!(used > 100, "found only {used} messages");
    assert!(
        missing.is_empty(),
        "messages without an English translation in crates/web/i18n/en.toml:\n{}",
        missing
            .iter()
            .map(|m| format!("\"{m}\" = \"\""))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
