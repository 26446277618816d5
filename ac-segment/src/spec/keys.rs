//! The loose key matcher: Segment's integrations find traits by key ignoring case and
//! separators, so `first_name`, `firstName`, `FirstName` and `FIRST NAME` are one key.

use serde_json::{Map, Value};

/// The characters that count in a loose comparison: letters and digits, lowercased.
fn significant(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// True when `a` and `b` are the same key once case and every character other than a letter
/// or a digit are ignored.
///
/// ```
/// use ac_segment::spec::loose_eq;
/// assert!(loose_eq("first_name", "FirstName"));
/// assert!(loose_eq("shirtSize", "SHIRT_SIZE"));
/// assert!(!loose_eq("first", "firstName"));
/// ```
pub fn loose_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        // The common case, byte by byte without decoding.
        return ascii_significant(a).eq(ascii_significant(b));
    }
    significant(a).eq(significant(b))
}

fn ascii_significant(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.as_bytes()
        .iter()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
}

/// The normal form used by [`loose_eq`] (`"Shirt Size"` → `"shirtsize"`).
pub fn loose_key(s: &str) -> String {
    significant(s).collect()
}

/// Looks `key` up in `map`: the exact key first, then any key that [`loose_eq`] matches
/// (the first one in the map's order). A `null` value counts as absent, so
/// `{"email": null, "Email": "a@b.co"}` has the email `a@b.co`.
pub fn get_loose<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = map.get(key).filter(|v| !v.is_null()) {
        return Some(v);
    }
    map.iter()
        .find(|(k, v)| !v.is_null() && loose_eq(k, key))
        .map(|(_, v)| v)
}

/// The first of `keys` present in `map` (loosely) whose value is not `null`.
pub fn first_loose<'a>(map: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .filter_map(|k| get_loose(map, k))
        .find(|v| !v.is_null())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loose_matches_case_and_separators() {
        assert!(loose_eq("first_name", "firstName"));
        assert!(loose_eq("First Name", "first-name"));
        assert!(loose_eq("%SHIRT_SIZE%", "shirtSize"));
        assert!(!loose_eq("shirt", "shirtSize"));
        assert!(!loose_eq("", "a"));
        assert_eq!(loose_key("Favourite Colour"), "favouritecolour");
    }

    #[test]
    fn lookups_prefer_the_exact_key_then_map_order() {
        let m = json!({"first_name": "a", "firstName": "b", "email": null, "Email": "x@y.z"});
        let m = m.as_object().unwrap();
        assert_eq!(get_loose(m, "firstName"), Some(&json!("b")));
        // No exact key: the first loose match in the map's own iteration order (sorted keys
        // without serde_json's `preserve_order`, insertion order with it).
        let first_in_map_order = m
            .iter()
            .find(|(k, _)| loose_eq(k, "FIRSTNAME"))
            .map(|(_, v)| v);
        assert!(first_in_map_order.is_some());
        assert_eq!(get_loose(m, "FIRSTNAME"), first_in_map_order);
        assert_eq!(first_loose(m, &["email"]), Some(&json!("x@y.z")));
        assert_eq!(get_loose(m, "phone"), None);
        // `null` is absent, exact or loose.
        assert_eq!(get_loose(m, "email"), Some(&json!("x@y.z")));
        let only_null = json!({"email": null, "E-mail": null});
        assert_eq!(get_loose(only_null.as_object().unwrap(), "email"), None);
    }
}
