//! Single-flight caches: each key is resolved (found or created) at most once at a time, and
//! concurrent callers for the same key wait for that one resolution instead of racing to
//! create duplicates. A failed resolution is not cached: the next caller tries again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// Name → value, single-flight per key, with an optional one-time bulk load.
#[derive(Debug)]
pub(crate) struct Named<V> {
    loaded: OnceCell<()>,
    cells: Mutex<HashMap<String, Arc<OnceCell<V>>>>,
}

impl<V> Default for Named<V> {
    fn default() -> Self {
        Named {
            loaded: OnceCell::new(),
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Named<V> {
    fn cell(&self, key: &str) -> Arc<OnceCell<V>> {
        let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        cells
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(OnceCell::new()))
            .clone()
    }

    /// The value for `key` if it is known.
    pub(crate) fn peek(&self, key: &str) -> Option<V> {
        let cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        cells.get(key).and_then(|c| c.get().cloned())
    }

    /// Records a value (from a bulk load or a side effect); an existing value stays.
    pub(crate) fn put(&self, key: &str, value: V) {
        let _ = self.cell(key).set(value);
    }

    /// Runs `load` once (single-flight) before the first lookup; a failed load is retried by
    /// the next caller.
    pub(crate) async fn ensure_loaded<E, F, Fut>(&self, load: F) -> Result<(), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<(String, V)>, E>>,
    {
        self.loaded
            .get_or_try_init(|| async {
                for (k, v) in load().await? {
                    self.put(&k, v);
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// The value for `key`, resolving it with `resolve` when unknown. Concurrent callers for
    /// one key share a single `resolve`.
    pub(crate) async fn get_or_resolve<E, F, Fut>(&self, key: &str, resolve: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = self.cell(key);
        cell.get_or_try_init(resolve).await.cloned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixteen_racers_resolve_once() {
        let cache: Arc<Named<u32>> = Arc::default();
        let runs = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (cache, runs) = (cache.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_resolve("vip", || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(7)
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(7));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_resolution_is_tried_again() {
        let cache: Named<u32> = Named::default();
        assert_eq!(
            cache.get_or_resolve("a", || async { Err("down") }).await,
            Err("down")
        );
        assert_eq!(
            cache
                .get_or_resolve("a", || async { Ok::<_, &str>(1) })
                .await,
            Ok(1)
        );
        assert_eq!(cache.peek("a"), Some(1));
        cache
            .ensure_loaded(|| async { Ok::<_, ()>(vec![("b".to_owned(), 2)]) })
            .await
            .unwrap();
        assert_eq!(cache.peek("b"), Some(2));
    }
}
