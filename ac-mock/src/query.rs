//! Lenient query-string parsing: bracketed keys (`filters[name][eq]`), repeated keys
//! (`ids[]=1&ids[]=2`), and numbers that fall back to defaults instead of failing.

/// The decoded `key=value` pairs of a query string, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a raw query string (`None` or empty → no pairs).
    pub fn parse(raw: Option<&str>) -> Self {
        let raw = raw.unwrap_or("");
        Self(
            url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The last non-empty value of `key`, trimmed.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// A non-negative integer, or `None` when absent or not a number.
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }

    /// A signed integer, or `None` when absent or not a number.
    pub fn i64(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }

    /// `limit`: `default` when absent, zero, negative or not a number; at most `max`.
    pub fn limit(&self, default: usize, max: usize) -> usize {
        match self
            .get("limit")
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            Some(0) | None => default,
            Some(n) => n.min(max),
        }
    }

    /// `offset`: 0 when absent, negative or not a number.
    pub fn offset(&self) -> usize {
        self.get("offset")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Ids from `key=1,2`, `key[]=1&key[]=2` or `key[0]=1`; `None` when the key is absent.
    pub fn id_list(&self, key: &str) -> Option<Vec<u64>> {
        let bracket = format!("{key}[");
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == key || (k.starts_with(&bracket) && k.ends_with(']')))
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            return None;
        }
        Some(
            values
                .iter()
                .flat_map(|v| v.split(','))
                .filter_map(|v| v.trim().parse().ok())
                .collect(),
        )
    }

    /// `prefix[name]=value` pairs in query order, e.g. `orders[email]=ASC` → `("email", "ASC")`.
    pub fn bracketed(&self, prefix: &str) -> Vec<(String, String)> {
        let open = format!("{prefix}[");
        self.0
            .iter()
            .filter_map(|(k, v)| {
                let inner = k.strip_prefix(&open)?.strip_suffix(']')?;
                Some((inner.to_string(), v.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_repeats_and_lenient_numbers() {
        let p = Params::parse(Some(
            "ids%5B%5D=1&ids[]=2,3&orders[email]=ASC&orders%5Bid%5D=desc&filters[search][eq]=x&limit=-3&offset=abc",
        ));
        assert_eq!(p.id_list("ids"), Some(vec![1, 2, 3]));
        assert_eq!(
            p.bracketed("orders"),
            vec![("email".into(), "ASC".into()), ("id".into(), "desc".into())]
        );
        assert_eq!(
            p.bracketed("filters"),
            vec![("search][eq".into(), "x".into())]
        );
        assert_eq!((p.limit(20, 100), p.offset()), (20, 0));
        assert_eq!(Params::parse(Some("limit=500")).limit(20, 100), 100);
    }
}
