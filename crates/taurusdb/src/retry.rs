//! When and how long to wait before trying a request again.
//!
//! Only what is safe to repeat is retried (this API's one operation is an idempotent GET):
//! connection failures, timeouts, and the statuses 429, 502, 503 and 504. Never another 4xx.
//! Waits grow exponentially with jitter, `Retry-After` is honoured, and both the number of
//! attempts and the total time are bounded.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// The retry policy of a client. [`RetryPolicy::default`] retries; [`RetryPolicy::none`]
/// does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_elapsed: Duration,
    pub(crate) max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Up to 3 attempts within 30 s; waits of 200 ms, 400 ms, ... (with jitter) up to 5 s;
    /// a `Retry-After` of up to 20 s is honoured.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The most attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each later one doubles, up to `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// No retry starts when it would end later than this after the first attempt began.
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// The longest `Retry-After` honoured; a longer one ends the retries.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Whether retries are on at all.
    pub fn is_enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// The exponential wait after attempt `attempt` (1-based), with "equal jitter": half of it
    /// fixed, half random, so that callers that failed together do not retry together.
    pub(crate) fn backoff_after(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(jitter())
    }

    /// The wait before attempt `attempt + 1`, or `None` when there is to be no more attempts.
    /// `retry_after` is the server's `Retry-After`, if it sent one; `elapsed` is the time since
    /// the first attempt began.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match retry_after {
            Some(d) if d > self.max_retry_after => return None,
            Some(d) => d,
            None => self.backoff_after(attempt),
        };
        (elapsed + wait <= self.max_elapsed).then_some(wait)
    }
}

/// 429, 502, 503 and 504: the statuses that say "try again".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// A `Retry-After` header: delay-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = crate::date::parse_http_date(value)?;
    // A date in the past means now; whole seconds, as the date has.
    let secs = when
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?
        .as_secs()
        .saturating_sub(now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs());
    Some(Duration::from_secs(secs))
}

/// A random number in [0, 1) for the jitter: std's `RandomState` is seeded randomly per
/// thread and its keys change with each instance, so hashing the time through a fresh one is
/// random enough to spread retries, without a random-number crate.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    /// The jitter is in [0, 1) and spread out: 1 000 draws fill every tenth of the interval.
    #[test]
    fn jitter_is_uniform_enough() {
        let mut tenths = [0u32; 10];
        for _ in 0..1000 {
            let j = super::jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
            tenths[(j * 10.0) as usize] += 1;
        }
        assert!(tenths.iter().all(|&n| n > 50), "{tenths:?}");
    }

    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = RetryPolicy::default()
            .max_attempts(10)
            .backoff(Duration::from_millis(100), Duration::from_millis(700));
        for _ in 0..100 {
            let b1 = p.backoff_after(1);
            assert!(
                b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100),
                "{b1:?}"
            );
            let b3 = p.backoff_after(3);
            assert!(
                b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400),
                "{b3:?}"
            );
            let b9 = p.backoff_after(9);
            assert!(
                b9 >= Duration::from_millis(350) && b9 <= Duration::from_millis(700),
                "{b9:?}"
            );
        }
        assert!(
            p.backoff_after(60) <= Duration::from_millis(700),
            "no overflow on many attempts"
        );
    }

    #[test]
    fn attempts_time_and_retry_after_bound_the_retries() {
        let p = RetryPolicy::default()
            .max_attempts(3)
            .max_elapsed(Duration::from_secs(10));
        assert!(p.next_wait(1, None, Duration::ZERO).is_some());
        assert!(
            p.next_wait(3, None, Duration::ZERO).is_none(),
            "attempts exhausted"
        );
        assert_eq!(
            p.next_wait(1, Some(Duration::from_secs(2)), Duration::ZERO),
            Some(Duration::from_secs(2))
        );
        assert!(
            p.next_wait(1, Some(Duration::from_secs(9)), Duration::from_secs(2))
                .is_none(),
            "past max_elapsed"
        );
        assert!(
            p.next_wait(1, Some(Duration::from_secs(60)), Duration::ZERO)
                .is_none(),
            "over max_retry_after"
        );
        assert!(
            RetryPolicy::none()
                .next_wait(1, None, Duration::ZERO)
                .is_none()
        );
        assert!(!RetryPolicy::none().is_enabled() && RetryPolicy::default().is_enabled());
        let patient = p
            .clone()
            .max_retry_after(Duration::from_secs(90))
            .max_elapsed(Duration::from_secs(120));
        assert_eq!(
            patient.next_wait(1, Some(Duration::from_secs(60)), Duration::ZERO),
            Some(Duration::from_secs(60)),
            "a longer Retry-After is honoured when the policy allows it"
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(
            retry_after(&h, SystemTime::now()),
            Some(Duration::from_secs(7))
        );
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_767); // Sun, 06 Nov 1994 08:49:27 GMT
        h.insert(
            RETRY_AFTER,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(10)));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn only_throttling_and_gateway_statuses_are_retryable() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 408, 409, 500, 501] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
    }
}
