//! Case-insensitive text, as `str::to_lowercase` compares it, without lower-casing ASCII text
//! for every row: substring search (`search`, `email_like`) and ordering (`orders[...]`).

use std::borrow::Cow;
use std::cmp::Ordering;

/// A search term lower-cased once, matched as `hay.to_lowercase().contains(term)` matches,
/// without lower-casing ASCII hay (for ASCII text `to_lowercase` is `to_ascii_lowercase`, and a
/// lower-cased term with a non-ASCII byte cannot occur in ASCII text).
pub(super) struct Needle(String);

impl Needle {
    pub(super) fn new(term: &str) -> Self {
        Self(term.to_lowercase())
    }

    pub(super) fn found_in(&self, hay: &str) -> bool {
        if !hay.is_ascii() {
            return hay.to_lowercase().contains(&self.0);
        }
        let needle = self.0.as_bytes();
        needle.is_empty()
            || hay.as_bytes().windows(needle.len()).any(|w| {
                w.iter()
                    .zip(needle)
                    .all(|(h, n)| h.to_ascii_lowercase() == *n)
            })
    }

    /// Whether `"{first} {last}"` contains the term. A term without a space cannot straddle
    /// the space, so ASCII names are searched apart, without building the full name.
    pub(super) fn found_in_name(&self, first: &str, last: &str) -> bool {
        if !self.0.contains(' ') && first.is_ascii() && last.is_ascii() {
            return self.found_in(first) || self.found_in(last);
        }
        self.found_in(&format!("{first} {last}"))
    }
}

/// A text as `s.to_lowercase()` orders it, with its first 8 bytes (big-endian, zero-padded)
/// and length beside it: they decide most comparisons without reading the text, which at
/// 100k contacts is scattered over the heap. ASCII text is folded while it is compared, not
/// copied; other text is lower-cased once.
pub(super) struct Lower<'a> {
    head: u64,
    len: usize,
    text: Cow<'a, str>,
    /// `text` is ASCII with capitals, to be folded when compared.
    fold: bool,
}

impl<'a> Lower<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        let (text, fold) = if s.is_ascii() {
            (Cow::Borrowed(s), s.bytes().any(|b| b.is_ascii_uppercase()))
        } else {
            (Cow::Owned(s.to_lowercase()), false)
        };
        let mut head = [0u8; 8];
        for (slot, b) in head.iter_mut().zip(text.bytes()) {
            *slot = b.to_ascii_lowercase();
        }
        Self {
            head: u64::from_be_bytes(head),
            len: text.len(),
            text,
            fold,
        }
    }

    /// The bytes of the lower-cased text.
    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let fold = self.fold;
        self.text
            .bytes()
            .map(move |b| if fold { b.to_ascii_lowercase() } else { b })
    }
}

impl Ord for Lower<'_> {
    /// The order of the lower-cased texts: different heads differ where the texts do (a text
    /// that ended pads with 0, which sorts first as the shorter text does); equal heads of
    /// texts of at most 8 bytes leave only the length.
    fn cmp(&self, other: &Self) -> Ordering {
        self.head.cmp(&other.head).then_with(|| {
            if self.len <= 8 && other.len <= 8 {
                self.len.cmp(&other.len)
            } else if !self.fold && !other.fold {
                self.text.cmp(&other.text)
            } else {
                self.bytes().cmp(other.bytes())
            }
        })
    }
}

impl PartialOrd for Lower<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Lower<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Lower<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text keys order as their lower-cased texts do: shared heads, texts shorter and longer
    /// than the 8-byte head, NUL bytes, non-ASCII text.
    #[test]
    fn text_keys_order_as_lower_cased_texts() {
        let texts = [
            "",
            "a",
            "A",
            "a\u{0}",
            "ab",
            "abcdefgh",
            "ABCDEFGH",
            "abcdefgh\u{0}",
            "abcdefghi",
            "abcdefgha",
            "abcdefg",
            "Zoë",
            "zoe",
            "ΣΊΣΥΦΟΣ",
            "σίσυφος",
            "straße",
            "STRASSE",
            "\u{0}",
        ];
        for a in texts {
            for b in texts {
                let want = a.to_lowercase().cmp(&b.to_lowercase());
                assert_eq!(Lower::new(a).cmp(&Lower::new(b)), want, "{a:?} {b:?}");
            }
        }
    }

    /// The text matchers agree with `to_lowercase().contains()` on ASCII and non-ASCII text,
    /// a final sigma, and terms that straddle the space of a full name.
    #[test]
    fn needle_matches_as_lowercase_contains() {
        let hays = ["Ann Marie", "ΟΔΥΣΣΕΥΣ", "Zoë", "K", "straße", "O'NEIL", ""];
        let terms = [
            "n m",
            "ς",
            "σ",
            "ΣΣ",
            "OË",
            "k",
            "\u{212a}",
            "SS",
            "'n",
            "ann marie",
            "e",
        ];
        for hay in hays {
            for term in terms {
                let want = hay.to_lowercase().contains(&term.to_lowercase());
                assert_eq!(Needle::new(term).found_in(hay), want, "{hay:?} {term:?}");
            }
        }
        for (first, last) in [("Ann", "Marie"), ("ΟΔΥΣΣΕΥΣ", "Ng"), ("", "x"), ("a", "")] {
            let full = format!("{first} {last}");
            for term in terms.iter().chain(&["n m", "s n", " "]) {
                let want = full.to_lowercase().contains(&term.to_lowercase());
                let got = Needle::new(term).found_in_name(first, last);
                assert_eq!(got, want, "{full:?} {term:?}");
            }
        }
    }
}
