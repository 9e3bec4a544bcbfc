//! A value that expires and is fetched again before it does, by one caller at a time: the
//! temporary credentials of the ECS metadata service and IAM tokens obtained by password.
//!
//! Reading a fresh value takes a read lock and an `Arc` clone. When the value is missing or
//! within `margin` of its expiry, callers queue on one asynchronous lock; the first fetches,
//! and those that queued behind it take what it fetched instead of fetching again (a
//! generation counter tells them that a fetch happened while they waited), so that 64
//! concurrent calls on an expiring credential make one request, not 64. A failed fetch is
//! not remembered: the next caller tries again.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// A value and when it stops being valid.
#[derive(Debug)]
pub(crate) struct Expiring<T> {
    pub(crate) value: T,
    pub(crate) expires_at: SystemTime,
}

/// The cache; see the module's documentation.
pub(crate) struct Refreshing<T> {
    current: RwLock<Option<Arc<Expiring<T>>>>,
    /// How many fetches have succeeded.
    generation: AtomicU64,
    fetching: tokio::sync::Mutex<()>,
    margin: Duration,
}

impl<T> Refreshing<T> {
    /// An empty cache whose values are fetched again `margin` before they expire.
    pub(crate) fn new(margin: Duration) -> Self {
        Refreshing {
            current: RwLock::new(None),
            generation: AtomicU64::new(0),
            fetching: tokio::sync::Mutex::new(()),
            margin,
        }
    }

    fn fresh(&self, now: SystemTime) -> Result<Arc<Expiring<T>>, u64> {
        // The generation is read before the value, so that a fetch that lands in between is
        // seen as a newer generation by the caller that goes on to wait.
        let generation = self.generation.load(Ordering::Acquire);
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        match &*current {
            Some(v) if now + self.margin < v.expires_at => Ok(v.clone()),
            _ => Err(generation),
        }
    }

    /// The current value, fetched with `fetch` first if it is missing or about to expire.
    pub(crate) async fn get<E, F, Fut>(&self, fetch: F) -> Result<Arc<Expiring<T>>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Expiring<T>, E>>,
    {
        let seen = match self.fresh(SystemTime::now()) {
            Ok(v) => return Ok(v),
            Err(generation) => generation,
        };
        let _one_at_a_time = self.fetching.lock().await;
        if self.generation.load(Ordering::Acquire) != seen {
            // Fetched while this caller waited: as fresh as a value gets, whatever its expiry.
            let current = self.current.read().unwrap_or_else(|e| e.into_inner());
            if let Some(v) = &*current {
                return Ok(v.clone());
            }
        }
        if let Ok(v) = self.fresh(SystemTime::now()) {
            return Ok(v);
        }
        let value = Arc::new(fetch().await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(value.clone());
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(value)
    }

    /// The current value if there is one, fresh or not, without fetching.
    pub(crate) fn peek(&self) -> Option<Arc<Expiring<T>>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn later(secs: u64) -> SystemTime {
        SystemTime::now() + Duration::from_secs(secs)
    }

    /// 64 callers on an empty cache fetch once, whether the value they get is fresh or
    /// already within the margin (then the callers that waited take it as it is).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_fetch() {
        for lifetime in [3600, 30] {
            let cache = Arc::new(Refreshing::<u32>::new(Duration::from_secs(60)));
            let fetches = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::new();
            for _ in 0..64 {
                let (cache, fetches) = (cache.clone(), fetches.clone());
                tasks.push(tokio::spawn(async move {
                    cache
                        .get(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok::<_, ()>(Expiring {
                                value: 7,
                                expires_at: later(lifetime),
                            })
                        })
                        .await
                        .unwrap()
                        .value
                }));
            }
            for t in tasks {
                assert_eq!(t.await.unwrap(), 7);
            }
            assert_eq!(fetches.load(Ordering::SeqCst), 1, "lifetime {lifetime} s");
        }
    }

    #[tokio::test]
    async fn a_value_within_the_margin_is_fetched_again_and_failures_are_not_kept() {
        let cache = Refreshing::<u32>::new(Duration::from_secs(60));
        let v = cache
            .get(|| async {
                Ok::<_, ()>(Expiring {
                    value: 1,
                    expires_at: later(30),
                })
            })
            .await
            .unwrap();
        assert_eq!(v.value, 1);
        let v = cache
            .get(|| async {
                Ok::<_, ()>(Expiring {
                    value: 2,
                    expires_at: later(3600),
                })
            })
            .await
            .unwrap();
        assert_eq!(v.value, 2, "30 s left is within the 60 s margin");
        let v = cache
            .get(|| async { Err::<Expiring<u32>, _>("not asked") })
            .await
            .unwrap();
        assert_eq!(v.value, 2, "a fresh value is not fetched again");

        let empty = Refreshing::<u32>::new(Duration::from_secs(60));
        assert_eq!(
            empty
                .get(|| async { Err::<Expiring<u32>, _>("down") })
                .await
                .unwrap_err(),
            "down"
        );
        assert!(empty.peek().is_none());
        let v = empty
            .get(|| async {
                Ok::<_, ()>(Expiring {
                    value: 3,
                    expires_at: later(3600),
                })
            })
            .await
            .unwrap();
        assert_eq!(
            v.value, 3,
            "a failed fetch is tried again by the next caller"
        );
    }
}
