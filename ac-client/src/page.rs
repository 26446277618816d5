//! One page of results ([`Page`]) and lazy streams over all pages.

use std::future::Future;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use serde::Deserialize;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::query::Paged;

/// A lazy stream over every item of a listing, fetched page by page.
///
/// Boxed, so it is `Unpin` and `Send`: `while let Some(item) = stream.next().await` works
/// without `pin!`, and the stream can be stored in a struct or moved into a task.
///
/// ```no_run
/// use ac_client::{contacts::{Contact, ContactQuery}, BoxStream, Client};
/// use futures_util::StreamExt;
///
/// # async fn run(client: Client) -> ac_client::Result<()> {
/// let mut contacts: BoxStream<Contact> = client.contacts().stream(ContactQuery::new());
/// while let Some(contact) = contacts.next().await {
///     println!("{}", contact?.email);
/// }
/// # Ok(())
/// # }
/// ```
pub type BoxStream<T> = std::pin::Pin<Box<dyn Stream<Item = Result<T>> + Send + 'static>>;

/// One page of a listing: the items and AC's `meta.total` (the count over all pages).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The total number of matching items across all pages, as AC reports it
    /// (0 when AC did not say).
    pub total: u64,
}

impl<T> Page<T> {
    /// Number of items on this page.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the page holds no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// True when items remain after this page, given the page's `offset`.
    pub fn has_more(&self, offset: u64) -> bool {
        offset + (self.items.len() as u64) < self.total
    }

    /// Takes the items.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// AC's `meta` object; `total` may be a string or a number.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Meta {
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub(crate) total: u64,
}

/// Items with a numeric id, so pagination can tell whether it advanced.
pub(crate) trait Identified {
    fn id_value(&self) -> u64;
}

struct OffsetState<F> {
    fetch: F,
    offset: u64,
    done: bool,
    prev_ids: Option<Vec<u64>>,
}

/// Streams every item by offset paging. Ends on an empty or short page, or once `offset`
/// reaches the reported total; yields an error and ends when a fetch fails or when the server
/// returns the same page again.
pub(crate) fn offset_stream<T, F, Fut>(limit: u32, start_offset: u64, fetch: F) -> BoxStream<T>
where
    T: Identified + Send + 'static,
    F: FnMut(u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = OffsetState {
        fetch,
        offset: start_offset,
        done: false,
        prev_ids: None,
    };
    stream::try_unfold(state, move |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let page = (st.fetch)(st.offset).await?;
        if page.items.is_empty() {
            return Ok(None);
        }
        let ids: Vec<u64> = page.items.iter().map(Identified::id_value).collect();
        if let Some(prev) = &st.prev_ids {
            if ids.iter().all(|id| prev.contains(id)) {
                return Err(Error::Pagination {
                    message: format!("the page at offset {} repeats the previous page", st.offset),
                });
            }
        }
        st.offset += page.items.len() as u64;
        st.done = page.items.len() < limit as usize || (page.total > 0 && st.offset >= page.total);
        st.prev_ids = Some(ids);
        Ok(Some((stream::iter(page.items.into_iter().map(Ok)), st)))
    })
    .try_flatten()
    .boxed()
}

/// Streams every item of a `limit`/`offset` listing with [`offset_stream`]: the page size is
/// the query's limit (or 100) and the first page is at the query's offset (or 0). `fetch`
/// reads one page for the query it is given.
pub(crate) fn query_stream<Q, T, F, Fut>(client: &Client, query: Q, fetch: F) -> BoxStream<T>
where
    Q: Paged + Clone + Send + 'static,
    T: Identified + Send + 'static,
    F: Fn(Client, Q) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let client = client.clone();
    let (limit, offset) = query.paging();
    let limit = limit.unwrap_or(100);
    offset_stream(limit, offset.unwrap_or(0), move |offset| {
        fetch(client.clone(), query.clone().page_at(limit, offset))
    })
}

struct CursorState<F> {
    fetch: F,
    after: Option<u64>,
    done: bool,
}

/// Streams every item by id cursor (`id_greater`): each page asks for ids above the last one
/// seen. Ends on an empty or short page; yields an error and ends when a fetch fails or the
/// cursor does not advance.
pub(crate) fn cursor_stream<T, F, Fut>(
    limit: u32,
    start_after: Option<u64>,
    fetch: F,
) -> BoxStream<T>
where
    T: Identified + Send + 'static,
    F: FnMut(Option<u64>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = CursorState {
        fetch,
        after: start_after,
        done: false,
    };
    stream::try_unfold(state, move |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let page = (st.fetch)(st.after).await?;
        let Some(last) = page.items.iter().map(Identified::id_value).max() else {
            return Ok(None);
        };
        if st.after.is_some_and(|after| last <= after) {
            return Err(Error::Pagination {
                message: format!("no id above {} on the next page", st.after.unwrap_or(0)),
            });
        }
        st.after = Some(last);
        st.done = page.items.len() < limit as usize;
        Ok(Some((stream::iter(page.items.into_iter().map(Ok)), st)))
    })
    .try_flatten()
    .boxed()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[derive(Debug, PartialEq)]
    struct Item(u64);
    impl Identified for Item {
        fn id_value(&self) -> u64 {
            self.0
        }
    }

    fn page(ids: std::ops::Range<u64>, total: u64) -> Page<Item> {
        Page {
            items: ids.map(Item).collect(),
            total,
        }
    }

    #[tokio::test]
    async fn offset_stream_reads_all_pages() {
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let s = offset_stream(2, 0, move |offset| {
            c.fetch_add(1, Ordering::SeqCst);
            async move { Ok(page(offset..(offset + 2).min(5), 5)) }
        });
        let items: Vec<u64> = s.map(|r| r.unwrap().0).collect().await;
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn offset_stream_stops_on_repeated_page() {
        let s = offset_stream(2, 0, |_| async { Ok(page(0..2, 1000)) });
        let got: Vec<Result<Item>> = s.collect().await;
        assert_eq!(got.len(), 3);
        assert!(matches!(got[2], Err(Error::Pagination { .. })));
    }

    #[tokio::test]
    async fn offset_stream_ends_after_error() {
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let s = offset_stream(2, 0, move |offset| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 1 {
                    Err(Error::invalid("x", "boom"))
                } else {
                    Ok(page(offset..offset + 2, 100))
                }
            }
        });
        let got: Vec<Result<Item>> = s.collect().await;
        assert_eq!(got.len(), 3);
        assert!(got[2].is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn cursor_stream_advances_and_guards() {
        let s = cursor_stream(2, None, |after| async move {
            let from = after.map_or(1, |a| a + 1);
            Ok(page(from..(from + 2).min(6), 0))
        });
        let items: Vec<u64> = s.map(|r| r.unwrap().0).collect().await;
        assert_eq!(items, vec![1, 2, 3, 4, 5]);

        let s = cursor_stream(2, None, |_| async { Ok(page(1..3, 0)) });
        let got: Vec<Result<Item>> = s.collect().await;
        assert_eq!(got.len(), 3);
        assert!(matches!(got[2], Err(Error::Pagination { .. })));
    }
}
